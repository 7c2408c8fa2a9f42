package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/pes"
)

// TestSuiviDesBordereaux: the secretary sees each PES file with its
// bordereaux, what the trésorerie answered, and for a refusal what to do;
// a file opens its dossier in the parapheur.
func TestSuiviDesBordereaux(t *testing.T) {
	ag := communeAvecParapheur()
	d := ag.avecDossier("Bordereau de mandats n° 12", xdemat.DossierBordereau, "u-marie", []byte("<PES_Aller/>"))
	ag.transmissions = []*xdemat.TransmissionPES{
		{ID: "t-1", DossierID: d.ID, NomFic: "PES_MANDATS_12", Statut: xdemat.HeliosAcquitte, ImporteLe: maintenantTest.AddDate(0, 0, -2), ReponduLe: maintenantTest.Add(-time.Hour),
			Bordereaux: []xdemat.BordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "12", NbPieces: 3, Montant: 487440, Statut: xdemat.HeliosAcquitte,
				Pieces: []xdemat.PiecePES{{Numero: "832", Statut: xdemat.PieceRejetee, Phrase: "Mandat rejeté : RIB du fournisseur erroné ; corrigez-le et émettez un nouveau mandat."}}}}},
		{ID: "t-2", NomFic: "PES_TITRES_4", Statut: xdemat.HeliosRefuse, ImporteLe: maintenantTest.AddDate(0, 0, -1),
			Bordereaux: []xdemat.BordereauPES{{Domaine: "recette", Exercice: "2026", Numero: "4", NbPieces: 1, Montant: 12000, Statut: xdemat.HeliosRefuse,
				Explications: []string{"La signature du bordereau est invalide : faites-le signer de nouveau par le maire."}}}},
	}
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Bordereaux (Hélios)"))
	if u.ecran != EcranHelios {
		t.Fatalf("écran %q", u.ecran)
	}
	got := strings.Join(textes(u.helios.liste), "\n")
	montant := pes.Montant(487440).String() // "4 874,40 €", with a narrow space
	for _, want := range []string{"Acquitté par la trésorerie", "PES_MANDATS_12 · 1 bordereau · " + montant + " TTC",
		"Bordereau de dépenses n° 12 (2026) : 3 pièces, " + montant + " TTC — acquitté par la trésorerie",
		"Refusé par la trésorerie", "faites-le signer de nouveau par le maire",
		"Pièce 832 : " + strings.ToLower(xdemat.PieceRejetee.Libelle()) + " — Mandat rejeté : RIB du fournisseur erroné"} {
		if !strings.Contains(got, want) {
			t.Fatalf("la page ne dit pas %q :\n%s", want, got)
		}
	}
	for _, o := range objets(u.helios.liste) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Refusé par la trésorerie" && l.Importance != widget.DangerImportance {
			t.Error("un refus doit se voir en rouge")
		}
	}
	test.Tap(bouton(t, u.helios.liste, "Ouvrir dans le parapheur"))
	if u.corps.Objects[0] != u.dossier.objet || u.dossier.d == nil || u.dossier.d.ID != d.ID {
		t.Fatal("le fichier doit ouvrir son dossier du parapheur")
	}
}
