package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/backuprepo"
	"xdemat/central/protocol"
)

// avecSauvegarde serves the env's API again, with the backup repositories.
func (e *env) avecSauvegarde() {
	e.t.Helper()
	seq, err := backuprepo.OuvrirSequestre(filepath.Join(e.dir, "sauvegardes-cles"), filepath.Join(e.dir, "sauvegarde.key"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.http.Close()
	e.server = &api.Server{
		Store: e.store, Blobs: e.blobs, UploadDir: e.uploadDir, Logger: slog.New(slog.DiscardHandler),
		Sauvegarde: &api.Sauvegarde{
			Depot:         &backuprepo.Server{Dir: filepath.Join(e.dir, "sauvegardes"), Logger: slog.New(slog.DiscardHandler)},
			Jetons:        &backuprepo.Jetons{Dir: filepath.Join(e.dir, "sauvegardes-acces")},
			Sequestre:     seq,
			CertificatPEM: "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n",
		},
	}
	e.http = httptest.NewServer(e.server.Handler())
	e.server.Sauvegarde.URL = e.http.URL
	e.t.Cleanup(e.http.Close)
}

func (e *env) acces(p *poste) protocol.AccesSauvegarde {
	e.t.Helper()
	var a protocol.AccesSauvegarde
	e.call(p, http.MethodPost, "/v1/sauvegarde/acces", nil, &a)
	return a
}

// restic sends a request of restic's REST protocol with Basic credentials.
func (e *env) restic(method, depot, chemin, user, pass string) (int, string) {
	e.t.Helper()
	u := strings.TrimPrefix(depot, "rest:") + chemin
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(user, pass)
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestAccesSauvegarde(t *testing.T) {
	e := newEnv(t)
	e.avecSauvegarde()
	a, b := e.commune("Signy-le-Petit"), e.commune("Rocroi")
	pa, pb := e.enroll(a.ID), e.enroll(b.ID)

	acces := e.acces(pa)
	if acces.Depot != "rest:"+e.http.URL+"/restic/"+a.ID+"/" || acces.Utilisateur != pa.id || len(acces.MotDePasseREST) < 32 {
		t.Fatalf("accès %+v", acces)
	}
	if !strings.Contains(acces.CertificatPEM, "BEGIN CERTIFICATE") || acces.MotDePasseDepot != "" || acces.Quota != xdemat.QuotaSauvegardeDefaut || acces.Utilise != 0 {
		t.Fatalf("accès %+v", acces)
	}
	accesB := e.acces(pb)

	for _, tt := range []struct {
		name       string
		depot      string
		user, pass string
		want       int
	}{
		{"le poste sur le dépôt de sa commune", acces.Depot, pa.id, acces.MotDePasseREST, http.StatusOK},
		{"mot de passe faux", acces.Depot, pa.id, strings.Repeat("0", 64), http.StatusUnauthorized},
		{"identifiants d'une autre commune", acces.Depot, pb.id, accesB.MotDePasseREST, http.StatusForbidden},
		{"poste inconnu", acces.Depot, "00000000-0000-4000-8000-000000000000", acces.MotDePasseREST, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, body := e.restic(http.MethodPost, tt.depot, "?create=true", tt.user, tt.pass); got != tt.want {
				t.Fatalf("HTTP %d, attendu %d : %s", got, tt.want, body)
			}
		})
	}

	t.Run("un nouvel accès remplace le précédent", func(t *testing.T) {
		nouveau := e.acces(pa)
		if got, _ := e.restic(http.MethodGet, acces.Depot, "keys/", pa.id, acces.MotDePasseREST); got != http.StatusUnauthorized {
			t.Fatalf("ancien mot de passe : HTTP %d, 401 attendu", got)
		}
		if got, _ := e.restic(http.MethodGet, acces.Depot, "keys/", pa.id, nouveau.MotDePasseREST); got != http.StatusOK {
			t.Fatalf("nouveau mot de passe : HTTP %d", got)
		}
		acces = nouveau
	})

	t.Run("séquestre du mot de passe du dépôt, une seule fois", func(t *testing.T) {
		cle := protocol.CleSauvegarde{MotDePasseDepot: "mot de passe du dépôt de Signy-le-Petit, tiré au hasard"}
		body, _ := json.Marshal(cle)
		if status, resp := e.send(http.MethodPut, "/v1/sauvegarde/cle", body, pa.sig()); status != http.StatusNoContent {
			t.Fatalf("séquestre : %d %s", status, resp)
		}
		if status, resp := e.send(http.MethodPut, "/v1/sauvegarde/cle", body, pa.sig()); status != http.StatusNoContent {
			t.Fatalf("même mot de passe : %d %s", status, resp)
		}
		autre, _ := json.Marshal(protocol.CleSauvegarde{MotDePasseDepot: "un autre mot de passe, d'un second poste"})
		status, resp := e.send(http.MethodPut, "/v1/sauvegarde/cle", autre, pa.sig())
		wantError(t, status, resp, http.StatusConflict, "déjà un mot de passe de sauvegarde")
		// A new PC of the commune gets it with its access, to restore.
		if got := e.acces(e.enroll(a.ID)).MotDePasseDepot; got != cle.MotDePasseDepot {
			t.Fatalf("mot de passe remis au nouveau poste %q", got)
		}
		if got := e.acces(pb).MotDePasseDepot; got != "" {
			t.Fatalf("l'autre commune reçoit %q", got)
		}
	})

	t.Run("poste révoqué", func(t *testing.T) {
		if err := e.store.RevokePoste(context.Background(), pa.id, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.restic(http.MethodGet, acces.Depot, "keys/", pa.id, acces.MotDePasseREST); got != http.StatusForbidden {
			t.Fatalf("HTTP %d, 403 attendu", got)
		}
	})

	t.Run("sans signature", func(t *testing.T) {
		status, _ := e.send(http.MethodPost, "/v1/sauvegarde/acces", nil, nil)
		if status != http.StatusUnauthorized {
			t.Fatalf("HTTP %d", status)
		}
	})
}

func TestSansSauvegarde(t *testing.T) {
	e := newEnv(t)
	p := e.enroll(e.commune("Signy-le-Petit").ID)
	status, resp := e.send(http.MethodPost, "/v1/sauvegarde/acces", nil, p.sig())
	wantError(t, status, resp, http.StatusServiceUnavailable, "ne propose pas la sauvegarde")
}
