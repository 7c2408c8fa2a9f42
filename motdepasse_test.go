package xdemat

import (
	"strings"
	"testing"
)

func TestMotDePasse(t *testing.T) {
	h, err := HacherMotDePasse("Mairie de Sédan 08")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "Sédan") || !strings.HasPrefix(h, prefixeEmpreinte) {
		t.Fatalf("empreinte inattendue : %s", h)
	}
	if h2, _ := HacherMotDePasse("Mairie de Sédan 08"); h2 == h {
		t.Error("deux empreintes du même mot de passe doivent différer (sel)")
	}
	for _, tt := range []struct {
		name, mdp string
		ok        bool
	}{
		{"bon mot de passe", "Mairie de Sédan 08", true},
		{"majuscule oubliée", "mairie de Sédan 08", false},
		{"vide", "", false},
	} {
		if got := VerifierMotDePasse(h, tt.mdp); got != tt.ok {
			t.Errorf("%s : %v", tt.name, got)
		}
	}
	if !VerifierMotDePasse("", "n'importe quoi") {
		t.Error("un profil sans mot de passe s'ouvre sans mot de passe")
	}
	for _, abime := range []string{"pbkdf2-sha256$x$y$z", "pbkdf2-sha256$0$AA$AA", "md5$abc", "pbkdf2-sha256$99999999999$AA$AA"} {
		if VerifierMotDePasse(abime, "Mairie de Sédan 08") {
			t.Errorf("empreinte abîmée %q acceptée", abime)
		}
	}
	if _, err := HacherMotDePasse("court"); ErrorCode(err) != EINVALID {
		t.Errorf("mot de passe trop court : %v", err)
	}
}

func TestNormaliserTelephone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"06 12 34 56 78", "+33612345678"},
		{"07.12.34.56.78", "+33712345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"0033612345678", "+33612345678"},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := NormaliserTelephone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormaliserTelephone(%q) = %q, %v", tt.in, got, err)
		}
	}
	for _, bad := range []string{"03 24 56 78 90", "06 12", "06-12-34-56-7a", "+44 7700 900123"} {
		if _, err := NormaliserTelephone(bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q accepté comme mobile français", bad)
		}
	}
}
