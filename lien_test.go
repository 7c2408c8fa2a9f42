package xdemat

import "testing"

func TestLien(t *testing.T) {
	tests := []struct {
		in   string
		want Lien
		ok   bool
	}{
		{"xdemat://notification/0b8f3c1e-8f44-4c59-9d3a-2f1f0c6a7b10", Lien{"notification", "0b8f3c1e-8f44-4c59-9d3a-2f1f0c6a7b10"}, true},
		{"xdemat://diagnostic", Lien{Ecran: "diagnostic"}, true},
		{" xdemat://historique/12 ", Lien{"historique", "12"}, true},
		{"https://example.fr/x", Lien{}, false},
		{"xdemat://notification/a/b", Lien{}, false},
		{"xdemat://Notif", Lien{}, false},
		{"xdemat://x?y=1", Lien{}, false},
		{"", Lien{}, false},
	}
	for _, tt := range tests {
		got, err := ParseLien(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLien(%q) = %+v, %v", tt.in, got, err)
			continue
		}
		if tt.ok {
			if again, err := ParseLien(got.String()); err != nil || again != got {
				t.Errorf("aller-retour de %q : %+v, %v", got.String(), again, err)
			}
		}
	}
	if (Lien{}).String() != "" {
		t.Error("lien vide : chaîne vide")
	}
}

func FuzzParseLien(f *testing.F) {
	f.Add("xdemat://notification/0b8f3c1e-8f44-4c59-9d3a-2f1f0c6a7b10")
	f.Add("xdemat://diagnostic")
	f.Add("xdemat://%00/..")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLien(s)
		if err != nil {
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("ParseLien a accepté un lien invalide %q : %v", s, err)
		}
		if again, err := ParseLien(l.String()); err != nil || again != l {
			t.Fatalf("aller-retour %q → %q : %+v %v", s, l.String(), again, err)
		}
	})
}
