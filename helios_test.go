package xdemat

import (
	"strings"
	"testing"
	"time"
)

func transmissionValide() *TransmissionPES {
	return &TransmissionPES{
		ID:        "11111111-1111-4111-8111-111111111111",
		DossierID: "22222222-2222-4222-8222-222222222222",
		Original:  strings.Repeat("a", 64),
		Document:  strings.Repeat("b", 64),
		NomFic:    "PES_ex.xml", CodCol: "123", IdPost: "012345", CodBud: "01",
		Statut: HeliosSigne,
		Bordereaux: []BordereauPES{
			{Domaine: "depense", Exercice: "2024", Numero: "5", Type: "01", Montant: 10000, NbPieces: 2, Statut: HeliosSigne},
			{Domaine: "recette", Exercice: "2024", Numero: "5", Type: "01", Montant: 500, NbPieces: 1, Statut: HeliosSigne},
		},
	}
}

func TestTransmissionPESValidate(t *testing.T) {
	cas := []struct {
		nom    string
		modif  func(*TransmissionPES)
		erreur string // part of the French message; "" when valid
	}{
		{"PES signé complet", func(*TransmissionPES) {}, ""},
		{"PES à signer sans fichier signé", func(t *TransmissionPES) { t.Statut, t.Document = HeliosASigner, "" }, ""},
		{"signé sans fichier signé", func(t *TransmissionPES) { t.Document = "" }, "fichier signé manque"},
		{"sans NomFic", func(t *TransmissionPES) { t.NomFic = "" }, "NomFic"},
		{"CodCol trop long", func(t *TransmissionPES) { t.CodCol = "12345" }, "CodCol"},
		{"sans bordereau", func(t *TransmissionPES) { t.Bordereaux = nil }, "aucun bordereau"},
		{"bordereau en double", func(t *TransmissionPES) { t.Bordereaux[1].Domaine = "depense" }, "deux fois"},
		{"domaine inconnu", func(t *TransmissionPES) { t.Bordereaux[0].Domaine = "autre" }, "ni de dépense ni de recette"},
		{"statut inconnu", func(t *TransmissionPES) { t.Statut = "perdu" }, "Statut de transmission PES inconnu"},
		{"dossier absent", func(t *TransmissionPES) { t.DossierID = "" }, "dossier du parapheur"},
		{"empreinte du fichier importé invalide", func(t *TransmissionPES) { t.Original = "x" }, "empreinte"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			tr := transmissionValide()
			c.modif(tr)
			err := tr.Validate()
			if c.erreur == "" {
				if err != nil {
					t.Fatalf("refusé à tort : %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(ErrorMessage(err), c.erreur) {
				t.Fatalf("erreur %v, attendu un message contenant %q", err, c.erreur)
			}
		})
	}
}

func TestCleUniquePES(t *testing.T) {
	a, b := transmissionValide(), transmissionValide()
	b.ID = "33333333-3333-4333-8333-333333333333"
	if a.Cle() != b.Cle() {
		t.Fatal("deux transmissions du même NomFic et CodCol doivent avoir la même clé")
	}
	b.CodCol = "124"
	if a.Cle() == b.Cle() {
		t.Fatal("un autre CodCol doit donner une autre clé")
	}
}

func TestTransmissionPESAppliquer(t *testing.T) {
	le := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	statut := func(s StatutHelios, b ...StatutBordereauPES) *StatutTransmissionPES {
		return &StatutTransmissionPES{TransmissionID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222", Statut: s, Bordereaux: b, Le: le, Explications: nil}
	}
	cas := []struct {
		nom       string
		depart    StatutHelios
		recu      *StatutTransmissionPES
		change    bool
		conflit   bool
		attendu   StatutHelios
		bordereau []StatutHelios
	}{
		{"signé puis transmis", HeliosSigne, statut(HeliosTransmis), true, false, HeliosTransmis, []StatutHelios{HeliosTransmis, HeliosTransmis}},
		{"transmis puis acquitté", HeliosTransmis, statut(HeliosAcquitte), true, false, HeliosAcquitte, []StatutHelios{HeliosAcquitte, HeliosAcquitte}},
		{"acquit partiel : un bordereau refusé", HeliosTransmis, statut(HeliosRefuse,
			StatutBordereauPES{Domaine: "depense", Exercice: "2024", Numero: "5", Statut: HeliosRefuse, Explications: []string{"Compte absent"}},
			StatutBordereauPES{Domaine: "recette", Exercice: "2024", Numero: "5", Statut: HeliosAcquitte}),
			true, false, HeliosRefuse, []StatutHelios{HeliosRefuse, HeliosAcquitte}},
		{"transmis rejoué après l'acquit", HeliosAcquitte, statut(HeliosTransmis), false, false, HeliosAcquitte, []StatutHelios{HeliosSigne, HeliosSigne}},
		{"acquit rejoué", HeliosAcquitte, statut(HeliosAcquitte), false, false, HeliosAcquitte, []StatutHelios{HeliosSigne, HeliosSigne}},
		{"refus après acquit", HeliosAcquitte, statut(HeliosRefuse), false, true, HeliosAcquitte, []StatutHelios{HeliosSigne, HeliosSigne}},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			tr := transmissionValide()
			tr.Statut = c.depart
			change, err := tr.Appliquer(c.recu)
			if (err != nil) != c.conflit {
				t.Fatalf("erreur %v, conflit attendu %v", err, c.conflit)
			}
			if change != c.change || tr.Statut != c.attendu {
				t.Fatalf("changé %v statut %s, attendu %v %s", change, tr.Statut, c.change, c.attendu)
			}
			for i, s := range c.bordereau {
				if tr.Bordereaux[i].Statut != s {
					t.Errorf("bordereau %d : %s, attendu %s", i, tr.Bordereaux[i].Statut, s)
				}
			}
			if c.attendu == HeliosRefuse && !tr.Refusee() {
				t.Error("la transmission doit se dire refusée")
			}
		})
	}
}

func TestStatutTransmissionPESValidate(t *testing.T) {
	s := &StatutTransmissionPES{TransmissionID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222", Statut: HeliosSigne}
	if s.Validate() == nil {
		t.Fatal("central ne doit pas pouvoir annoncer « signé »")
	}
	s.Statut = HeliosAcquitte
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}
