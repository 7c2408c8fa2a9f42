package admin_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"xdemat/central/admin"
)

func TestAlphabetSansCaracteresAmbigus(t *testing.T) {
	for _, r := range "0O1IL" {
		if strings.ContainsRune(admin.CodeAlphabet, r) {
			t.Errorf("l'alphabet contient %q", r)
		}
	}
}

func TestNouveauCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		code, err := admin.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != admin.CodeLength || admin.NormalizeCode(code) != code {
			t.Fatalf("code %q", code)
		}
		for _, r := range code {
			if !strings.ContainsRune(admin.CodeAlphabet, r) {
				t.Fatalf("code %q : caractère %q hors alphabet", code, r)
			}
			counts[r]++
		}
		if seen[code] {
			t.Fatalf("code %q tiré deux fois", code)
		}
		seen[code] = true
	}
	// 24,000 draws over 31 characters: each appears about 774 times.
	for _, r := range admin.CodeAlphabet {
		if n := counts[r]; n < 550 || n > 1000 {
			t.Errorf("caractère %q tiré %d fois : tirage biaisé", r, n)
		}
	}
}

func TestFormatDesCodes(t *testing.T) {
	tests := []struct {
		nom, saisi, normalise, affiche string
	}{
		{"code tel que stocké", "ABCDEFGHJKMN", "ABCDEFGHJKMN", "ABCD-EFGH-JKMN"},
		{"saisi en minuscules avec tirets", "abcd-efgh-jkmn", "ABCDEFGHJKMN", "ABCD-EFGH-JKMN"},
		{"saisi avec espaces", " ABCD EFGH\tJKMN ", "ABCDEFGHJKMN", "ABCD-EFGH-JKMN"},
		{"dicté avec une espace insécable", "ABCD\u00a0EFGH-JKMN", "ABCDEFGHJKMN", "ABCD-EFGH-JKMN"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			if got := admin.NormalizeCode(tt.saisi); got != tt.normalise {
				t.Errorf("NormalizeCode(%q) = %q, %q attendu", tt.saisi, got, tt.normalise)
			}
			if got := admin.FormatCode(tt.saisi); got != tt.affiche {
				t.Errorf("FormatCode(%q) = %q, %q attendu", tt.saisi, got, tt.affiche)
			}
		})
	}
	if got, want := admin.EnrollCommand("https://central:8443", "ABCDEFGHJKMN", ""), "xdemat-agent enroll --central https://central:8443 --code ABCD-EFGH-JKMN"; got != want {
		t.Errorf("commande %q, %q attendu", got, want)
	}
}

func TestMotDePasseConsole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "donnees", "admin.secret")
	first, err := admin.LoadOrCreatePassword(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 24 {
		t.Fatalf("mot de passe trop court : %q", first)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("droits %v, 0600 attendu", fi.Mode().Perm())
		}
	}
	again, err := admin.LoadOrCreatePassword(path)
	if err != nil || string(again) != string(first) {
		t.Fatalf("second démarrage : %q, %v (%q attendu)", again, err, first)
	}
	if err := os.WriteFile(path, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.LoadOrCreatePassword(path); err == nil || !strings.Contains(err.Error(), "supprimez-le") {
		t.Fatalf("fichier vide : %v", err)
	}
}
