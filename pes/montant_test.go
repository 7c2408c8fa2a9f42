package pes

import "testing"

func TestMontants(t *testing.T) {
	cas := []struct {
		pes     string
		ok      bool
		valeur  Montant
		affiche string
	}{
		{"4874.40", true, 487440, "4\u202f874,40\u00a0€"},
		{"55.22", true, 5522, "55,22\u00a0€"},
		{"12", true, 1200, "12,00\u00a0€"},
		{"0.5", true, 50, "0,50\u00a0€"},
		{".5", true, 50, "0,50\u00a0€"},
		{"-12.30", true, -1230, "-12,30\u00a0€"},
		{"45064101.79", true, 4506410179, "45\u202f064\u202f101,79\u00a0€"},
		{" 7.00 ", true, 700, "7,00\u00a0€"},
		{"", false, 0, ""},
		{".", false, 0, ""},
		{"12,50", false, 0, ""},
		{"1.234", false, 0, ""},
		{"1e3", false, 0, ""},
		{"--1", false, 0, ""},
		{"99999999999999999.00", false, 0, ""},
	}
	for _, c := range cas {
		t.Run(c.pes, func(t *testing.T) {
			m, ok := lireMontant(c.pes)
			if ok != c.ok || m != c.valeur {
				t.Fatalf("lireMontant(%q) = %d, %v ; attendu %d, %v", c.pes, m, ok, c.valeur, c.ok)
			}
			if ok && m.String() != c.affiche {
				t.Errorf("affichage %q, attendu %q", m.String(), c.affiche)
			}
			if ok {
				if relu, _ := lireMontant(m.PES()); relu != m {
					t.Errorf("PES() %q ne se relit pas", m.PES())
				}
			}
		})
	}
}
