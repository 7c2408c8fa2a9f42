package actes

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
)

var majGolden = flag.Bool("update", false, "réécrire les fichiers de référence de testdata/")

// commune de démonstration (Marne): SIREN valid by its key.
var emetteurTest = Emetteur{SIREN: "215100009", Departement: "051", Arrondissement: 2, NatureCollectivite: NatureCollectiviteCommune,
	Referent:       &Referent{Nom: "Secrétariat de mairie", Email: "mairie@demo.example.fr"},
	AdressesRetour: []string{"actes@spl-xdemat.example.fr", "mairie@demo.example.fr"}}

var optionsTest = Options{Trigramme: "XDM", Date: time.Date(2025, 3, 20, 9, 30, 0, 0, xdemat.Paris), Serie: 7}

type magasin map[string][]byte

func (m magasin) piece(nom, typePiece string, contenu []byte) xdemat.PieceActe {
	s := sha256.Sum256(contenu)
	h := hex.EncodeToString(s[:])
	m[h] = contenu
	return xdemat.PieceActe{SHA256: h, Nom: nom, Taille: int64(len(contenu)), TypePiece: typePiece, TypeMedia: xdemat.TypeMediaDe(nom)}
}

func imagePNG() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	return b.Bytes()
}

func acteTest(m magasin) *xdemat.Acte {
	return &xdemat.Acte{
		ID: "a1", CommuneID: "c1", Nature: xdemat.NatureDeliberation, NumeroInterne: "2025_042",
		DateDecision:       time.Date(2025, 3, 14, 0, 0, 0, 0, xdemat.Paris),
		Objet:              "Vote des taux 2025 & mise en œuvre du « budget » <primitif>",
		Classification:     "7.2.1",
		DateClassification: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC),
		DocumentPrincipal:  m.piece("délibération 42.pdf", "99_DE", pdftest.Minimal("Délibération n° 2025_042")),
		Annexes: []xdemat.PieceActe{
			m.piece("état des taux.pdf", "70_DE", pdftest.Minimal("Annexe")),
			m.piece("plan.png", "21_PA", imagePNG()),
		},
	}
}

// validerArchive checks every XML file of an archive against the schema.
func validerArchive(t *testing.T, a *Archive) {
	t.Helper()
	fichiers, err := LireFichiers(a.Octets)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fichiers {
		if strings.HasSuffix(f.Nom, ".xml") && !strings.Contains(f.Nom, "_1.xml") {
			validerXSD(t, f.Nom, f.Contenu)
		}
	}
}

func TestArchiveDUnActe(t *testing.T) {
	m := magasin{}
	a := acteTest(m)
	ar, err := ConstruireActe(a, emetteurTest, optionsTest, Contenus(m))
	if err != nil {
		t.Fatal(err)
	}
	if ar.Nom != "XDM-EACT--215100009--20250320-7.tar.gz" || ar.IDActe != "051-215100009-20250314-2025_042-DE" {
		t.Fatalf("archive %s, identifiant %s", ar.Nom, ar.IDActe)
	}
	var noms []string
	for _, f := range ar.Fichiers {
		noms = append(noms, f.Nom)
	}
	attendu := []string{
		"EACT--215100009--20250320-7.xml",
		"051-215100009-20250314-2025_042-DE-1-1_0.xml",
		"99_DE-051-215100009-20250314-2025_042-DE-1-1_1.pdf",
		"70_DE-051-215100009-20250314-2025_042-DE-1-1_2.pdf",
		"21_PA-051-215100009-20250314-2025_042-DE-1-1_3.png",
	}
	if strings.Join(noms, "\n") != strings.Join(attendu, "\n") {
		t.Fatalf("fichiers :\n%s\nattendu :\n%s", strings.Join(noms, "\n"), strings.Join(attendu, "\n"))
	}
	if ar.Fichiers[2].SHA256 != a.DocumentPrincipal.SHA256 {
		t.Error("le document principal n'est pas celui du magasin")
	}
	validerArchive(t, ar)

	// Golden files: the enveloppe and the acte as the platform receives them.
	fichiers, _ := LireFichiers(ar.Octets)
	for _, f := range fichiers[:2] {
		golden(t, f.Nom, f.Contenu)
	}

	// Building again gives the same bytes (a crash between building and
	// sending rebuilds the very archive recorded).
	encore, _ := ConstruireActe(a, emetteurTest, optionsTest, Contenus(m))
	if !bytes.Equal(encore.Octets, ar.Octets) {
		t.Error("deux constructions du même acte diffèrent")
	}

	envoi, err := LireEnvoi(ar.Nom, ar.Octets)
	if err != nil {
		t.Fatal(err)
	}
	if len(envoi.Transactions) != 1 || envoi.Transactions[0].Refus != nil || len(envoi.Transactions[0].Pieces) != 3 {
		t.Fatalf("envoi relu %+v", envoi.Transactions)
	}
	lu := envoi.Transactions[0].Message.(*MessageActe)
	if lu.Objet != a.Objet || lu.Classification() != a.Classification || lu.Annexes.Nombre != 2 {
		t.Errorf("acte relu %+v", lu)
	}
}

func golden(t *testing.T, nom string, contenu []byte) {
	t.Helper()
	p := filepath.Join("testdata", nom)
	if *majGolden {
		if err := os.WriteFile(p, contenu, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	attendu, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (lancez go test -update pour créer la référence)", err)
	}
	if !bytes.Equal(attendu, contenu) {
		t.Errorf("%s diffère de sa référence testdata/%s :\n%s", nom, nom, contenu)
	}
}

// TestArchivesDeToutesNatures builds an archive for each nature and shape of
// acte, and validates each against the schema.
func TestArchivesDeToutesNatures(t *testing.T) {
	for _, c := range []struct {
		nom     string
		changer func(a *xdemat.Acte, m magasin)
	}{
		{"arrêté réglementaire sans annexe", func(a *xdemat.Acte, m magasin) {
			a.Nature, a.Annexes, a.DocumentPrincipal.TypePiece, a.NumeroInterne = xdemat.NatureActeReglementaire, nil, "99_AR", "A2025_7"
		}},
		{"arrêté individuel, matière à 5 niveaux", func(a *xdemat.Acte, m magasin) {
			a.Nature, a.Classification, a.DocumentPrincipal.TypePiece = xdemat.NatureActeIndividuel, "4.1.2.3.4", "99_AI"
			a.Annexes = a.Annexes[:1]
			a.Annexes[0].TypePiece = "99_AI"
		}},
		{"contrat avec 12 annexes (rangs à deux chiffres)", func(a *xdemat.Acte, m magasin) {
			a.Nature, a.DocumentPrincipal.TypePiece = xdemat.NatureContrat, "99_DC"
			a.Annexes = nil
			for i := range 12 {
				a.Annexes = append(a.Annexes, m.piece(fmt.Sprintf("pièce %d.pdf", i), "11_AE", pdftest.Minimal(fmt.Sprint(i))))
			}
		}},
		{"budget en XML (matière 7.1)", func(a *xdemat.Acte, m magasin) {
			a.Nature, a.Classification = xdemat.NatureDocumentBudgetaire, "7.1"
			a.DocumentPrincipal = m.piece("budget.xml", "99_BU", []byte(`<?xml version="1.0"?><DocumentBudgetaire/>`))
			a.Annexes = a.Annexes[:1]
		}},
		{"autre acte, pièces aussi sur papier, numéro en chiffres", func(a *xdemat.Acte, m magasin) {
			a.Nature, a.DocumentPrincipal.TypePiece, a.DocumentPapier, a.NumeroInterne = xdemat.NatureAutre, "99_AU", true, "1"
			a.Annexes = nil
		}},
	} {
		t.Run(c.nom, func(t *testing.T) {
			m := magasin{}
			a := acteTest(m)
			c.changer(a, m)
			ar, err := ConstruireActe(a, emetteurTest, optionsTest, Contenus(m))
			if err != nil {
				t.Fatal(xdemat.ErrorMessage(err))
			}
			validerArchive(t, ar)
			envoi, err := LireEnvoi(ar.Nom, ar.Octets)
			if err != nil {
				t.Fatal(err)
			}
			if r := envoi.Transactions[0].Refus; r != nil {
				t.Fatal(r)
			}
			if !xdemat.ValidIdentifiantActe(ar.IDActe) || !strings.HasSuffix(ar.IDActe, "-"+a.Nature.Abrege()) {
				t.Errorf("identifiant %s", ar.IDActe)
			}
		})
	}
}

// TestEntreesRefusees: what the issue lists as bad input is refused with a
// French message, and no archive comes out.
func TestEntreesRefusees(t *testing.T) {
	for _, c := range []struct {
		nom     string
		changer func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin)
		code    string
		dit     string
	}{
		{"document principal pas en PDF", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) {
			a.DocumentPrincipal = m.piece("délib.odt", "99_DE", []byte("PK\x03\x04"))
		}, xdemat.EINVALID, "n'est pas un PDF"},
		{"numéro avec des caractères interdits", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { a.NumeroInterne = "2025/42-b" }, xdemat.EINVALID, "caractère interdit"},
		{"objet trop long", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { a.Objet = strings.Repeat("x", 500) }, xdemat.EINVALID, "trop long"},
		{"documents au-delà de la taille permise", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) {
			a.Annexes[0].Taille = xdemat.TailleMaxActe
		}, xdemat.ETOOLARGE, "150 Mo"},
		{"document absent du magasin", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { delete(m, a.Annexes[1].SHA256) }, xdemat.ENOTFOUND, "introuvable"},
		{"document altéré dans le magasin", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) {
			m[a.Annexes[1].SHA256] = []byte("autre")
		}, xdemat.EINTERNAL, ""},
		{"département sous la forme INSEE", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { e.Departement = "51" }, xdemat.EINVALID, "forme @CTES"},
		{"adresse de retour invalide", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { e.AdressesRetour = []string{"mairie@"} }, xdemat.EINVALID, "adresse"},
		{"sans adresse de retour", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { e.AdressesRetour = nil }, xdemat.EINVALID, "adresse de retour"},
		{"numéro de série nul", func(a *xdemat.Acte, e *Emetteur, o *Options, m magasin) { o.Serie = 0 }, xdemat.EINTERNAL, ""},
	} {
		t.Run(c.nom, func(t *testing.T) {
			m := magasin{}
			a, e, o := acteTest(m), emetteurTest, optionsTest
			c.changer(a, &e, &o, m)
			ar, err := ConstruireActe(a, e, o, Contenus(m))
			if ar != nil || xdemat.ErrorCode(err) != c.code {
				t.Fatalf("archive %v, erreur %v ; attendu le code %s", ar != nil, err, c.code)
			}
			if !strings.Contains(xdemat.ErrorMessage(err), c.dit) {
				t.Fatalf("message %q, attendu une mention de %q", xdemat.ErrorMessage(err), c.dit)
			}
		})
	}
}

// TestArchiveTropGrosse: an archive beyond 150 Mo once compressed is refused
// before anything is sent (random bytes do not compress).
func TestArchiveTropGrosse(t *testing.T) {
	if testing.Short() {
		t.Skip("construit 150 Mo")
	}
	m := magasin{}
	a := acteTest(m)
	gros := make([]byte, xdemat.TailleMaxActe-int(a.DocumentPrincipal.Taille)-int(a.Annexes[1].Taille))
	copy(gros, "%PDF-1.7\n")
	for i := 16; i < len(gros); i += 8 {
		x := uint64(i) * 0x9E3779B97F4A7C15
		for k := 0; k < 8 && i+k < len(gros); k++ {
			gros[i+k] = byte(x >> (8 * k))
		}
	}
	a.Annexes[0] = m.piece("gros.pdf", "70_DE", gros)
	_, err := ConstruireActe(a, emetteurTest, optionsTest, Contenus(m))
	if xdemat.ErrorCode(err) != xdemat.ETOOLARGE || !strings.Contains(xdemat.ErrorMessage(err), "L'archive pèse") {
		t.Fatalf("erreur %v", err)
	}
}
