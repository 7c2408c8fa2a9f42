package actes

import (
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
)

const idActeTest = "051-215100009-20250314-2025_042-DE"

func TestMessagesSortantsDeLaCommune(t *testing.T) {
	m := magasin{}
	lettre := m.piece("réponse.pdf", "", pdftest.Minimal("Réponse au préfet"))
	piece1 := m.piece("plan cadastral.pdf", "22_PN", pdftest.Minimal("Plan"))
	photo := m.piece("photo.png", "", imagePNG())
	courrier := CourrierPref{IDActe: idActeTest, DateCourrierPref: Jour(time.Date(2025, 4, 2, 0, 0, 0, 0, xdemat.Paris))}
	for _, c := range []struct {
		nom      string
		faire    func() (*Archive, error)
		code     CodeMessage
		fichiers []string
	}{
		{"annulation (6-1)", func() (*Archive, error) { return ConstruireAnnulation(idActeTest, emetteurTest, optionsTest) },
			CodeAnnulation, []string{"051-215100009-20250314-2025_042-DE-6-1_0.xml"}},
		{"envoi des pièces complémentaires (3-4)", func() (*Archive, error) {
			return ConstruireReponsePieces(courrier, []xdemat.PieceActe{piece1, photo}, emetteurTest, optionsTest, Contenus(m))
		}, CodePieceComplementaire, []string{"051-215100009-20250314-2025_042-DE-3-4_0.xml",
			"22_PN-051-215100009-20250314-2025_042-DE-3-4_1.pdf", "051-215100009-20250314-2025_042-DE-3-4_2.png"}},
		{"refus d'envoyer les pièces (3-3)", func() (*Archive, error) {
			return ConstruireRefusPieces(courrier, lettre, emetteurTest, optionsTest, Contenus(m))
		}, CodeRefusPieceComplementaire, []string{"051-215100009-20250314-2025_042-DE-3-3_0.xml", "051-215100009-20250314-2025_042-DE-3-3_1.pdf"}},
		{"réponse à la lettre d'observations (4-4)", func() (*Archive, error) {
			return ConstruireReponseObservations(courrier, lettre, emetteurTest, optionsTest, Contenus(m))
		}, CodeReponseLettreObservations, []string{"051-215100009-20250314-2025_042-DE-4-4_0.xml", "051-215100009-20250314-2025_042-DE-4-4_1.pdf"}},
		{"rejet de la lettre d'observations (4-3)", func() (*Archive, error) {
			return ConstruireRejetObservations(courrier, lettre, emetteurTest, optionsTest, Contenus(m))
		}, CodeRejetLettreObservations, []string{"051-215100009-20250314-2025_042-DE-4-3_0.xml", "051-215100009-20250314-2025_042-DE-4-3_1.pdf"}},
		{"réponse à un courrier simple (2-2)", func() (*Archive, error) {
			return ConstruireReponseCourrier(courrier, lettre, emetteurTest, optionsTest, Contenus(m))
		}, CodeReponseCourrierSimple, []string{"051-215100009-20250314-2025_042-DE-2-2_0.xml", "051-215100009-20250314-2025_042-DE-2-2_1.pdf"}},
		{"demande de classification (7-1)", func() (*Archive, error) {
			return ConstruireDemandeClassification(time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC), emetteurTest, optionsTest)
		}, CodeDemandeClassification, []string{"051-215100009----7-1_0.xml"}},
	} {
		t.Run(c.nom, func(t *testing.T) {
			ar, err := c.faire()
			if err != nil {
				t.Fatal(err)
			}
			var noms []string
			for _, f := range ar.Fichiers[1:] {
				noms = append(noms, f.Nom)
			}
			if strings.Join(noms, " ") != strings.Join(c.fichiers, " ") || ar.Fichiers[0].Nom != "EACT--215100009--20250320-7.xml" {
				t.Fatalf("fichiers %v", ar.Fichiers)
			}
			validerArchive(t, ar)
			envoi, err := LireEnvoi(ar.Nom, ar.Octets)
			if err != nil {
				t.Fatal(err)
			}
			tx := envoi.Transactions[0]
			if tx.Refus != nil || tx.Message.Code() != c.code {
				t.Fatalf("relu %s, refus %v", tx.Message.Code(), tx.Refus)
			}
			if c.code != CodeDemandeClassification && IDActeDe(tx.Message) != idActeTest {
				t.Errorf("identifiant relu %q", IDActeDe(tx.Message))
			}
		})
	}
}

func TestReponsesRefusees(t *testing.T) {
	m := magasin{}
	courrier := CourrierPref{IDActe: idActeTest, DateCourrierPref: Jour(time.Date(2025, 4, 2, 0, 0, 0, 0, xdemat.Paris))}
	faux := m.piece("lettre.pdf", "", []byte("ceci n'est pas un PDF"))
	tableur := m.piece("tableau.ods", "", []byte("PK"))
	for _, c := range []struct {
		nom   string
		faire func() (*Archive, error)
		code  string
		dit   string
	}{
		{"annulation d'un acte d'une autre commune", func() (*Archive, error) {
			return ConstruireAnnulation("051-213500000-20250314-2025_042-DE", emetteurTest, optionsTest)
		}, xdemat.EFORBIDDEN, "n'a pas été transmis par cette collectivité"},
		{"annulation sans identifiant", func() (*Archive, error) { return ConstruireAnnulation("", emetteurTest, optionsTest) }, xdemat.EINVALID, "identifiant"},
		{"pièce qui n'est pas un vrai PDF", func() (*Archive, error) {
			return ConstruireRefusPieces(courrier, faux, emetteurTest, optionsTest, Contenus(m))
		}, xdemat.EINVALID, "pas un vrai PDF"},
		{"pièce en tableur", func() (*Archive, error) {
			return ConstruireReponseObservations(courrier, tableur, emetteurTest, optionsTest, Contenus(m))
		}, xdemat.EINVALID, "convertissez-la en PDF"},
		{"aucune pièce", func() (*Archive, error) {
			return ConstruireReponsePieces(courrier, nil, emetteurTest, optionsTest, Contenus(m))
		}, xdemat.EINVALID, "au moins une pièce"},
		{"courrier sans date", func() (*Archive, error) {
			return ConstruireReponsePieces(CourrierPref{IDActe: idActeTest}, []xdemat.PieceActe{faux}, emetteurTest, optionsTest, Contenus(m))
		}, xdemat.EINVALID, "date du courrier"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			ar, err := c.faire()
			if ar != nil || xdemat.ErrorCode(err) != c.code || !strings.Contains(xdemat.ErrorMessage(err), c.dit) {
				t.Fatalf("archive %v, erreur %v ; attendu %s « %s »", ar != nil, err, c.code, c.dit)
			}
		})
	}
}
