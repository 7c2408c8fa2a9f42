package paquets

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// racine is the repository root, seen from this package.
const racine = "../.."

// dossierPaquets returns the folder `make package` filled, or skips.
func dossierPaquets(t *testing.T) string {
	t.Helper()
	d := os.Getenv("XDEMAT_PAQUETS")
	if d == "" {
		t.Skip("XDEMAT_PAQUETS n'est pas défini : ces vérifications portent sur les paquets construits, lancez « make package-test »")
	}
	return d
}

// paquet returns the single file of dir matching pattern.
func paquet(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(m) == 0 {
		t.Fatalf("aucun %s dans %s : « make package » l'aurait construit", pattern, dir)
	}
	if len(m) > 1 {
		// Several builds left there: the newest is the one just made.
		newest, when := "", int64(0)
		for _, f := range m {
			if st, err := os.Stat(f); err == nil && st.ModTime().UnixNano() > when {
				newest, when = f, st.ModTime().UnixNano()
			}
		}
		return newest
	}
	return m[0]
}

// outil skips the test when a command is missing.
func outil(t *testing.T, noms ...string) {
	t.Helper()
	for _, n := range noms {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("%s est absent : installez-le (make deps) pour vérifier les paquets", n)
		}
	}
}

// lancer runs a command and returns its standard output, failing the test
// with both outputs when it fails.
func lancer(t *testing.T, nom string, args ...string) string {
	t.Helper()
	out, err := lancerErr(nom, args...)
	if err != nil {
		t.Fatalf("%s %s : %v\n%s", nom, strings.Join(args, " "), err, out)
	}
	return out
}

func lancerErr(nom string, args ...string) (string, error) {
	cmd := exec.Command(nom, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}
