package actes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"xdemat"
)

func date(t testing.TB, s string) Date {
	t.Helper()
	var d Date
	if err := d.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestEchantillonsReels reads every real sample of the fixtures into its
// typed value, checks the values, writes it back and validates what we write
// against the schema.
func TestEchantillonsReels(t *testing.T) {
	cas := []struct {
		fichier string
		code    CodeMessage
		verif   func(t *testing.T, m Message)
	}{
		{"aractes.xml", CodeARActe, func(t *testing.T, m Message) {
			ar := m.(*ARActe)
			if ar.IDActe != "034-491011698-20171207-CL20171227_06-DE" || ar.DateReception != date(t, "2017-12-27") {
				t.Errorf("AR %s du %s", ar.IDActe, ar.DateReception)
			}
			a := ar.ActeRecu
			if a.NumeroInterne != "CL20171227_06" || a.Nature() != xdemat.NatureDeliberation || a.Classification() != "3.2" ||
				a.Objet != "Fichier signé parapheur" || a.ClassificationDateVersion != date(t, "2017-11-13") ||
				a.Document.NomFichier != "32_DP-034-491011698-20171207-CL20171227_06-DE-1-1_1.pdf" ||
				a.Annexes.Nombre != 0 || a.DocumentPapier == nil || *a.DocumentPapier != "N" {
				t.Errorf("acte reçu %+v", a)
			}
			if !strings.HasPrefix(Explication(m), "Reçu en préfecture le 27/12/2017 sous l'identifiant 034-491011698-20171207-CL20171227_06-DE") {
				t.Error(Explication(m))
			}
		}},
		{"s2low/034-000000000-20170701-20170721D-AI-1-2_0.xml", CodeARActe, func(t *testing.T, m Message) {
			ar := m.(*ARActe)
			if ar.IDActe != "034-000000000-20170701-20170721D-AI" || ar.DateReception != date(t, "2017-07-21") ||
				ar.ActeRecu.Nature() != xdemat.NatureActeIndividuel || ar.ActeRecu.DocumentPapier != nil ||
				ar.ClassificationDateVersionEnCours != date(t, "2008-12-31") {
				t.Errorf("AR %+v", ar)
			}
		}},
		{"s2low/034-000000000-20170701-20170721D-AI-1-3_0.xml", CodeAnomalieActe, func(t *testing.T, m Message) {
			an := m.(*AnomalieActe)
			if an.Date != date(t, "2017-07-01") || an.Nature != 2 || an.Detail != "Ca ne fonctionne pas" || an.ActeRecu.NumeroInterne != "20170721D" {
				t.Errorf("anomalie %+v", an)
			}
			if e := Explication(m); !strings.Contains(e, "La préfecture a refusé l'acte n° 20170721D") || !strings.Contains(e, "« Ca ne fonctionne pas »") {
				t.Error(e)
			}
		}},
		{"s2low/034-000000000-20170701-20170725A-AI-2-1_0.xml", CodeCourrierSimple, func(t *testing.T, m Message) {
			c := m.(*CourrierSimple)
			if c.IDActe != "034-000000000-20170701-20170725A-AI" || c.DateCourrierPref != date(t, "2017-07-25") ||
				!reflect.DeepEqual(FichiersDe(m), []string{"034-000000000-20170701-20170725A-AI-2-1_1.pdf"}) {
				t.Errorf("courrier %+v", c)
			}
		}},
		{"s2low/034-000000000-20170701-20170725A-AI-5-1_0.xml", CodeDefereTA, func(t *testing.T, m Message) {
			d := m.(*DefereTA)
			if d.IDActe != "034-000000000-20170701-20170725A-AI" || d.DateDepot != date(t, "2017-07-01") || d.NatureIllegalite != "NATURE_TEST" ||
				len(d.PiecesJointes) != 1 || d.PiecesJointes[0].NomFichier != "034-000000000-20170701-20170725A-AI-5-1_1.pdf" {
				t.Errorf("déféré %+v", d)
			}
			if e := Explication(m); !strings.Contains(e, "tribunal administratif le 01/07/2017") {
				t.Error(e)
			}
		}},
		{"s2low/001-000000000-20170130-TEST42-DE-3-3_0.xml", CodeRefusPieceComplementaire, func(t *testing.T, m Message) {
			r := m.(*RefusPieceComplementaire)
			if r.IDActe != "032-213201601-20170616-ARP201706407-AI" || r.DateCourrierPref != date(t, "2017-06-17") ||
				r.Document.NomFichier != "001-000000000-20170130-TEST42-DE-3-3_1.pdf" {
				t.Errorf("refus %+v", r)
			}
		}},
		{"s2low/045-214502494-20170717-D201717-DE-1-1_0.xml", CodeActe, func(t *testing.T, m Message) {
			a := m.(*MessageActe)
			if a.Date != date(t, "2017-07-17") || a.NumeroInterne != "D201717" || a.CodeNatureActe != 4 || a.Classification() != "1.1" ||
				a.Objet != "test" || a.ClassificationDateVersion != date(t, "2017-04-19") || a.Annexes.Nombre != 0 || a.DocumentPapier != nil {
				t.Errorf("acte %+v", a)
			}
		}},
		{"s2low/ANO_EACT--210703385--20170612-2.xml", "", func(t *testing.T, m Message) {
			an := m.(*AnomalieEnveloppe)
			e := an.EnveloppeRecue
			if an.Date != date(t, "2017-06-12") || an.Nature != 5 || e.IDCL != (IDCL{SIREN: "210703385", Departement: "007", Arrondissement: 2, Nature: "31"}) ||
				e.Referent == nil || e.Referent.Nom != "Robert Petitpoid" || len(e.AdressesRetour) != 1 ||
				len(e.Formulaires) != 1 || e.Formulaires[0].NomFichier != "007-210703385-20170519-2017_048-DE-1-1_0.xml" {
				t.Errorf("anomalie d'enveloppe %+v", an)
			}
			if d := DetailLisible(an.Detail); !strings.HasPrefix(d, "Votre numéro de SIREN n'est pas encore enregistré dans l'application ACTES.") {
				t.Errorf("détail lisible %q", d)
			}
			if e := Explication(m); !strings.Contains(e, "SIREN inconnu de la préfecture") || !strings.Contains(e, "convention de télétransmission") {
				t.Error(e)
			}
		}},
		{"s2low/EACT--214502494--20170717-6.xml", "", func(t *testing.T, m Message) {
			e := m.(*EnveloppeCLMISILL)
			if e.IDCL != (IDCL{SIREN: "214502494", Departement: "045", Arrondissement: 1, Nature: "31"}) || e.Referent.Email != "test@test.fr" ||
				!reflect.DeepEqual(e.AdressesRetour, []string{"totoo@toto.org"}) || e.Formulaires[0].NomFichier != "045-214502494-20170717-D201717-DE-1-1_0.xml" {
				t.Errorf("enveloppe %+v", e)
			}
			if err := e.valider(); err != nil {
				t.Error(err)
			}
		}},
		{"s2low/TACT--SPREF0011-000000000-20170721-4.xml", "", func(t *testing.T, m Message) {
			e := m.(*EnveloppeMISILLCL)
			if e.IDSousPref == nil || *e.IDSousPref != (IDServiceEtat{Departement: "001", Arrondissement: "1"}) || e.Destinataire.SIREN != "000000000" ||
				e.Formulaires[0].NomFichier != "034-000000000-20170701-20170721D-AI-1-2_0.xml" {
				t.Errorf("enveloppe préfecture %+v", e)
			}
		}},
		{"classification-exemple.xml", CodeRetourClassification, func(t *testing.T, m Message) {
			c := m.(*RetourClassification)
			if c.DateClassification != date(t, "2019-03-01") || len(c.NaturesActes) != 6 || len(c.Matieres) != 9 {
				t.Fatalf("classification du %s : %d natures, %d matières", c.DateClassification, len(c.NaturesActes), len(c.Matieres))
			}
			n := 0
			for _, na := range c.NaturesActes {
				n += len(na.TypesPJ)
				if nat := xdemat.NatureActe(na.CodeNatureActe); nat.Abrege() != na.TypeAbrege || !c.TypePieceAutorise(nat, nat.TypePieceParDefaut()) {
					t.Errorf("nature %d %s : abrégé ou typologie par défaut différents du domaine", na.CodeNatureActe, na.TypeAbrege)
				}
			}
			if n != 115 {
				t.Errorf("%d typologies, attendu 115", n)
			}
			if l := c.Libelles("7.5.2.2"); !reflect.DeepEqual(l, []string{"Finances locales", "Subventions", "Subventions accordées", "Subventions accordées par le c général"}) {
				t.Errorf("libellés de 7.5.2.2 : %q", l)
			}
			if c.Contient("7.11") || c.Contient("7.5.2.9") || !c.Contient("8.3") {
				t.Error("Contient se trompe")
			}
			if !c.TypePieceAutorise(xdemat.NatureContrat, "11_AE") || c.TypePieceAutorise(xdemat.NatureDeliberation, "11_AE") {
				t.Error("TypePieceAutorise se trompe")
			}
			if l := c.Nature(xdemat.NatureDeliberation).TypesPJ[12].Libelle; l != "Délibération autorisant la mise en œuvre du droit de préemption" {
				t.Errorf("Latin-1 et référence de caractère mal lus : %q", l)
			}
		}},
	}
	for _, c := range cas {
		t.Run(c.fichier, func(t *testing.T) {
			m, err := LireMessage(lireFixture(t, c.fichier))
			if err != nil {
				t.Fatal(err)
			}
			if m.Code() != c.code {
				t.Fatalf("code %q, attendu %q", m.Code(), c.code)
			}
			c.verif(t, m)
			// What we write of it is valid and reads back the same (DocumentPapier
			// and 3-digit natures are completed, as the schema requires).
			ecrit := Ecrire(m)
			validerXSD(t, filepath.Base(c.fichier), ecrit)
			relu, err := LireMessage(ecrit)
			if err != nil {
				t.Fatal(err)
			}
			if a, ok := m.(*ARActe); ok && a.ActeRecu.DocumentPapier == nil {
				n := "N"
				a.ActeRecu.DocumentPapier = &n
			}
			if a, ok := m.(*AnomalieActe); ok && a.ActeRecu.DocumentPapier == nil {
				n := "N"
				a.ActeRecu.DocumentPapier = &n
			}
			if a, ok := m.(*MessageActe); ok && a.DocumentPapier == nil {
				n := "N"
				a.DocumentPapier = &n
			}
			if !reflect.DeepEqual(m, relu) {
				t.Errorf("relu différent :\n%+v\n%+v", m, relu)
			}
		})
	}
}

// TestNomsDesFichiersS2LOW reads the file names of a real S²LOW transaction.
func TestNomsDesFichiersS2LOW(t *testing.T) {
	var liste []struct {
		Name   string `json:"name"`
		CodePJ string `json:"code_pj"`
	}
	if err := json.Unmarshal(lireFixture(t, "actes_transac_get_files_list.json"), &liste); err != nil {
		t.Fatal(err)
	}
	for i, f := range liste {
		n, err := LireNomMessage(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if n.Rang != i || n.TypePiece != f.CodePJ || n.IDActe() != "034-491011698-20181101-ACTE_Y__1-BF" || n.Code != CodeActe {
			t.Errorf("%s lu %+v", f.Name, n)
		}
	}
	// The sample names of the fixtures directory are message names too.
	entrees, _ := os.ReadDir(filepath.Join(dossierFixtures(), "protocols", "actes", "s2low"))
	for _, e := range entrees {
		if strings.Contains(e.Name(), "EACT") || strings.Contains(e.Name(), "TACT") {
			continue
		}
		if _, err := LireNomMessage(e.Name()); err != nil {
			t.Error(err)
		}
	}
}

func TestMessagesRefuses(t *testing.T) {
	for _, c := range []struct{ nom, xml, dit string }{
		{"pas du XML", "bonjour", "illisible"},
		{"autre espace de noms", `<Acte xmlns="urn:autre"/>`, "n'est pas un message @CTES"},
		{"racine inconnue", `<a:Truc xmlns:a="` + NamespaceActes + `"/>`, "inconnu"},
		{"date mal formée", `<a:ARAnnulation xmlns:a="` + NamespaceActes + `" a:IDActe="x" a:DateReception="27/12/2017"/>`, "mal formée"},
		{"encodage exotique", `<?xml version="1.0" encoding="EBCDIC"?><a:Annulation xmlns:a="` + NamespaceActes + `"/>`, "encodage"},
		{"deux racines", `<a:Annulation xmlns:a="` + NamespaceActes + `"/><a:Annulation xmlns:a="` + NamespaceActes + `"/>`, "après la fin"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			_, err := LireMessage([]byte(c.xml))
			if err == nil || !strings.Contains(err.Error(), c.dit) {
				t.Fatalf("erreur %v, attendu %q", err, c.dit)
			}
		})
	}
}

// TestTexteUTF8DeclareLatin1 reads what the ministry's Java simulator sends:
// UTF-8 bytes under an ISO-8859-1 declaration.
func TestTexteUTF8DeclareLatin1(t *testing.T) {
	for _, c := range []struct{ nom, corps string }{
		{"vrai Latin-1", "D\xe9lib\xe9ration"},
		{"UTF-8 déclaré Latin-1", "Délibération"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			xml := `<?xml version="1.0" encoding="ISO-8859-1"?><a:DefereTA xmlns:a="` + NamespaceActes + `" a:IDActe="034-000000000-20170701-20170725A-AI"><a:DateDepot>2017-07-01</a:DateDepot><a:NatureIllegalite>` + c.corps + `</a:NatureIllegalite><a:PiecesJointes/></a:DefereTA>`
			m, err := LireMessage([]byte(xml))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.(*DefereTA).NatureIllegalite; got != "Délibération" {
				t.Fatalf("lu %q", got)
			}
		})
	}
}
