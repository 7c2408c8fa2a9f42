package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"xdemat/central/api"
)

func TestPageOuvrir(t *testing.T) {
	h := (&api.Server{}).Handler()
	id := uuid.NewString()
	for _, tc := range []struct {
		name, path string
		status     int
		want       string
	}{
		{"lien d'un courriel", "/ouvrir/" + id, http.StatusOK, `href="xdemat://notification/` + id + `"`},
		{"identifiant tronqué", "/ouvrir/" + id[:10], http.StatusNotFound, "copiée en entier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status || !strings.Contains(string(body), tc.want) {
				t.Fatalf("%d %s", rec.Code, body)
			}
			if tc.status == http.StatusOK && !strings.Contains(string(body), "Ouvrez xdemat sur le poste de la mairie") {
				t.Fatalf("page %s", body)
			}
		})
	}
}
