package textepdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"
	"github.com/go-pdf/fpdf"

	"xdemat"
	"xdemat/internal/fixtures"
	"xdemat/internal/pdftest"
)

var ctx = context.Background()

// deliberationFPDF writes a two-page délibération as our reports do
// (fpdf, compressed streams); unicode: with an embedded TrueType font
// (composite font, Identity-H, ToUnicode CMap) as word processors do.
func deliberationFPDF(t testing.TB, unicode bool) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	police := "Helvetica"
	if unicode {
		pdf.AddUTF8FontFromBytes("Noto", "", theme.DefaultTextFont().Content())
		police, tr = "Noto", func(s string) string { return s }
	}
	pdf.AddPage()
	pdf.SetFont(police, "", 12)
	pdf.MultiCell(0, 6, tr("Délibération n° DE2026_004 — Travaux de voirie du chemin des Écoliers"), "", "L", false)
	pdf.MultiCell(0, 6, tr("Le conseil municipal, après en avoir délibéré, décide à l'unanimité d'approuver le devis de l'entreprise « Œuvres & Routes » pour 12 500 €."), "", "L", false)
	pdf.AddPage()
	pdf.SetFont(police, "", 12)
	pdf.MultiCell(0, 6, tr("Fait à Saint-Guilhem, le 3 mars 2026. Le maire, Hélène Dupré."), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTexteDesPDF(t *testing.T) {
	cas := []struct {
		nom   string
		pdf   []byte
		veut  []string
		ordre bool // the words come in this order
	}{
		{"PDF minimal (Helvetica WinAnsi, flux non compressé)", pdftest.Minimal("Arrêté municipal n° 2026-12", "Circulation interdite rue de l'Église"),
			[]string{"Arrêté municipal n° 2026-12", "Circulation interdite rue de l'Église"}, true},
		{"rapport fpdf (flux compressés, deux pages)", deliberationFPDF(t, false),
			[]string{"Délibération", "DE2026_004", "chemin des Écoliers", "« Œuvres & Routes »", "12 500 €", "Hélène Dupré"}, true},
		{"police TrueType incorporée (Identity-H, ToUnicode)", deliberationFPDF(t, true),
			[]string{"Délibération", "voirie", "Écoliers", "Œuvres", "Hélène Dupré"}, true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			texte, err := Extraire(ctx, c.pdf)
			if err != nil {
				t.Fatal(err)
			}
			pos := 0
			for _, v := range c.veut {
				i := strings.Index(texte[pos:], v)
				if i < 0 {
					t.Fatalf("%q absent (ou pas dans l'ordre) de %q", v, texte)
				}
				pos += i
			}
		})
	}
}

// mots returns the words of s (letters and digits), lowercased.
func mots(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0xc0 && r <= 0x24f)
	}) {
		if len([]rune(m)) > 2 {
			out[m] = true
		}
	}
	return out
}

// compareAPdftotext checks that the words pdftotext reads are ours too.
func compareAPdftotext(t *testing.T, pdf []byte, nom string) {
	t.Helper()
	chemin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) absent : comparaison sautée")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	ref, err := exec.Command(chemin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Skipf("pdftotext ne lit pas %s : %v", nom, err)
	}
	texte, err := Extraire(ctx, pdf)
	if err != nil {
		t.Fatalf("%s : %v", nom, err)
	}
	attendus, lus := mots(string(ref)), mots(texte)
	var manquants []string
	for m := range attendus {
		if !lus[m] {
			manquants = append(manquants, m)
		}
	}
	if len(attendus) > 0 && len(manquants)*20 > len(attendus) {
		t.Errorf("%s : %d mots de pdftotext sur %d manquent, dont %.200q", nom, len(manquants), len(attendus), manquants)
	}
}

func TestCommePdftotext(t *testing.T) {
	compareAPdftotext(t, deliberationFPDF(t, false), "rapport fpdf")
	compareAPdftotext(t, deliberationFPDF(t, true), "police incorporée")
}

// TestPDFDesFixtures compares with pdftotext every PDF of the shared
// fixtures (real actes, when some are there).
func TestPDFDesFixtures(t *testing.T) {
	dossier := fixtures.Chemin(t)
	var pdfs []string
	filepath.WalkDir(dossier, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".pdf") {
			pdfs = append(pdfs, p)
		}
		return nil
	})
	if len(pdfs) == 0 {
		t.Skipf("aucun PDF dans %s", dossier)
	}
	for _, p := range pdfs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		compareAPdftotext(t, b, filepath.Base(p))
	}
}

func flate(s string) string {
	var b bytes.Buffer
	z := zlib.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.String()
}

// pdfObjets writes a PDF of the given objects (numbered from 1), with no
// cross-reference table: the reader does not need one.
func pdfObjets(objets ...string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.7\n")
	for i, o := range objets {
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return []byte(b.String())
}

func TestPDFHostilesSansPaniqueNiBoucle(t *testing.T) {
	bombe := flate(strings.Repeat("(a) Tj ", 20<<20)) // 140 Mo once inflated
	cas := []struct {
		nom      string
		pdf      []byte
		code     string // expected error code, "" for none
		contient string
	}{
		{"pas un PDF", []byte("GIF89a"), xdemat.EINVALID, ""},
		{"vide", nil, xdemat.EINVALID, ""},
		{"tronqué", pdftest.Minimal("Bonjour le monde")[:300], "", ""},
		{"arbre des pages cyclique", pdfObjets("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 99999999 >>",
			"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>", "<< /Length 12 >>\nstream\n(boucle) Tj\nendstream"), "", "boucle"},
		{"flux d'objets qui se contient", pdfObjets("<< /Type /ObjStm /N 1 /First 4 /Extends 1 0 R /Length 8 >>\nstream\n1 0 1 0 R\nendstream"), "", ""},
		{"imbrication sans fin", []byte("%PDF-1.4\n1 0 obj\n" + strings.Repeat("[<<", 100000) + "\nendobj\n"), "", ""},
		{"chaîne jamais fermée", []byte("%PDF-1.4\n1 0 obj\n(" + strings.Repeat("\\", 10000)), "", ""},
		{"bombe de décompression", pdfObjets("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>", fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(bombe), bombe)), "", "aaaa"},
		{"forme qui se dessine elle-même", pdfObjets("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X 4 0 R >> >> >>",
			"<< /Type /XObject /Subtype /Form /Length 17 >>\nstream\n(forme) Tj /X Do\nendstream"), "", "forme"},
		{"CMap démesurée", pdfObjets("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
			"<< /Length 21 >>\nstream\n/F1 1 Tf <0041> Tj\nendstream", "<< /Type /Font /Subtype /Type0 /ToUnicode 6 0 R >>",
			"<< /Length 70 >>\nstream\n1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange\n1 beginbfchar <0041> <0042> endbfchar\nendstream"), "", "B"},
		{"chiffré", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R /Encrypt 2 0 R >>\n"), xdemat.EINVALID, ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			texte, err := Extraire(ctx, c.pdf)
			if xdemat.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
				t.Fatalf("erreur %v, attendu le code %q", err, c.code)
			}
			if err != nil && !strings.Contains(xdemat.ErrorMessage(err), "PDF") {
				t.Fatalf("message %q", xdemat.ErrorMessage(err))
			}
			if !strings.Contains(texte, c.contient) || len(texte) > TexteMax+4 {
				t.Fatalf("texte %.80q (%d octets), attendu %q", texte, len(texte), c.contient)
			}
		})
	}
}

func TestArretSurDemande(t *testing.T) {
	fini, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Extraire(fini, deliberationFPDF(t, false)); err != nil {
		t.Fatal(err)
	}
}

func FuzzExtraire(f *testing.F) {
	f.Add(pdftest.Minimal("Délibération du conseil"))
	f.Add(deliberationFPDF(f, false))
	f.Add(pdfObjets("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] >>"))
	f.Add([]byte("%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 2 /First 8 >>\nstream\n2 0 3 5 << >> [1 0 R]\nendstream\nendobj\n"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		texte, _ := Extraire(ctx, pdf)
		if len(texte) > TexteMax+4 {
			t.Fatalf("%d octets de texte", len(texte))
		}
	})
}
