package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

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
