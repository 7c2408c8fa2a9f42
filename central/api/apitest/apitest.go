// Package apitest runs central's real sync API for the tests of its clients
// (the agent's central client, outbox and inbox): a real SQLite store and
// blob store in a temporary folder, served over TLS as the SPL serves it.
package apitest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/backuprepo"
	"xdemat/central/blob"
	"xdemat/central/sqlite"
)

// Central is a running central API and what it stores.
type Central struct {
	Store     *sqlite.Store
	Blobs     *blob.Store
	UploadDir string
	API       *api.Server
	Srv       *httptest.Server
	// Pin is the hex SHA-256 of the server's certificate, as agents pin it.
	Pin string
	// Requests counts the requests that reached the handler.
	Requests atomic.Int64
	// Sauvegarde serves the communes' restic repositories under
	// /restic/{communeID}/ (Sauvegarde.Depot.Dir), as central does.
	Sauvegarde *api.Sauvegarde
	// CloseStore closes the store once, whether a test or the cleanup asks.
	CloseStore func()

	t testing.TB
}

// New starts a central for the test; it stops with the test.
func New(t testing.TB) *Central {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Central{Store: store, Blobs: blobs, UploadDir: filepath.Join(dir, "televersements"), t: t}
	c.CloseStore = sync.OnceFunc(func() { store.Close() })
	t.Cleanup(c.CloseStore)
	seq, err := backuprepo.OuvrirSequestre(filepath.Join(dir, "sauvegardes-cles"), filepath.Join(dir, "sauvegarde.key"))
	if err != nil {
		t.Fatal(err)
	}
	c.Sauvegarde = &api.Sauvegarde{
		Depot: &backuprepo.Server{
			Dir:    filepath.Join(dir, "sauvegardes"),
			Logger: slog.New(slog.DiscardHandler),
			Quota: func(communeID string) int64 {
				q, _ := store.QuotaSauvegarde(context.Background(), communeID)
				return q
			},
			Seuil: func(communeID string, fraction float64, utilise, quota int64) {
				backuprepo.AlerteQuota(context.Background(), store, communeID, fraction, utilise, quota, time.Now())
			},
		},
		Jetons:    &backuprepo.Jetons{Dir: filepath.Join(dir, "sauvegardes-acces")},
		Sequestre: seq,
	}
	c.API = &api.Server{Store: store, Blobs: blobs, UploadDir: c.UploadDir, Sauvegarde: c.Sauvegarde, Logger: slog.New(slog.DiscardHandler)}
	h := c.API.Handler()
	c.Srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	// Read at each request, after the server has its address.
	c.Sauvegarde.URL = c.Srv.URL
	c.Sauvegarde.CertificatPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Srv.Certificate().Raw}))
	sum := sha256.Sum256(c.Srv.Certificate().Raw)
	c.Pin = hex.EncodeToString(sum[:])
	t.Cleanup(func() {
		c.API.Drain() // parked long-polls are not httptest's to close
		c.Srv.Close()
	})
	return c
}

var sirenSeq atomic.Int64

// NewSIREN returns a fresh SIREN with a valid check digit.
func NewSIREN() string {
	prefix := fmt.Sprintf("2%07d", 6000000+sirenSeq.Add(1))
	for d := 0; d < 10; d++ {
		if s := prefix + fmt.Sprint(d); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("apitest: no SIREN check digit for " + prefix)
}

// Commune records a commune (Ardennes, 310 inhabitants).
func (c *Central) Commune(nom string) *xdemat.Commune {
	c.t.Helper()
	co := &xdemat.Commune{Nom: nom, SIREN: NewSIREN(), Departement: "08", Population: 310, CreeLe: time.Now()}
	if err := c.Store.CreateCommune(context.Background(), co); err != nil {
		c.t.Fatal(err)
	}
	return co
}

// Code records a one-time code to enroll a poste of the commune.
func (c *Central) Code(communeID string) string {
	c.t.Helper()
	code := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	now := time.Now()
	if err := c.Store.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: code, CommuneID: communeID, CreeLe: now, ExpireLe: now.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		c.t.Fatal(err)
	}
	return code
}

// PosteCtx returns a context authenticated as the poste, to read central's
// store as that poste.
func (c *Central) PosteCtx(posteID string) context.Context {
	c.t.Helper()
	p, err := c.Store.FindPoste(context.Background(), posteID)
	if err != nil {
		c.t.Fatal(err)
	}
	return xdemat.NewContextWithPoste(context.Background(), p)
}
