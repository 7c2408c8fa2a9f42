package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"xdemat"
	"xdemat/central/protocol"
)

// communeState is everything central holds for a commune, read with one of
// its postes' context.
type communeState struct {
	Documents  []*xdemat.Document
	Operations []*xdemat.Operation
	Evenements []*xdemat.Evenement
	Journal    []*xdemat.Journal
	Ack        int64
	Poste      *xdemat.Poste
	Partiel    int64 // bytes of the upload in progress
}

func (e *env) state(p *poste, partial string) communeState {
	e.t.Helper()
	ctx := p.ctx()
	var s communeState
	var err error
	if s.Documents, err = e.store.ListDocuments(ctx); err != nil {
		e.t.Fatal(err)
	}
	if s.Operations, err = e.store.ListOperations(ctx); err != nil {
		e.t.Fatal(err)
	}
	if s.Evenements, err = e.store.Events(ctx, 0, 1000); err != nil {
		e.t.Fatal(err)
	}
	if s.Journal, err = e.store.Journal(ctx); err != nil {
		e.t.Fatal(err)
	}
	if s.Ack, err = e.store.Ack(ctx); err != nil {
		e.t.Fatal(err)
	}
	if s.Poste, err = e.store.FindPoste(context.Background(), p.id); err != nil {
		e.t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(e.uploadDir, p.communeID, partial+".part"))
	if err != nil {
		e.t.Fatal(err)
	}
	s.Partiel = fi.Size()
	return s
}

// TestIsolationDesCommunes drives every route as a poste of commune A with
// the identifiers of commune B, and checks that nothing of B is read or
// changed.
func TestIsolationDesCommunes(t *testing.T) {
	e := newEnv(t)
	communeA, communeB := e.commune("Commune A"), e.commune("Commune B")
	a, b := e.enroll(communeA.ID), e.enroll(communeB.ID)

	// Commune B holds a document, has another one half uploaded, and has
	// sent three operations.
	contentB, docB := document(3000)
	e.upload(b, contentB, docB, 1000)
	partialB, partialDocB := document(2000)
	var etat protocol.TeleversementEtat
	e.call(b, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: partialDocB}, &etat)
	if status, body := e.send(http.MethodPut, "/v1/televersements/"+partialDocB.SHA256+"?offset=0", partialB[:1200], b.sig()); status != http.StatusOK {
		t.Fatalf("bloc de B : %d %s", status, body)
	}
	opsB := operations(1, 3)
	e.call(b, http.MethodPost, "/v1/operations", protocol.OperationsRequest{Operations: opsB, EnAttente: 4}, nil)
	before := e.state(b, partialDocB.SHA256)
	if len(before.Documents) != 1 || len(before.Operations) != 3 || before.Partiel != 1200 || before.Ack != 3 {
		t.Fatalf("état de B : %+v", before)
	}
	secretB := map[string]bool{b.id: true, docB.SHA256: true, partialDocB.SHA256: true}
	for _, op := range opsB {
		secretB[op.ID] = true
	}

	// A's operations carrying B's identifiers and sequence numbers.
	replayB := []*xdemat.Operation{
		{ID: opsB[0].ID, Seq: 1, Type: opsB[0].Type, CreeLe: opsB[0].CreeLe},
		{ID: opsB[1].ID, Seq: 2, Type: opsB[1].Type, CreeLe: opsB[1].CreeLe},
	}
	asB := &signature{key: a.key, posteID: b.id} // B's poste, A's key

	tests := []struct {
		nom    string
		method string
		path   string
		body   any
		sig    *signature
		check  func(t *testing.T, status int, body []byte)
	}{
		{"lire un document d'une autre commune", http.MethodGet, "/v1/documents/" + docB.SHA256, nil, a.sig(),
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusNotFound, "introuvable")
			}},
		{"envoyer un bloc dans le téléversement en cours d'une autre commune", http.MethodPut,
			fmt.Sprintf("/v1/televersements/%s?offset=%d", partialDocB.SHA256, 1200), partialB[1200:], a.sig(),
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusNotFound, "ouvrez d'abord")
			}},
		{"ouvrir le téléversement d'un document que détient une autre commune", http.MethodPost, "/v1/televersements",
			protocol.TeleversementRequest{Document: docB}, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var etat protocol.TeleversementEtat
				mustJSON(t, body, &etat)
				if status != http.StatusOK || etat.Complet || etat.Offset != 0 {
					t.Fatalf("%d %+v : le document de B ne doit pas être révélé", status, etat)
				}
			}},
		{"reprendre le téléversement en cours d'une autre commune", http.MethodPost, "/v1/televersements",
			protocol.TeleversementRequest{Document: partialDocB}, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var etat protocol.TeleversementEtat
				mustJSON(t, body, &etat)
				if status != http.StatusOK || etat.Complet || etat.Offset != 0 {
					t.Fatalf("%d %+v : la progression de B ne doit pas être révélée", status, etat)
				}
			}},
		{"suivre les événements depuis le début", http.MethodGet, "/v1/evenements?apres=0", nil, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var ev protocol.EvenementsResponse
				mustJSON(t, body, &ev)
				for _, x := range ev.Evenements {
					if secretB[x.Objet] || x.PosteID == b.id {
						t.Fatalf("événement de B révélé à A : %+v", x)
					}
				}
			}},
		{"suivre les événements à partir du curseur d'une autre commune", http.MethodGet,
			fmt.Sprintf("/v1/evenements?apres=%d", before.Evenements[0].Curseur-1), nil, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var ev protocol.EvenementsResponse
				mustJSON(t, body, &ev)
				for _, x := range ev.Evenements {
					if secretB[x.Objet] || x.PosteID == b.id {
						t.Fatalf("événement de B révélé à A : %+v", x)
					}
				}
			}},
		{"envoyer des opérations avec les identifiants et numéros d'une autre commune", http.MethodPost, "/v1/operations",
			protocol.OperationsRequest{Operations: replayB}, a.sig(),
			func(t *testing.T, status int, body []byte) {
				// Operation IDs are per commune: they are A's own operations.
				var resp protocol.OperationsResponse
				mustJSON(t, body, &resp)
				if status != http.StatusOK || resp.Ack != 2 {
					t.Fatalf("%d ack %d : seul l'état de A compte", status, resp.Ack)
				}
			}},
		{"lire l'accusé de réception", http.MethodGet, "/v1/operations/ack", nil, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var resp protocol.OperationsResponse
				mustJSON(t, body, &resp)
				if status != http.StatusOK || resp.Ack == before.Ack {
					t.Fatalf("%d ack %d : l'accusé de B (%d) révélé", status, resp.Ack, before.Ack)
				}
			}},
		{"lire sa fiche", http.MethodGet, "/v1/poste", nil, a.sig(),
			func(t *testing.T, status int, body []byte) {
				var pr protocol.PosteResponse
				mustJSON(t, body, &pr)
				if status != http.StatusOK || pr.Poste.ID != a.id || pr.Commune.ID != communeA.ID {
					t.Fatalf("%d %+v", status, pr)
				}
			}},
		{"se présenter comme le poste d'une autre commune", http.MethodGet, "/v1/poste", nil, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"lire un document au nom du poste d'une autre commune", http.MethodGet, "/v1/documents/" + docB.SHA256, nil, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"téléverser au nom du poste d'une autre commune", http.MethodPut,
			fmt.Sprintf("/v1/televersements/%s?offset=%d", partialDocB.SHA256, 1200), partialB[1200:], asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"déposer un document au nom du poste d'une autre commune", http.MethodPut, "/v1/documents/" + partialDocB.SHA256 + "?nom=x.pdf",
			partialB, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"ouvrir un téléversement au nom du poste d'une autre commune", http.MethodPost, "/v1/televersements",
			protocol.TeleversementRequest{Document: partialDocB}, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"envoyer des opérations au nom du poste d'une autre commune", http.MethodPost, "/v1/operations",
			protocol.OperationsRequest{Operations: operations(4, 1)}, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"lire l'accusé de réception au nom du poste d'une autre commune", http.MethodGet, "/v1/operations/ack", nil, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"suivre les événements au nom du poste d'une autre commune", http.MethodGet, "/v1/evenements?apres=0", nil, asB,
			func(t *testing.T, status int, body []byte) {
				wantError(t, status, body, http.StatusUnauthorized, "Signature")
			}},
		{"déposer en entier un document que détient une autre commune", http.MethodPut, "/v1/documents/" + docB.SHA256 + "?nom=copie.pdf",
			contentB, a.sig(),
			func(t *testing.T, status int, body []byte) {
				// A sent every byte: it gets its own copy, B's is untouched. (Last:
				// from now on A legitimately has events about this hash.)
				if status != http.StatusOK {
					t.Fatalf("%d %s", status, body)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			var body []byte
			switch v := tt.body.(type) {
			case nil:
			case []byte:
				body = v
			default:
				body = mustMarshal(t, v)
			}
			status, resp := e.send(tt.method, tt.path, body, tt.sig)
			tt.check(t, status, resp)
			if after := e.state(b, partialDocB.SHA256); !reflect.DeepEqual(after, before) {
				t.Fatalf("les données de B ont changé :\navant %s\naprès %s", dump(before), dump(after))
			}
		})
	}
	// B still finishes its own upload from where it was.
	e.call(b, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: partialDocB}, &etat)
	if etat.Offset != 1200 {
		t.Fatalf("reprise de B : %+v", etat)
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
