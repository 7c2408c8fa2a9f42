package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
)

// agentReponsesFaux is the fake agent with the préfecture's messages, the
// answers, the corrections and the classification.
type agentReponsesFaux struct {
	*fauxAgent
	mu             sync.Mutex
	messages       []*xdemat.MessagePrefecture
	reponses       []*xdemat.ReponsePrefecture
	classification *xdemat.ClassificationPrefecture
	demandes       []agent.DemandeReponse
	corrections    []xdemat.CorrectionActe
}

func (f *agentReponsesFaux) FicheActe(ctx context.Context, id string) (*agent.FicheActe, error) {
	fi, err := f.fauxAgent.FicheActe(ctx, id)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.messages {
		if m.ActeID == id {
			fi.Messages = append(fi.Messages, m)
		}
	}
	for _, r := range f.reponses {
		if r.ActeID == id {
			fi.Reponses = append(fi.Reponses, r)
		}
	}
	return fi, nil
}

func (f *agentReponsesFaux) RepondreMessage(ctx context.Context, acteID, mid string, d agent.DemandeReponse) (*xdemat.ReponsePrefecture, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := &xdemat.ReponsePrefecture{ID: uuid.NewString(), ActeID: acteID, MessageID: mid, Type: d.Type, Lettre: d.Lettre, Pieces: d.Pieces, Le: maintenantTest, Etat: xdemat.ReponseDemandee}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	for _, m := range f.messages {
		if m.ID == mid {
			if err := r.ValiderPour(m); err != nil {
				return nil, err
			}
		}
	}
	f.demandes = append(f.demandes, d)
	f.reponses = append(f.reponses, r)
	return r, nil
}

func (f *agentReponsesFaux) CorrigerActe(ctx context.Context, id string, c xdemat.CorrectionActe) (*xdemat.Acte, error) {
	f.mu.Lock()
	f.corrections = append(f.corrections, c)
	f.mu.Unlock()
	f.fauxAgent.mu.Lock()
	defer f.fauxAgent.mu.Unlock()
	for _, a := range f.actes {
		if a.ID == id {
			c.ActeID, c.Le = id, maintenantTest
			if err := c.Validate(); err != nil {
				return nil, err
			}
			if err := c.Appliquer(a); err != nil {
				return nil, err
			}
			a.Statut = xdemat.ActeTransmis
			v := *a
			return &v, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Acte introuvable.")
}

func (f *agentReponsesFaux) ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.classification == nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Pas encore de classification.")
	}
	return f.classification, nil
}

// demarrerReponses opens Marie's session on the fake agent.
func demarrerReponses(t *testing.T, ag *agentReponsesFaux) *UI {
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

// acteEnregistre records an acte in the fake agent with the given status.
func acteEnregistre(t *testing.T, ag *agentReponsesFaux, statut xdemat.StatutActe) *xdemat.Acte {
	t.Helper()
	a := &xdemat.Acte{ID: uuid.NewString(), CommuneID: "c-1", Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_007",
		DateDecision: maintenantTest.AddDate(0, 0, -10), Objet: "Révision du plan local d'urbanisme", Classification: "2.1",
		DateClassification: dateClassificationParDefaut, Statut: statut, Anomalie: "La matière 2.1 est périmée.",
		DocumentPrincipal: xdemat.PieceActe{SHA256: strings.Repeat("ab", 32), Nom: "plu.pdf", Taille: 100, TypePiece: "99_DE", TypeMedia: "application/pdf"}}
	if statut == xdemat.ActeAcquitte {
		a.IdentifiantUnique, a.DateAR, a.Anomalie = "051-215100009-20261115-DE2026_007-DE", maintenantTest.AddDate(0, 0, -9), ""
	}
	ag.actes = append(ag.actes, a)
	return a
}

func TestMessagesDeLaPrefectureDansLaFiche(t *testing.T) {
	ag := &agentReponsesFaux{fauxAgent: communeDeTest()}
	u := demarrerReponses(t, ag)
	a := acteEnregistre(t, ag, xdemat.ActeAcquitte)
	message := func(typ xdemat.TypeMessagePrefecture, texte string) *xdemat.MessagePrefecture {
		return &xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: typ, Texte: texte, RecuLe: maintenantTest.Add(-time.Hour), DateCourrier: maintenantTest}
	}
	demande := message(xdemat.MessageDemandePieces, "Merci de joindre le plan de situation.")
	courrier := message(xdemat.MessageCourrierSimple, "Merci de préciser le montant.")
	courrier.Documents = []string{strings.Repeat("c1", 32)}
	defere := message(xdemat.MessageDefere, "Incompétence de l'auteur.")
	ag.messages = []*xdemat.MessagePrefecture{demande, courrier, defere}
	ag.reponses = []*xdemat.ReponsePrefecture{{ID: uuid.NewString(), ActeID: a.ID, MessageID: courrier.ID, Type: xdemat.ReponseFavorable,
		Etat: xdemat.ReponseAcquittee, TransmiseLe: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), AcquitteeLe: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}}
	u.ouvrirActe(a.ID)
	fiche := strings.Join(dialogue(u), "\n")
	for _, attendu := range []string{"Demande de pièces complémentaires de la préfecture", "répondu le 20/11/2026, reçue par la préfecture le 21/11/2026",
		"Un déféré ne se répond pas par @CTES"} {
		if !strings.Contains(fiche, attendu) {
			t.Fatalf("la fiche ne dit pas « %s » :\n%s", attendu, fiche)
		}
	}
	// Only the demande de pièces is still to answer.
	if bs := boutons(u.win.Canvas().Overlays().Top(), "Répondre"); len(bs) != 1 {
		t.Fatalf("%d boutons Répondre :\n%s", len(bs), fiche)
	}
	// The préfecture's letter reads in the app.
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Lire le courrier"))
	if u.lecture.titre.Text != "Courrier simple de la préfecture" {
		t.Fatalf("lecture du courrier : %q", u.lecture.titre.Text)
	}
	u.ouvrirActe(a.ID)
	plan := filepath.Join(t.TempDir(), "plan-de-situation.pdf")
	os.WriteFile(plan, pdftest.Minimal("Plan de situation"), 0o600)
	u.choisirFichier = func(ok func(string)) { ok(plan) }
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Répondre"))
	form := u.win.Canvas().Overlays().Top()
	test.Tap(bouton(t, form, "Ajouter une pièce"))
	test.Tap(bouton(t, form, "Envoyer la réponse"))
	if len(ag.demandes) != 1 || ag.demandes[0].Type != xdemat.ReponseFavorable || len(ag.demandes[0].Pieces) != 1 ||
		ag.demandes[0].Pieces[0].Nom != "plan-de-situation.pdf" || ag.demandes[0].Lettre != nil {
		t.Fatalf("réponse envoyée %+v (%v)", ag.demandes, dialogue(u))
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "Envoi des pièces complémentaires") {
		t.Fatalf("confirmation : %s", got)
	}
}

func TestReponseRefuseeEnFrancais(t *testing.T) {
	ag := &agentReponsesFaux{fauxAgent: communeDeTest()}
	u := demarrerReponses(t, ag)
	a := acteEnregistre(t, ag, xdemat.ActeAcquitte)
	obs := &xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: xdemat.MessageLettreObservations, Texte: "Délai de recours absent.", RecuLe: maintenantTest}
	ag.messages = []*xdemat.MessagePrefecture{obs}
	u.ouvrirActe(a.ID)
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Répondre"))
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Envoyer la réponse")) // no letter
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "Joignez la lettre de réponse de la commune (PDF).") || len(ag.demandes) != 0 {
		t.Fatalf("réponse sans lettre : %s", got)
	}
}

func TestCorrigerEtRenvoyerUnActeRefuse(t *testing.T) {
	ag := &agentReponsesFaux{fauxAgent: communeDeTest()}
	u := demarrerReponses(t, ag)
	a := acteEnregistre(t, ag, xdemat.ActeEnErreur)
	u.ouvrirActe(a.ID)
	if !strings.Contains(strings.Join(dialogue(u), " "), "La matière 2.1 est périmée.") {
		t.Fatalf("fiche : %v", dialogue(u))
	}
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Corriger et renvoyer"))
	form := u.win.Canvas().Overlays().Top()
	es := entrees(form)
	if len(es) < 2 || es[0].Text != a.Objet || es[1].Text != "2.1" {
		t.Fatalf("formulaire de correction : %v", textes(form))
	}
	es[1].SetText("2.2")
	test.Tap(bouton(t, form, "Renvoyer à la préfecture"))
	if len(ag.corrections) != 1 || ag.corrections[0].Classification != "2.2" || ag.corrections[0].Objet != "" || ag.corrections[0].DocumentPrincipal != nil {
		t.Fatalf("correction %+v (%v)", ag.corrections, dialogue(u))
	}
	if ag.actes[0].Statut != xdemat.ActeTransmis {
		t.Fatalf("acte après la correction : %s", ag.actes[0].Statut)
	}
}

func TestNouvelActeAvecLaClassificationDeLaPrefecture(t *testing.T) {
	ag := &agentReponsesFaux{fauxAgent: communeDeTest()}
	version := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ag.classification = &xdemat.ClassificationPrefecture{Date: version,
		Natures: []xdemat.NatureClassification{{Code: 1, Libelle: "Délibération"}},
		Matieres: []xdemat.MatiereClassification{{Code: 7, Libelle: "Finances locales", SousMatieres: []xdemat.MatiereClassification{
			{Code: 1, Libelle: "Décisions budgétaires"}, {Code: 2, Libelle: "Fiscalité"}}}}}
	u := demarrerReponses(t, ag)
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	pdf := filepath.Join(t.TempDir(), "deliberation.pdf")
	os.WriteFile(pdf, pdftest.Minimal("Délibération"), 0o600)
	u.choisirFichier = func(ok func(string)) { ok(pdf) }
	test.Tap(bouton(t, u.actes.objet, "Nouvel acte"))
	form := u.win.Canvas().Overlays().Top()
	var liste *widget.Select
	for _, o := range objets(form) {
		if s, ok := o.(*widget.Select); ok && s.PlaceHolder == "Classification de la préfecture…" {
			liste = s
		}
	}
	if liste == nil || len(liste.Options) != 2 || liste.Options[1] != "7.2 Finances locales > Fiscalité" {
		t.Fatalf("liste des matières : %+v", liste)
	}
	liste.SetSelected(liste.Options[1])
	es := entrees(form)
	es[2].SetText("Vote des taux")
	if es[3].Text != "7.2" {
		t.Fatalf("matière choisie : %q", es[3].Text)
	}
	test.Tap(bouton(t, form, "Choisir"))
	test.Tap(bouton(t, form, "Créer l'acte"))
	if len(ag.actes) != 1 || !ag.actes[0].DateClassification.Equal(version) || ag.actes[0].Classification != "7.2" {
		t.Fatalf("acte créé %+v (%v)", ag.actes, dialogue(u))
	}
}
