package xdemat_test

import (
	"strings"
	"testing"
	"time"

	"xdemat"
)

const empreinteA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const empreinteB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

func deliberation() xdemat.Acte {
	return xdemat.Acte{
		ID:                 "a1",
		CommuneID:          "c1",
		Nature:             xdemat.NatureDeliberation,
		NumeroInterne:      "2025_042",
		DateDecision:       time.Date(2025, 3, 14, 0, 0, 0, 0, xdemat.Paris),
		Objet:              "Vote des taux d'imposition 2025 et mise en œuvre du budget",
		Classification:     "7.2",
		DateClassification: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC),
		DocumentPrincipal:  xdemat.PieceActe{SHA256: empreinteA, Nom: "délibération 42.pdf", TypeMedia: "application/pdf", Taille: 52000, TypePiece: "99_DE"},
		Annexes:            []xdemat.PieceActe{{SHA256: empreinteB, Nom: "plan.png", Taille: 1000, TypePiece: "22_PN"}},
	}
}

func TestValidationDeLActe(t *testing.T) {
	for _, tc := range []struct {
		nom     string
		changer func(a *xdemat.Acte)
		code    string
		dit     string // part of the French message
	}{
		{"délibération complète", func(a *xdemat.Acte) {}, "", ""},
		{"arrêté individuel sans annexe", func(a *xdemat.Acte) {
			a.Nature, a.Annexes, a.DocumentPrincipal.TypePiece = xdemat.NatureActeIndividuel, nil, "99_AI"
		}, "", ""},
		{"budget en XML en matière 7.1 (seule exception au PDF)", func(a *xdemat.Acte) {
			a.Nature, a.Classification = xdemat.NatureDocumentBudgetaire, "7.1.2"
			a.DocumentPrincipal.Nom, a.DocumentPrincipal.TypeMedia = "budget.xml", "application/xml"
			a.Annexes[0].Nom = "annexe.pdf"
		}, "", ""},
		{"nature inconnue", func(a *xdemat.Acte) { a.Nature = 7 }, xdemat.EINVALID, "nature"},
		{"document principal en Word", func(a *xdemat.Acte) {
			a.DocumentPrincipal.Nom, a.DocumentPrincipal.TypeMedia = "délib.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		}, xdemat.EINVALID, "n'est pas un PDF"},
		{"document principal XML hors budget", func(a *xdemat.Acte) {
			a.DocumentPrincipal.Nom, a.DocumentPrincipal.TypeMedia = "délib.xml", "text/xml"
		}, xdemat.EINVALID, "matière 7.1"},
		{"budget XML avec une annexe image", func(a *xdemat.Acte) {
			a.Nature, a.Classification = xdemat.NatureDocumentBudgetaire, "7.1"
			a.DocumentPrincipal.Nom, a.DocumentPrincipal.TypeMedia = "budget.xml", "application/xml"
		}, xdemat.EINVALID, "que des annexes en PDF"},
		{"annexe en tableur", func(a *xdemat.Acte) { a.Annexes[0].Nom = "tableau.ods" }, xdemat.EINVALID, "convertissez-la en PDF"},
		{"PUB-21 numéro vide", func(a *xdemat.Acte) { a.NumeroInterne = "" }, xdemat.EINVALID, "obligatoire"},
		{"PUB-21 numéro avec une barre oblique", func(a *xdemat.Acte) { a.NumeroInterne = "2025/042" }, xdemat.EINVALID, "« / »"},
		{"PUB-21 numéro avec un espace et un tiret", func(a *xdemat.Acte) { a.NumeroInterne = "D 2025-1" }, xdemat.EINVALID, "l'espace, « - »"},
		{"PUB-21 numéro avec un accent", func(a *xdemat.Acte) { a.NumeroInterne = "ARRÊTÉ1" }, xdemat.EINVALID, "« Ê »"},
		{"PUB-21 numéro en minuscules", func(a *xdemat.Acte) { a.NumeroInterne = "d2025_1" }, xdemat.EINVALID, "D2025_1"},
		{"PUB-21 numéro finissant par _", func(a *xdemat.Acte) { a.NumeroInterne = "2025_" }, xdemat.EINVALID, "ni commencer ni finir"},
		{"PUB-21 numéro de 16 caractères", func(a *xdemat.Acte) { a.NumeroInterne = "2025_0000000001A" }, xdemat.EINVALID, "trop long"},
		{"numéro de 15 caractères", func(a *xdemat.Acte) { a.NumeroInterne = "2025_000000001A" }, "", ""},
		{"date de décision absente", func(a *xdemat.Acte) { a.DateDecision = time.Time{} }, xdemat.EINVALID, "date de la décision"},
		{"date de décision future", func(a *xdemat.Acte) { a.DateDecision = time.Date(2999, 1, 1, 0, 0, 0, 0, xdemat.Paris) }, xdemat.EINVALID, "futur"},
		{"objet vide", func(a *xdemat.Acte) { a.Objet = "   " }, xdemat.EINVALID, "obligatoire"},
		{"objet de 499 caractères", func(a *xdemat.Acte) { a.Objet = strings.Repeat("é", 499) }, "", ""},
		{"objet trop long", func(a *xdemat.Acte) { a.Objet = strings.Repeat("é", 520) }, xdemat.EINVALID, "raccourcissez-le de 21 caractères"},
		{"objet sur deux lignes", func(a *xdemat.Acte) { a.Objet = "Budget\nprimitif" }, xdemat.EINVALID, "une seule ligne"},
		{"matière d'un seul niveau", func(a *xdemat.Acte) { a.Classification = "7" }, xdemat.EINVALID, "deux premiers niveaux"},
		{"matière de six niveaux", func(a *xdemat.Acte) { a.Classification = "1.1.1.1.1.1" }, xdemat.EINVALID, "cinq niveaux"},
		{"matière mal écrite", func(a *xdemat.Acte) { a.Classification = "7,2" }, xdemat.EINVALID, "mal écrite"},
		{"classification sans version", func(a *xdemat.Acte) { a.DateClassification = time.Time{} }, xdemat.EINVALID, "mettez à jour la classification"},
		{"typologie absente", func(a *xdemat.Acte) { a.DocumentPrincipal.TypePiece = "" }, xdemat.EINVALID, "type de pièce"},
		{"typologie mal formée", func(a *xdemat.Acte) { a.Annexes[0].TypePiece = "plan" }, xdemat.EINVALID, "cinq caractères"},
		{"document vide", func(a *xdemat.Acte) { a.DocumentPrincipal.Taille = 0 }, xdemat.EINVALID, "vide"},
		{"empreinte invalide", func(a *xdemat.Acte) { a.Annexes[0].SHA256 = "xyz" }, xdemat.EINVALID, "empreinte"},
		{"acte et annexes au-delà de 150 Mo", func(a *xdemat.Acte) {
			a.DocumentPrincipal.Taille, a.Annexes[0].Taille = 100<<20, 51<<20
		}, xdemat.ETOOLARGE, "151 Mo"},
		{"exactement 150 Mo", func(a *xdemat.Acte) {
			a.DocumentPrincipal.Taille, a.Annexes[0].Taille = 100<<20, 50<<20
		}, "", ""},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			a := deliberation()
			tc.changer(&a)
			err := a.Validate()
			if got := xdemat.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, attendu %q (%v)", got, tc.code, err)
			}
			if msg := xdemat.ErrorMessage(err); !strings.Contains(msg, tc.dit) {
				t.Fatalf("message %q, attendu une mention de %q", msg, tc.dit)
			}
		})
	}
}

func TestNaturesDesActes(t *testing.T) {
	attendu := map[xdemat.NatureActe]string{1: "DE", 2: "AR", 3: "AI", 4: "CC", 5: "BF", 6: "AU"}
	if len(xdemat.NaturesActes()) != 6 {
		t.Fatalf("%d natures, attendu 6", len(xdemat.NaturesActes()))
	}
	for _, n := range xdemat.NaturesActes() {
		if n.Abrege() != attendu[n] {
			t.Errorf("nature %d : abrégé %q, attendu %q", n, n.Abrege(), attendu[n])
		}
		if m, ok := xdemat.NatureActeAbregee(attendu[n]); !ok || m != n {
			t.Errorf("NatureActeAbregee(%q) = %d, %v", attendu[n], m, ok)
		}
		if !xdemat.ValidTypePiece(n.TypePieceParDefaut()) || n.Libelle() == "" {
			t.Errorf("nature %d sans typologie ou libellé", n)
		}
	}
	if xdemat.NatureActe(0).Valid() || xdemat.NatureActe(7).Abrege() != "" {
		t.Error("nature inconnue acceptée")
	}
}

func TestCycleDeVieDeLActe(t *testing.T) {
	le := time.Date(2025, 3, 20, 10, 0, 0, 0, xdemat.Paris)
	a := deliberation()
	if err := a.Acquitter("051-215100009-20250314-2025_042-DE", le); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("un acte non transmis ne peut pas être acquitté : %v", err)
	}
	if err := a.MarquerTransmis("XDM-EACT--215100009--20250320-1.tar.gz", le); err != nil || a.Statut != xdemat.ActeTransmis {
		t.Fatal(err, a.Statut)
	}
	if err := a.Acquitter("pas un identifiant", le); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("identifiant mal formé accepté : %v", err)
	}
	if err := a.Acquitter("051-215100009-20250314-2025_042-DE", le); err != nil || a.Statut != xdemat.ActeAcquitte || a.DateAR != le {
		t.Fatal(err, a.Statut)
	}
	if err := a.MettreEnErreur("x"); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatal("un acte acquitté ne passe pas en erreur")
	}
	if err := a.DemanderAnnulation(); err != nil {
		t.Fatal(err)
	}
	if err := a.Annuler(le); err != nil || a.Statut != xdemat.ActeAnnule || a.Statut.Libelle() != "Annulé" {
		t.Fatal(err, a.Statut)
	}

	b := deliberation()
	_ = b.MarquerTransmis("n", le)
	if err := b.MettreEnErreur("Le SIREN n'est pas connu de la préfecture."); err != nil || b.Anomalie == "" {
		t.Fatal(err)
	}
	if err := b.Reprendre(); err != nil || b.Statut != xdemat.ActeEnAttenteEnvoi || b.NomArchive != "" {
		t.Fatal(err, b.Statut)
	}
	if err := b.Annuler(le); err != nil {
		t.Fatal("un acte jamais transmis se retire sans message :", err)
	}
	for _, s := range []xdemat.StatutActe{xdemat.ActeEnAttenteEnvoi, xdemat.ActeTransmis, xdemat.ActeAcquitte, xdemat.ActeEnErreur, xdemat.ActeAnnulationTransmise, xdemat.ActeAnnule} {
		if !s.Valid() || s.PeutPasserA(s) {
			t.Errorf("statut %q : valide %v, boucle sur lui-même", s, s.Valid())
		}
	}
	if xdemat.ActeAnnule.PeutPasserA(xdemat.ActeTransmis) {
		t.Error("un acte annulé est définitif")
	}
}

func TestClassificationEnNiveaux(t *testing.T) {
	if c := xdemat.NouvelleClassification(7, 1, 2); c != "7.1.2" || len(c.Niveaux()) != 3 {
		t.Fatal(c)
	}
	for _, c := range []xdemat.Classification{"", "7.", ".1", "7..1", "7.0", "7.100", "a.b"} {
		if c.Niveaux() != nil && c != "" {
			t.Errorf("%q accepté", c)
		}
	}
}
