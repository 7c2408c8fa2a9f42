package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"xdemat"
)

func TestEnrolementEnLigneDeCommande(t *testing.T) {
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Commune de Démonstration", sirens[0])
	expired := "EXPIRE000001"
	past := time.Now().Add(-72 * time.Hour)
	if err := c.Store.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: expired, CommuneID: commune.ID, CreeLe: past, ExpireLe: past.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		t.Fatal(err)
	}
	enrolled := shortTempDir(t)
	enrollAgent(t, c, code, enrolled)

	for _, tc := range []struct {
		nom     string
		dataDir string
		args    []string
		message string
	}{
		{"sans adresse ni code", shortTempDir(t), nil, "indiquez l'adresse du serveur"},
		{"adresse sans https", shortTempDir(t), []string{"-central", "http://" + c.Addr, "-code", code}, "doit commencer par https://"},
		{"code inconnu", shortTempDir(t), []string{"-central", "https://" + c.Addr, "-code", "ABCD-EFGH-JKMN", "-empreinte", c.Pin}, "code d'enrôlement est inconnu"},
		{"code expiré", shortTempDir(t), []string{"-central", "https://" + c.Addr, "-code", expired, "-empreinte", c.Pin}, "expiré"},
		{"code déjà utilisé", shortTempDir(t), []string{"-central", "https://" + c.Addr, "-code", code, "-empreinte", c.Pin}, "déjà servi"},
		{"serveur qui n'est pas celui de la SPL", shortTempDir(t), []string{"-central", "https://" + c.Addr, "-code", newCode(t, c.Store, commune.ID), "-empreinte", strings.Repeat("0", 64)}, "certificat inattendu"},
		{"poste déjà enrôlé", enrolled, []string{"-central", "https://" + c.Addr, "-code", newCode(t, c.Store, commune.ID), "-empreinte", c.Pin}, "déjà enrôlé"},
		{"serveur injoignable", shortTempDir(t), []string{"-central", "https://127.0.0.1:1", "-code", code}, "injoignable"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			var out bytes.Buffer
			err := Execute(context.Background(), append([]string{"enroll", "-data", tc.dataDir}, tc.args...), &out)
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("erreur = %v, attendu un message contenant %q", err, tc.message)
			}
		})
	}
	// Only the first enrollment recorded a poste.
	postes, err := c.Store.ListPostes(context.Background(), commune.ID)
	if err != nil || len(postes) != 1 {
		t.Fatalf("postes de la commune : %d, %v", len(postes), err)
	}
}

func TestEtatDuPosteEnLigneDeCommande(t *testing.T) {
	dataDir := shortTempDir(t)
	var out bytes.Buffer
	err := Execute(context.Background(), []string{"status", "-data", dataDir}, &out)
	if err == nil || !strings.Contains(err.Error(), "ne répond pas") {
		t.Fatalf("sans agent : %v", err)
	}
	m := startAgent(t, dataDir)
	defer m.Close()
	out.Reset()
	if err := Execute(context.Background(), []string{"status", "-data", dataDir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Poste non enrôlé") || !strings.Contains(out.String(), "0 opération(s)") {
		t.Fatalf("état affiché :\n%s", out.String())
	}
}

func TestConfigurationDuService(t *testing.T) {
	cfg := serviceConfig("/var/lib/xdemat")
	if cfg.Name != "xdemat-agent" || strings.Join(cfg.Arguments, " ") != "run -data /var/lib/xdemat" {
		t.Fatalf("configuration : %+v", cfg)
	}
	if cfg.Option["Restart"] != "always" {
		t.Fatal("le service doit redémarrer après une erreur fatale")
	}
	var out bytes.Buffer
	if err := Execute(context.Background(), []string{"commande-inconnue"}, &out); err == nil || !strings.Contains(out.String(), "xdemat-agent enroll") {
		t.Fatalf("une commande inconnue doit afficher l'aide : %v\n%s", err, out.String())
	}
}
