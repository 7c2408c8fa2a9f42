package centralclient_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent/centralclient"
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

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// enroll enrolls a new poste of the commune with centralclient.Enroll and
// returns its client, pinned to central's certificate.
func (c *central) enroll(communeID string) *centralclient.Client {
	c.t.Helper()
	key := newKey(c.t)
	resp, pin, err := centralclient.Enroll(context.Background(), c.Srv.URL, c.Code(communeID), "PC-ACCUEIL", key, "")
	if err != nil {
		c.t.Fatalf("enrôlement : %v", err)
	}
	cl := centralclient.New(c.Srv.URL, resp.PosteID, key, pin)
	c.t.Cleanup(cl.HTTP.CloseIdleConnections)
	return cl
}

// documents returns the documents central holds for the poste's commune.
func (c *central) documents(cl *centralclient.Client) []*xdemat.Document {
	c.t.Helper()
	docs, err := c.Store.ListDocuments(c.PosteCtx(cl.PosteID))
	if err != nil {
		c.t.Fatal(err)
	}
	return docs
}

// operations returns n valid operations numbered from seq.
func operations(seq int64, n int) []*xdemat.Operation {
	ops := make([]*xdemat.Operation, n)
	for i := range ops {
		ops[i] = &xdemat.Operation{
			ID: uuid.NewString(), Seq: seq + int64(i), Type: "acte.cree",
			Payload: json.RawMessage(`{"objet":"Délibération n°2026-42"}`), CreeLe: time.Now().UTC().Truncate(time.Microsecond),
		}
	}
	return ops
}

// document returns random content of size bytes and its description.
func document(size int) ([]byte, *xdemat.Document) {
	b := make([]byte, size)
	rand.Read(b)
	sum := sha256.Sum256(b)
	return b, &xdemat.Document{SHA256: hex.EncodeToString(sum[:]), Taille: int64(size), NomOriginal: "registre-etat-civil.pdf", CreeLe: time.Now()}
}

// recorder wraps a client's transport: it counts requests and the body bytes
// that actually left, per method, and may alter bodies after signing.
type recorder struct {
	base http.RoundTripper
	// alter, when set, may replace the body of a request (already signed).
	alter func(r *http.Request, body []byte) []byte

	mu       sync.Mutex
	requests map[string]int
	bytes    map[string]int64
}

func record(cl *centralclient.Client) *recorder {
	r := &recorder{base: cl.HTTP.Transport, requests: map[string]int{}, bytes: map[string]int64{}}
	cl.HTTP = &http.Client{Transport: r}
	return r
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.requests[req.Method]++
	r.mu.Unlock()
	if req.Body == nil || req.Body == http.NoBody {
		return r.base.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	if r.alter != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = r.alter(req, body)
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
	}
	out.Body = &countingBody{ReadCloser: out.Body, add: func(n int) {
		r.mu.Lock()
		r.bytes[req.Method] += int64(n)
		r.mu.Unlock()
	}}
	return r.base.RoundTrip(out)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (r *recorder) CloseIdleConnections() {
	if c, ok := r.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// sent returns the requests and body bytes sent with method so far.
func (r *recorder) sent(method string) (int, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[method], r.bytes[method]
}

type countingBody struct {
	io.ReadCloser
	add func(int)
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.add(n)
	return n, err
}
