package api_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

func TestEnrolement(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Sainte-Menehould")
	code := e.code(c.ID)
	key := newKey(t)
	// As typed by a technician: lower case, groups separated by dashes and spaces.
	typed := strings.ToLower(code[:4] + "-" + code[4:8] + " " + code[8:])
	status, body := e.enrollWith(key, typed)
	if status != http.StatusOK {
		t.Fatalf("enrôlement : %d %s", status, body)
	}
	var resp protocol.EnrolementResponse
	mustJSON(t, body, &resp)
	if resp.PosteID == "" || resp.Commune.ID != c.ID || resp.Commune.Nom != "Sainte-Menehould" {
		t.Fatalf("réponse %+v", resp)
	}
	p := &poste{id: resp.PosteID, communeID: c.ID, key: key}
	var pr protocol.PosteResponse
	e.call(p, http.MethodGet, "/v1/poste", nil, &pr)
	if pr.Poste.ID != p.id || pr.Poste.Statut != xdemat.PosteActif || pr.Commune.ID != c.ID || pr.Poste.Version != "1.2.3" {
		t.Fatalf("poste %+v", pr)
	}
	if pr.Poste.VuLe.IsZero() {
		t.Fatalf("le poste n'a pas été vu")
	}
	// The enrollment is an event of the commune, with its notification.
	var ev protocol.EvenementsResponse
	e.call(p, http.MethodGet, "/v1/evenements", nil, &ev)
	if len(ev.Evenements) != 2 || ev.Evenements[0].Type != xdemat.EvenementPosteEnrole || ev.Evenements[0].Objet != p.id ||
		ev.Evenements[1].Type != xdemat.OperationNotificationCreee {
		t.Fatalf("événements %+v", ev.Evenements)
	}
}

func TestEnrolementRefuse(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Vitry-le-François")
	ctx := context.Background()
	past := time.Now().Add(-72 * time.Hour)
	tests := []struct {
		nom        string
		code       func() string
		status     int
		message    string
		postesApre int // postes of the commune afterwards
	}{
		{"code inconnu", func() string { return "ZZZZ-ZZZZ-ZZZZ" }, http.StatusNotFound, "code d'enrôlement est inconnu", 0},
		{"code expiré", func() string {
			code := "EXPIRE234567"
			if err := e.store.CreateCode(ctx, &xdemat.CodeEnrolement{Code: code, CommuneID: c.ID, CreeLe: past, ExpireLe: past.Add(xdemat.DureeCodeEnrolement)}); err != nil {
				t.Fatal(err)
			}
			return code
		}, http.StatusForbidden, "a expiré", 0},
		{"code annulé par la SPL", func() string {
			code := e.code(c.ID)
			if err := e.store.RevokeCode(ctx, code, time.Now()); err != nil {
				t.Fatal(err)
			}
			return code
		}, http.StatusForbidden, "annulé par la SPL", 0},
		{"code déjà utilisé", func() string {
			code := e.code(c.ID)
			if status, body := e.enrollWith(newKey(t), code); status != http.StatusOK {
				t.Fatalf("premier enrôlement : %d %s", status, body)
			}
			return code
		}, http.StatusForbidden, "déjà servi", 1},
		{"code vide", func() string { return " - " }, http.StatusBadRequest, "Saisissez le code", 1},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body := e.enrollWith(newKey(t), tt.code())
			wantError(t, status, body, tt.status, tt.message)
			postes, err := e.store.ListPostes(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(postes) != tt.postesApre {
				t.Fatalf("%d postes enregistrés, %d attendus", len(postes), tt.postesApre)
			}
		})
	}
}

func TestEnrolementRequeteInvalide(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Épernay")
	code := e.code(c.ID)
	key, other := newKey(t), newKey(t)
	valid := func() []byte {
		b, _ := json.Marshal(protocol.EnrolementRequest{Code: code, Nom: "PC", ClePublique: key.Public().(ed25519.PublicKey), Version: "1"})
		return b
	}
	tests := []struct {
		nom     string
		body    []byte
		sig     *signature
		status  int
		message string
	}{
		{"JSON illisible", []byte(`{"code":`), &signature{key: key}, http.StatusBadRequest, "Requête illisible"},
		{"signé par une autre clé que celle enrôlée", valid(), &signature{key: other}, http.StatusUnauthorized, "Signature"},
		{"non signé", valid(), nil, http.StatusUnauthorized, "non signée"},
		{"horloge du poste décalée", valid(), &signature{key: key, date: time.Now().Add(-time.Hour)}, http.StatusUnauthorized, "horloge"},
		{"identifiant de poste déjà présent", valid(), &signature{key: key, posteID: "4b1e6f7e-9d63-4a8e-9f60-0f5d6e3c1a11"}, http.StatusBadRequest, "ne doit pas porter d'identifiant"},
		{"clé publique absente", []byte(`{"code":"` + code + `","nom":"PC"}`), &signature{key: key}, http.StatusBadRequest, "clé publique"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body := e.send(http.MethodPost, "/v1/enrolement", tt.body, tt.sig)
			wantError(t, status, body, tt.status, tt.message)
		})
	}
	postes, err := e.store.ListPostes(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(postes) != 0 {
		t.Fatalf("%d postes enregistrés par des requêtes invalides", len(postes))
	}
	// The code is still usable.
	if status, body := e.enrollWith(key, code); status != http.StatusOK {
		t.Fatalf("enrôlement valide : %d %s", status, body)
	}
}

func TestEnrolementTropDeTentatives(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Reims")
	code := e.code(c.ID)
	for i := range 10 {
		status, body := e.enrollWith(newKey(t), "AAAA-BBBB-CCC"+string(rune('A'+i)))
		wantError(t, status, body, http.StatusNotFound, "inconnu")
	}
	// Even the right code waits now: guessing must not pay.
	status, body := e.enrollWith(newKey(t), code)
	wantError(t, status, body, http.StatusTooManyRequests, "Trop de tentatives")
	postes, err := e.store.ListPostes(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(postes) != 0 {
		t.Fatalf("%d postes enrôlés malgré le blocage", len(postes))
	}
}
