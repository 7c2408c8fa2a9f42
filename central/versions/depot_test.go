package versions_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/postgres"
	"xdemat/central/postgres/postgrestest"
	"xdemat/central/sqlite"
	"xdemat/central/versions"
	"xdemat/miseajour"
)

var cle = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))

// build writes a build folder: one folder per platform with its binaries.
func build(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPublicationDesVersions(t *testing.T) {
	d, err := versions.Ouvrir(filepath.Join(t.TempDir(), "releases"))
	if err != nil {
		t.Fatal(err)
	}
	pub := cle.Public().(ed25519.PublicKey)
	if _, err := d.Derniere(); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("aucune version publiée : %v", err)
	}
	b := build(t, map[string]string{
		"linux-amd64/xdemat-agent":       "agent linux",
		"linux-amd64/restic":             "restic linux",
		"windows-amd64/xdemat-agent.exe": "agent windows",
		"windows-amd64/xdemat.exe":       "application windows",
		"windows-amd64/notes.txt":        "ignoré",
		"docs/lisez-moi":                 "ignoré",
	})
	m, err := d.Publier("v1.2.0", b, cle)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "1.2.0" || len(m.Binaires) != 4 || len(m.Pour("windows", "amd64")) != 2 {
		t.Fatalf("manifeste : %+v", m)
	}
	p, err := d.Derniere()
	if err != nil {
		t.Fatal(err)
	}
	lu, err := miseajour.Verifier(pub, p)
	if err != nil || lu.Version != "1.2.0" {
		t.Fatalf("publication vérifiée avec la clé publique : %v", err)
	}
	f, err := d.Binaire("1.2.0", "windows-amd64", "xdemat.exe")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, tc := range []struct {
		nom                     string
		version, plateforme, fi string
	}{
		{"fichier hors manifeste", "1.2.0", "windows-amd64", "notes.txt"},
		{"remontée de dossier", "1.2.0", "..", "manifeste.json"},
		{"version mal écrite", "../1.2.0", "linux-amd64", "xdemat-agent"},
		{"plateforme inconnue", "1.2.0", "plan9-amd64", "xdemat-agent"},
		{"binaire absent de la version", "1.2.0", "linux-amd64", "xdemat"},
	} {
		if _, err := d.Binaire(tc.version, tc.plateforme, tc.fi); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Errorf("%s : %v", tc.nom, err)
		}
	}

	for _, tc := range []struct {
		nom, version string
		files        map[string]string
		code         string
		contient     string
	}{
		{"même version", "1.2.0", map[string]string{"linux-amd64/xdemat-agent": "x"}, xdemat.ECONFLICT, "plus récente"},
		{"version plus ancienne", "1.1.9", map[string]string{"linux-amd64/xdemat-agent": "x"}, xdemat.ECONFLICT, "déjà publiée"},
		{"version de développement", "dev", map[string]string{"linux-amd64/xdemat-agent": "x"}, xdemat.EINVALID, "MAJEUR"},
		{"dossier sans binaire", "1.3.0", map[string]string{"linux-amd64/autre": "x"}, xdemat.EINVALID, "Aucun binaire"},
		{"application sans agent", "1.3.0", map[string]string{"linux-amd64/xdemat": "x"}, xdemat.EINVALID, "pas d'agent"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			_, err := d.Publier(tc.version, build(t, tc.files), cle)
			if xdemat.ErrorCode(err) != tc.code || !strings.Contains(xdemat.ErrorMessage(err), tc.contient) {
				t.Fatalf("erreur %v, attendu %s « %s »", err, tc.code, tc.contient)
			}
		})
	}
	if vs, _ := d.Versions(); len(vs) != 1 {
		t.Fatalf("une publication refusée ne laisse rien : %v", vs)
	}
	if _, err := d.Publier("1.10.0", build(t, map[string]string{"linux-amd64/xdemat-agent": "x"}), cle); err != nil {
		t.Fatal(err)
	}
	if p, _ := d.Derniere(); !bytes.Contains(p.Manifeste, []byte(`"1.10.0"`)) {
		t.Fatal("1.10.0 est plus récente que 1.2.0")
	}
}

func TestEtatsDesPostes(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		st, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		testEtats(t, st)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), postgrestest.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		testEtats(t, st)
	})
}

type storeEtats interface {
	central.Store
	versions.Etats
}

func testEtats(t *testing.T, st storeEtats) {
	ctx := context.Background()
	c := &xdemat.Commune{SIREN: "215100009", Nom: "Commune A", Departement: "51", Population: 180}
	if err := st.CreateCommune(ctx, c); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := st.CreateCode(ctx, &xdemat.CodeEnrolement{Code: "AAAABBBBCCCC", CommuneID: c.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	p := &xdemat.Poste{Nom: "PC-MAIRIE", ClePublique: cle.Public().(ed25519.PublicKey)}
	if err := st.Enroll(ctx, "AAAABBBBCCCC", p, now); err != nil {
		t.Fatal(err)
	}
	var etats versions.Etats = st
	var err error
	if err := etats.EnregistrerEtatMiseAJour(ctx, &miseajour.Etat{Version: "1.0.0", Statut: miseajour.AJour}, now); xdemat.ErrorCode(err) != xdemat.EUNAUTHORIZED {
		t.Fatalf("sans poste authentifié : %v", err)
	}
	pctx := xdemat.NewContextWithPoste(ctx, p)
	for _, e := range []*miseajour.Etat{
		{Version: "1.0.0", Statut: miseajour.Telechargee, Cible: "1.1.0", Le: now},
		{Version: "1.0.0", Statut: miseajour.Retablie, Cible: "1.1.0", Message: "La version 1.1.0 n'a pas démarré.", Le: now.Add(time.Minute)},
	} {
		if err := etats.EnregistrerEtatMiseAJour(pctx, e, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := etats.EnregistrerEtatMiseAJour(pctx, &miseajour.Etat{Statut: "inconnu"}, now); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("état inconnu : %v", err)
	}
	all, err := etats.EtatsMiseAJour(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e := all[p.ID]; len(all) != 1 || e.Statut != miseajour.Retablie || e.Cible != "1.1.0" || !strings.Contains(e.Message, "pas démarré") {
		t.Fatalf("états : %+v", all)
	}
}
