package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xdemat/agent"
	"xdemat/agent/localapi"
)

// TestRechercheDunActeCreeSurUnAutrePoste: the secretary records a
// délibération on the mairie's PC; on the maire's laptop, once the sync
// has brought the acte and then its PDF, the search finds it by a word
// that is only in the PDF, and the CSV export lists it.
func TestRechercheDunActeCreeSurUnAutrePoste(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et deux postes")
	}
	ctx := context.Background()
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Sainte-Menehould", sirens[6])
	anne := secretaireDe(commune)
	enregistrerUtilisateurs(t, c, anne)
	mairie, portable := ouvrirPoste(t, c, code, anne, 1), ouvrirPoste(t, c, newCode(t, c.Store, commune.ID), anne, 1)

	a := creerDeliberation(t, mairie, "Travaux sur le patrimoine communal", time.Now().AddDate(0, 0, -1),
		"Délibération n° DE2026_001", "Restauration du lavoir communal et de sa toiture en lauzes")
	for _, cl := range []*localapi.Client{mairie, portable} {
		waitFor(t, "le texte du PDF est trouvé sur chaque poste", 60*time.Second, func() (bool, string) {
			r, err := cl.RechercherActes(ctx, agent.RechercheActes{Q: "lauzes lavoir"})
			if err != nil {
				return false, err.Error()
			}
			return len(r.Actes) == 1 && r.Actes[0].Acte.ID == a.ID && strings.Contains(r.Actes[0].Extrait, "lauzes"), fmt.Sprintf("%+v", r)
		})
	}
	var csv bytes.Buffer
	if _, err := portable.ExporterActesCSV(ctx, agent.RechercheActes{Q: "lavoir"}, &csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), a.NumeroInterne+";Délibération;") {
		t.Fatalf("export du portable : %q", csv.String())
	}
}
