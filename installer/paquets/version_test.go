package paquets

import (
	"os/exec"
	"strings"
	"testing"
)

// installer/version.sh turns `git describe` into package versions that grow
// with every commit, for dpkg and for Windows Installer.
func TestVersions(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash est absent")
	}
	for _, c := range []struct {
		nom, describe, deb, msi, suivante string
	}{
		{"version étiquetée", "v1.4.2", "1.4.2", "1.4.2", "1.4.3"},
		{"commits après l'étiquette", "v1.4.2-3-gabc1234", "1.4.2+3.gabc1234", "1.4.2", "1.4.3"},
		{"arbre modifié après l'étiquette", "v1.4.2-3-gabc1234-dirty", "1.4.2+3.gabc1234.dirty", "1.4.2", "1.4.3"},
		{"arbre modifié sur l'étiquette", "v2.0.0-dirty", "2.0.0+dirty", "2.0.0", "2.0.1"},
		{"hors de git", "dev", "0.0.0", "0.0.0", "0.0.1"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			got := versions(t, c.describe)
			if want := []string{c.deb, c.msi, c.suivante}; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s → deb, msi, suivante %v, attendu %v", c.describe, got, want)
			}
		})
	}

	t.Run("sans étiquette, le nombre de commits fait la version", func(t *testing.T) {
		count, err := exec.Command("git", "-C", racine, "rev-list", "--count", "HEAD").Output()
		if err != nil {
			t.Skip("pas de dépôt git ici")
		}
		n := strings.TrimSpace(string(count))
		got := versions(t, "abc1234")
		if got[0] != "0.0.0+"+n+".gabc1234" || got[1] != "0.0."+n {
			t.Errorf("abc1234 avec %s commits → %v", n, got)
		}
	})

	t.Run("dpkg classe les versions successives dans l'ordre", func(t *testing.T) {
		if _, err := exec.LookPath("dpkg"); err != nil {
			t.Skip("dpkg est absent")
		}
		suite := []string{"0.0.0", "0.0.0+9.gfff0000", "0.0.0+10.gabc1234", "0.0.0+10.gabc1234.dirty", "1.0.0", "1.0.0+1.g0000000", "1.0.1"}
		for i := 1; i < len(suite); i++ {
			if err := exec.Command("dpkg", "--compare-versions", suite[i-1], "lt", suite[i]).Run(); err != nil {
				t.Errorf("dpkg ne classe pas %s avant %s", suite[i-1], suite[i])
			}
		}
	})
}

func versions(t *testing.T, describe string) []string {
	t.Helper()
	cmd := exec.Command("bash", "-c", `. installer/version.sh && version_deb "$1" && version_msi "$1" && version_msi_suivante "$1"`, "-", describe)
	cmd.Dir = racine
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("version.sh %s : %v\n%s", describe, err, out)
	}
	return strings.Fields(string(out))
}
