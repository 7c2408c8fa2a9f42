package helios

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"xdemat/internal/fixtures"
)

// dossierFixtures is the shared fixtures folder (internal/fixtures).
func dossierFixtures(t testing.TB) string { return fixtures.Dossier() }

// lireFixture reads a sample, or skips the test when absent.
func lireFixture(t testing.TB, nom string) []byte {
	t.Helper()
	return fixtures.Lire(t, "protocols", "helios", nom)
}

// validerXSD checks doc against an XSD of the fixtures with xmllint, or says
// why it could not.
func validerXSD(t *testing.T, doc []byte, xsd string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint absent : installez libxml2-utils (installer/deps.sh) pour la validation XSD")
	}
	chemin := filepath.Join(dossierFixtures(t), "protocols", "helios", "xsd", "PES_V2", xsd)
	if _, err := os.Stat(chemin); err != nil {
		t.Skipf("XSD %s absente des fixtures : validation non faite", chemin)
	}
	f := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", chemin, f).CombinedOutput(); err != nil {
		t.Fatalf("le message écrit ne respecte pas %s : %s\n%s", xsd, out, doc)
	}
}
