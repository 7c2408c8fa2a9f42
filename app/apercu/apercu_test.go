package apercu

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// moteurTest is shared by the tests of this package: starting PDFium costs
// about half a second with the compilation cache (15 s without).
var moteurTest *Moteur

func TestMain(m *testing.M) {
	var err error
	moteurTest, err = Demarrer(Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "démarrage du moteur d'aperçu :", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = moteurTest.Fermer()
	os.Exit(code)
}

// pdfTest builds a PDF: page 1 is an A4 portrait with a black rectangle at
// 20–100 mm × 20–70 mm and a line of text at 120 mm; page 2 (when pages ≥ 2)
// is an A4 landscape with a black rectangle at 200–280 mm × 100–190 mm; the
// next pages repeat page 1.
func pdfTest(t testing.TB, pages int, protection string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	if protection != "" {
		p.SetProtection(fpdf.CnProtectPrint, protection, "proprietaire")
	}
	p.SetFont("Helvetica", "", 16)
	tr := p.UnicodeTranslatorFromDescriptor("")
	for i := 1; i <= pages; i++ {
		if i == 2 {
			p.AddPageFormat("L", p.GetPageSizeStr("A4"))
			p.SetFillColor(0, 0, 0)
			p.Rect(200, 100, 80, 90, "F")
			continue
		}
		p.AddPage()
		p.SetFillColor(0, 0, 0)
		p.Rect(20, 20, 80, 50, "F")
		p.Text(20, 120, tr(fmt.Sprintf("Délibération n° 2026-%03d, page %d", i, i)))
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ouvrir(t testing.TB, pdf []byte) *Document {
	t.Helper()
	d, err := moteurTest.Ouvrir(pdf)
	if err != nil {
		t.Fatalf("Ouvrir : %v", err)
	}
	t.Cleanup(func() { _ = d.Fermer() })
	return d
}

func noir(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r < 0x1000 && g < 0x1000 && b < 0x1000
}

func blanc(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xf000 && g > 0xf000 && b > 0xf000
}

func TestPagesRendues(t *testing.T) {
	d := ouvrir(t, pdfTest(t, 2, ""))
	if d.NbPages() != 2 {
		t.Fatalf("NbPages = %d, attendu 2", d.NbPages())
	}
	// mm converts millimetres of a page w mm wide to pixels of an image
	// 1000 px wide.
	mm := func(v, w float64) int { return int(v * 1000 / w) }
	cas := []struct {
		nom         string
		page        int
		largeurMM   float64
		hauteurPx   [2]int // accepted range (rounding)
		noirs       [][2]float64
		blancs      [][2]float64
		texteBandeY [2]float64 // a band that holds text: some dark pixels
	}{
		{
			nom: "A4 portrait, rectangle en haut à gauche", page: 0, largeurMM: 210,
			hauteurPx:   [2]int{1413, 1415},
			noirs:       [][2]float64{{60, 45}, {25, 25}, {95, 65}},
			blancs:      [][2]float64{{150, 45}, {60, 90}, {10, 10}, {200, 280}},
			texteBandeY: [2]float64{112, 122},
		},
		{
			nom: "A4 paysage, rectangle en bas à droite", page: 1, largeurMM: 297,
			hauteurPx: [2]int{706, 708},
			noirs:     [][2]float64{{240, 145}, {205, 105}, {275, 185}},
			blancs:    [][2]float64{{60, 45}, {150, 100}, {240, 80}, {290, 200}},
		},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			img, err := d.Page(c.page, 1000)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != 1000 || b.Dy() < c.hauteurPx[0] || b.Dy() > c.hauteurPx[1] {
				t.Fatalf("taille %v, attendu 1000 × %v", b.Size(), c.hauteurPx)
			}
			for _, p := range c.noirs {
				if px := img.At(mm(p[0], c.largeurMM), mm(p[1], c.largeurMM)); !noir(px) {
					t.Errorf("(%v mm, %v mm) devrait être noir : %v", p[0], p[1], px)
				}
			}
			for _, p := range c.blancs {
				if px := img.At(mm(p[0], c.largeurMM), mm(p[1], c.largeurMM)); !blanc(px) {
					t.Errorf("(%v mm, %v mm) devrait être blanc : %v", p[0], p[1], px)
				}
			}
			if c.texteBandeY != [2]float64{} {
				sombres := 0
				for y := mm(c.texteBandeY[0], c.largeurMM); y < mm(c.texteBandeY[1], c.largeurMM); y++ {
					for x := 0; x < 1000; x++ {
						if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
							sombres++
						}
					}
				}
				if sombres < 500 {
					t.Errorf("la ligne de texte n'apparaît pas (%d pixels sombres)", sombres)
				}
			}
		})
	}
}

func TestLargeurDemandee(t *testing.T) {
	d := ouvrir(t, pdfTest(t, 1, ""))
	for _, largeur := range []int{1, 120, 800, 2480} {
		img, err := d.Page(0, largeur)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != largeur {
			t.Errorf("largeur %d demandée, %d rendue", largeur, img.Bounds().Dx())
		}
	}
}

func TestTaillePage(t *testing.T) {
	d := ouvrir(t, pdfTest(t, 2, ""))
	for i, attendu := range []Taille{{595.28, 841.89}, {841.89, 595.28}} {
		tp, err := d.TaillePage(i)
		if err != nil {
			t.Fatal(err)
		}
		if abs(tp.Largeur-attendu.Largeur) > 1 || abs(tp.Hauteur-attendu.Hauteur) > 1 {
			t.Errorf("page %d : %+v, attendu %+v", i+1, tp, attendu)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestNombreDePages(t *testing.T) {
	for _, n := range []int{1, 3, 20} {
		t.Run(strconv.Itoa(n)+" pages", func(t *testing.T) {
			if got := ouvrir(t, pdfTest(t, n, "")).NbPages(); got != n {
				t.Errorf("NbPages = %d, attendu %d", got, n)
			}
		})
	}
}

func TestPDFRefuses(t *testing.T) {
	valide := pdfTest(t, 1, "")
	cas := []struct {
		nom     string
		pdf     []byte
		code    error
		message string
	}{
		{"protégé par un mot de passe", pdfTest(t, 1, "secret"), ErrProtege,
			"Ce PDF est protégé par un mot de passe : demandez une version sans protection."},
		{"fichier vide", nil, ErrIllisible, messageIllisible},
		{"texte quelconque", []byte("Bonjour, ceci n'est pas un PDF."), ErrIllisible, messageIllisible},
		{"en-tête PDF seul", []byte("%PDF-1.7\n%%EOF\n"), ErrIllisible, messageIllisible},
		{"image PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrIllisible, messageIllisible},
		{"PDF tronqué aux 200 premiers octets", valide[:200], ErrIllisible, messageIllisible},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			d, err := moteurTest.Ouvrir(c.pdf)
			if err == nil {
				_ = d.Fermer()
				t.Fatal("le PDF a été ouvert")
			}
			if !errors.Is(err, c.code) {
				t.Errorf("erreur %v, attendu %v", err, c.code)
			}
			if err.Error() != c.message {
				t.Errorf("message %q, attendu %q", err.Error(), c.message)
			}
		})
	}
}

// A PDF damaged in the middle either opens (PDFium repairs cross-reference
// tables) or gives ErrIllisible; it never panics nor hangs.
func TestPDFAbime(t *testing.T) {
	valide := pdfTest(t, 3, "")
	cas := map[string][]byte{
		"moitié du fichier":         valide[:len(valide)/2],
		"table des références ôtée": valide[:bytes.LastIndex(valide, []byte("xref"))],
		"octets écrasés au milieu": func() []byte {
			b := bytes.Clone(valide)
			for i := len(b) / 3; i < len(b)/3+200; i++ {
				b[i] = 'Z'
			}
			return b
		}(),
	}
	for nom, pdf := range cas {
		t.Run(nom, func(t *testing.T) {
			d, err := moteurTest.Ouvrir(pdf)
			if err != nil {
				if !errors.Is(err, ErrIllisible) {
					t.Fatalf("erreur %v, attendu ErrIllisible", err)
				}
				return
			}
			defer d.Fermer()
			for i := 0; i < d.NbPages(); i++ {
				if _, err := d.Page(i, 200); err != nil && !errors.Is(err, ErrRendu) {
					t.Errorf("page %d : %v", i+1, err)
				}
			}
		})
	}
}

func TestDemandesInvalides(t *testing.T) {
	d := ouvrir(t, pdfTest(t, 2, ""))
	cas := []struct {
		nom     string
		page    int
		largeur int
		code    error
		message string
	}{
		{"page après la dernière", 2, 800, ErrPageInexistante, "La page 3 n'existe pas : ce document compte 2 page(s)."},
		{"page négative", -1, 800, ErrPageInexistante, "La page 0 n'existe pas : ce document compte 2 page(s)."},
		{"largeur nulle", 0, 0, ErrLargeur, "Largeur d'affichage de 0 pixels impossible : elle doit être comprise entre 1 et 8000."},
		{"largeur démesurée", 0, 100000, ErrLargeur, "Largeur d'affichage de 100000 pixels impossible : elle doit être comprise entre 1 et 8000."},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			_, err := d.Page(c.page, c.largeur)
			if !errors.Is(err, c.code) || err.Error() != c.message {
				t.Errorf("erreur %v, attendu %q", err, c.message)
			}
		})
	}
}

func TestDocumentFerme(t *testing.T) {
	d, err := moteurTest.Ouvrir(pdfTest(t, 1, ""))
	if err != nil {
		t.Fatal(err)
	}
	img, err := d.Page(0, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Fermer(); err != nil {
		t.Fatal(err)
	}
	if err := d.Fermer(); err != nil {
		t.Errorf("second Fermer : %v", err)
	}
	if _, err := d.Page(0, 300); !errors.Is(err, ErrFerme) {
		t.Errorf("Page après Fermer : %v, attendu ErrFerme", err)
	}
	// The image rendered before stays valid: it was copied out of PDFium.
	if !noir(img.At(85, 64)) {
		t.Errorf("l'image rendue avant fermeture a changé : %v", img.At(85, 64))
	}
}

func TestMoteurArrete(t *testing.T) {
	m, err := Demarrer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Ouvrir(pdfTest(t, 1, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Fermer(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ouvrir(pdfTest(t, 1, "")); !errors.Is(err, ErrFerme) {
		t.Errorf("Ouvrir après Fermer : %v, attendu ErrFerme", err)
	}
	if _, err := d.Page(0, 100); err == nil {
		t.Error("une page a été rendue par un moteur arrêté")
	}
	_ = d.Fermer()
}

func TestTropDeDocuments(t *testing.T) {
	m, err := Demarrer(Options{MaxDocuments: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Fermer()
	pdf := pdfTest(t, 1, "")
	d, err := m.Ouvrir(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ouvrir(pdf); !errors.Is(err, ErrOccupe) || err.Error() != messageOccupe {
		t.Errorf("second document : %v, attendu ErrOccupe", err)
	}
	_ = d.Fermer()
	d, err = m.Ouvrir(pdf)
	if err != nil {
		t.Fatalf("après fermeture du premier : %v", err)
	}
	_ = d.Fermer()
}

func TestDelaiDepasse(t *testing.T) {
	m, err := Demarrer(Options{DelaiMax: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Fermer()
	d, err := m.Ouvrir(pdfTest(t, 1, ""))
	if err == nil {
		_ = d.Fermer()
		t.Skip("l'ouverture a fini avant le minuteur d'une nanoseconde")
	}
	if !errors.Is(err, ErrRendu) || !strings.Contains(err.Error(), "abandonné") {
		t.Errorf("erreur %v, attendu un abandon", err)
	}
}

func TestUsageConcurrent(t *testing.T) {
	pdf := pdfTest(t, 4, "")
	partage := ouvrir(t, pdf)
	var wg sync.WaitGroup
	erreurs := make(chan error, 16)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			d := partage
			if g%2 == 1 { // half the goroutines use their own document
				var err error
				if d, err = moteurTest.Ouvrir(pdf); err != nil {
					erreurs <- err
					return
				}
				defer d.Fermer()
			}
			for i := 0; i < d.NbPages(); i++ {
				img, err := d.Page(i, 400)
				if err != nil {
					erreurs <- err
					return
				}
				if i != 1 && !noir(img.At(114, 85)) {
					erreurs <- fmt.Errorf("goroutine %d page %d : rectangle absent", g, i+1)
				}
			}
		}(g)
	}
	wg.Wait()
	close(erreurs)
	for err := range erreurs {
		t.Error(err)
	}
}

func FuzzOuvrir(f *testing.F) {
	valide := pdfTest(f, 2, "")
	f.Add(valide)
	f.Add(valide[:len(valide)/2])
	f.Add(pdfTest(f, 1, "secret"))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/MediaBox[0 0 -5 1e30]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"))
	f.Add([]byte("pas un pdf"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		d, err := moteurTest.Ouvrir(pdf)
		if err != nil {
			var e *Erreur
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("erreur sans message pour l'élu : %v", err)
			}
			return
		}
		defer d.Fermer()
		if d.NbPages() < 1 {
			t.Fatalf("document ouvert sans page")
		}
		if img, err := d.Page(0, 64); err == nil && img.Bounds().Dx() != 64 && img.Bounds().Dy() != 256 {
			t.Fatalf("image de %v pour 64 px demandés", img.Bounds())
		}
	})
}

func BenchmarkPageA4_1000px(b *testing.B) {
	d := ouvrir(b, pdfTest(b, 1, ""))
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Page(0, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDemarrer measures the engine start-up with the compilation cache
// filled (what the app pays at each launch after the first).
// It also reports the resident memory one more engine adds, after its first
// document is closed.
func BenchmarkDemarrer(b *testing.B) {
	var croissance int64
	for b.Loop() {
		runtime.GC()
		avant := rss()
		m, err := Demarrer(Options{})
		if err != nil {
			b.Fatal(err)
		}
		d, err := m.Ouvrir(pdfTest(b, 1, ""))
		if err != nil {
			b.Fatal(err)
		}
		_ = d.Fermer()
		croissance = max(croissance, rss()-avant)
		_ = m.Fermer()
	}
	b.ReportMetric(float64(croissance)/1024, "Mo-RSS-moteur")
}

// BenchmarkDemarrerSansCache is the first launch ever (or with no writable
// cache): PDFium is compiled from scratch. Run it with -benchtime=1x.
func BenchmarkDemarrerSansCache(b *testing.B) {
	for b.Loop() {
		m, err := Demarrer(Options{DossierCache: "-"})
		if err != nil {
			b.Fatal(err)
		}
		_ = m.Fermer()
	}
}

// BenchmarkDocument20Pages opens a 20-page PDF, renders every page 1000 px
// wide, closes it, and reports the resident memory growth at the peak and
// after Fermer (Linux only: /proc/self/status). "toutes gardées" keeps every
// image (113 MB of pixels by themselves); "une à la fois" drops each image
// once shown, as a viewer that keeps only the visible pages would.
func BenchmarkDocument20Pages(b *testing.B) {
	pdf := pdfTest(b, 20, "")
	for _, garder := range []bool{true, false} {
		nom := map[bool]string{true: "toutes gardées", false: "une à la fois"}[garder]
		b.Run(nom, func(b *testing.B) {
			var pic, apres int64
			for b.Loop() {
				runtime.GC()
				avant := rss()
				d, err := moteurTest.Ouvrir(pdf)
				if err != nil {
					b.Fatal(err)
				}
				images := make([]image.Image, d.NbPages())
				for i := range images {
					img, err := d.Page(i, 1000)
					if err != nil {
						b.Fatal(err)
					}
					if garder {
						images[i] = img
					}
					pic = max(pic, rss()-avant)
				}
				gardees = images
				gardees = nil
				_ = d.Fermer()
				apres = max(apres, rss()-avant)
			}
			b.ReportMetric(float64(pic)/1024, "Mo-RSS-pic")
			b.ReportMetric(float64(apres)/1024, "Mo-RSS-après-Fermer")
		})
	}
}

// gardees keeps the pages alive until the peak is measured.
var gardees []image.Image

// rss returns the resident set size in kB, 0 where /proc is absent.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
