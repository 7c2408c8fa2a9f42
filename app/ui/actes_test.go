package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/internal/pdftest"
)

// TestNouvelActePuisEnvoi: the secretary creates a délibération offline
// (the register's next numéro proposed), sees it waiting, ticks it and
// sends it through the parapheur; a wrong objet is refused in French.
func TestNouvelActePuisEnvoi(t *testing.T) {
	ag := communeAvecParapheur()
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	if u.ecran != EcranActes || !u.actes.vide.Visible() {
		t.Fatalf("écran %q", u.ecran)
	}
	pdf := filepath.Join(t.TempDir(), "deliberation-cantine.pdf")
	os.WriteFile(pdf, pdftest.Minimal("Délibération"), 0o600)
	u.choisirFichier = func(ok func(string)) { ok(pdf) }

	remplir := func(objet string) {
		test.Tap(bouton(t, u.actes.objet, "Nouvel acte"))
		form := u.win.Canvas().Overlays().Top()
		es := entrees(form)
		if len(es) < 4 || es[0].Text != "DE2026_001" {
			t.Fatalf("numéro proposé : %v", textes(form))
		}
		es[2].SetText(objet)
		es[3].SetText("7.1")
		test.Tap(bouton(t, form, "Choisir"))
		test.Tap(bouton(t, form, "Créer l'acte"))
	}
	remplir("Tarifs\nde la cantine") // two lines: refused
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "objet") || len(ag.actes) != 0 {
		t.Fatalf("objet sur deux lignes : %s", got)
	}
	fermerDialogues(u)
	remplir("Tarifs de la cantine scolaire pour 2027")
	if len(ag.actes) != 1 || ag.actes[0].DocumentPrincipal.TypePiece == "" || ag.actes[0].Statut != xdemat.ActeEnAttenteEnvoi {
		t.Fatalf("acte créé : %+v (%v)", ag.actes, dialogue(u))
	}
	fermerDialogues(u)
	var c *widget.Check
	for _, o := range objets(u.actes.liste) {
		if x, ok := o.(*widget.Check); ok {
			c = x
		}
	}
	if c == nil {
		t.Fatalf("l'acte en attente doit se cocher : %v", textes(u.actes.liste))
	}
	cocher(c)
	test.Tap(u.actes.envoyer)
	if !ag.aAppele("EnvoyerActes 1 parapheur=true") || !strings.Contains(strings.Join(dialogue(u), " "), "déposé(s) dans le parapheur") {
		t.Fatalf("envoi : %v", dialogue(u))
	}
}

// fermerDialogues closes every dialog, as the secretary would with "Fermer".
func fermerDialogues(u *UI) {
	for o := u.win.Canvas().Overlays(); o.Top() != nil; {
		o.Remove(o.Top())
	}
}
