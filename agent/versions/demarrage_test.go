package versions

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xdemat/miseajour"
)

func TestEcheanceDInstallation(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("fuseau Europe/Paris absent")
	}
	time.Local = paris
	for _, tc := range []struct {
		nom   string
		recue time.Time
		heure int
		want  time.Time
	}{
		{"reçue l'après-midi, installée à 3 h la nuit suivante", time.Date(2026, 3, 10, 14, 0, 0, 0, paris), 3, time.Date(2026, 3, 11, 3, 0, 0, 0, paris)},
		{"reçue à 2 h, installée à 3 h la même nuit", time.Date(2026, 3, 10, 2, 0, 0, 0, paris), 3, time.Date(2026, 3, 10, 3, 0, 0, 0, paris)},
		{"reçue à 3 h pile, installée la nuit d'après", time.Date(2026, 3, 10, 3, 0, 0, 0, paris), 3, time.Date(2026, 3, 11, 3, 0, 0, 0, paris)},
		{"heure -1 : tout de suite", time.Date(2026, 3, 10, 14, 0, 0, 0, paris), -1, time.Date(2026, 3, 10, 14, 0, 0, 0, paris)},
	} {
		if got := Echeance(tc.recue, tc.heure); !got.Equal(tc.want) {
			t.Errorf("%s : %v, attendu %v", tc.nom, got, tc.want)
		}
	}
}

// installe fakes what installer leaves after a trial passed: version 1.1.0
// in place, 1.0.0 beside it, a copy of the database, the trial marker.
func installe(t *testing.T) (d *Demarrage, exe, restic string) {
	t.Helper()
	data, bin := t.TempDir(), t.TempDir()
	exe, restic = filepath.Join(bin, "xdemat-agent"), filepath.Join(bin, "restic")
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(exe+SuffixePrecedent, "agent 1.0.0")
	write(exe, "agent 1.1.0")
	write(restic, "restic 1.1.0") // new with the release: no previous
	write(filepath.Join(data, "agent.db"), "base migrée par 1.1.0")
	write(dossier(data, dossierCopieBase, "agent.db"), "base de 1.0.0")
	write(dossier(data, dossierCopieBase, "complete"), "")
	b, _ := json.Marshal(essai{Version: "1.1.0", Precedente: "1.0.0", Fichiers: []string{restic, exe}})
	write(dossier(data, fichierEssai), string(b))
	return &Demarrage{DataDir: data, Version: "1.1.0", Exe: exe, EssaisMax: 3}, exe, restic
}

func TestNouvelleVersionQuiEchoueADemarrerApresSonEssai(t *testing.T) {
	d, exe, restic := installe(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if err := d.Preparer(ctx); err != nil {
			t.Fatalf("démarrage %d : %v", i, err)
		}
	}
	// The fourth start in a row without reaching Sain: back to 1.0.0.
	if err := d.Preparer(ctx); err != ErrRedemarrage {
		t.Fatalf("au 4e démarrage raté, retour attendu : %v", err)
	}
	if b, _ := os.ReadFile(exe); string(b) != "agent 1.0.0" {
		t.Fatalf("binaire rétabli : %q", b)
	}
	if _, err := os.Stat(restic); !os.IsNotExist(err) {
		t.Fatal("le fichier ajouté par la version retirée doit partir")
	}
	if b, _ := os.ReadFile(filepath.Join(d.DataDir, "agent.db")); string(b) != "base de 1.0.0" {
		t.Fatalf("base rétablie : %q", b)
	}
	e, err := lireEtat(d.DataDir)
	if err != nil || e.Statut != miseajour.Retablie || e.Version != "1.0.0" || e.Cible != "1.1.0" || !e.refusee("1.1.0") {
		t.Fatalf("état : %+v %v", e, err)
	}
	// The previous binary, now running, finds nothing more to do.
	prev := &Demarrage{DataDir: d.DataDir, Version: "1.0.0", Exe: exe}
	if err := prev.Preparer(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNouvelleVersionSaine(t *testing.T) {
	d, exe, _ := installe(t)
	if err := d.Preparer(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.Sain()
	if _, err := os.Stat(dossier(d.DataDir, fichierEssai)); !os.IsNotExist(err) {
		t.Fatal("le marqueur d'essai doit partir une fois l'agent en marche")
	}
	if _, err := os.Stat(dossier(d.DataDir, dossierCopieBase)); !os.IsNotExist(err) {
		t.Fatal("la copie de la base doit partir une fois l'agent en marche")
	}
	if b, _ := os.ReadFile(filepath.Join(d.DataDir, "agent.db")); string(b) != "base migrée par 1.1.0" {
		t.Fatalf("la base ne doit pas changer : %q", b)
	}
	if b, _ := os.ReadFile(exe + SuffixePrecedent); string(b) != "agent 1.0.0" {
		t.Fatal("la version précédente reste à côté")
	}
	e, _ := lireEtat(d.DataDir)
	if e.Statut != miseajour.Installee || e.Version != "1.1.0" || e.Signale {
		t.Fatalf("état : %+v", e)
	}
}

// TestVersionEnAttenteJamaisPlusAncienne: a staged release older or equal
// to the running one (say after a manual upgrade) is dropped, not installed.
func TestVersionEnAttenteJamaisPlusAncienne(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, 32))
	for _, v := range []string{"1.0.0", "0.9.0"} {
		data := t.TempDir()
		man, _ := json.Marshal(miseajour.Manifeste{Version: v, Binaires: []miseajour.Binaire{{OS: "linux", Arch: "amd64", Role: miseajour.RoleAgent, Nom: "xdemat-agent", Taille: 1, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}})
		os.MkdirAll(dossier(data, dossierAttente), 0o755)
		os.WriteFile(dossier(data, dossierAttente, "manifeste.json"), man, 0o644)
		os.WriteFile(dossier(data, dossierAttente, "manifeste.sig"), miseajour.Signer(key, man), 0o644)
		ecrireEtat(data, &etatLocal{AttenteDepuis: time.Now().Add(-48 * time.Hour)})
		d := &Demarrage{DataDir: data, Version: "1.0.0", Exe: filepath.Join(t.TempDir(), "xdemat-agent"), Cle: key.Public().(ed25519.PublicKey), HeureInstallation: -1}
		if err := d.Preparer(context.Background()); err != nil {
			t.Fatalf("%s : %v", v, err)
		}
		if _, err := os.Stat(dossier(data, dossierAttente)); !os.IsNotExist(err) {
			t.Fatalf("la version %s ne doit pas rester en attente", v)
		}
		if _, err := os.Stat(d.Exe); !os.IsNotExist(err) {
			t.Fatalf("rien ne doit être installé pour %s", v)
		}
	}
}
