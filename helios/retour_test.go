package helios

import (
	"strings"
	"testing"
)

func TestLireRetourReel(t *testing.T) {
	r, err := LireRetour(lireFixture(t, "HELIOS_SIMU_RETOUR_1565181244_184723364.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Enveloppe.TypFic != "PESRETOUR_DEP" || r.EnTete.IdColl != "12345678900012" || r.EnTete.CodCol != "221" || r.EnTete.LibellePoste != "CORBARIEU " {
		t.Errorf("en-tête : %+v %+v", r.Enveloppe, r.EnTete)
	}
	if r.Recette != nil || r.Depense == nil || r.Depense.TypRestit != "AA" || len(r.Depense.Bordereaux) != 1 {
		t.Fatalf("domaines : %+v", r)
	}
	b := r.Depense.Bordereaux[0]
	if b.Exer != "2009" || b.IdBord != "1234567" || len(b.Pieces) != 1 {
		t.Fatalf("bordereau : %+v", b)
	}
	p := b.Pieces[0]
	if p.IdPce != "832" || p.Obj != "Test accent éÉÈÈêà" || p.Statut() != PieceEnInstance || p.DtePcePec != "2008-12-12" {
		t.Errorf("pièce : %+v", p)
	}
	if l := p.Lignes[0]; l.MtHT != "39724.75" || l.LibVir2 != "LE NUMERO N EST PAS PRECISE" || l.LibelleEtatLigne(DomaineDepense) != "prise en charge" || l.ObsEtat != "12" {
		t.Errorf("ligne : %+v", l)
	}
	if got := p.Phrase(); got != "Mandat n° 832 (« Test accent éÉÈÈêà ») : mis en instance par la Trésorerie, qui attend un complément. Appelez la Trésorerie pour savoir ce qui manque." {
		t.Errorf("phrase : %s", got)
	}
	if len(r.Pieces()) != 1 {
		t.Error("Pieces")
	}
}

func TestStatutsDesPieces(t *testing.T) {
	cas := []struct {
		nom     string
		domaine Domaine
		etat    string
		obs     string
		statut  StatutPiece
		phrase  string
	}{
		{"mandat payé", DomaineDepense, "05", "", PieceSoldee, "Mandat n° 7 : payé (soldé)."},
		{"mandat rejeté faute de crédits", DomaineDepense, "04", "03", PieceRejetee, "Mandat n° 7 : rejeté par la Trésorerie. Motif : insuffisance de crédits budgétaires. Corrigez"},
		{"titre pris en charge", DomaineRecette, "02", "", PiecePriseEnCharge, "Titre n° 7 : pris en charge par la Trésorerie."},
		{"titre annulé", DomaineRecette, "05", "", PieceAnnulee, "Titre n° 7 : annulé."},
		{"titre partiel", DomaineRecette, "03", "", PiecePriseEnChargePartielle, "Titre n° 7 : pris en charge en partie"},
		{"titre rejeté, motif libre", DomaineRecette, "04", "débiteur décédé", PieceRejetee, "Motif : débiteur décédé."},
		{"état inconnu", DomaineDepense, "03", "", PieceEtatInconnu, "état « 03 » inconnu"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			p := PieceRetour{Domaine: c.domaine, IdPce: "7", EtatPce: c.etat, ObsEtat: c.obs}
			if p.Statut() != c.statut || !strings.Contains(p.Phrase(), c.phrase) {
				t.Errorf("%s / %s", p.Statut(), p.Phrase())
			}
		})
	}
}

func retourComplet() *Retour {
	return &Retour{
		Enveloppe: Enveloppe{TypFic: "PESRETOUR", NomFic: "PESRETOUR_21510108000019_260310_001.xml", EmetteurSigle: "HELIOS"},
		EnTete:    EnTetePES{DteStr: "2026-03-10", IdPost: "051000", LibellePoste: "Trésorerie de Châlons", IdColl: "21510108000019", CodCol: "108", CodBud: "01"},
		Depense: &DomaineRetour{TypRestit: "02", Bordereaux: []BordereauRetour{{Exer: "2026", IdBord: "12", TypBord: "01", Pieces: []PieceRetour{
			{IdPce: "121", TypPce: "01", NatPce: "01", Obj: "Fournitures d'entretien & hygiène", DtePcePec: "2026-03-04", EtatPce: "05", Lignes: []LigneRetour{
				{IdLigne: "1", EtatLigPce: "01", LibVir1: "FACTURE 2026-03", MtHT: "1250.40", MtTVA: "250.08", NbrReglements: "1", MtReglements: "1500.48",
					Reglements: []Reglement{{OrgEma: "01", Date: "2026-03-09", Montant: "1500.48"}}},
			}},
			{IdPce: "122", TypPce: "01", NatPce: "01", EtatPce: "04", ObsEtat: "03", Commentaire: "Crédits épuisés au 6068", DtePceRej: "2026-03-05", Lignes: []LigneRetour{{IdLigne: "1", EtatLigPce: "02", MtHT: "80.00"}}},
		}}}},
		Recette: &DomaineRetour{TypRestit: "02", Bordereaux: []BordereauRetour{{Exer: "2026", IdBord: "3", TypBord: "01", Pieces: []PieceRetour{
			{IdPce: "31", TypPce: "01", NatPce: "01", EtatPce: "02", Lignes: []LigneRetour{
				{IdLigne: "1", EtatLigPce: "05", MtHT: "45.00", NbrReglements: "1", MtReglements: "45.00", Reglements: []Reglement{{OrgEma: "02", Date: "2026-03-08", Montant: "45.00"}}},
			}},
		}}}},
	}
}

func TestEcrireRetourRelu(t *testing.T) {
	r := retourComplet()
	b, err := EcrireRetour(r)
	if err != nil {
		t.Fatal(err)
	}
	relu, err := LireRetour(b)
	if err != nil {
		t.Fatal(err)
	}
	ps := relu.Pieces()
	if len(ps) != 3 || ps[0].Statut() != PieceSoldee || ps[1].Statut() != PieceRejetee || ps[2].Statut() != PiecePriseEnCharge || ps[2].Domaine != DomaineRecette {
		t.Fatalf("pièces relues : %+v", ps)
	}
	if ps[0].Obj != "Fournitures d'entretien & hygiène" || ps[0].Lignes[0].Reglements[0].Montant != "1500.48" || ps[2].Lignes[0].MtReglements != "45.00" {
		t.Errorf("valeurs relues : %+v", ps)
	}
	if !strings.Contains(ps[1].Phrase(), "Crédits épuisés au 6068") || relu.EnTete.CodCol != "108" {
		t.Errorf("%s", ps[1].Phrase())
	}
	validerXSD(t, b, "RETOUR/Rev0/PES_Retour.xsd")
}

func TestEcrireRetourRefuseUnBordereauVide(t *testing.T) {
	r := retourComplet()
	r.Depense.Bordereaux[0].Pieces = nil
	if _, err := EcrireRetour(r); err == nil {
		t.Error("un bordereau sans pièce ne respecte pas le schéma")
	}
	if _, err := EcrireRetour(&Retour{}); err == nil {
		t.Error("un retour sans IdColl ne peut pas être attribué")
	}
}
