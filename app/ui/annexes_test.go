package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/internal/pdftest"
)

// nouvelActeAvecAnnexes opens the "Nouvel acte" form of a délibération
// whose main document and annexes are the files given, in that order, and
// returns the form once the files are chosen.
func nouvelActeAvecAnnexes(t *testing.T, u *UI, fichiers ...string) *widget.Form {
	t.Helper()
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	suivant := 0
	u.choisirFichier = func(ok func(string)) { ok(fichiers[suivant]); suivant++ }
	test.Tap(bouton(t, u.actes.objet, "Nouvel acte"))
	top := u.win.Canvas().Overlays().Top()
	es := entrees(top)
	es[2].SetText("Plan local d'urbanisme : approbation")
	es[3].SetText("7.1")
	test.Tap(bouton(t, top, "Choisir"))
	for range fichiers[1:] {
		test.Tap(bouton(t, top, "Ajouter une annexe"))
	}
	for _, o := range objets(top) {
		if f, ok := o.(*widget.Form); ok {
			return f
		}
	}
	t.Fatal("pas de formulaire")
	return nil
}

// typesPieces returns the typologie choices shown for the annexes.
func typesPieces(f *widget.Form) []*widget.Select {
	var out []*widget.Select
	for _, o := range objets(f) {
		if s, ok := o.(*widget.Select); ok && len(s.Options) > 0 && strings.HasPrefix(s.Options[0], "99_") {
			out = append(out, s)
		}
	}
	return out
}

// TestNouvelActeAvecSesAnnexes: the secretary joins a plan (PDF) and a
// photo (PNG) to a délibération and qualifies the plan with the
// typologies the préfecture allows for délibérations; both leave with the
// acte, each with its typologie.
func TestNouvelActeAvecSesAnnexes(t *testing.T) {
	ag := &agentReponsesFaux{fauxAgent: communeDeTest()}
	ag.classification = &xdemat.ClassificationPrefecture{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Natures: []xdemat.NatureClassification{{Code: xdemat.NatureDeliberation, Libelle: "Délibération", TypesPieces: []xdemat.TypePieceClassification{
			{Code: "99_DE", Libelle: "Délibération"}, {Code: "22_PN", Libelle: "Plan"}, {Code: "99_AU", Libelle: "Autre document"}}}},
		Matieres: []xdemat.MatiereClassification{{Code: 7, Libelle: "Finances locales", SousMatieres: []xdemat.MatiereClassification{{Code: 1, Libelle: "Décisions budgétaires"}}}}}
	u := demarrerReponses(t, ag)
	dir := t.TempDir()
	acte, plan, photo := filepath.Join(dir, "plu.pdf"), filepath.Join(dir, "plan de zonage.pdf"), filepath.Join(dir, "photo.png")
	os.WriteFile(acte, pdftest.Minimal("Délibération"), 0o600)
	os.WriteFile(plan, pdftest.Minimal("Plan de zonage"), 0o600)
	os.WriteFile(photo, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600)

	form := nouvelActeAvecAnnexes(t, u, acte, plan, photo)
	types := typesPieces(form)
	if len(types) != 2 || types[0].Selected != "99_AU Autre document" || len(types[0].Options) != 3 {
		t.Fatalf("typologies proposées : %+v", types)
	}
	types[0].SetSelected("22_PN Plan")
	if got := strings.Join(textes(form), " "); !strings.Contains(got, "2 annexes") || !strings.Contains(got, "plan de zonage.pdf") {
		t.Fatalf("annexes affichées : %s", got)
	}
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Créer l'acte"))
	if len(ag.actes) != 1 {
		t.Fatalf("acte non créé : %v", dialogue(u))
	}
	an := ag.actes[0].Annexes
	if len(an) != 2 || an[0].Nom != "plan de zonage.pdf" || an[0].TypePiece != "22_PN" || an[1].Nom != "photo.png" || an[1].TypePiece != "99_AU" {
		t.Fatalf("annexes de l'acte : %+v", an)
	}
}

// TestActeTropLourdRefuseAvantToutEnvoi: an annexe that takes the acte
// over the préfecture's limit shows on the form, and the acte is refused in
// French before any file is copied to the agent.
func TestActeTropLourdRefuseAvantToutEnvoi(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	dir := t.TempDir()
	acte, scan := filepath.Join(dir, "acte.pdf"), filepath.Join(dir, "scan couleur.pdf")
	os.WriteFile(acte, pdftest.Minimal("Délibération"), 0o600)
	f, _ := os.Create(scan)
	f.Truncate(xdemat.TailleMaxActe) // sparse: weighs nothing on disk
	f.Close()

	form := nouvelActeAvecAnnexes(t, u, acte, scan)
	if got := strings.Join(textes(form), " "); !strings.Contains(got, "Trop lourd") {
		t.Fatalf("poids affiché : %s", got)
	}
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Créer l'acte"))
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "la préfecture en accepte") || len(ag.actes) != 0 || len(ag.parapheur.documents) != 0 {
		t.Fatalf("acte trop lourd : %s, %d actes, %d documents copiés", got, len(ag.actes), len(ag.parapheur.documents))
	}
}
