package actes

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"xdemat/internal/fixtures"
)

// dossierFixtures is the shared fixtures folder (internal/fixtures).
func dossierFixtures() string { return fixtures.Dossier() }

// cheminFixture returns the path of a sample, or skips the test.
func cheminFixture(t testing.TB, nom string) string {
	t.Helper()
	return fixtures.Chemin(t, "protocols", "actes", nom)
}

// lireFixture reads a sample, or skips the test when absent.
func lireFixture(t testing.TB, nom string) []byte {
	t.Helper()
	return fixtures.Lire(t, "protocols", "actes", nom)
}

// validerXSD checks an XML file against the official @CTES schema with
// xmllint, or skips when the tool or the schema is absent.
func validerXSD(t testing.TB, nom string, xml []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint absent : installez libxml2-utils pour valider contre le schéma @CTES")
	}
	xsd := cheminFixture(t, "xsd/actesv1_1.xsd")
	f := filepath.Join(t.TempDir(), nom)
	if err := os.WriteFile(f, xml, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "validates") {
		t.Fatalf("%s ne respecte pas le schéma @CTES : %v\n%s\n%s", nom, err, out, xml)
	}
}
