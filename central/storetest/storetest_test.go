package storetest_test

import (
	"testing"

	"xdemat"
	"xdemat/central/storetest"
)

func TestSIREN(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		s := storetest.SIREN()
		if !xdemat.ValidSIREN(s) {
			t.Fatalf("SIREN() = %q, not a valid SIREN", s)
		}
		if seen[s] {
			t.Fatalf("SIREN() returned %q twice", s)
		}
		seen[s] = true
	}
}
