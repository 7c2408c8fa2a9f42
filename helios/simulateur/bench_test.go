package simulateur

import (
	"fmt"
	"testing"

	"xdemat/internal/pkitest"
)

// BenchmarkDeposer measures the reception of a signed PES of 5,000 pièces
// (20 bordereaux of 250, one signature each): reading, 20 XAdES
// verifications, acquit writing.
func BenchmarkDeposer(b *testing.B) {
	sig := nouveauSignataire(b, pkitest.Signataire{})
	var bords []bord
	for i := 0; i < 20; i++ {
		x := bord{num: fmt.Sprint(i + 1)}
		for j := 0; j < 250; j++ {
			x.pieces = append(x.pieces, fmt.Sprint(i*1000+j+1))
		}
		bords = append(bords, x)
	}
	pes := signer(b, sig, pesAller("PES_BANC", nil, bords...), maire)
	b.SetBytes(int64(len(pes)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := Nouveau(Options{Racines: nil})
		res, err := s.Deposer(depotTest(), pes)
		if err != nil {
			b.Fatal(err)
		}
		if r := s.Reponses(); len(r) != 1 || !r[0].Accepte {
			b.Fatalf("%+v %+v", res, r)
		}
	}
}
