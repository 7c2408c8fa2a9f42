package rapport

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRapportLisible: the report is a PDF whose text (read back by
// poppler's pdftotext) states the commune, the poste and each check with
// its outcome, accents included.
func TestRapportLisible(t *testing.T) {
	r := &Rapport{Commune: "Sainte-Menehould", SIREN: "215100009", Poste: "PC-MAIRIE", PosteID: "5b1f…",
		Central: "https://xdemat.spl.example", Empreinte: "ab12…", Technicien: "Éric Lœuvre", Version: "1.4.0",
		Date: time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC),
		Constats: []Constat{
			{Etape: "Enrôlement", Resultat: "Poste relié à Sainte-Menehould.", OK: true},
			{Etape: "Sauvegarde d'essai", Resultat: "Échec : la SPL ne répond pas.", OK: false},
		}}
	b, err := r.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatal("pas un PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent (poppler-utils) : texte du rapport non relu")
	}
	p := filepath.Join(t.TempDir(), "rapport.pdf")
	os.WriteFile(p, b, 0o600)
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	txt := string(out)
	for _, want := range []string{"Rapport d'installation du poste xdemat", "Sainte-Menehould (SIREN 215100009) — le 26/11/2026 à 10:30",
		"Éric Lœuvre", "OK", "Enrôlement", "À REPRENDRE", "Sauvegarde d'essai", "Échec : la SPL ne répond pas."} {
		if !strings.Contains(txt, want) {
			t.Errorf("le rapport ne dit pas %q :\n%s", want, txt)
		}
	}
}
