package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"xdemat"
	"xdemat/agent"
)

func avecSauvegardes() *fauxAgent { return communeDeTest().avecSauvegardes() }

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
