package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"xdemat"
	"xdemat/agent"
)

func avecSauvegardes() *fauxAgent { return communeDeTest().avecSauvegardes() }

// communeAvecActes is the test commune with an acte in each of the states
// the secretary meets most: acknowledged, refused, waiting to be sent.
func communeAvecActes() *fauxAgent {
	ag := communeDeTest()
	decision := maintenantTest.AddDate(0, 0, -10)
	pdf := xdemat.PieceActe{SHA256: strings.Repeat("ab", 32), Nom: "acte.pdf", Taille: 100, TypePiece: "99_DE", TypeMedia: "application/pdf"}
	ag.actes = []*xdemat.Acte{
		{ID: "a-1", CommuneID: "c-1", Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_007", DateDecision: decision,
			Objet: "Révision du plan local d'urbanisme", Classification: "2.1", DocumentPrincipal: pdf, CreeLe: decision,
			Statut: xdemat.ActeAcquitte, TransmisLe: decision.AddDate(0, 0, 1), DateAR: decision.AddDate(0, 0, 1),
			IdentifiantUnique: "051-215100009-20261116-DE2026_007-DE"},
		{ID: "a-2", CommuneID: "c-1", Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_008", DateDecision: decision,
			Objet: "Tarifs de la cantine scolaire", Classification: "7.1", DocumentPrincipal: pdf, CreeLe: decision,
			Statut: xdemat.ActeEnErreur, Anomalie: "La matière 7.1 n'existe plus dans la classification de la préfecture."},
		{ID: "a-3", CommuneID: "c-1", Nature: xdemat.NatureActeReglementaire, NumeroInterne: "AR2026_012", DateDecision: maintenantTest.AddDate(0, 0, -1),
			Objet: "Circulation et stationnement pendant la fête du village", Classification: "6.1", DocumentPrincipal: pdf, CreeLe: maintenantTest,
			Statut: xdemat.ActeEnAttenteEnvoi},
	}
	return ag
}

// TestRendu compares each screen with its master in testdata/ (markup, and
// an image of the home page, the one the secretary sees every morning). To
// accept a change, move the file written under testdata/failed/ into
// testdata/ after looking at it.
func TestRendu(t *testing.T) {
	for _, tc := range []struct {
		nom    string
		agent  func() *fauxAgent
		ouvrir func(t *testing.T, u *UI)
		image  bool
	}{
		{"accueil_a_faire", communeDeTest, nil, true},
		{"qui_travaille", communeDeTest, func(t *testing.T, u *UI) { test.Tap(u.menu.changer) }, true},
		{"premier_profil", newFauxAgent, nil, false},
		{"poste_non_enrole", func() *fauxAgent { ag := newFauxAgent(); ag.identite = nil; return ag }, nil, true},
		{"detail_notification", communeDeTest, func(t *testing.T, u *UI) { u.Ouvrir(lienNotification(idAlerte)) }, false},
		{"historique", communeDeTest, func(t *testing.T, u *UI) { test.Tap(bouton(t, u.menu.objet, "Historique")) }, false},
		{"actes", communeAvecActes, func(t *testing.T, u *UI) { test.Tap(bouton(t, u.menu.objet, "Actes")) }, true},
		{"fiche_acte", communeAvecActes, func(t *testing.T, u *UI) { u.ouvrirActe("a-1") }, true},
		{"parametres", communeDeTest, func(t *testing.T, u *UI) { test.Tap(bouton(t, u.menu.objet, "Paramètres")) }, true},
		{"diagnostic", communeDeTest, func(t *testing.T, u *UI) { test.Tap(bouton(t, u.menu.objet, "À propos")) }, false},
		{"sauvegarde", avecSauvegardes, func(t *testing.T, u *UI) { ouvrirSauvegarde(t, u) }, true},
		{"sauvegarde_en_cours", avecSauvegardes, func(t *testing.T, u *UI) {
			p := ouvrirSauvegarde(t, u)
			test.Tap(p.maintenant)
			evenements(t, u, agent.BusEvent{Type: "sauvegarde", Data: agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde, Fraction: 0.5,
				FichiersFaits: 2406, FichiersTotal: 4812, OctetsFaits: 6 << 30, OctetsTotal: 12 << 30, FichierCourant: "/home/marie/Documents/Budget/budget-2026.ods"}})
		}, true},
		{"restauration", avecSauvegardes, func(t *testing.T, u *UI) {
			r := restaurationOuverte(t, u)
			entrer(t, r, "Documents")
			r.liste.Select(1)
		}, true},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := tc.agent()
			ag.journal = journalDeTest()
			var u *UI
			if len(ag.utilisateurs) > 0 {
				u = connecte(t, ag, Options{})
			} else {
				u = demarrer(t, ag, Options{})
			}
			if tc.ouvrir != nil {
				tc.ouvrir(t, u)
			}
			test.AssertRendersToMarkup(t, tc.nom+".xml", u.win.Canvas())
			if tc.image {
				test.AssertRendersToImage(t, tc.nom+".png", u.win.Canvas())
			}
		})
	}
}
