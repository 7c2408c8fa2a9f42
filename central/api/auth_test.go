package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/protocol"
)

func TestAuthentification(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Châlons-en-Champagne")
	p := e.enroll(c.ID)
	opsBody, _ := json.Marshal(protocol.OperationsRequest{Operations: operations(1, 1)})
	tests := []struct {
		nom     string
		method  string
		path    string
		body    []byte
		sig     *signature
		mod     func(*http.Request)
		status  int
		message string
	}{
		{"requête non signée", http.MethodGet, "/v1/poste", nil, nil, nil, http.StatusUnauthorized, "identifiant de poste"},
		{"poste inconnu", http.MethodGet, "/v1/poste", nil, &signature{key: p.key, posteID: uuid.NewString()}, nil, http.StatusUnauthorized, "inconnu"},
		{"signature d'une autre clé", http.MethodGet, "/v1/poste", nil, &signature{key: newKey(t), posteID: p.id}, nil, http.StatusUnauthorized, "Signature du poste invalide"},
		{"horloge du poste en retard", http.MethodGet, "/v1/poste", nil, &signature{key: p.key, posteID: p.id, date: time.Now().Add(-10 * time.Minute)}, nil, http.StatusUnauthorized, "horloge"},
		{"horloge du poste en avance", http.MethodGet, "/v1/poste", nil, &signature{key: p.key, posteID: p.id, date: time.Now().Add(10 * time.Minute)}, nil, http.StatusUnauthorized, "horloge"},
		{"adresse signée pour une autre route", http.MethodGet, "/v1/poste", nil, p.sig(), func(r *http.Request) { r.URL.Path = "/v1/operations/ack" }, http.StatusUnauthorized, "Signature"},
		{"contenu altéré en route", http.MethodPost, "/v1/operations", bytes.Replace(opsBody, []byte("acte.cree"), []byte("acte.xxxx"), 1),
			&signature{key: p.key, posteID: p.id, hash: protocol.HashBody(opsBody)}, nil, http.StatusBadRequest, "altérée"},
		{"JSON illisible", http.MethodPost, "/v1/operations", []byte(`{"operations": [`), p.sig(), nil, http.StatusBadRequest, "Requête illisible"},
		{"requête JSON trop volumineuse", http.MethodPost, "/v1/operations", bytes.Repeat([]byte(" "), protocol.TailleMaxRequeteJSON+1), p.sig(), nil, http.StatusRequestEntityTooLarge, "taille maximale"},
		{"protocole plus récent que le serveur", http.MethodGet, "/v1/poste", nil, p.sig(), func(r *http.Request) { r.Header.Set(protocol.HeaderVersion, "2") }, http.StatusBadRequest, "mettre à jour"},
		{"adresse inconnue", http.MethodGet, "/v1/inconnue", nil, p.sig(), nil, http.StatusNotFound, "Adresse inconnue"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			var mods []func(*http.Request)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			status, body := e.send(tt.method, tt.path, tt.body, tt.sig, mods...)
			wantError(t, status, body, tt.status, tt.message)
		})
	}
	ops, err := e.store.ListOperations(p.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 0 {
		t.Fatalf("%d opérations enregistrées par des requêtes refusées", len(ops))
	}
}

func TestPosteRevoque(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Sedan")
	p := e.enroll(c.ID)
	e.call(p, http.MethodGet, "/v1/poste", nil, nil)
	revoked := time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)
	if err := e.store.RevokePoste(context.Background(), p.id, revoked); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/poste", "/v1/operations/ack", "/v1/evenements"} {
		status, body := e.send(http.MethodGet, path, nil, p.sig())
		wantError(t, status, body, http.StatusForbidden, "Ce poste a été révoqué par la SPL le 20/11/2026 : il ne peut plus se synchroniser. Contactez la SPL pour l'enrôler à nouveau.")
	}
	body, _ := json.Marshal(protocol.OperationsRequest{Operations: operations(1, 1)})
	status, resp := e.send(http.MethodPost, "/v1/operations", body, p.sig())
	wantError(t, status, resp, http.StatusForbidden, "révoqué")
	if ops, err := e.store.ListOperations(p.ctx()); err != nil || len(ops) != 0 {
		t.Fatalf("opérations %v, %v", ops, err)
	}
}

func TestOperations(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Rethel")
	p := e.enroll(c.ID)
	batch := operations(1, 3)
	post := func(ops []*xdemat.Operation, enAttente int64) (int, []byte) {
		body, err := json.Marshal(protocol.OperationsRequest{Operations: ops, EnAttente: enAttente})
		if err != nil {
			t.Fatal(err)
		}
		return e.send(http.MethodPost, "/v1/operations", body, p.sig())
	}
	stored := func() int {
		ops, err := e.store.ListOperations(p.ctx())
		if err != nil {
			t.Fatal(err)
		}
		return len(ops)
	}
	tests := []struct {
		nom       string
		ops       []*xdemat.Operation
		status    int
		ack       int64
		message   string
		stockees  int
		enAttente int64
	}{
		{"lot de trois opérations", batch, http.StatusOK, 3, "", 3, 7},
		{"lot rejoué à l'identique", batch, http.StatusOK, 3, "", 3, 7},
		{"rejeu partiel suivi d'une nouvelle", append(batch[2:3:3], operations(4, 1)...), http.StatusOK, 4, "", 4, 2},
		{"trou dans la séquence", operations(6, 1), http.StatusConflict, 0, "n°5 est attendue", 4, 2},
		{"rejeu avec un autre identifiant", operations(2, 1), http.StatusConflict, 0, "autre identifiant", 4, 2},
		{"opération invalide", []*xdemat.Operation{{ID: "pas-un-uuid", Seq: 5, Type: "acte.cree"}}, http.StatusBadRequest, 0, "Identifiant d'opération invalide", 4, 2},
		{"lot trop gros", operations(5, protocol.MaxOperationsParLot+1), http.StatusRequestEntityTooLarge, 0, "au plus 500", 4, 2},
		{"document pas encore reçu", []*xdemat.Operation{{ID: uuid.NewString(), Seq: 5, Type: "document.ajoute", Documents: []string{strings.Repeat("ab", 32)}}}, http.StatusBadRequest, 0, "pas encore été reçu", 4, 2},
		{"lot vide", nil, http.StatusOK, 4, "", 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body := post(tt.ops, tt.enAttente)
			if tt.status != http.StatusOK {
				wantError(t, status, body, tt.status, tt.message)
			} else {
				var resp protocol.OperationsResponse
				if status != http.StatusOK {
					t.Fatalf("%d %s", status, body)
				}
				mustJSON(t, body, &resp)
				if resp.Ack != tt.ack {
					t.Fatalf("ack %d, %d attendu", resp.Ack, tt.ack)
				}
			}
			if n := stored(); n != tt.stockees {
				t.Fatalf("%d opérations enregistrées, %d attendues", n, tt.stockees)
			}
			var ack protocol.OperationsResponse
			e.call(p, http.MethodGet, "/v1/operations/ack", nil, &ack)
			if ack.Ack != int64(tt.stockees) {
				t.Fatalf("ack %d, %d attendu", ack.Ack, tt.stockees)
			}
			got, err := e.store.FindPoste(context.Background(), p.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.EnAttente != tt.enAttente {
				t.Fatalf("opérations en attente %d, %d attendu", got.EnAttente, tt.enAttente)
			}
		})
	}
	// Every operation stored once, each with its event.
	var ev protocol.EvenementsResponse
	e.call(p, http.MethodGet, "/v1/evenements?apres=0", nil, &ev)
	recues := 0
	for _, x := range ev.Evenements {
		if x.Type == xdemat.EvenementOperationRecue {
			recues++
		}
	}
	if recues != 4 {
		t.Fatalf("%d événements operation.recue, 4 attendus", recues)
	}
}
