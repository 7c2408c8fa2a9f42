package helios_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/helios"
	dgfip "xdemat/helios"
)

func TestPiecesDuRetourParTransmission(t *testing.T) {
	le := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	r := &dgfip.Retour{Enveloppe: dgfip.Enveloppe{NomFic: "PESRETOUR_24310063300011_260310_001.xml"}, EnTete: dgfip.EnTetePES{IdColl: "24310063300011", CodCol: "100", CodBud: "00"},
		Depense: &dgfip.DomaineRetour{Bordereaux: []dgfip.BordereauRetour{{Domaine: dgfip.DomaineDepense, Exer: "2026", IdBord: "0012", Pieces: []dgfip.PieceRetour{
			{Domaine: dgfip.DomaineDepense, IdPce: "121", EtatPce: "05"},
			{Domaine: dgfip.DomaineDepense, IdPce: "122", EtatPce: "04", ObsEtat: "03"},
			{Domaine: dgfip.DomaineDepense, IdPce: "123", EtatPce: "99"},
		}}}}}
	transmission := func(budget string, statut xdemat.StatutHelios) *xdemat.TransmissionPES {
		return &xdemat.TransmissionPES{ID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222", NomFic: "PES_A", CodCol: "100", CodBud: budget,
			Bordereaux: []xdemat.BordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "12", Statut: statut}}}
	}
	cas := []struct {
		nom    string
		t      *xdemat.TransmissionPES
		pieces string
	}{
		{"bordereau acquitté : pièces payée et rejetée, état inconnu laissé", transmission("00", xdemat.HeliosAcquitte), "121:soldee 122:rejetee"},
		{"bordereau refusé : le retour concerne son renvoi", transmission("00", xdemat.HeliosRefuse), ""},
		{"autre budget", transmission("02", xdemat.HeliosAcquitte), ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			rp := helios.Retour(c.t, r, le)
			var got []string
			if rp != nil {
				if err := rp.Validate(); err != nil {
					t.Fatal(err)
				}
				for _, p := range rp.Bordereaux[0].Pieces {
					got = append(got, p.Numero+":"+string(p.Statut))
				}
				if !strings.Contains(rp.Bordereaux[0].Pieces[1].Phrase, "insuffisance de crédits") {
					t.Errorf("phrase du rejet : %q", rp.Bordereaux[0].Pieces[1].Phrase)
				}
			}
			if g := strings.Join(got, " "); g != c.pieces {
				t.Fatalf("pièces %q, attendues %q", g, c.pieces)
			}
		})
	}
}

func TestRetourVolumineuxEnPlusieursParties(t *testing.T) {
	rp := &xdemat.RetourPES{TransmissionID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222", NomRetour: "R"}
	for i, n := range []int{250, 150} {
		b := xdemat.RetourBordereauPES{Domaine: "depense", Exercice: "2026", Numero: fmt.Sprint(i + 1)}
		for j := range n {
			b.Pieces = append(b.Pieces, xdemat.PiecePES{Numero: fmt.Sprint(j + 1), Statut: xdemat.PieceSoldee, Phrase: strings.Repeat("é", xdemat.MaxPhrasePiece/2)})
		}
		rp.Bordereaux = append(rp.Bordereaux, b)
	}
	parts := helios.Parties(rp)
	total := 0
	for i, p := range parts {
		if err := p.Validate(); err != nil || p.Partie != i {
			t.Fatalf("partie %d : %v (Partie %d)", i, err, p.Partie)
		}
		if b, _ := json.Marshal(p); len(b) > xdemat.TailleMaxPayload {
			t.Fatalf("partie %d : %d octets", i, len(b))
		}
		for _, b := range p.Bordereaux {
			total += len(b.Pieces)
		}
	}
	if len(parts) != 3 || total != 400 {
		t.Fatalf("%d parties, %d pièces", len(parts), total)
	}
}
