package pdftest

import (
	"bytes"
	"os/exec"
	"testing"
)

func TestPDFLisibleParPoppler(t *testing.T) {
	outil, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext introuvable : installez poppler-utils (installer/deps.sh) pour ce test")
	}
	cmd := exec.Command(outil, "-", "-")
	cmd.Stdin = bytes.NewReader(Minimal("Délibération n° 2026-014", "tarifs (cantine) \\ 100 €"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext : %v\n%s", err, out)
	}
	if want := "Délibération n° 2026-014\ntarifs (cantine) \\ 100 ?"; !bytes.Contains(out, []byte(want)) {
		t.Fatalf("texte lu %q, attendu %q", out, want)
	}
}
