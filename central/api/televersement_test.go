package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xdemat"
	"xdemat/central/protocol"
)

func TestTeleversementRepriseApresRedemarrage(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Givet")
	p := e.enroll(c.ID)
	content, d := document(2*protocol.TailleBloc + 12345)
	put := func(offset int64, chunk []byte) (int, []byte) {
		return e.send(http.MethodPut, fmt.Sprintf("/v1/televersements/%s?offset=%d", d.SHA256, offset), chunk, p.sig())
	}

	var etat protocol.TeleversementEtat
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	if etat.Offset != 0 || etat.Complet || etat.Taille != d.Taille || etat.SHA256 != d.SHA256 {
		t.Fatalf("ouverture : %+v", etat)
	}
	status, body := put(0, content[:protocol.TailleBloc])
	if status != http.StatusOK {
		t.Fatalf("premier bloc : %d %s", status, body)
	}
	mustJSON(t, body, &etat)
	if etat.Offset != protocol.TailleBloc || etat.Complet {
		t.Fatalf("après le premier bloc : %+v", etat)
	}
	// The agent lost the answer and sends the first chunk again.
	status, body = put(0, content[:protocol.TailleBloc])
	wantError(t, status, body, http.StatusConflict, fmt.Sprintf("a reçu %d octets", protocol.TailleBloc))

	// Central restarts; the agent asks where to resume.
	e.restart()
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	if etat.Offset != protocol.TailleBloc || etat.Complet {
		t.Fatalf("reprise : %+v", etat)
	}
	for !etat.Complet {
		end := min(etat.Offset+protocol.TailleBloc, d.Taille)
		status, body := put(etat.Offset, content[etat.Offset:end])
		if status != http.StatusOK {
			t.Fatalf("bloc à %d : %d %s", etat.Offset, status, body)
		}
		mustJSON(t, body, &etat)
	}
	if etat.Offset != d.Taille {
		t.Fatalf("fin : %+v", etat)
	}

	docs, err := e.store.ListDocuments(p.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].SHA256 != d.SHA256 || docs[0].Taille != d.Taille {
		t.Fatalf("documents %+v", docs)
	}
	if !e.blobs.Has(d.SHA256) {
		t.Fatal("le document n'est pas dans le magasin de fichiers")
	}
	leftovers, _ := filepath.Glob(filepath.Join(e.uploadDir, c.ID, "*"))
	if len(leftovers) != 0 {
		t.Fatalf("fichiers de téléversement restants : %v", leftovers)
	}

	// Sending it again changes nothing: opening says it is complete, and the
	// last chunk sent again (its answer lost) is acknowledged as complete.
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	if !etat.Complet || etat.Offset != d.Taille {
		t.Fatalf("document déjà reçu : %+v", etat)
	}
	status, body = put(2*protocol.TailleBloc, content[2*protocol.TailleBloc:])
	if status != http.StatusOK {
		t.Fatalf("dernier bloc renvoyé : %d %s", status, body)
	}
	mustJSON(t, body, &etat)
	if !etat.Complet {
		t.Fatalf("dernier bloc renvoyé : %+v", etat)
	}
	if docs, _ := e.store.ListDocuments(p.ctx()); len(docs) != 1 {
		t.Fatalf("%d documents, 1 attendu", len(docs))
	}

	// Download, whole and by range.
	res := e.do(http.MethodGet, "/v1/documents/"+d.SHA256, nil, p.sig())
	got := new(bytes.Buffer)
	got.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got.Bytes(), content) || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("téléchargement : %d %s, %d octets", res.StatusCode, res.Header.Get("Content-Type"), got.Len())
	}
	status, body = e.send(http.MethodGet, "/v1/documents/"+d.SHA256, nil, p.sig(), func(r *http.Request) { r.Header.Set("Range", "bytes=10-19") })
	if status != http.StatusPartialContent || !bytes.Equal(body, content[10:20]) {
		t.Fatalf("téléchargement partiel : %d, %d octets", status, len(body))
	}
}

func TestTeleversementRefuse(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Fumay")
	p := e.enroll(c.ID)
	content, d := document(3 * 1000)
	var etat protocol.TeleversementEtat
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	status, body := e.send(http.MethodPut, "/v1/televersements/"+d.SHA256+"?offset=0", content[:1000], p.sig())
	if status != http.StatusOK {
		t.Fatalf("premier bloc : %d %s", status, body)
	}
	_, other := document(10)
	big := d
	big.SHA256, big.Taille = other.SHA256, xdemat.TailleMaxDocument+1
	tampered := bytes.Clone(content[1000:2000])
	tampered[0] ^= 0xff

	tests := []struct {
		nom     string
		method  string
		path    string
		body    []byte
		sig     *signature
		status  int
		message string
	}{
		{"bloc altéré en route", http.MethodPut, "/v1/televersements/" + d.SHA256 + "?offset=1000", tampered,
			&signature{key: p.key, posteID: p.id, hash: protocol.HashBody(content[1000:2000])}, http.StatusBadRequest, "altérée"},
		{"bloc trop volumineux", http.MethodPut, "/v1/televersements/" + d.SHA256 + "?offset=1000", make([]byte, protocol.TailleMaxBloc+1), p.sig(),
			http.StatusRequestEntityTooLarge, "taille maximale"},
		{"document trop volumineux", http.MethodPost, "/v1/televersements", mustMarshal(t, protocol.TeleversementRequest{Document: big}), p.sig(),
			http.StatusRequestEntityTooLarge, "dépasse la taille maximale"},
		{"bloc à la mauvaise position", http.MethodPut, "/v1/televersements/" + d.SHA256 + "?offset=2000", content[2000:], p.sig(),
			http.StatusConflict, "reprenez"},
		{"bloc au-delà de la taille annoncée", http.MethodPut, "/v1/televersements/" + d.SHA256 + "?offset=1000", make([]byte, 2001), p.sig(),
			http.StatusBadRequest, "dépasse la taille annoncée"},
		{"position absente", http.MethodPut, "/v1/televersements/" + d.SHA256, content[1000:2000], p.sig(),
			http.StatusBadRequest, "offset"},
		{"empreinte invalide", http.MethodPut, "/v1/televersements/" + strings.ToUpper(d.SHA256) + "?offset=1000", content[1000:2000], p.sig(),
			http.StatusBadRequest, "empreinte"},
		{"bloc sans téléversement ouvert", http.MethodPut, "/v1/televersements/" + other.SHA256 + "?offset=0", []byte("x"), p.sig(),
			http.StatusNotFound, "ouvrez d'abord le téléversement"},
		{"document demandé mais jamais reçu", http.MethodGet, "/v1/documents/" + d.SHA256, nil, p.sig(),
			http.StatusNotFound, "introuvable"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body := e.send(tt.method, tt.path, tt.body, tt.sig)
			wantError(t, status, body, tt.status, tt.message)
			// Nothing was written: the upload is still at 1000 bytes.
			e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
			if etat.Offset != 1000 || etat.Complet {
				t.Fatalf("téléversement modifié : %+v", etat)
			}
		})
	}
	if docs, _ := e.store.ListDocuments(p.ctx()); len(docs) != 0 {
		t.Fatalf("documents enregistrés : %+v", docs)
	}
}

func TestTeleversementEmpreinteFausse(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Revin")
	p := e.enroll(c.ID)
	_, d := document(5000)
	wrong := make([]byte, 5000) // the announced size, not the announced hash
	var etat protocol.TeleversementEtat
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	status, body := e.send(http.MethodPut, "/v1/televersements/"+d.SHA256+"?offset=0", wrong, p.sig())
	wantError(t, status, body, http.StatusBadRequest, "sera renvoyé en entier")
	if docs, _ := e.store.ListDocuments(p.ctx()); len(docs) != 0 {
		t.Fatalf("documents enregistrés : %+v", docs)
	}
	if e.blobs.Has(d.SHA256) {
		t.Fatal("un contenu faux est entré dans le magasin de fichiers")
	}
	// The session was dropped: the next opening starts from the beginning.
	status, body = e.send(http.MethodPut, "/v1/televersements/"+d.SHA256+"?offset=0", wrong, p.sig())
	wantError(t, status, body, http.StatusNotFound, "ouvrez d'abord")
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	if etat.Offset != 0 || etat.Complet {
		t.Fatalf("réouverture : %+v", etat)
	}
}

func TestTeleversementDocumentVide(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Nouzonville")
	p := e.enroll(c.ID)
	_, d := document(0)
	var etat protocol.TeleversementEtat
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: d}, &etat)
	if !etat.Complet || etat.Taille != 0 {
		t.Fatalf("document vide : %+v", etat)
	}
	if _, err := e.store.FindDocument(p.ctx(), d.SHA256); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(e.blobs.Path(d.SHA256)); err != nil || fi.Size() != 0 {
		t.Fatalf("fichier vide : %v %v", fi, err)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
