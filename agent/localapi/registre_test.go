package localapi

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
)

// TestRegistreDesDeliberationsParLAPI: the secretary records the
// délibérations of two séances of last year and of an arrêté, then prints
// the registre des délibérations: the PDF bears the commune's name from the
// enrollment and the délibérations only, séance by séance.
func TestRegistreDesDeliberationsParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, _ := mairieAPI(t, h)
	annee := time.Now().In(xdemat.Paris).Year() - 1
	pdf := pdftest.Minimal("Délibération")
	var ids []string
	for _, x := range []struct {
		nature xdemat.NatureActe
		numero string
		jour   time.Time
		objet  string
	}{
		{xdemat.NatureDeliberation, "DE_2", time.Date(annee, 3, 12, 20, 0, 0, 0, xdemat.Paris), "Vente du presbytère"},
		{xdemat.NatureDeliberation, "DE_1", time.Date(annee, 3, 12, 20, 0, 0, 0, xdemat.Paris), "Tarifs de la cantine scolaire"},
		{xdemat.NatureDeliberation, "DE_3", time.Date(annee, 6, 30, 20, 0, 0, 0, xdemat.Paris), "Désignation du délégué au syndicat des eaux"},
		{xdemat.NatureActeReglementaire, "AR_1", time.Date(annee, 4, 2, 10, 0, 0, 0, xdemat.Paris), "Circulation rue de l'Église"},
	} {
		a := acteAPI(t, sec, pdf)
		a.Nature, a.NumeroInterne, a.DateDecision, a.Objet = x.nature, x.numero, x.jour, x.objet
		if x.nature != xdemat.NatureDeliberation {
			a.DocumentPrincipal.TypePiece = x.nature.TypePieceParDefaut()
		}
		cree, err := sec.CreerActe(ctx, a)
		if err != nil {
			t.Fatalf("%s : %v", x.numero, err)
		}
		ids = append(ids, cree.ID)
	}
	// DE_1 is put online on the commune's site: the register says when.
	pub, err := sec.PublierActe(ctx, ids[1], xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"})
	if err != nil {
		t.Fatal(err)
	}

	// The préfecture's classification arrives: it names the sub-matières.
	cl := xdemat.ClassificationPrefecture{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Natures:  []xdemat.NatureClassification{{Code: 1, Libelle: "Délibération", TypesPieces: []xdemat.TypePieceClassification{{Code: "99_DE", Libelle: "Délibération"}}}},
		Matieres: []xdemat.MatiereClassification{{Code: 7, Libelle: "Finances locales", SousMatieres: []xdemat.MatiereClassification{{Code: 1, Libelle: "Décisions budgétaires"}}}}}
	evenementsActe(t, h, 0, map[string]any{xdemat.EvenementActeClassification: cl}, xdemat.EvenementActeClassification)

	b, err := sec.Registre(ctx, xdemat.NatureDeliberation, annee, "chronologique")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("pas un PDF : %.20q", b)
	}
	if m, err := sec.Registre(ctx, xdemat.NatureDeliberation, annee, "matiere"); err != nil || bytes.Equal(m, b) {
		t.Fatalf("registre par matière : %d octets (%v)", len(m), err)
	}

	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) absent : texte du registre non relu")
	}
	p := filepath.Join(t.TempDir(), "registre.pdf")
	os.WriteFile(p, b, 0o600)
	out, err := exec.Command("pdftotext", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	txt := strings.Join(strings.Fields(string(out)), " ")
	i1, i2, i3 := strings.Index(txt, "N° d'ordre 1 — DE_1"), strings.Index(txt, "N° d'ordre 2 — DE_2"), strings.Index(txt, "N° d'ordre 1 — DE_3")
	if !strings.Contains(txt, "Attigny") || !strings.Contains(txt, "Matière : 7.1 Finances locales › Décisions budgétaires") ||
		!strings.Contains(txt, "Publication : mis en ligne sur le site de la commune le "+pub.PublieLe.In(xdemat.Paris).Format("02/01/2006")) || i1 < 0 || i2 < i1 || i3 < i2 || strings.Count(txt, "Signature du maire") != 2 {
		t.Fatalf("registre :\n%s", txt)
	}
	if strings.Contains(txt, "AR_1") {
		t.Error("un arrêté figure au registre des délibérations")
	}
}

func TestRegistreRefuseParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, _ := mairieAPI(t, h)
	cas := []struct {
		nom    string
		nature xdemat.NatureActe
		annee  int
		ordre  string
		code   string
		motif  string
	}{
		{"année sans délibération", xdemat.NatureDeliberation, 2020, "", xdemat.ENOTFOUND, "aucune délibération datée de 2020"},
		{"année sans arrêté", xdemat.NatureActeIndividuel, 0, "", xdemat.ENOTFOUND, "aucun arrêté daté de"},
		{"contrats : pas de registre", xdemat.NatureContrat, 2020, "", xdemat.EINVALID, "délibérations et les arrêtés"},
		{"nature inconnue", 42, 2020, "", xdemat.EINVALID, "nature « 42 » est inconnue"},
		{"ordre inconnu", xdemat.NatureDeliberation, 2020, "alphabetique", xdemat.EINVALID, "chronologique"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			_, err := sec.Registre(ctx, c.nature, c.annee, c.ordre)
			if xdemat.ErrorCode(err) != c.code || !strings.Contains(xdemat.ErrorMessage(err), c.motif) {
				t.Fatalf("erreur %v, attendu %s « %s »", err, c.code, c.motif)
			}
		})
	}
}
