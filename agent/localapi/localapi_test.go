package localapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/sqlite"
	"xdemat/central/blob"
	"xdemat/central/protocol"
)

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type harness struct {
	dir    string
	store  *sqlite.Store
	blobs  *blob.Store
	srv    *Server
	client *Client
	kicks  atomic.Int32
	logs   *syncBuffer
	stop   func() error // stops the server and returns what Serve returned
}

// newDir returns a short temporary directory: Unix socket paths are limited
// to about 104 bytes, and t.TempDir() paths can be longer.
func newDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "xd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// start runs a server with a real store in a new data directory.
func start(t testing.TB, configure ...func(*Server)) *harness {
	t.Helper()
	h := &harness{dir: newDir(t), logs: &syncBuffer{}}
	var err error
	if h.store, err = sqlite.Open(filepath.Join(h.dir, "agent.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.store.Close() })
	if h.blobs, err = blob.Open(filepath.Join(h.dir, "documents")); err != nil {
		t.Fatal(err)
	}
	h.srv = &Server{
		Store:  h.store,
		Blobs:  h.blobs,
		Bus:    agent.NewBus(),
		Kick:   func() { h.kicks.Add(1) },
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range configure {
		f(h.srv)
	}
	h.stop = h.serve(t)
	if h.client, err = Dial(h.dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.client.Close() })
	return h
}

// serve starts h.srv and returns the function that stops it.
func (h *harness) serve(t testing.TB) func() error {
	t.Helper()
	if err := h.srv.Listen(h.dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.Serve(ctx, h.dir) }()
	var once sync.Once
	var result error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(15 * time.Second):
				result = errors.New("Serve ne s'est pas arrêté")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return stop
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if xdemat.ErrorCode(err) != code {
		t.Fatalf("erreur = %v, attendu le code %q", err, code)
	}
	if code != "" && strings.HasPrefix(xdemat.ErrorMessage(err), "Erreur interne") && code != xdemat.EINTERNAL {
		t.Fatalf("message non métier : %v", err)
	}
}

var ctx = context.Background()

// rawRequest sends a request with the given authorization header straight to the socket.
func (h *harness) rawRequest(t *testing.T, method, path, auth, contentType string, body io.Reader) (int, errorBody) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.client.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &e)
	if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("erreur HTTP %d non JSON : %q", resp.StatusCode, b)
	}
	return resp.StatusCode, e
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func countBlobs(t *testing.T, h *harness) int {
	t.Helper()
	n := 0
	filepath.WalkDir(h.blobs.Dir(), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestEtatDuPoste(t *testing.T) {
	h := start(t)
	st, err := h.client.Etat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Enrole || st.OperationsEnAttente != 0 {
		t.Fatalf("état initial = %+v", st)
	}

	// The syncer's live state, when provided, is what the app sees.
	since := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	h2 := start(t, func(s *Server) {
		s.State = func(ctx context.Context) (*agent.SyncState, error) {
			st, err := s.Store.SyncState(ctx)
			if err != nil {
				return nil, err
			}
			st.EnLigne, st.DepuisLe = true, since
			return st, nil
		}
	})
	st, err = h2.client.Etat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.EnLigne || !st.DepuisLe.Equal(since) {
		t.Fatalf("état fourni par la synchronisation = %+v", st)
	}
}

func TestIdentiteDuPoste(t *testing.T) {
	h := start(t)
	_, err := h.client.Identite(ctx)
	wantCode(t, err, xdemat.ENOTFOUND)
	if msg := xdemat.ErrorMessage(err); msg != "Ce poste n'est pas encore enrôlé : le technicien de la SPL doit lancer « xdemat-agent enroll »." {
		t.Fatalf("message = %q", msg)
	}
	id := &agent.Identity{
		PosteID:    "4b7e2a9c-1f3d-4e5a-9b8c-0d1e2f3a4b5c",
		Commune:    xdemat.Commune{ID: "c-1", SIREN: "210800280", Nom: "Attigny", Departement: "08"},
		CentralURL: "https://central.spl-xdemat.fr",
		EnrolleLe:  time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}
	if err := h.store.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.Identite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.PosteID != id.PosteID || got.Commune.Nom != "Attigny" || !got.EnrolleLe.Equal(id.EnrolleLe) {
		t.Fatalf("identité = %+v", got)
	}
}

// unknownSize hides the length of a reader, as a pipe or a scanner stream would.
type unknownSize struct{ r io.Reader }

func (u unknownSize) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestAjoutDeDocument(t *testing.T) {
	h := start(t, func(s *Server) { s.MaxDocument = 4 << 10 })
	pdf := []byte("%PDF-1.7 délibération du conseil municipal")
	tests := []struct {
		nom         string
		fichier     string
		typeMedia   string
		body        func() io.Reader
		code        string
		typeAttendu string
	}{
		{"délibération en PDF", "Délibération n°2026-01 #budget+.pdf", "", func() io.Reader { return bytes.NewReader(pdf) }, "", "application/pdf"},
		{"même contenu sous un autre nom", "copie.pdf", "", func() io.Reader { return bytes.NewReader(pdf) }, "", "application/pdf"},
		{"type fourni par l'application", "scan", "image/png", func() io.Reader { return strings.NewReader("png") }, "", "image/png"},
		{"flux de taille inconnue", "registre.txt", "", func() io.Reader { return unknownSize{strings.NewReader("registre des arrêtés")} }, "", "text/plain; charset=utf-8"},
		{"fichier vide", "vide.txt", "", func() io.Reader { return strings.NewReader("") }, "", "text/plain; charset=utf-8"},
		{"nom avec barre oblique", "../../etc/passwd", "", func() io.Reader { return strings.NewReader("x") }, xdemat.EINVALID, ""},
		{"nom absent", "  ", "", func() io.Reader { return strings.NewReader("x") }, xdemat.EINVALID, ""},
		{"registre trop gros de taille connue", "registre.pdf", "", func() io.Reader { return bytes.NewReader(make([]byte, 5<<10)) }, xdemat.ETOOLARGE, ""},
		{"registre trop gros de taille inconnue", "registre.pdf", "", func() io.Reader { return unknownSize{bytes.NewReader(make([]byte, 64<<10))} }, xdemat.ETOOLARGE, ""},
		{"registre énorme de taille inconnue", "registre.pdf", "", func() io.Reader { return unknownSize{bytes.NewReader(make([]byte, 10<<20))} }, xdemat.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			blobsBefore := countBlobs(t, h)
			d, err := h.client.AjouterDocument(ctx, tt.fichier, tt.typeMedia, tt.body())
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if countBlobs(t, h) != blobsBefore {
					t.Fatal("un document refusé ne doit rien laisser dans le stockage")
				}
				if tt.code == xdemat.ETOOLARGE && !strings.Contains(xdemat.ErrorMessage(err), "4 Ko") {
					t.Fatalf("message = %q", xdemat.ErrorMessage(err))
				}
				return
			}
			content, _ := io.ReadAll(tt.body())
			if d.SHA256 != hashOf(content) || d.Taille != int64(len(content)) {
				t.Fatalf("document = %+v", d)
			}
			if tt.nom != "même contenu sous un autre nom" && (d.NomOriginal != strings.TrimSpace(tt.fichier) || d.TypeMedia != tt.typeAttendu) {
				t.Fatalf("document = %+v", d)
			}
			stored, err := h.store.FindDocument(ctx, d.SHA256)
			if err != nil || stored.NomOriginal != d.NomOriginal || !stored.CreeLe.Equal(d.CreeLe) {
				t.Fatalf("document enregistré = %+v, %v", stored, err)
			}
			f, err := h.blobs.Open(d.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(f)
			f.Close()
			if !bytes.Equal(got, content) {
				t.Fatal("contenu conservé différent")
			}
		})
	}
	// The same content keeps its first name.
	d, err := h.store.FindDocument(ctx, hashOf(pdf))
	if err != nil || d.NomOriginal != "Délibération n°2026-01 #budget+.pdf" {
		t.Fatalf("document = %+v, %v", d, err)
	}
	if entries, _ := os.ReadDir(h.blobs.TempDir()); len(entries) != 0 {
		t.Fatalf("fichiers temporaires laissés : %d", len(entries))
	}
}

func TestRefusDUnEnormeEnvoi(t *testing.T) {
	h := start(t)
	before := countBlobs(t, h)
	_, err := h.client.AjouterDocument(ctx, "archives.zip", "", hugeLen{})
	wantCode(t, err, xdemat.ETOOLARGE)
	if !strings.Contains(xdemat.ErrorMessage(err), "« archives.zip »") || !strings.Contains(xdemat.ErrorMessage(err), "512 Mo") {
		t.Fatalf("message = %q", xdemat.ErrorMessage(err))
	}
	if countBlobs(t, h) != before {
		t.Fatal("rien ne doit être stocké")
	}
}

// hugeLen claims to hold more than the largest document.
type hugeLen struct{}

func (hugeLen) Len() int                   { return xdemat.TailleMaxDocument + 1 }
func (hugeLen) Read(p []byte) (int, error) { return len(p), nil }

func TestLimiteDeTailleCoteApplication(t *testing.T) {
	tests := []struct {
		nom     string
		contenu string
		limite  int64
		lu      string
		depasse bool
	}{
		{"sous la limite", "abc", 5, "abc", false},
		{"juste à la limite", "abcde", 5, "abcde", false},
		{"un octet de trop", "abcdef", 5, "abcde", true},
		{"vide", "", 5, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			lr := &limitedReader{r: unknownSize{strings.NewReader(tt.contenu)}, left: tt.limite}
			got, err := io.ReadAll(lr)
			if string(got) != tt.lu || lr.exceeded.Load() != tt.depasse || (err != nil) != tt.depasse {
				t.Fatalf("lu %q, dépassé %v, err %v", got, lr.exceeded.Load(), err)
			}
		})
	}
}

func TestAjoutDUnFichierDuDisque(t *testing.T) {
	h := start(t)
	path := filepath.Join(h.dir, "arrêté.pdf")
	content := bytes.Repeat([]byte("arrêté municipal "), 10000)
	os.WriteFile(path, content, 0o600)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := h.client.AjouterDocument(ctx, "arrêté.pdf", "", f)
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != hashOf(content) || d.Taille != int64(len(content)) {
		t.Fatalf("document = %+v", d)
	}
	// The caller's file is not closed by the client.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("le fichier de l'appelant a été fermé : %v", err)
	}
}

func TestCreationDOperation(t *testing.T) {
	h := start(t)
	pv, err := h.client.AjouterDocument(ctx, "pv.pdf", "", strings.NewReader("procès-verbal"))
	if err != nil {
		t.Fatal(err)
	}
	events, unsubscribe := h.srv.Bus.Subscribe()
	defer unsubscribe()

	type acte struct {
		Numero string `json:"numero"`
		Objet  string `json:"objet"`
	}
	tests := []struct {
		nom     string
		typ     string
		auteur  string
		payload any
		docs    []string
		code    string
		seq     int64
	}{
		{"acte avec son PV", "acte.cree", "u-secretaire", acte{"2026-01", "Vote du budget"}, []string{pv.SHA256}, "", 1},
		{"contenu déjà en JSON", "acte.modifie", "u-secretaire", json.RawMessage(`{"numero":"2026-01"}`), nil, "", 2},
		{"sans contenu", "poste.verifie", "", nil, nil, "", 3},
		{"document jamais ajouté", "acte.cree", "u-1", nil, []string{strings.Repeat("a", 64)}, xdemat.EINVALID, 0},
		{"type invalide", "Créer un acte", "u-1", nil, nil, xdemat.EINVALID, 0},
		{"contenu trop volumineux", "acte.cree", "u-1", strings.Repeat("x", xdemat.TailleMaxPayload), nil, xdemat.ETOOLARGE, 0},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			kicks := h.kicks.Load()
			op, err := h.client.CreerOperation(ctx, tt.typ, tt.auteur, tt.payload, tt.docs)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if h.kicks.Load() != kicks {
					t.Fatal("une opération refusée ne doit pas réveiller l'envoi")
				}
				return
			}
			if op.Seq != tt.seq || !xdemat.ValidUUID(op.ID) || op.Type != tt.typ || op.Auteur != tt.auteur {
				t.Fatalf("opération = %+v", op)
			}
			if len(tt.docs) > 0 && (len(op.Documents) != 1 || op.Documents[0] != pv.SHA256) {
				t.Fatalf("documents = %v", op.Documents)
			}
			if h.kicks.Load() != kicks+1 {
				t.Fatal("l'envoi n'a pas été réveillé")
			}
			select {
			case ev := <-events:
				got, _ := ev.Data.(*xdemat.Operation)
				if ev.Type != EvenementOperationCreee || got == nil || got.ID != op.ID {
					t.Fatalf("événement = %+v", ev)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("aucun événement operation.creee")
			}
			select {
			case ev := <-events:
				st, _ := ev.Data.(*agent.SyncState)
				if ev.Type != EvenementEtat || st == nil || st.OperationsEnAttente != tt.seq {
					t.Fatalf("événement = %+v", ev)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("aucun événement etat")
			}
			pending, _ := h.store.Pending(ctx, 0)
			if last := pending[len(pending)-1]; last.ID != op.ID {
				t.Fatalf("dernière opération en attente = %+v", last)
			}
		})
	}
	if pending, _ := h.store.Pending(ctx, 0); len(pending) != 3 {
		t.Fatalf("%d opérations en attente, attendu 3", len(pending))
	}
}

func TestRequeteDOperationIllisible(t *testing.T) {
	h := start(t)
	auth := "Bearer " + h.client.secret
	tests := []struct {
		nom    string
		body   string
		status int
		detail string
	}{
		{"JSON tronqué", `{"type":"acte.cree"`, 400, "JSON incomplet"},
		{"pas du JSON", `type=acte.cree`, 400, "JSON invalide"},
		{"corps vide", ``, 400, "vide"},
		{"champ inconnu", `{"type":"acte.cree","signature":"x"}`, 400, "champ inconnu"},
		{"mauvais type de champ", `{"type":42}`, 400, "« type »"},
		{"deux objets", `{"type":"acte.cree"}{"type":"acte.cree"}`, 400, "en trop"},
		{"requête démesurée", `{"type":"acte.cree","payload":"` + strings.Repeat("x", maxOperationBody) + `"}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, e := h.rawRequest(t, http.MethodPost, "/v1/operations", auth, "application/json", strings.NewReader(tt.body))
			if status != tt.status {
				t.Fatalf("HTTP %d, attendu %d (%+v)", status, tt.status, e)
			}
			if tt.status == 400 && (e.Code != xdemat.EINVALID || !strings.HasPrefix(e.Message, "Requête illisible : ") || !strings.Contains(e.Message, tt.detail)) {
				t.Fatalf("erreur = %+v", e)
			}
			if tt.status == 413 && e.Code != xdemat.ETOOLARGE {
				t.Fatalf("erreur = %+v", e)
			}
		})
	}
	if pending, _ := h.store.Pending(ctx, 0); len(pending) != 0 {
		t.Fatalf("%d opérations enregistrées malgré des requêtes illisibles", len(pending))
	}
	if h.kicks.Load() != 0 {
		t.Fatal("l'envoi a été réveillé pour rien")
	}
}

func TestJournalEtEvenementsRecus(t *testing.T) {
	h := start(t)
	entries, err := h.client.Journal(ctx)
	if err != nil || len(entries) != 0 {
		t.Fatalf("journal initial = %v, %v", entries, err)
	}
	var ids []string
	for _, typ := range []string{"acte.cree", "acte.modifie", "acte.transmis"} {
		op, err := h.client.CreerOperation(ctx, typ, "u-maire", map[string]string{"numero": "2026-01"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, op.ID)
	}
	entries, err = h.client.Journal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[2].Objet != ids[2] || entries[0].Acteur != "u-maire" {
		t.Fatalf("journal = %+v", entries)
	}
	if err := xdemat.VerifierJournal(entries); err != nil {
		t.Fatalf("journal reçu par l'application : %v", err)
	}

	var evs []*xdemat.Evenement
	for i := int64(1); i <= 4; i++ {
		evs = append(evs, &xdemat.Evenement{Curseur: i * 10, Type: xdemat.EvenementOperationRecue, Objet: "op", PosteID: "p-2",
			Payload: json.RawMessage(`{"n":1}`), CreeLe: time.Date(2026, 3, 2, 10, 0, int(i), 0, time.UTC)})
	}
	if err := h.store.SaveEvents(ctx, evs, 40); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		nom      string
		apres    int64
		curseurs []int64
	}{
		{"depuis le début", 0, []int64{10, 20, 30, 40}},
		{"après le deuxième", 20, []int64{30, 40}},
		{"à jour", 40, nil},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			got, err := h.client.Evenements(ctx, tt.apres)
			if err != nil {
				t.Fatal(err)
			}
			var curseurs []int64
			for _, ev := range got {
				curseurs = append(curseurs, ev.Curseur)
				if ev.Type != xdemat.EvenementOperationRecue || ev.PosteID != "p-2" || string(ev.Payload) != `{"n":1}` {
					t.Fatalf("événement = %+v", ev)
				}
			}
			if len(curseurs) != len(tt.curseurs) {
				t.Fatalf("curseurs = %v, attendu %v", curseurs, tt.curseurs)
			}
			for i := range curseurs {
				if curseurs[i] != tt.curseurs[i] {
					t.Fatalf("curseurs = %v, attendu %v", curseurs, tt.curseurs)
				}
			}
		})
	}
	status, e := h.rawRequest(t, http.MethodGet, "/v1/evenements?apres=hier", "Bearer "+h.client.secret, "", nil)
	if status != 400 || e.Code != xdemat.EINVALID {
		t.Fatalf("apres=hier : HTTP %d %+v", status, e)
	}
}

func TestAccesSansLaBonneCle(t *testing.T) {
	h := start(t)
	tests := []struct {
		nom  string
		auth string
	}{
		{"sans clé", ""},
		{"clé erronée", "Bearer " + strings.Repeat("0", 64)},
		{"clé vide", "Bearer "},
		{"clé sans préfixe", h.client.secret},
		{"clé tronquée", "Bearer " + h.client.secret[:63]},
		{"autre schéma", "Basic " + h.client.secret},
	}
	routes := []struct{ method, path string }{
		{http.MethodGet, "/v1/etat"},
		{http.MethodGet, "/v1/identite"},
		{http.MethodPost, "/v1/documents"},
		{http.MethodPost, "/v1/operations"},
		{http.MethodGet, "/v1/journal"},
		{http.MethodGet, "/v1/evenements"},
		{http.MethodGet, "/v1/flux"},
		{http.MethodGet, "/v1/utilisateurs"},
		{http.MethodPost, "/v1/utilisateurs"},
		{http.MethodPost, "/v1/sessions"},
		{http.MethodDelete, "/v1/sessions"},
		{http.MethodGet, "/v1/notifications"},
		{http.MethodPost, "/v1/notifications"},
		{http.MethodPost, "/v1/notifications/x/lue"},
		{http.MethodPost, "/v1/notifications/x/faite"},
		{http.MethodGet, "/v1/preferences"},
		{http.MethodPut, "/v1/preferences"},
		{http.MethodGet, "/v1/diagnostic"},
		{http.MethodGet, "/v1/diagnostic/journal-technique"},
		{http.MethodGet, "/v1/inconnue"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			for _, r := range routes {
				status, e := h.rawRequest(t, r.method, r.path, tt.auth, "application/json", strings.NewReader(`{"type":"acte.cree"}`))
				if status != http.StatusUnauthorized || e.Code != xdemat.EUNAUTHORIZED || !strings.HasPrefix(e.Message, "Accès refusé") {
					t.Fatalf("%s %s : HTTP %d %+v", r.method, r.path, status, e)
				}
			}
		})
	}
	if pending, _ := h.store.Pending(ctx, 0); len(pending) != 0 {
		t.Fatal("une requête non authentifiée a enregistré une opération")
	}
	// A client holding a wrong secret gets the French error.
	c := &Client{secret: strings.Repeat("1", 64), hc: h.client.hc}
	_, err := c.Etat(ctx)
	wantCode(t, err, xdemat.EUNAUTHORIZED)
}

func TestFonctionInconnue(t *testing.T) {
	h := start(t)
	status, e := h.rawRequest(t, http.MethodGet, "/v2/etat", "Bearer "+h.client.secret, "", nil)
	if status != 404 || e.Code != xdemat.ENOTFOUND || !strings.Contains(e.Message, "mettez à jour") {
		t.Fatalf("HTTP %d %+v", status, e)
	}
}

// brokenStore fails like a damaged disk.
type brokenStore struct{ agent.Store }

func (brokenStore) Journal(context.Context) ([]*xdemat.Journal, error) {
	return nil, errors.New("sqlite: journal: disk I/O error at /var/lib/xdemat/agent.db")
}

func TestErreurInterneJamaisMontree(t *testing.T) {
	h := start(t, func(s *Server) { s.Store = brokenStore{s.Store} })
	_, err := h.client.Journal(ctx)
	wantCode(t, err, xdemat.EINTERNAL)
	if msg := xdemat.ErrorMessage(err); strings.Contains(msg, "disk") || strings.Contains(msg, "/var/lib") {
		t.Fatalf("détail interne montré à l'utilisateur : %q", msg)
	}
	if !strings.Contains(h.logs.String(), "disk I/O error") {
		t.Fatalf("détail absent du journal technique : %s", h.logs.String())
	}
}

func TestCodesHTTPDesErreurs(t *testing.T) {
	tests := []struct {
		code   string
		status int
	}{
		{xdemat.EINVALID, 400},
		{xdemat.EUNAUTHORIZED, 401},
		{xdemat.EFORBIDDEN, 403},
		{xdemat.ENOTFOUND, 404},
		{xdemat.ECONFLICT, 409},
		{xdemat.ETOOLARGE, 413},
		{xdemat.EUNAVAILABLE, 503},
		{xdemat.EINTERNAL, 500},
		{"inconnu", 500},
	}
	for _, tt := range tests {
		if got := protocol.Status(tt.code); got != tt.status {
			t.Errorf("protocol.Status(%s) = %d, attendu %d", tt.code, got, tt.status)
		}
	}
}

func TestFluxDesEvenementsLocaux(t *testing.T) {
	h := start(t, func(s *Server) { s.Heartbeat = 20 * time.Millisecond })
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := h.client.Flux(fctx)
	if err != nil {
		t.Fatal(err)
	}
	next := func() agent.BusEvent {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("flux fermé")
			}
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("aucun événement reçu")
		}
		return agent.BusEvent{}
	}
	time.Sleep(60 * time.Millisecond) // a few heartbeats, which the client skips

	h.srv.Bus.Publish(agent.BusEvent{Type: "etat", Data: agent.SyncState{EnLigne: true, OperationsEnAttente: 2}})
	ev := next()
	var st agent.SyncState
	if err := json.Unmarshal(ev.Data.(json.RawMessage), &st); ev.Type != "etat" || err != nil || !st.EnLigne || st.OperationsEnAttente != 2 {
		t.Fatalf("événement = %+v (%v)", ev, err)
	}

	op, err := h.client.CreerOperation(ctx, "acte.cree", "u-1", map[string]string{"objet": "Délibération\nsur deux lignes"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev = next()
	var got xdemat.Operation
	if err := json.Unmarshal(ev.Data.(json.RawMessage), &got); ev.Type != EvenementOperationCreee || err != nil || got.ID != op.ID || string(got.Payload) != string(op.Payload) {
		t.Fatalf("événement = %+v (%v)", ev, err)
	}
	if ev = next(); ev.Type != EvenementEtat {
		t.Fatalf("événement = %+v", ev)
	}

	// The client leaves: the server ends the subscription.
	cancel()
	for range events {
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.srv.Bus.Subscribers() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("l'abonnement du client parti n'a pas été fermé")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The agent stops: the stream ends.
	events, err = h.client.Flux(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-events:
		for ok {
			_, ok = <-events
		}
	case <-time.After(5 * time.Second):
		t.Fatal("le flux ne s'est pas terminé à l'arrêt du service")
	}
}

func TestBattementsDuFlux(t *testing.T) {
	h := start(t, func(s *Server) { s.Heartbeat = 10 * time.Millisecond })
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := h.client.newRequest(rctx, http.MethodGet, "/v1/flux", nil)
	resp, err := h.client.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type = %q", ct)
	}
	buf := make([]byte, 0, 256)
	tmp := make([]byte, 64)
	for !bytes.Contains(buf, []byte(": ping\n\n")) {
		n, err := resp.Body.Read(tmp)
		if err != nil {
			t.Fatalf("lecture du flux : %v (reçu %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	h.srv.Bus.Publish(agent.BusEvent{Type: "document.ajoute", Data: map[string]int{"taille": 3}})
	for !bytes.Contains(buf, []byte("event: document.ajoute\ndata: {\"taille\":3}\n\n")) {
		n, err := resp.Body.Read(tmp)
		if err != nil {
			t.Fatalf("lecture du flux : %v (reçu %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
}

func TestFichiersDuServiceEtArret(t *testing.T) {
	h := start(t)
	secretPath := filepath.Join(h.dir, SecretFile)
	sockPath := filepath.Join(h.dir, SocketFile)
	if runtime.GOOS != "windows" {
		st, err := os.Stat(secretPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 {
			t.Fatalf("droits de api.secret = %o, attendu 640", st.Mode().Perm())
		}
		st, err = os.Stat(sockPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o660 {
			t.Fatalf("socket : mode %v, attendu une socket en 660", st.Mode())
		}
	}
	secret, _ := os.ReadFile(secretPath)
	if len(strings.TrimSpace(string(secret))) != 64 {
		t.Fatalf("clé = %q", secret)
	}

	// A second agent on the same directory is refused and leaves the first alone.
	other := &Server{Store: h.store, Blobs: h.blobs}
	wantCode(t, other.Listen(h.dir), xdemat.EUNAVAILABLE)
	if _, err := h.client.Etat(ctx); err != nil {
		t.Fatalf("le premier service ne répond plus : %v", err)
	}

	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sockPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket laissée après l'arrêt : %v", err)
	}
	_, err := h.client.Etat(ctx)
	wantCode(t, err, xdemat.EUNAVAILABLE)
	if xdemat.ErrorMessage(err) != MessageIndisponible || !IsUnavailable(err) {
		t.Fatalf("message = %q", xdemat.ErrorMessage(err))
	}

	// Restarted, the agent keeps its secret: the app's client works again.
	h.srv = &Server{Store: h.store, Blobs: h.blobs, Logger: h.srv.Logger}
	h.serve(t)
	if _, err := h.client.Etat(ctx); err != nil {
		t.Fatalf("après redémarrage : %v", err)
	}
	if again, _ := os.ReadFile(secretPath); !bytes.Equal(again, secret) {
		t.Fatal("la clé a changé au redémarrage")
	}
}

func TestSocketAbandonneeParUnAgentPlante(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pas de socket Unix sous Windows")
	}
	dir := newDir(t)
	// A crashed agent leaves its socket file behind, with nobody listening.
	ln, cleanup, err := listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	cleanup()
	if _, err := os.Stat(filepath.Join(dir, SocketFile)); err != nil {
		t.Fatal("la socket abandonnée devrait exister pour ce test")
	}
	store, _ := sqlite.Open(filepath.Join(dir, "agent.db"))
	defer store.Close()
	blobs, _ := blob.Open(filepath.Join(dir, "documents"))
	h := &harness{dir: dir, store: store, blobs: blobs, srv: &Server{Store: store, Blobs: blobs}}
	h.serve(t)
	c, err := Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Etat(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCleDAccesDuService(t *testing.T) {
	tests := []struct {
		nom      string
		existant string // content of api.secret before start; "-" for none
		garde    bool   // the existing secret is kept
	}{
		{"première installation", "-", false},
		{"clé existante", strings.Repeat("ab", 32) + "\n", true},
		{"clé abîmée", "pas une clé", false},
		{"clé tronquée", strings.Repeat("ab", 16), false},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			dir := newDir(t)
			if tt.existant != "-" {
				os.WriteFile(filepath.Join(dir, SecretFile), []byte(tt.existant), 0o640)
			}
			secret, err := loadOrCreateSecret(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tt.garde != (secret == strings.TrimSpace(tt.existant)) {
				t.Fatalf("clé = %q (existant %q)", secret, tt.existant)
			}
			read, err := readSecret(dir)
			if err != nil || read != secret {
				t.Fatalf("clé relue = %q, %v", read, err)
			}
			if again, _ := loadOrCreateSecret(dir); again != secret {
				t.Fatal("la clé doit être créée une seule fois")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("fichiers laissés : %d", len(entries))
			}
		})
	}
}

func TestApplicationSansService(t *testing.T) {
	tests := []struct {
		nom     string
		prepare func(dir string)
		code    string
	}{
		{"service jamais démarré", func(string) {}, xdemat.EUNAVAILABLE},
		{"clé abîmée", func(dir string) { os.WriteFile(filepath.Join(dir, SecretFile), []byte("x"), 0o640) }, xdemat.EUNAVAILABLE},
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		tests = append(tests, struct {
			nom     string
			prepare func(dir string)
			code    string
		}{"compte hors du groupe xdemat", func(dir string) {
			os.WriteFile(filepath.Join(dir, SecretFile), []byte(strings.Repeat("ab", 32)), 0o000)
		}, xdemat.EFORBIDDEN})
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			dir := newDir(t)
			tt.prepare(dir)
			_, err := Dial(dir)
			wantCode(t, err, tt.code)
		})
	}
	// Secret present, agent stopped.
	dir := newDir(t)
	if _, err := loadOrCreateSecret(dir); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreerOperation(ctx, "acte.cree", "u-1", nil, nil)
	wantCode(t, err, xdemat.EUNAVAILABLE)
	_, err = c.Flux(ctx)
	wantCode(t, err, xdemat.EUNAVAILABLE)
	_, err = c.AjouterDocument(ctx, "a.pdf", "", strings.NewReader("a"))
	wantCode(t, err, xdemat.EUNAVAILABLE)
}

func TestLectureDuFluxSSE(t *testing.T) {
	tests := []struct {
		nom    string
		flux   string
		events []agent.BusEvent
	}{
		{"un événement", "event: etat\ndata: {\"a\":1}\n\n", []agent.BusEvent{{Type: "etat", Data: json.RawMessage(`{"a":1}`)}}},
		{"commentaires ignorés", ": xdemat\n\n: ping\n\nevent: x.y\ndata: 2\n\n", []agent.BusEvent{{Type: "x.y", Data: json.RawMessage(`2`)}}},
		{"fins de ligne CRLF", "event: etat\r\ndata: 3\r\n\r\n", []agent.BusEvent{{Type: "etat", Data: json.RawMessage(`3`)}}},
		{"données sur plusieurs lignes", "event: etat\ndata: [1,\ndata: 2]\n\n", []agent.BusEvent{{Type: "etat", Data: json.RawMessage("[1,\n2]")}}},
		{"sans type", "data: 4\n\n", []agent.BusEvent{{Type: "message", Data: json.RawMessage(`4`)}}},
		{"événement inachevé", "event: etat\ndata: 5\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			ch := make(chan agent.BusEvent, 10)
			readSSE(ctx, strings.NewReader(tt.flux), ch)
			close(ch)
			var got []agent.BusEvent
			for ev := range ch {
				got = append(got, ev)
			}
			if len(got) != len(tt.events) {
				t.Fatalf("événements = %+v, attendu %+v", got, tt.events)
			}
			for i := range got {
				if got[i].Type != tt.events[i].Type || string(got[i].Data.(json.RawMessage)) != string(tt.events[i].Data.(json.RawMessage)) {
					t.Fatalf("événement %d = %+v, attendu %+v", i, got[i], tt.events[i])
				}
			}
		})
	}
}
