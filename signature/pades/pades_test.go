package pades

import (
	"strings"
	"testing"
	"time"

	"xdemat/internal/pkitest"
)

func TestPremierEssai(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", false)
	for _, pdf := range [][]byte{pdfFpdf(t, 2), pdfFluxXref(t)} {
		out := signer(t, pdf, s, Options{Qualite: "Maire", Motif: "Approbation", Lieu: "Châlons", Heure: time.Now()})
		t.Log(pdfsig(t, out, ac))
		sigs, err := Signatures(out)
		t.Logf("%+v %v", sigs, err)
		_ = strings.Contains
	}
}
