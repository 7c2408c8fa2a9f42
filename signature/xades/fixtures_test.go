package xades

import (
	"strings"
	"testing"
	"time"
	"xdemat/internal/fixtures"
)

// dossierFixtures is the shared fixtures folder (internal/fixtures).
func dossierFixtures(t testing.TB) string { return fixtures.Dossier() }

// lireFixture reads a sample, or skips the test when absent.
func lireFixture(t testing.TB, nom string) []byte {
	t.Helper()
	return fixtures.Lire(t, "protocols", "helios", nom)
}

func TestVerifierFixtures(t *testing.T) {
	cas := []struct {
		nom, fichier string
		valide       bool
		motif        string // part of the expected Motif
		avert        string // part of an expected warning
	}{
		{"PES réel signé par bordereau (Berger-Levrault 2019, SHA-256)", "signed/PESALR2_25060187900027_190328_001.xml", true, "valide au moment de la signature", "expiré le"},
		{"PES altéré après signature", "signed/test-alteree.xml", false, "modifié après la signature", "SHA-1"},
		// Signed on 8 March 2018 with a certificate that expired on 4 April
		// 2016: the bytes are intact but the signature is not valid.
		{"PES signé avec un certificat déjà périmé", "signed/test-perime-04-04-2016.xml", false, "n'était pas valide à la date de signature", ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			res, err := Verifier(lireFixture(t, c.fichier), OptionsVerification{Maintenant: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 {
				t.Fatalf("%d signatures, 1 attendue", len(res))
			}
			r := res[0]
			t.Log(r)
			if r.Valide != c.valide || !strings.Contains(r.Motif, c.motif) {
				t.Fatalf("résultat %v, attendu valide=%v et motif contenant %q", r, c.valide, c.motif)
			}
			if c.avert != "" && !strings.Contains(strings.Join(r.Avertissements, ";"), c.avert) {
				t.Fatalf("avertissements %v, attendu %q", r.Avertissements, c.avert)
			}
		})
	}
}
