package actes

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"xdemat"
)

// pdfFactice returns n bytes that look like a PDF to a MIME sniffer and, like
// the compressed streams of real PDFs, do not compress.
func pdfFactice(n int, graine uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(graine, graine))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// BenchmarkMilleArchives: building and validating 1,000 archives, each a
// délibération of 200 Ko with two annexes of 50 Ko (sizes of a scanned page
// and of a small table), validation being our own Go checks (LireEnvoi).
func BenchmarkMilleArchives(b *testing.B) {
	m := magasin{}
	a := acteTest(m)
	a.DocumentPrincipal = m.piece("délibération.pdf", "99_DE", pdfFactice(200<<10, 1))
	a.Annexes = []xdemat.PieceActe{
		m.piece("annexe 1.pdf", "70_DE", pdfFactice(50<<10, 2)),
		m.piece("annexe 2.pdf", "70_DE", pdfFactice(50<<10, 3)),
	}
	src := Contenus(m)
	b.ReportAllocs()
	for b.Loop() {
		for i := range 1000 {
			o := optionsTest
			o.Serie = i + 1
			a.NumeroInterne = fmt.Sprintf("2025_%04d", i)
			ar, err := ConstruireActe(a, emetteurTest, o, src)
			if err != nil {
				b.Fatal(err)
			}
			envoi, err := LireEnvoi(ar.Nom, ar.Octets)
			if err != nil || envoi.Transactions[0].Refus != nil {
				b.Fatal(err, envoi.Transactions[0].Refus)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/archive")
	b.SetBytes(int64(300 << 10 * 1000))
}

// BenchmarkArchiveMinimale is the same with one-page PDFs: the cost of the
// format itself (XML, names, tar, checks) without the documents.
func BenchmarkArchiveMinimale(b *testing.B) {
	m := magasin{}
	a := acteTest(m)
	src := Contenus(m)
	b.ReportAllocs()
	for b.Loop() {
		ar, err := ConstruireActe(a, emetteurTest, optionsTest, src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := LireEnvoi(ar.Nom, ar.Octets); err != nil {
			b.Fatal(err)
		}
	}
}
