package main

import (
	"io"
	"runtime"
	"testing"
	"time"

	"xdemat"
)

func TestLigneDeCommande(t *testing.T) {
	for _, tc := range []struct {
		nom    string
		args   []string
		lien   xdemat.Lien
		mesure time.Duration
		erreur string // code
	}{
		{"sans rien, l'accueil", nil, xdemat.Lien{}, 0, ""},
		{"un lien vers une notification", []string{"xdemat://notification/00000000-0000-4000-8000-000000000001"}, xdemat.Lien{Ecran: "notification", ID: "00000000-0000-4000-8000-000000000001"}, 0, ""},
		{"un lien et un dossier", []string{"-data", "/tmp/x", "xdemat://diagnostic"}, xdemat.Lien{Ecran: "diagnostic"}, 0, ""},
		{"la mesure du ticket", []string{"-mesure", "1m"}, xdemat.Lien{}, time.Minute, ""},
		{"un lien illisible", []string{"https://exemple.fr"}, xdemat.Lien{}, 0, xdemat.EINVALID},
		{"deux liens", []string{"xdemat://diagnostic", "xdemat://parametres"}, xdemat.Lien{}, 0, xdemat.EINVALID},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			cfg, err := parseFlags(tc.args, io.Discard)
			if got := xdemat.ErrorCode(err); got != tc.erreur {
				t.Fatalf("erreur = %v, veut le code %q", err, tc.erreur)
			}
			if err != nil {
				return
			}
			if cfg.lien != tc.lien || cfg.mesure != tc.mesure {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
}

func TestMemoireResidente(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmRSS se lit dans /proc, sous Linux seulement")
	}
	// A Go test process holds a few Mo at least.
	if got := rssMo(); got < 1 {
		t.Errorf("rssMo = %v", got)
	}
}
