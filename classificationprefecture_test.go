package xdemat

import (
	"strings"
	"testing"
	"time"
)

func classificationDeTest() *ClassificationPrefecture {
	return &ClassificationPrefecture{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Natures: []NatureClassification{{Code: NatureDeliberation, Libelle: "Délibération", TypesPieces: []TypePieceClassification{{Code: "99_DE", Libelle: "Délibération"}}}},
		Matieres: []MatiereClassification{
			{Code: 7, Libelle: "Finances locales", SousMatieres: []MatiereClassification{
				{Code: 1, Libelle: "Décisions budgétaires", SousMatieres: []MatiereClassification{{Code: 2, Libelle: "Décision modificative"}}},
			}},
			{Code: 9, Libelle: "Autres domaines"},
		}}
}

func TestMatieresDeLaClassification(t *testing.T) {
	c := classificationDeTest()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	cas := []struct {
		matiere Classification
		erreur  string
	}{
		{"7.1", ""},
		{"7.1.2", ""},
		{"7.2", "La matière 7.2 n'existe pas dans la classification de la préfecture (version du 01/03/2026) : choisissez-en une autre."},
		{"9.9", "La matière 9.9 n'existe pas"},
		{"7.1.2.4", "n'existe pas"},
	}
	for _, cs := range cas {
		t.Run(string(cs.matiere), func(t *testing.T) {
			err := c.VerifierMatiere(cs.matiere)
			if (cs.erreur == "") != (err == nil) || (err != nil && !strings.Contains(ErrorMessage(err), cs.erreur)) {
				t.Fatalf("%v", err)
			}
		})
	}
	l := c.Liste()
	if len(l) != 2 || l[0].Classification != "7.1" || l[1].Libelle != "Finances locales > Décisions budgétaires > Décision modificative" {
		t.Fatalf("liste %+v", l)
	}
}

func TestClassificationMalFormeeRefusee(t *testing.T) {
	cas := []struct {
		nom     string
		changer func(c *ClassificationPrefecture)
	}{
		{"sans date", func(c *ClassificationPrefecture) { c.Date = time.Time{} }},
		{"sans matière", func(c *ClassificationPrefecture) { c.Matieres = nil }},
		{"code de matière 0", func(c *ClassificationPrefecture) { c.Matieres[1].Code = 0 }},
		{"code de matière 100", func(c *ClassificationPrefecture) { c.Matieres[1].Code = 100 }},
		{"six niveaux", func(c *ClassificationPrefecture) {
			m := MatiereClassification{Code: 1, Libelle: "x"}
			for range 5 {
				m = MatiereClassification{Code: 1, Libelle: "x", SousMatieres: []MatiereClassification{m}}
			}
			c.Matieres = append(c.Matieres, m)
		}},
		{"typologie mal formée", func(c *ClassificationPrefecture) { c.Natures[0].TypesPieces[0].Code = "99-DE<" }},
	}
	for _, cs := range cas {
		t.Run(cs.nom, func(t *testing.T) {
			c := classificationDeTest()
			cs.changer(c)
			if err := c.Validate(); ErrorCode(err) != EINVALID {
				t.Fatalf("acceptée : %v", err)
			}
		})
	}
}
