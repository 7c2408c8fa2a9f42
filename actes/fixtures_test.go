package actes

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// dossierFixtures finds shared/fixtures: $XDEMAT_FIXTURES, else
// ../shared/fixtures relative to the repository root.
func dossierFixtures() string {
	if d := os.Getenv("XDEMAT_FIXTURES"); d != "" {
		return d
	}
	_, f, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(f), "..", "..", "shared", "fixtures")
}

// cheminFixture returns the path of an @CTES sample, or skips the test.
func cheminFixture(t testing.TB, nom string) string {
	t.Helper()
	p := filepath.Join(dossierFixtures(), "protocols", "actes", nom)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s absente (définissez XDEMAT_FIXTURES vers shared/fixtures)", p)
	}
	return p
}

func lireFixture(t testing.TB, nom string) []byte {
	t.Helper()
	b, err := os.ReadFile(cheminFixture(t, nom))
	if err != nil {
		t.Fatal(err)
	}
	return b
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
