package inbox_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"xdemat/agent"
	"xdemat/agent/centralclient"
	agentsqlite "xdemat/agent/sqlite"
	"xdemat/central/api/apitest"
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

// enroll enrolls another poste of the commune and returns its client.
func (c *central) enroll(communeID string) *centralclient.Client {
	c.t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, pin, err := centralclient.Enroll(context.Background(), c.Srv.URL, c.Code(communeID), "PC-MAIRE", key, "")
	if err != nil {
		c.t.Fatal(err)
	}
	cl := centralclient.New(c.Srv.URL, resp.PosteID, key, pin)
	c.t.Cleanup(cl.HTTP.CloseIdleConnections)
	return cl
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
	code := c.Code(communeID)
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
