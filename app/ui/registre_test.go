package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// radios returns the radio groups of the dialog on top.
func radios(u *UI) []*widget.RadioGroup {
	var out []*widget.RadioGroup
	for _, o := range objets(u.win.Canvas().Overlays().Top()) {
		if r, ok := o.(*widget.RadioGroup); ok {
			out = append(out, r)
		}
	}
	return out
}

// TestRegistresDepuisLaPageActes: from the Actes page the secretary saves
// the registre des délibérations of this year as a PDF, and is told that
// the closing sheet of each séance is signed by hand; asking for the
// arrêtés of a year without any says so in French, and nothing is saved.
func TestRegistresDepuisLaPageActes(t *testing.T) {
	ag := communeAvecParapheur()
	for i, x := range []struct {
		numero string
		le     time.Time
		objet  string
	}{
		{"DE2026_001", time.Date(2026, 3, 12, 20, 0, 0, 0, xdemat.Paris), "Tarifs de la cantine scolaire"},
		{"DE2026_002", time.Date(2026, 3, 12, 20, 0, 0, 0, xdemat.Paris), "Subvention au comité des fêtes"},
		{"DE2026_003", time.Date(2026, 6, 25, 20, 0, 0, 0, xdemat.Paris), "Vente d'une parcelle communale"},
	} {
		ag.actes = append(ag.actes, &xdemat.Acte{ID: "a-" + string(rune('1'+i)), CommuneID: "c-1", Nature: xdemat.NatureDeliberation,
			NumeroInterne: x.numero, DateDecision: x.le, Objet: x.objet, Classification: "7.1", Statut: xdemat.ActeEnAttenteEnvoi})
	}
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	var nom string
	var pdf []byte
	u.enregistrerFichier = func(n string, b []byte, ok func(string)) { nom, pdf = n, b; ok("/home/marie/Documents/" + n) }

	test.Tap(bouton(t, u.actes.objet, "Registres"))
	if rs := radios(u); len(rs) != 2 || rs[0].Selected != choixDeliberations || rs[1].Selected != choixParDate {
		t.Fatalf("choix proposés : %v", dialogue(u))
	}
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Enregistrer le PDF"))
	if !ag.aAppele("Registre DE 2026 chronologique") || nom != "registre-deliberations-2026.pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("registre : %q, %d octets, appels %v, %v", nom, len(pdf), ag.appels, dialogue(u))
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "registre-deliberations-2026.pdf") || !strings.Contains(got, "feuillet de clôture de chaque séance") {
		t.Fatalf("message après l'enregistrement : %s", got)
	}
	fermerDialogues(u)

	nom, pdf = "", nil
	test.Tap(bouton(t, u.actes.objet, "Registres"))
	rs := radios(u)
	rs[0].SetSelected(choixArretes)
	rs[1].SetSelected(choixParMatiere)
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Enregistrer le PDF"))
	if !ag.aAppele("Registre AR 2026 matiere") || pdf != nil {
		t.Fatalf("registre des arrêtés : %q enregistré, appels %v", nom, ag.appels)
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "aucun arrêté daté de 2026") {
		t.Fatalf("année sans arrêté : %s", got)
	}
}
