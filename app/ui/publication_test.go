package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
)

// fauxPublication is the fake agent with the publication routes.
type fauxPublication struct {
	*fauxAgent
	publiees  map[string]*xdemat.PublicationActe
	publicite agent.EtatPublicite
	pvs       []string
}

func (f *fauxPublication) EtatPublicationActe(ctx context.Context, id string) (*agent.EtatPublicationActe, error) {
	e := &agent.EtatPublicationActe{Publication: f.publiees[id], EnLigne: f.publicite.Publicite.EnLigne(),
		AuteurPropose: xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}}
	if p := e.Publication; p != nil {
		e.RetraitPossible = xdemat.RetraitPossibleLe(p.PublieLe)
	}
	return e, nil
}

func (f *fauxPublication) PublierActe(ctx context.Context, id string, auteur xdemat.AuteurActe) (*xdemat.PublicationActe, error) {
	p := &xdemat.PublicationActe{ActeID: id, Auteur: auteur, PublieLe: maintenantTest, DocumentSHA256: strings.Repeat("a", 64)}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f.publiees[id] = p
	return p, nil
}

func (f *fauxPublication) DepublierActe(ctx context.Context, id string) (*xdemat.PublicationActe, error) {
	return nil, xdemat.Errorf(xdemat.EFORBIDDEN, "Pas avant deux mois.")
}

func (f *fauxPublication) PublierPV(ctx context.Context, seance time.Time, nom string, r io.Reader) (*xdemat.ProcesVerbal, error) {
	b, _ := io.ReadAll(r)
	if !strings.HasPrefix(string(b), "%PDF-") {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le procès-verbal « %s » n'est pas un PDF.", nom)
	}
	f.pvs = append(f.pvs, nom)
	return &xdemat.ProcesVerbal{ID: "pv-1", DateSeance: seance, Nom: nom, PublieLe: maintenantTest}, nil
}

func (f *fauxPublication) Publicite(ctx context.Context) (*agent.EtatPublicite, error) {
	e := f.publicite
	return &e, nil
}

func (f *fauxPublication) ChoisirPublicite(ctx context.Context, p xdemat.Publicite) (*agent.EtatPublicite, error) {
	if err := p.Validate(f.publicite.Population); err != nil {
		return nil, err
	}
	f.publicite.Publicite = p
	e := f.publicite
	return &e, nil
}

// demarrerAvec is demarrer for another fake agent, with Marie's session.
func demarrerAvec(t *testing.T, ag Agent) *UI {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 700))
	u := New(w, ag, Options{Maintenant: func() time.Time { return maintenantTest }, Fuseau: time.UTC, Version: "0.9.0", Utilisateur: "u-marie"})
	u.enFond = func(f func()) { f() }
	u.surUI = func(f func()) { f() }
	u.lancerFlux = func() {}
	u.Demarrer()
	t.Cleanup(u.Fermer)
	return u
}

func TestPublierUnActeDepuisSaFiche(t *testing.T) {
	ag := &fauxPublication{fauxAgent: communeDeTest(), publiees: map[string]*xdemat.PublicationActe{},
		publicite: agent.EtatPublicite{Publicite: xdemat.PubliciteParDefaut(), PeutChoisir: true, Population: 180}}
	doc := pdftest.Minimal("Délibération")
	a, err := ag.CreerActe(context.Background(), &xdemat.Acte{Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_001", DateDecision: maintenantTest.AddDate(0, 0, -1),
		Objet: "Tarifs de la cantine scolaire", Classification: "7.1", DateClassification: maintenantTest,
		DocumentPrincipal: xdemat.PieceActe{SHA256: strings.Repeat("b", 64), Nom: "d.pdf", Taille: int64(len(doc)), TypePiece: "99_DE"}})
	if err != nil {
		t.Fatal(err)
	}
	u := demarrerAvec(t, ag)

	u.ouvrirActe(a.ID)
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Publier sur le site"))
	form := u.win.Canvas().Overlays().Top()
	es := entrees(form)
	if len(es) != 3 || es[0].Text != "Jacques" || es[1].Text != "Bertin" || es[2].Text != "Maire" {
		t.Fatalf("auteur proposé (PUB-07) : %v", textes(form))
	}
	es[2].SetText("Maire de la commune")
	test.Tap(bouton(t, form, "Publier"))
	p := ag.publiees[a.ID]
	if p == nil || p.Auteur.Qualite != "Maire de la commune" || !strings.Contains(strings.Join(dialogue(u), " "), "publication est demandée") {
		t.Fatalf("publication : %+v, %v", p, dialogue(u))
	}
	fermerDialogues(u)

	// Published: the fiche says since when, and until when it must stay (PUB-08).
	u.ouvrirActe(a.ID)
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Publier sur le site"))
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "au moins deux mois") || !strings.Contains(got, "Maire de la commune") {
		t.Fatalf("acte publié : %s", got)
	}
	fermerDialogues(u)

	// The procès-verbal of the séance, from a délibération's fiche (CM-25).
	pv := filepath.Join(t.TempDir(), "PV séance.pdf")
	os.WriteFile(pv, pdftest.Minimal("Procès-verbal"), 0o600)
	u.choisirFichier = func(ok func(string)) { ok(pv) }
	u.ouvrirActe(a.ID)
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Procès-verbal de la séance"))
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Choisir le PDF"))
	if len(ag.pvs) != 1 || ag.pvs[0] != "PV séance.pdf" || !strings.Contains(strings.Join(dialogue(u), " "), "sera en ligne") {
		t.Fatalf("procès-verbal : %v, %v", ag.pvs, dialogue(u))
	}
	fermerDialogues(u)

	// Paramètres: the mode de publicité, under 3,500 inhabitants (PUB-04).
	bouton(t, u.parametres.objet, "Mode de publicité des actes")
	u.choisirPublicite()
	form = u.win.Canvas().Overlays().Top()
	es = entrees(form)
	if len(es) != 2 {
		t.Fatalf("formulaire du mode de publicité : %v", textes(form))
	}
}

func TestModeDePubliciteCacheAuDelaDe3500Habitants(t *testing.T) {
	f := communeDeTest()
	f.identite.Commune.Population = 12000
	ag := &fauxPublication{fauxAgent: f, publiees: map[string]*xdemat.PublicationActe{}}
	u := demarrerAvec(t, ag)
	for _, s := range textes(u.parametres.objet) {
		if strings.HasPrefix(s, "Mode de publicité") {
			t.Fatal("PUB-05 : une commune de 12 000 habitants publie en ligne, sans choix")
		}
	}
}
