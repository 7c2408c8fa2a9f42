package inbox_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
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
	"xdemat/agent"
	"xdemat/agent/centralclient"
	agentsqlite "xdemat/agent/sqlite"
	"xdemat/central/api"
	"xdemat/central/blob"
	"xdemat/central/sqlite"
)

// central is the real sync API over a real SQLite store and blob store,
// served over TLS as the SPL runs it.
type central struct {
	t         *testing.T
	store     *sqlite.Store
	blobs     *blob.Store
	uploadDir string
	api       *api.Server
	srv       *httptest.Server
	pin       string
}

func newCentral(t *testing.T) *central {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	c := &central{t: t, store: store, blobs: blobs, uploadDir: filepath.Join(dir, "televersements")}
	c.api = &api.Server{Store: store, Blobs: blobs, UploadDir: c.uploadDir, Logger: slog.New(slog.DiscardHandler)}
	c.srv = httptest.NewTLSServer(c.api.Handler())
	c.pin = centralclient.Fingerprint(c.srv.Certificate().Raw)
	t.Cleanup(func() {
		c.api.Drain()
		c.srv.Close()
	})
	return c
}

var sirenSeq atomic.Int64

func newSIREN() string {
	prefix := fmt.Sprintf("2%07d", 7000000+sirenSeq.Add(1))
	for d := 0; d < 10; d++ {
		if s := prefix + fmt.Sprint(d); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("no SIREN check digit")
}

// commune records a commune.
func (c *central) commune(nom string) *xdemat.Commune {
	c.t.Helper()
	co := &xdemat.Commune{Nom: nom, SIREN: newSIREN(), Departement: "08", Population: 310, CreeLe: time.Now()}
	if err := c.store.CreateCommune(context.Background(), co); err != nil {
		c.t.Fatal(err)
	}
	return co
}

// code records a code to enroll a poste of the commune.
func (c *central) code(communeID string) string {
	c.t.Helper()
	code := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	now := time.Now()
	if err := c.store.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: code, CommuneID: communeID, CreeLe: now, ExpireLe: now.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		c.t.Fatal(err)
	}
	return code
}

// enroll enrolls another poste of the commune and returns its client.
func (c *central) enroll(communeID string) *centralclient.Client {
	c.t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, pin, err := centralclient.Enroll(context.Background(), c.srv.URL, c.code(communeID), "PC-MAIRE", key, "")
	if err != nil {
		c.t.Fatal(err)
	}
	cl := centralclient.New(c.srv.URL, resp.PosteID, key, pin)
	c.t.Cleanup(cl.HTTP.CloseIdleConnections)
	return cl
}

// posteCtx returns a context authenticated as the poste, to read central's
// store as that poste.
func (c *central) posteCtx(posteID string) context.Context {
	c.t.Helper()
	p, err := c.store.FindPoste(context.Background(), posteID)
	if err != nil {
		c.t.Fatal(err)
	}
	return xdemat.NewContextWithPoste(context.Background(), p)
}

// mairie is an enrolled poste: its local store, its client to central and
// what that client sent.
type mairie struct {
	t      *testing.T
	store  *agentsqlite.Store
	client *centralclient.Client
	sent   *recorder
	id     *agent.Identity
}

// newMairie enrolls a poste of the commune.
func newMairie(t *testing.T, c *central, communeID string) *mairie {
	t.Helper()
	dir := t.TempDir()
	store, err := agentsqlite.Open(filepath.Join(dir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	code := c.code(communeID)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	resp, pin, err := centralclient.Enroll(context.Background(), c.srv.URL, code, "PC-MAIRIE", key, "")
	if err != nil {
		t.Fatal(err)
	}
	id := &agent.Identity{PosteID: resp.PosteID, Commune: resp.Commune, CentralURL: c.srv.URL, CentralCert: pin, EnrolleLe: time.Now()}
	if err := store.SaveIdentity(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	client := centralclient.New(c.srv.URL, resp.PosteID, key, pin)
	t.Cleanup(client.HTTP.CloseIdleConnections)
	m := &mairie{t: t, store: store, client: client, id: id}
	m.sent = &recorder{base: client.HTTP.Transport}
	client.HTTP = &http.Client{Transport: m.sent}
	return m
}

func (m *mairie) state() *agent.SyncState {
	m.t.Helper()
	st, err := m.store.SyncState(context.Background())
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

// recorder wraps the client's transport and notes every request, in order.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	log  []string // "METHOD /path?query"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.log = append(r.log, req.Method+" "+req.URL.RequestURI())
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recorder) CloseIdleConnections() {
	if c, ok := r.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// take returns the requests noted since the last call.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log
	r.log = nil
	return l
}
