package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/blob"
	"xdemat/central/protocol"
	"xdemat/central/sqlite"
)

// env is a central sync API over a real SQLite store in a temporary directory.
type env struct {
	t         *testing.T
	dir       string
	store     *sqlite.Store
	blobs     *blob.Store
	uploadDir string
	server    *api.Server
	http      *httptest.Server
}

func newEnv(t *testing.T) *env {
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
	e := &env{t: t, dir: dir, store: store, blobs: blobs, uploadDir: filepath.Join(dir, "televersements")}
	e.start()
	return e
}

// start serves a new api.Server on the env's store and directories.
func (e *env) start() {
	e.server = &api.Server{
		Store:     e.store,
		Blobs:     e.blobs,
		UploadDir: e.uploadDir,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	e.http = httptest.NewServer(e.server.Handler())
	e.t.Cleanup(e.http.Close)
}

// restart stops the server and serves a new one on the same data, as after a
// restart of central.
func (e *env) restart() {
	e.http.Close()
	e.start()
}

var sirenSeq atomic.Int64

// newSIREN returns a fresh SIREN with a valid check digit.
func newSIREN() string {
	prefix := fmt.Sprintf("2%07d", sirenSeq.Add(1))
	for d := 0; d < 10; d++ {
		if s := prefix + fmt.Sprint(d); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("no SIREN check digit")
}

func (e *env) commune(nom string) *xdemat.Commune {
	e.t.Helper()
	c := &xdemat.Commune{Nom: nom, SIREN: newSIREN(), Departement: "51", Population: 180, CreeLe: time.Now()}
	if err := e.store.CreateCommune(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// code records a usable enrollment code for the commune.
func (e *env) code(communeID string) string {
	e.t.Helper()
	code := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	now := time.Now()
	if err := e.store.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: code, CommuneID: communeID, CreeLe: now, ExpireLe: now.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		e.t.Fatal(err)
	}
	return code
}

// poste is an enrolled device as the tests drive it.
type poste struct {
	id        string
	communeID string
	key       ed25519.PrivateKey
}

func (p *poste) sig() *signature { return &signature{key: p.key, posteID: p.id} }

// ctx returns a context authenticated as the poste, to check the store.
func (p *poste) ctx() context.Context {
	return xdemat.NewContextWithPoste(context.Background(), &xdemat.Poste{ID: p.id, CommuneID: p.communeID})
}

func newKey(t *testing.T) ed25519.PrivateKey {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// enroll enrolls a new poste for the commune through the API.
func (e *env) enroll(communeID string) *poste {
	e.t.Helper()
	key := newKey(e.t)
	status, body := e.enrollWith(key, e.code(communeID))
	if status != http.StatusOK {
		e.t.Fatalf("enrôlement : %d %s", status, body)
	}
	var resp protocol.EnrolementResponse
	mustJSON(e.t, body, &resp)
	return &poste{id: resp.PosteID, communeID: resp.Commune.ID, key: key}
}

func (e *env) enrollWith(key ed25519.PrivateKey, code string) (int, []byte) {
	e.t.Helper()
	body, err := json.Marshal(protocol.EnrolementRequest{Code: code, Nom: "PC-SECRETARIAT", ClePublique: key.Public().(ed25519.PublicKey), Version: "1.2.3"})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.send(http.MethodPost, "/v1/enrolement", body, &signature{key: key})
}

// signature says how a test request is signed.
type signature struct {
	key     ed25519.PrivateKey
	posteID string
	hash    string    // announced body hash; "" = the hash of the body sent
	date    time.Time // zero = now
}

// send sends a request, signed as sig says (nil: not signed), and returns the
// status and body of the answer.
func (e *env) send(method, path string, body []byte, sig *signature, mods ...func(*http.Request)) (int, []byte) {
	e.t.Helper()
	res := e.do(method, path, body, sig, mods...)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, b
}

func (e *env) do(method, path string, body []byte, sig *signature, mods ...func(*http.Request)) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if sig != nil {
		hash := sig.hash
		if hash == "" {
			hash = protocol.HashBody(body)
		}
		date := sig.date
		if date.IsZero() {
			date = time.Now()
		}
		protocol.Signer(req, sig.key, sig.posteID, hash, date)
		req.Header.Set(protocol.HeaderAgent, "1.2.3")
	}
	for _, m := range mods {
		m(req)
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// call sends a JSON request signed by p and decodes a 200 answer into out.
func (e *env) call(p *poste, method, path string, in, out any) {
	e.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			e.t.Fatal(err)
		}
	}
	status, resp := e.send(method, path, body, p.sig())
	if status != http.StatusOK {
		e.t.Fatalf("%s %s : %d %s", method, path, status, resp)
	}
	if out != nil {
		mustJSON(e.t, resp, out)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("réponse illisible %q : %v", b, err)
	}
}

// wantError checks an error answer: its status, and that its French message
// contains msg.
func wantError(t *testing.T, status int, body []byte, wantStatus int, msg string) {
	t.Helper()
	var er protocol.ErrorResponse
	if err := json.Unmarshal(body, &er); err != nil {
		t.Fatalf("statut %d, réponse d'erreur illisible %q", status, body)
	}
	if status != wantStatus {
		t.Fatalf("statut %d (%s : %s), %d attendu", status, er.Code, er.Message, wantStatus)
	}
	if er.Code == "" || !strings.Contains(er.Message, msg) {
		t.Fatalf("message %q (code %q), %q attendu dedans", er.Message, er.Code, msg)
	}
}

// operations returns n valid operations numbered from seq.
func operations(seq int64, n int) []*xdemat.Operation {
	ops := make([]*xdemat.Operation, n)
	for i := range ops {
		ops[i] = &xdemat.Operation{
			ID: uuid.NewString(), Seq: seq + int64(i), Type: "acte.cree",
			Payload: json.RawMessage(`{"objet":"Délibération"}`), CreeLe: time.Now(),
		}
	}
	return ops
}

// document returns random content of size bytes and its description.
func document(size int) ([]byte, xdemat.Document) {
	b := make([]byte, size)
	rand.Read(b)
	sum := sha256.Sum256(b)
	return b, xdemat.Document{SHA256: hex.EncodeToString(sum[:]), Taille: int64(size), NomOriginal: "deliberation.pdf", CreeLe: time.Now()}
}

// upload sends the whole document in chunks of chunk bytes.
func (e *env) upload(p *poste, content []byte, d xdemat.Document, chunk int) {
	e.t.Helper()
	var etat protocol.TeleversementEtat
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	for !etat.Complet {
		end := min(etat.Offset+int64(chunk), int64(len(content)))
		status, body := e.send(http.MethodPut, fmt.Sprintf("/v1/televersements/%s?offset=%d", d.SHA256, etat.Offset), content[etat.Offset:end], p.sig())
		if status != http.StatusOK {
			e.t.Fatalf("bloc à %d : %d %s", etat.Offset, status, body)
		}
		mustJSON(e.t, body, &etat)
	}
}
