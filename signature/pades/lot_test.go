package pades

import (
	"crypto/x509"
	"testing"
	"time"

	"xdemat/internal/pkitest"
	"xdemat/signature"
)

// BenchmarkLot100PDF signs a batch of 100 three-page PDFs as the parapheur
// does for a batch: prepare, sign (an in-memory key stands for the token),
// assemble. One op is the whole batch; ns/doc-hors-jeton is the time per
// document spent outside the signing call, the part this package owns.
func BenchmarkLot100PDF(b *testing.B) {
	ac := pkitest.NouvelleAC(b)
	s := nouveauSignataire(b, ac, "Jean Dupont", false)
	chaine := []*x509.Certificate{ac.Cert}
	lot := make([][]byte, 100)
	for i := range lot {
		lot[i] = pdfFpdf(b, 3)
	}
	o := Options{Qualite: "Maire", Motif: "Approbation", Lieu: "Commune de Test", Heure: time.Now(),
		Visible: &Bloc{Page: 1, X: 350, Y: 50, W: 200, H: 60}}
	var jeton time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, pdf := range lot {
			prep, e, err := Preparer(pdf, s.cert, chaine, o)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			valeur, err := signature.Signer(s.cle, e)
			jeton += time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := prep.Assembler(valeur); err != nil {
				b.Fatal(err)
			}
		}
	}
	total := b.Elapsed()
	docs := float64(b.N * len(lot))
	b.ReportMetric(float64((total-jeton).Nanoseconds())/docs, "ns/doc-hors-jeton")
	b.ReportMetric(float64(jeton.Nanoseconds())/docs, "ns/doc-cle-en-memoire")
}
