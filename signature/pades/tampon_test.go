package pades

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"xdemat/internal/pdftest"
	"xdemat/internal/pkitest"
)

var lignesTampon = []string{
	"Envoyé en préfecture le 12/03/2026",
	"Reçu en préfecture le 12/03/2026",
	"Publié le 13/03/2026",
	"ID : 051-215100009-20260312-DE2026_001-DE",
}

// pdfObjets writes a classic PDF from its objects, numbered from 1.
func pdfObjets(objets ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objets))
	for i, o := range objets {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objets)+1, xref)
	return b.Bytes()
}

func fluxTexte(contenu string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(contenu), contenu)
}

// pdfHerite has a page that inherits its resources (an indirect
// dictionary already holding a font named XdmTampon), its media box and
// its rotation from the page tree, a crop box, and contents given as a
// reference to an array of two streams, the first of which leaves the
// graphics state scaled.
func pdfHerite(rotation int) func(testing.TB) []byte {
	return func(testing.TB) []byte {
		return pdfObjets(
			"<< /Type /Catalog /Pages 2 0 R >>",
			fmt.Sprintf("<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources 6 0 R /MediaBox [0 0 595 842] /Rotate %d >>", rotation),
			"<< /Type /Page /Parent 2 0 R /Contents 7 0 R /CropBox [10 10 585 832] >>",
			fluxTexte("0.5 0 0 0.5 0 0 cm 1 0 0 rg BT /F1 24 Tf 144 1500 Td (Premiere partie) Tj ET"),
			fluxTexte("BT /F1 12 Tf 72 700 Td (Seconde partie) Tj ET"),
			"<< /Font << /F1 8 0 R /XdmTampon 8 0 R >> /ProcSet [/PDF /Text] >>",
			"[4 0 R 5 0 R]",
			"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		)
	}
}

func TestTamponLisibleEnHautADroite(t *testing.T) {
	for _, tc := range []struct {
		nom      string
		pdf      func(testing.TB) []byte
		original string // a word of the page's own text
		couchee  bool   // turned a quarter: pdftotext gives the page's size unturned
	}{
		{"PDF minimal à table classique", func(testing.TB) []byte { return pdftest.Minimal("Délibération 2026-001") }, "Délibération", false},
		{"acte fpdf de 2 pages", func(tb testing.TB) []byte { return pdfFpdf(tb, 2) }, "conseil", false},
		{"PDF à flux de références et flux d'objets", pdfFluxXref, "Bordereau", false},
		{"PDF à formulaire, annotations indirectes", func(tb testing.TB) []byte { return pdfFluxXrefAvec(tb, true) }, "Bordereau", false},
		{"ressources héritées et indirectes, contenu en tableau, zone de recadrage", pdfHerite(0), "Seconde", false},
		{"page tournée de 90°", pdfHerite(90), "Seconde", true},
		{"page tournée de 180°", pdfHerite(180), "Seconde", false},
		{"page tournée de 270°", pdfHerite(-90), "Seconde", true},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			pdf := tc.pdf(t)
			out, err := Tamponner(pdf, Tampon{Lignes: lignesTampon})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, pdf) {
				t.Fatal("le tampon a réécrit le document au lieu de s'ajouter à la fin")
			}
			if _, err := ouvrir(out); err != nil {
				t.Fatalf("PDF tamponné illisible : %v", err)
			}
			txt := pdftotext(t, out, "-f", "1", "-l", "1", "-raw")
			for _, l := range append(lignesTampon, tc.original) {
				if !strings.Contains(txt, l) {
					t.Errorf("pdftotext ne lit pas %q :\n%s", l, txt)
				}
			}
			// Where the reader sees it: the top-right quarter of the page.
			l, h, mots := motsPositionnes(t, out)
			if tc.couchee {
				l, h = h, l
			}
			for _, m := range []string{"Envoyé", "Reçu", "Publié", "ID"} {
				p, ok := mots[m]
				if !ok {
					t.Errorf("mot %q absent de pdftotext -bbox", m)
					continue
				}
				if p[0] < l/2 || p[3] > h/2 || p[2] > l || p[1] < 0 {
					t.Errorf("%q est en [%v] sur une page de %v × %v : pas dans le quart en haut à droite", m, p, l, h)
				}
			}
		})
	}
}

func TestTamponDansUnCoinChoisi(t *testing.T) {
	pdf := pdftest.Minimal("Arrêté 2026-004")
	out, err := Tamponner(pdf, Tampon{Lignes: []string{"Affiché le 02/04/2026"}, Coin: CoinBasGauche, Taille: 12})
	if err != nil {
		t.Fatal(err)
	}
	l, h, mots := motsPositionnes(t, out)
	if p := mots["Affiché"]; p[2] > l/2 || p[1] < h/2 {
		t.Errorf("tampon en [%v] sur une page de %v × %v : pas en bas à gauche", p, l, h)
	}
}

func TestTamponSurUnPDFSigneGardeLaSignature(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	maire := nouveauSignataire(t, ac, "Jean Dupont", false)
	for _, tc := range []struct {
		nom string
		pdf func(testing.TB) []byte
	}{
		{"table classique, bloc visible", func(tb testing.TB) []byte { return pdfFpdf(tb, 1) }},
		{"flux de références", pdfFluxXref},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			signe := signer(t, tc.pdf(t), maire, Options{Motif: "Signature", Qualite: "Maire",
				Visible: &Bloc{Page: 1, X: 350, Y: 50, W: 200, H: 60}})
			out, err := Tamponner(signe, Tampon{Lignes: lignesTampon})
			if err != nil {
				t.Fatal(err)
			}
			sigs, err := Signatures(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != 1 || !sigs[0].Valide || sigs[0].DocumentEntier {
				t.Fatalf("signatures lues après le tampon : %+v", sigs)
			}
			parts := sortiePdfsig(pdfsig(t, out, ac))
			if len(parts) != 1 || !strings.Contains(parts[0], "Signature is Valid.") || !strings.Contains(parts[0], "Not total document signed") {
				t.Fatalf("pdfsig après le tampon :\n%s", strings.Join(parts, ""))
			}
			txt := pdftotext(t, out, "-raw")
			if !strings.Contains(txt, "Reçu en préfecture le 12/03/2026") {
				t.Errorf("tampon illisible :\n%s", txt)
			}
		})
	}
}

func TestTamponRefuse(t *testing.T) {
	pdf := pdftest.Minimal("Délibération")
	for _, tc := range []struct {
		nom     string
		pdf     []byte
		t       Tampon
		attendu string
	}{
		{"pas un PDF", []byte("Bonjour, voici la délibération"), Tampon{Lignes: lignesTampon}, "n'est pas un PDF lisible"},
		{"PDF tronqué", pdf[:len(pdf)/2], Tampon{Lignes: lignesTampon}, "n'est pas un PDF lisible"},
		{"PDF chiffré", bytes.Replace(pdf, []byte("trailer\n<<"), []byte("trailer\n<</Encrypt 99 0 R"), 1), Tampon{Lignes: lignesTampon}, "protégé par un mot de passe"},
		{"page absente", pdf, Tampon{Lignes: lignesTampon, Page: 3}, "le document a 1 page"},
		{"tampon vide", pdf, Tampon{Lignes: []string{" ", ""}}, "tampon vide"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			_, err := Tamponner(tc.pdf, tc.t)
			if err == nil || !strings.Contains(err.Error(), tc.attendu) {
				t.Fatalf("erreur %v, attendu %q", err, tc.attendu)
			}
		})
	}
}

// TestTamponMiseAJourIncrementale checks the bytes appended to a minimal
// PDF against testdata/tampon-minimal.golden (UPDATE_GOLDEN=1 rewrites it).
func TestTamponMiseAJourIncrementale(t *testing.T) {
	pdf := pdftest.Minimal("Délibération 2026-001")
	out, err := Tamponner(pdf, Tampon{Lignes: lignesTampon})
	if err != nil {
		t.Fatal(err)
	}
	ajout := out[len(pdf):]
	golden := filepath.Join("testdata", "tampon-minimal.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, ajout, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	attendu, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 pour le créer)", err)
	}
	if !bytes.Equal(ajout, attendu) {
		t.Errorf("mise à jour incrémentale différente de %s :\n%s", golden, ajout)
	}
}

func FuzzTamponner(f *testing.F) {
	f.Add(pdftest.Minimal("Délibération"))
	f.Add(pdfFluxXref(f))
	f.Add(pdfHerite(90)(f))
	f.Add([]byte("%PDF-1.4\ntrailer<</Root 1 0 R/Size 2>>startxref 9 %%EOF"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		out, err := Tamponner(pdf, Tampon{Lignes: []string{"Reçu en préfecture le 12/03/2026"}})
		if err != nil {
			return
		}
		if !bytes.HasPrefix(out, pdf) {
			t.Fatal("original réécrit")
		}
		if _, err := ouvrir(out); err != nil {
			t.Fatalf("PDF tamponné illisible : %v", err)
		}
	})
}

// pdftotext runs poppler's pdftotext on pdf (skipped when absent).
func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent : lecture du tampon non vérifiée (apt-get install poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "tampon.pdf")
	ecrireFichier(t, f, pdf)
	out, err := exec.Command("pdftotext", append(append(args, "-enc", "UTF-8"), f, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext : %v\n%s", err, out)
	}
	return string(out)
}

var (
	pageBbox = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	motBbox  = regexp.MustCompile(`<word xMin="([0-9.-]+)" yMin="([0-9.-]+)" xMax="([0-9.-]+)" yMax="([0-9.-]+)">([^<]*)</word>`)
)

// motsPositionnes returns the size of page 1 as shown and where each word
// is on it (xMin, yMin, xMax, yMax from the top-left corner).
func motsPositionnes(t *testing.T, pdf []byte) (largeur, hauteur float64, mots map[string][4]float64) {
	t.Helper()
	x := pdftotext(t, pdf, "-f", "1", "-l", "1", "-bbox")
	p := pageBbox.FindStringSubmatch(x)
	if p == nil {
		t.Fatalf("pdftotext -bbox sans page :\n%s", x)
	}
	largeur, _ = strconv.ParseFloat(p[1], 64)
	hauteur, _ = strconv.ParseFloat(p[2], 64)
	mots = map[string][4]float64{}
	for _, m := range motBbox.FindAllStringSubmatch(x, -1) {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		if _, deja := mots[m[5]]; !deja {
			mots[m[5]] = v
		}
	}
	return largeur, hauteur, mots
}

// BenchmarkTamponner stamps a 20-page acte (classic table) and a PDF with
// a cross-reference stream, as the agent does for each copy asked.
func BenchmarkTamponner(b *testing.B) {
	for _, bc := range []struct {
		nom string
		pdf []byte
	}{
		{"fpdf-20-pages", pdfFpdf(b, 20)},
		{"flux-de-references", pdfFluxXref(b)},
	} {
		b.Run(bc.nom, func(b *testing.B) {
			b.SetBytes(int64(len(bc.pdf)))
			for b.Loop() {
				if _, err := Tamponner(bc.pdf, Tampon{Lignes: lignesTampon}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
