package localapi

import (
	"crypto"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
	"xdemat/pkcs11/jetontest"
)

// chrono measures the time spent inside the token.
type chrono struct {
	crypto.Signer
	mu   sync.Mutex
	dans time.Duration
}

func (c *chrono) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	debut := time.Now()
	sig, err := c.Signer.Sign(r, digest, opts)
	c.mu.Lock()
	c.dans += time.Since(debut)
	c.mu.Unlock()
	return sig, err
}

// BenchmarkLot100PDF: the maire signs 100 délibérations (PDF, PAdES) in one
// batch with the SoftHSM2 token, through the agent's two steps. Reported:
// the token operations of the batch (must be 100 signatures and 1 login)
// and the time per document outside the token (preparation, assembly,
// storage, the local API).
func BenchmarkLot100PDF(b *testing.B) {
	j := jetontest.Nouveau(b)
	h := start(b, avecFormats)
	sec, maire, _, _ := mairieAPI(b, h)
	const n = 100
	var total, dansJeton time.Duration
	var connexions, signatures int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		lot := make([]string, 0, n)
		for k := range n {
			titre := fmt.Sprintf("Délibération %d-%03d", i, k+1)
			pdf := pdftest.Minimal(titre, "Le conseil municipal, après en avoir délibéré,", "décide à l'unanimité.")
			d := deposerFichier(b, sec, xdemat.DossierDeliberation, titre, titre+".pdf", "application/pdf", pdf)
			lot = append(lot, d.ID)
		}
		session := j.Connecter(b) // the PIN, typed once for the batch
		k, err := session.Signataire(j.RSA.ID)
		if err != nil {
			b.Fatal(err)
		}
		c := &chrono{Signer: k}
		b.StartTimer()
		debut := time.Now()
		rep, err := maire.SignerLot(ctx, lot, k.Certificat(), c, nil)
		total += time.Since(debut)
		b.StopTimer()
		if err != nil || len(rep.Signes) != n {
			b.Fatalf("lot : %d signés, %+v, %v", len(rep.Signes), rep.Refus, err)
		}
		dansJeton += c.dans
		cpt := session.Compteurs()
		connexions += cpt.Connexions
		signatures += cpt.Signatures
		session.Fermer()
	}
	b.ReportMetric(float64(signatures)/float64(b.N), "signatures/lot")
	b.ReportMetric(float64(connexions)/float64(b.N), "connexions/lot")
	b.ReportMetric(float64((total-dansJeton).Microseconds())/float64(b.N*n), "µs-hors-jeton/doc")
	b.ReportMetric(float64(dansJeton.Microseconds())/float64(b.N*n), "µs-jeton/doc")
}
