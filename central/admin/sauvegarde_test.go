package admin_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/admin"
)

// rapporter sends backup reports as the commune's poste would.
func (c *console) rapporter(communeID string, rapports ...*xdemat.Sauvegarde) {
	c.t.Helper()
	ctx := context.Background()
	code, err := admin.IssueCode(ctx, c.store, communeID, time.Now())
	if err != nil {
		c.t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	p := &xdemat.Poste{Nom: "PC-MAIRIE", ClePublique: pub}
	if err := c.store.Enroll(ctx, code.Code, p, time.Now()); err != nil {
		c.t.Fatal(err)
	}
	var ops []*xdemat.Operation
	for i, r := range rapports {
		b, _ := json.Marshal(r)
		ops = append(ops, &xdemat.Operation{ID: uuid.NewString(), Seq: int64(i + 1), Type: xdemat.OperationSauvegardeTerminee, Auteur: "agent", Payload: b, CreeLe: r.Fin})
	}
	if _, err := c.store.ApplyOperations(xdemat.NewContextWithPoste(ctx, p), ops, time.Now()); err != nil {
		c.t.Fatal(err)
	}
}

func rapport(statut xdemat.StatutSauvegarde, fin time.Time, erreur string) *xdemat.Sauvegarde {
	return &xdemat.Sauvegarde{ID: uuid.NewString(), Type: xdemat.TypeSauvegarde, Debut: fin.Add(-7*time.Minute - 12*time.Second), Fin: fin,
		Statut: statut, Erreur: erreur, FichiersNouveaux: 12, OctetsTraites: 3 << 30}
}

func TestPageSauvegardes(t *testing.T) {
	c := newConsole(t)
	now := time.Now()
	aJour := c.createCommune("Avize", "1700")
	enRetard := c.createCommune("Oger", "600")
	c.createCommune("Vertus", "2500")
	c.rapporter(aJour.ID, rapport(xdemat.SauvegardeReussie, now.Add(-8*time.Hour), ""))
	c.rapporter(enRetard.ID,
		rapport(xdemat.SauvegardeReussie, now.Add(-80*time.Hour), ""),
		rapport(xdemat.SauvegardeEchouee, now.Add(-8*time.Hour), "Le serveur de la SPL ne répond pas."))

	status, body, _ := c.get("/sauvegardes", c.admin())
	body = html.UnescapeString(body)
	if status != http.StatusOK {
		t.Fatalf("page des sauvegardes : %d\n%s", status, body)
	}
	ligne := func(nom string) string {
		i := strings.Index(body, ">"+nom+"</a>")
		if i < 0 {
			t.Fatalf("%s absente de la page :\n%s", nom, body)
		}
		start := strings.LastIndex(body[:i], "<tr")
		return body[start : i+strings.Index(body[i:], "</tr>")]
	}
	for _, tc := range []struct {
		commune     string
		alerte      bool
		contient    []string
		contientPas []string
	}{
		{"Avize", false, []string{"7 min 12 s", "3 Go)", "0 octets / 50 Go (0 %)"}, []string{"en retard"}},
		{"Oger", true, []string{"en retard", "Échouée — Le serveur de la SPL ne répond pas."}, nil},
		{"Vertus", false, []string{"jamais"}, []string{"en retard"}},
	} {
		t.Run(tc.commune, func(t *testing.T) {
			l := ligne(tc.commune)
			if got := strings.Contains(l, `class="alerte"`); got != tc.alerte {
				t.Errorf("ligne marquée %v, attendu %v :\n%s", got, tc.alerte, l)
			}
			for _, s := range tc.contient {
				if !strings.Contains(l, s) {
					t.Errorf("%q absent de la ligne :\n%s", s, l)
				}
			}
			for _, s := range tc.contientPas {
				if strings.Contains(l, s) {
					t.Errorf("%q inattendu dans la ligne :\n%s", s, l)
				}
			}
		})
	}
	if !strings.Contains(body, `href="/sauvegardes"`) {
		t.Error("le menu doit mener à la page des sauvegardes")
	}
}

func TestHistoriqueEtEspaceDeLaCommune(t *testing.T) {
	c := newConsole(t)
	co := c.createCommune("Cramant", "900")
	c.rapporter(co.ID, rapport(xdemat.SauvegardeRefusee, time.Now().Add(-time.Hour), "Espace de sauvegarde plein."))
	_, body, _ := c.get("/communes/"+co.ID, c.admin())
	body = html.UnescapeString(body)
	if !strings.Contains(body, "Refusée : espace plein") || !strings.Contains(body, "Espace de sauvegarde plein.") || !strings.Contains(body, `value="50"`) {
		t.Fatalf("historique ou espace absent de la page de la commune :\n%s", body)
	}

	for _, tc := range []struct {
		name   string
		saisie string
		status int
		quota  int64
	}{
		{"agrandi à 100 Go", "100", http.StatusSeeOther, 100 << 30},
		{"saisie illisible", "cent", http.StatusUnprocessableEntity, 100 << 30},
		{"négatif", "-5", http.StatusUnprocessableEntity, 100 << 30},
		{"0 rétablit l'offre", "0", http.StatusSeeOther, xdemat.QuotaSauvegardeDefaut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := c.post("/communes/"+co.ID+"/sauvegarde/quota", url.Values{"go": {tc.saisie}}, c.admin())
			if status != tc.status {
				t.Fatalf("statut %d, attendu %d\n%s", status, tc.status, body)
			}
			if status != http.StatusSeeOther && !strings.Contains(html.UnescapeString(body), "Espace de sauvegarde invalide") {
				t.Errorf("message d'erreur absent :\n%s", body)
			}
			if q, _ := c.store.QuotaSauvegarde(context.Background(), co.ID); q != tc.quota {
				t.Errorf("quota %d, attendu %d", q, tc.quota)
			}
		})
	}
}
