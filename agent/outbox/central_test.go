package outbox_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	agentsqlite "xdemat/agent/sqlite"
	"xdemat/central/api/apitest"
	"xdemat/central/blob"
)

// central is the real sync API (apitest) with this package's helpers.
type central struct {
	*apitest.Central
	t *testing.T
}

func newCentral(t *testing.T) *central {
	t.Helper()
	return &central{Central: apitest.New(t), t: t}
}

// commune records a commune and returns a code to enroll one of its postes.
func (c *central) commune(nom string) (*xdemat.Commune, string) {
	co := c.Commune(nom)
	return co, c.Code(co.ID)
}

// mairie is an enrolled poste: its local store and blob store, its client
// to central and what that client sent.
type mairie struct {
	t      *testing.T
	store  *agentsqlite.Store
	blobs  *blob.Store
	client *centralclient.Client
	sent   *recorder
	id     *agent.Identity
}

// newMairie enrolls a poste of a new commune of c.
func newMairie(t *testing.T, c *central, nom string) *mairie {
	t.Helper()
	dir := t.TempDir()
	store, err := agentsqlite.Open(filepath.Join(dir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	_, code := c.commune(nom)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	resp, pin, err := centralclient.Enroll(context.Background(), c.Srv.URL, code, "PC-MAIRIE", key, "")
	if err != nil {
		t.Fatal(err)
	}
	id := &agent.Identity{PosteID: resp.PosteID, Commune: resp.Commune, CentralURL: c.Srv.URL, CentralCert: pin, EnrolleLe: time.Now()}
	if err := store.SaveIdentity(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	client := centralclient.New(c.Srv.URL, resp.PosteID, key, pin)
	t.Cleanup(client.HTTP.CloseIdleConnections)
	m := &mairie{t: t, store: store, blobs: blobs, client: client, id: id}
	m.sent = &recorder{base: client.HTTP.Transport}
	client.HTTP = &http.Client{Transport: m.sent}
	return m
}

// document stores size random bytes as a document of the mairie.
func (m *mairie) document(nom string, size int) *xdemat.Document {
	m.t.Helper()
	b := make([]byte, size)
	rand.Read(b)
	hash, n, err := m.blobs.Put(bytes.NewReader(b), 0)
	if err != nil {
		m.t.Fatal(err)
	}
	d := &xdemat.Document{SHA256: hash, Taille: n, NomOriginal: nom}
	if err := m.store.AddDocument(context.Background(), d); err != nil {
		m.t.Fatal(err)
	}
	return d
}

// enqueue commits a user action referring to docs.
func (m *mairie) enqueue(typ string, docs ...*xdemat.Document) *xdemat.Operation {
	m.t.Helper()
	var hashes []string
	for _, d := range docs {
		hashes = append(hashes, d.SHA256)
	}
	op, err := m.store.Enqueue(context.Background(), typ, "secretaire", []byte(`{"objet":"Délibération"}`), hashes, time.Now())
	if err != nil {
		m.t.Fatal(err)
	}
	return op
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
	log  []string // "METHOD /path"
	// before, when set, is called with the requests noted so far before a
	// request leaves.
	before func(log []string)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if r.before != nil {
		r.before(slices.Clone(r.log))
	}
	r.log = append(r.log, req.Method+" "+req.URL.Path)
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
