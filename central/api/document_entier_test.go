package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"xdemat/central/protocol"
)

func TestDepotDUnDocumentEntier(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Commune de Démonstration")
	p := e.enroll(c.ID)
	content, d := document(300_000)
	path := "/v1/documents/" + d.SHA256 + "?" + url.Values{"nom": {"Délibération n°12.pdf"}, "type": {"application/pdf"}}.Encode()

	status, body := e.send(http.MethodPut, path, content, p.sig())
	var etat protocol.TeleversementEtat
	if status != http.StatusOK || json.Unmarshal(body, &etat) != nil || !etat.Complet || etat.Taille != int64(len(content)) {
		t.Fatalf("dépôt : %d %s", status, body)
	}
	held, err := e.store.FindDocument(p.ctx(), d.SHA256)
	if err != nil || held.NomOriginal != "Délibération n°12.pdf" || held.TypeMedia != "application/pdf" || held.Taille != int64(len(content)) {
		t.Fatalf("document enregistré : %+v, %v", held, err)
	}
	// The answer was lost: the same request again changes nothing.
	if status, body := e.send(http.MethodPut, path, content, p.sig()); status != http.StatusOK {
		t.Fatalf("second dépôt : %d %s", status, body)
	}
	evs, _ := e.store.Events(p.ctx(), 0, 100)
	n := 0
	for _, ev := range evs {
		if ev.Type == "document.recu" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d événements « document reçu », attendu 1", n)
	}
	// The bytes read back are the bytes sent.
	res := e.do(http.MethodGet, "/v1/documents/"+d.SHA256, nil, p.sig())
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("le document relu diffère du document déposé")
	}
}

func TestDepotDUnDocumentEntierRefuse(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Commune de Démonstration")
	p := e.enroll(c.ID)
	content, d := document(2000)
	other, _ := document(2000)
	for _, tc := range []struct {
		nom    string
		path   string
		body   []byte
		status int
		msg    string
	}{
		{"contenu qui n'est pas celui annoncé", "/v1/documents/" + d.SHA256 + "?nom=a.pdf", other, http.StatusBadRequest, "ne correspond pas"},
		{"empreinte mal formée", "/v1/documents/ABC?nom=a.pdf", content, http.StatusBadRequest, "empreinte"},
		{"nom de fichier interdit", "/v1/documents/" + d.SHA256 + "?nom=" + url.QueryEscape("../../etc/passwd"), content, http.StatusBadRequest, "caractère interdit"},
		{"document trop gros pour un seul envoi", "/v1/documents/" + d.SHA256 + "?nom=a.pdf", make([]byte, protocol.TailleMaxBloc+1), http.StatusRequestEntityTooLarge, ""},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			status, body := e.send(http.MethodPut, tc.path, tc.body, p.sig())
			wantError(t, status, body, tc.status, tc.msg)
			if docs, _ := e.store.ListDocuments(p.ctx()); len(docs) != 0 {
				t.Fatalf("rien ne doit être enregistré, trouvé %d document(s)", len(docs))
			}
		})
	}
}
