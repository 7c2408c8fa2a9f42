package pades

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"xdemat/internal/pkitest"
	"xdemat/internal/verificateurs"
	"xdemat/signature"
)

type signataire struct {
	ac   *pkitest.AC
	cle  crypto.Signer
	cert *x509.Certificate
}

func nouveauSignataire(tb testing.TB, ac *pkitest.AC, nom string, ecdsaCle bool) signataire {
	tb.Helper()
	var cle crypto.Signer
	if ecdsaCle {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		cle = k
	} else {
		cle = pkitest.CleRSA(tb)
	}
	return signataire{ac: ac, cle: cle, cert: ac.Emettre(tb, cle.Public(), pkitest.Signataire{Nom: nom})}
}

// signer runs both steps with a JSON round trip in between, as the agent
// does when it keeps the preparation on disk while the app asks the token.
func signer(tb testing.TB, pdf []byte, s signataire, o Options) []byte {
	tb.Helper()
	prep, e, err := Preparer(pdf, s.cert, []*x509.Certificate{s.ac.Cert}, o)
	if err != nil {
		tb.Fatal(err)
	}
	j, err := json.Marshal(prep)
	if err != nil {
		tb.Fatal(err)
	}
	var relue Preparation
	if err := json.Unmarshal(j, &relue); err != nil {
		tb.Fatal(err)
	}
	valeur, err := signature.Signer(s.cle, e)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := relue.Assembler(valeur)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// pdfFpdf makes a PDF of n pages with fpdf and the core fonts (cp1252).
func pdfFpdf(tb testing.TB, n int) []byte {
	tb.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	tr := p.UnicodeTranslatorFromDescriptor("cp1252")
	for i := 1; i <= n; i++ {
		p.AddPage()
		p.SetFont("Helvetica", "B", 16)
		p.Cell(0, 10, tr(fmt.Sprintf("Délibération n° 2026-%03d", i)))
		p.Ln(12)
		p.SetFont("Helvetica", "", 11)
		p.MultiCell(0, 6, tr(strings.Repeat("Le conseil municipal, après en avoir délibéré, approuve à l'unanimité. ", 12)), "", "", false)
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// pdfDejaVu makes a one-page PDF with an embedded UTF-8 TrueType font, as
// the suite's own documents are.
func pdfDejaVu(tb testing.TB) []byte {
	tb.Helper()
	const police = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	ttf, err := os.ReadFile(police)
	if err != nil {
		tb.Skipf("police %s absente (apt-get install fonts-dejavu-core) : %v", police, err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("DejaVu", "", ttf)
	p.AddPage()
	p.SetFont("DejaVu", "", 14)
	p.Cell(0, 10, "Arrêté du maire n° 2026-12 — Œuvre « intérêt général »")
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// pdfFluxXref writes by hand a PDF 1.5 whose catalog, page tree and page
// live in a compressed object stream, indexed by a compressed
// cross-reference stream with the PNG Up predictor, as LibreOffice,
// pdfcpu or qpdf write them.
func pdfFluxXref(tb testing.TB) []byte { return pdfFluxXrefAvec(tb, false) }

// pdfFluxXrefAvec, with formulaire, also gives the document an indirect
// form dictionary (/AcroForm 8 0 R, with a text field) and an indirect
// /Annots array on the page, as documents with form fields have.
func pdfFluxXrefAvec(tb testing.TB, formulaire bool) []byte {
	tb.Helper()
	deflate := func(b []byte) []byte {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(b)
		w.Close()
		return z.Bytes()
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offsets := map[int]int{}
	// 4: page content, a plain stream.
	contenu := deflate([]byte("BT /F1 18 Tf 72 760 Td (Bordereau de mandats 2026) Tj ET"))
	offsets[4] = out.Len()
	fmt.Fprintf(&out, "4 0 obj\n<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream\nendobj\n", len(contenu), contenu)
	// 5: object stream holding the other objects.
	objs := map[int]string{
		1: "<</Type/Catalog/Pages 2 0 R/Lang(fr-FR)>>",
		2: "<</Type/Pages/Kids[3 0 R]/Count 1>>",
		3: "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 6 0 R>>>>>>",
		6: "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
	}
	nums := []int{1, 2, 3, 6}
	taille := 8
	if formulaire {
		objs[1] = "<</Type/Catalog/Pages 2 0 R/AcroForm 8 0 R>>"
		objs[3] = "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Annots 9 0 R/Resources<</Font<</F1 6 0 R>>>>>>"
		objs[8] = "<</Fields[10 0 R]/DA(/Helv 0 Tf 0 g)>>"
		objs[9] = "[10 0 R]"
		objs[10] = "<</Type/Annot/Subtype/Widget/FT/Tx/T(Commentaire)/Rect[72 600 300 620]/P 3 0 R>>"
		nums = append(nums, 8, 9, 10)
		taille = 11
	}
	index := map[int]int{}
	var entete, corps bytes.Buffer
	for i, n := range nums {
		index[n] = i
		fmt.Fprintf(&entete, "%d %d ", n, corps.Len())
		corps.WriteString(objs[n])
		corps.WriteByte('\n')
	}
	fo := deflate(append(entete.Bytes(), corps.Bytes()...))
	offsets[5] = out.Len()
	fmt.Fprintf(&out, "5 0 obj\n<</Type/ObjStm/N %d/First %d/Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream\nendobj\n", len(nums), entete.Len(), len(fo), fo)
	// 7: cross-reference stream, W [1 2 1], rows PNG-Up encoded.
	xref := out.Len()
	offsets[7] = xref
	lignes := [][]byte{}
	for num := 0; num < taille; num++ {
		if i, ok := index[num]; ok {
			lignes = append(lignes, []byte{2, 0, 5, byte(i)})
		} else if off, ok := offsets[num]; ok {
			lignes = append(lignes, []byte{1, byte(off >> 8), byte(off), 0})
		} else {
			lignes = append(lignes, []byte{0, 0, 0, 255})
		}
	}
	var brut []byte
	prec := make([]byte, 4)
	for _, l := range lignes {
		brut = append(brut, 2)
		for i := range l {
			brut = append(brut, l[i]-prec[i])
		}
		prec = l
	}
	donnees := deflate(brut)
	fmt.Fprintf(&out, "7 0 obj\n<</Type/XRef/Size %d/W[1 2 1]/Root 1 0 R/ID[<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 4>>/Length %d>>\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", taille, len(donnees), donnees, xref)
	return out.Bytes()
}

// pdfsig runs poppler's pdfsig on pdf with an NSS database trusting ac,
// and returns its output (skipped when pdfsig or certutil is absent).
func pdfsig(t *testing.T, pdf []byte, ac *pkitest.AC) string {
	t.Helper()
	return verificateurs.Pdfsig(t, pdf, ac.Cert)
}
