package restic

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func bin(t *testing.T) string {
	t.Helper()
	p, err := Trouver()
	if err == nil {
		if out, _ := exec.Command(p, "version").Output(); bytes.Contains(out, []byte("restic 0.1")) && !bytes.Contains(out, []byte("restic 0.14")) {
			return p
		}
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "restic"); existe(p) {
			return p
		}
	}
	t.Skip("restic 0.18 introuvable : lancez installer/deps.sh (make deps) pour l'installer")
	return ""
}

func depotLocal(t *testing.T, mdp string) Depot {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "mdp")
	if err := os.WriteFile(f, []byte(mdp), 0o600); err != nil {
		t.Fatal(err)
	}
	return Depot{URL: filepath.Join(dir, "depot"), FichierMotDePasse: f, Cache: filepath.Join(dir, "cache")}
}

func aleatoire(t *testing.T, p string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSauvegardeEtRestauration(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	ctx := context.Background()
	r := &Restic{Bin: bin(t), Depot: depotLocal(t, "mot de passe du dépôt")}
	if err := r.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx); err != nil {
		t.Fatalf("un dépôt déjà créé n'est pas une erreur : %v", err)
	}
	src := t.TempDir()
	acte := aleatoire(t, filepath.Join(src, "Actes", "arrete-2026-031.pdf"), 200<<10)
	aleatoire(t, filepath.Join(src, "Compta", "mandats.xml"), 3<<20)

	var statuts atomic.Int64
	res, err := r.Backup(ctx, "mairie", []string{src}, nil, func(Progression) { statuts.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if res.FichiersNouveaux != 2 || res.Instantane == "" || res.OctetsTraites < 3<<20 || res.Fin.Before(res.Debut) {
		t.Fatalf("résumé : %+v", res)
	}
	_ = statuts.Load() // a small backup may end before its first status line (TestAnnulation needs them)
	res2, err := r.Backup(ctx, "mairie", []string{src}, nil, nil)
	if err != nil || res2.FichiersInchanges != 2 || res2.FichiersNouveaux != 0 {
		t.Fatalf("seconde sauvegarde sans changement : %+v %v", res2, err)
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil || len(snaps) != 2 || snaps[1].Host != "mairie" {
		t.Fatalf("instantanés : %+v %v", snaps, err)
	}
	cible := t.TempDir()
	p := filepath.Join(src, "Actes", "arrete-2026-031.pdf")
	var derniere Progression
	if err := r.Restore(ctx, snaps[0].ID, cible, []string{p}, func(pr Progression) { derniere = pr }); err != nil {
		t.Fatal(err)
	}
	if derniere.Fraction != 1 || derniere.FichiersFaits < 1 || derniere.OctetsFaits != 200<<10 {
		t.Fatalf("la restauration doit finir sur une progression complète : %+v", derniere)
	}
	if got, err := os.ReadFile(filepath.Join(cible, p)); err != nil || !bytes.Equal(got, acte) {
		t.Fatalf("fichier restauré différent (%v)", err)
	}
	noeuds, err := r.Ls(ctx, snaps[0].ID, filepath.Join(src, "Actes"))
	if err != nil || len(noeuds) != 1 || noeuds[0].Nom != "arrete-2026-031.pdf" || noeuds[0].Taille != 200<<10 || noeuds[0].Type != "file" {
		t.Fatalf("contenu du dossier Actes : %+v %v", noeuds, err)
	}
	if err := r.Check(ctx, "1/2"); err != nil {
		t.Fatal(err)
	}
}

func TestCodesDeSortie(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	ctx := context.Background()
	b := bin(t)
	bon := depotLocal(t, "le bon mot de passe")
	if err := (&Restic{Bin: b, Depot: bon}).Init(ctx); err != nil {
		t.Fatal(err)
	}
	faux := bon
	faux.FichierMotDePasse = filepath.Join(t.TempDir(), "faux")
	os.WriteFile(faux.FichierMotDePasse, []byte("un autre"), 0o600)
	for _, tt := range []struct {
		name   string
		depot  Depot
		code   int
		phrase string
	}{
		{"mauvais mot de passe de dépôt", faux, codeMotDePasse, "mot de passe du dépôt"},
		{"dépôt absent", depotLocal(t, "x"), codeSansDepot, "n'existe pas encore"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&Restic{Bin: b, Depot: tt.depot}).Snapshots(ctx)
			var e *Erreur
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.phrase) {
				t.Fatalf("erreur %v, attendu le code %d et « %s »", err, tt.code, tt.phrase)
			}
		})
	}
}

func TestAnnulation(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	r := &Restic{Bin: bin(t), Depot: depotLocal(t, "mot de passe"), Arret: 10 * time.Second, Images: 20}
	if err := r.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	for i := range 8 {
		aleatoire(t, filepath.Join(src, "scans", string(rune('a'+i))+".pdf"), 16<<20)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var once atomic.Bool
	_, err := r.Backup(ctx, "mairie", []string{src}, nil, func(Progression) {
		if once.CompareAndSwap(false, true) {
			cancel()
		}
	})
	var e *Erreur
	if !errors.As(err, &e) || e.Code != codeInterrompu {
		t.Fatalf("sauvegarde annulée : %v", err)
	}
	// Interrupted cleanly: no lock left, the repository checks clean.
	if err := r.Check(context.Background(), ""); err != nil {
		t.Fatalf("dépôt après annulation : %v", err)
	}
}

func TestMessages(t *testing.T) {
	for _, tt := range []struct {
		name   string
		code   int
		sortie string
		phrase string
	}{
		{"espace plein chez la SPL", 1, "Save(<data/1a2b>) returned error: unexpected HTTP response (507): 507 Insufficient Storage", "espace de sauvegarde de la commune est plein"},
		{"accès refusé", 1, "unexpected HTTP response (403): 403 Forbidden", "refusé l'accès"},
		{"réseau coupé", 1, "dial tcp: connection refused", "retentée"},
		{"dépôt verrouillé", 11, "repository is already locked", "occupé"},
		{"fichiers illisibles ne trompent pas sur le quota", 3, "/tmp/x507y/fichier: permission denied", "code 3"},
		{"code inconnu", 42, "", "code 42"},
	} {
		if got := message(tt.code, tt.sortie); !strings.Contains(got, tt.phrase) {
			t.Errorf("%s : %q ne dit pas « %s »", tt.name, got, tt.phrase)
		}
	}
}
