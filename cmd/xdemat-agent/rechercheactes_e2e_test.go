package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes/simulateur"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/internal/pdftest"
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
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	if err := c.Store.SaveUtilisateur(ctx, anne); err != nil {
		t.Fatal(err)
	}
	ouvrir := func(code string) *localapi.Client {
		dir := shortTempDir(t)
		enrollAgent(t, c, code, dir)
		m := startAgent(t, dir)
		t.Cleanup(func() { m.Close() })
		cl, err := localapi.Dial(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		waitFor(t, "le profil de la secrétaire arrive de central", 30*time.Second, func() (bool, string) {
			ps, err := cl.Utilisateurs(ctx)
			return err == nil && len(ps) == 1, fmt.Sprint(len(ps), err)
		})
		if _, err := cl.OuvrirSession(ctx, anne.ID, ""); err != nil {
			t.Fatal(err)
		}
		return cl
	}
	mairie, portable := ouvrir(code), ouvrir(newCode(t, c.Store, commune.ID))

	pdf := pdftest.Minimal("Délibération n° DE2026_001", "Restauration du lavoir communal et de sa toiture en lauzes")
	doc, err := mairie.AjouterDocument(ctx, "deliberation.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	a, err := mairie.CreerActe(ctx, &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: time.Now().AddDate(0, 0, -1),
		Objet: "Travaux sur le patrimoine communal", Classification: "7.2.1", DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"}})
	if err != nil {
		t.Fatal(err)
	}
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
