package xdemat

import (
	"testing"
	"time"
)

func TestAppliquerRetourNeReculeJamais(t *testing.T) {
	le := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tr := &TransmissionPES{ID: "0b5e1f3c-7f1a-4c55-9a7e-2a8f8f0c1d01", Bordereaux: []BordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "12"}}}
	retour := func(nom string, st StatutPiecePES) *RetourPES {
		return &RetourPES{TransmissionID: tr.ID, DossierID: "0b5e1f3c-7f1a-4c55-9a7e-2a8f8f0c1d02", NomRetour: nom, Le: le,
			Bordereaux: []RetourBordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "012", Pieces: []PiecePES{{Numero: "7", Statut: st}}}}}
	}
	cas := []struct {
		nom    string
		statut StatutPiecePES
		bouge  int
		final  StatutPiecePES
	}{
		{"mise en instance", PieceEnInstance, 1, PieceEnInstance},
		{"prise en charge", PiecePriseEnCharge, 1, PiecePriseEnCharge},
		{"retour rejoué", PiecePriseEnCharge, 0, PiecePriseEnCharge},
		{"instance arrivée en retard", PieceEnInstance, 0, PiecePriseEnCharge},
		{"rejet", PieceRejetee, 1, PieceRejetee},
		{"paiement après rejet ignoré", PieceSoldee, 0, PieceRejetee},
	}
	for _, c := range cas {
		bouge, err := tr.AppliquerRetour(retour(c.nom, c.statut))
		if err != nil || len(bouge) != c.bouge || tr.Bordereaux[0].Pieces[0].Statut != c.final {
			t.Fatalf("%s : %d pièce(s) changée(s), %v, état %s", c.nom, len(bouge), err, tr.Bordereaux[0].Pieces[0].Statut)
		}
	}
	autre := retour("autre bordereau", PieceSoldee)
	autre.Bordereaux[0].Numero = "13"
	if bouge, err := tr.AppliquerRetour(autre); err != nil || len(bouge) != 0 {
		t.Fatalf("bordereau d'un autre PES : %v, %v", bouge, err)
	}
	mauvais := retour("x", "payee")
	if _, err := tr.AppliquerRetour(mauvais); ErrorCode(err) != EINVALID {
		t.Fatalf("état inconnu accepté : %v", err)
	}
}
