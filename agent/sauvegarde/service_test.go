package sauvegarde

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/restic"
	"xdemat/agent/sqlite"
	"xdemat/central/protocol"
)

// centralFaux hands out a local repository and keeps the escrowed password.
type centralFaux struct {
	mu      sync.Mutex
	depot   string
	sequest string
	depots  int
	err     error
}

func (c *centralFaux) AccesSauvegarde(context.Context, string) (*protocol.AccesSauvegarde, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	return &protocol.AccesSauvegarde{Depot: c.depot, MotDePasseDepot: c.sequest, Quota: xdemat.QuotaSauvegardeDefaut}, nil
}

func (c *centralFaux) DeposerCle(_ context.Context, mdp string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.depots++
	if c.sequest != "" && c.sequest != mdp {
		return xdemat.Errorf(xdemat.ECONFLICT, "déjà là")
	}
	c.sequest = mdp
	return nil
}

func resticBin(t *testing.T) string {
	t.Helper()
	if p, err := restic.Trouver(); err == nil {
		if out, _ := exec.Command(p, "version").Output(); bytes.Contains(out, []byte("restic 0.18")) {
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

func existe(p string) bool { _, err := os.Stat(p); return err == nil }

func magasin(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id := &agent.Identity{PosteID: uuid.NewString(), Commune: xdemat.Commune{ID: uuid.NewString(), Nom: "Saint-Amand"}, CentralURL: "https://central.invalid"}
	if err := st.SaveIdentity(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	return st
}

func ecrireFichier(t *testing.T, p, contenu string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(contenu), 0o600); err != nil {
		t.Fatal(err)
	}
}

func operations(t *testing.T, st *sqlite.Store, typ string) int {
	t.Helper()
	ops, err := st.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range ops {
		if o.Type == typ {
			n++
		}
	}
	return n
}

func TestSauvegardeRestaurationEtNouveauPC(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	ctx := context.Background()
	bin := resticBin(t)
	central := &centralFaux{depot: filepath.Join(t.TempDir(), "depot")}
	st := magasin(t)
	bus := agent.NewBus()
	evs, fin := bus.Subscribe()
	defer fin()
	s := &Service{Store: st, DataDir: t.TempDir(), Restic: bin, Bus: bus}
	s.Relier(central)

	src := t.TempDir()
	acte := filepath.Join(src, "Actes", "arrete-2026-031.txt")
	ecrireFichier(t, acte, "Le maire arrête : article premier.")
	ecrireFichier(t, filepath.Join(src, "Compta", "mandats.xml"), "<mandats/>")
	if err := s.Configurer(ctx, agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{src}}, "secretaire"); err != nil {
		t.Fatal(err)
	}
	r, err := s.Sauvegarder(ctx)
	if err != nil || r.Statut != xdemat.SauvegardeReussie || r.Instantane == "" || r.FichiersNouveaux < 3 {
		t.Fatalf("première sauvegarde : %+v %v", r, err)
	}
	if central.sequest == "" || central.depots != 1 {
		t.Fatalf("le mot de passe du dépôt est déposé une fois chez central : %d dépôts", central.depots)
	}
	if info, err := os.Stat(s.fichierCle()); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("clé du dépôt : %v %v", info, err)
	}
	if m, _ := filepath.Glob(filepath.Join(s.dir(), "restic-mdp-*")); len(m) != 0 {
		t.Fatalf("fichier de mot de passe laissé après restic : %v", m)
	}
	if n := operations(t, st, xdemat.OperationSauvegardeTerminee); n != 1 {
		t.Fatalf("opérations sauvegarde.terminee : %d", n)
	}
	if e, err := s.Etat(ctx); err != nil || r.OctetsAjoutes == 0 || e.Utilise != r.OctetsAjoutes {
		t.Fatalf("l'espace utilisé affiché doit compter ce que la sauvegarde vient d'ajouter (%d) : %+v %v", r.OctetsAjoutes, e, err)
	}
	terminee := false
	for len(evs) > 0 {
		if ev := <-evs; ev.Type == "sauvegarde.terminee" {
			terminee = true
		}
	}
	if !terminee {
		t.Fatal("l'application n'est pas prévenue de la fin de la sauvegarde")
	}

	ecrireFichier(t, acte, "Le maire arrête : article premier, modifié par erreur.")
	r2, err := s.Sauvegarder(ctx)
	if err != nil || r2.FichiersModifies < 1 || r2.FichiersInchanges < 1 {
		t.Fatalf("sauvegarde incrémentale : %+v %v", r2, err)
	}
	e, err := s.Etat(ctx)
	if err != nil || e.DerniereReussie == nil || e.DerniereReussie.ID != r2.ID || e.Quota != xdemat.QuotaSauvegardeDefaut || e.Prochaine.IsZero() {
		t.Fatalf("état : %+v %v", e, err)
	}

	snaps, err := s.Instantanes(ctx)
	if err != nil || len(snaps) != 2 || snaps[1].ID != r.Instantane {
		t.Fatalf("instantanés, du plus récent au plus ancien : %+v %v", snaps, err)
	}
	contenu, err := s.Contenu(ctx, r.Instantane, filepath.Join(src, "Actes"))
	if err != nil || len(contenu) != 1 || contenu[0].Chemin != acte || contenu[0].Dossier {
		t.Fatalf("contenu du dossier Actes : %+v %v", contenu, err)
	}
	if _, err := s.Contenu(ctx, "--help", "/"); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("identifiant d'instantané pris pour une option : %v", err)
	}

	// Back to its place, as it was at the first backup: the current version is kept aside.
	res, err := s.Restaurer(ctx, agent.DemandeRestauration{Instantane: r.Instantane, Chemins: []string{acte}})
	if err != nil || res.Fichiers != 1 {
		t.Fatalf("restauration à sa place : %+v %v", res, err)
	}
	if b, _ := os.ReadFile(acte); string(b) != "Le maire arrête : article premier." {
		t.Fatalf("fichier restauré : %q", b)
	}
	gardes, _ := filepath.Glob(filepath.Join(src, "Actes", "arrete-2026-031 (avant restauration du *).txt"))
	if len(gardes) != 1 {
		t.Fatalf("la version remplacée n'est pas gardée : %v", gardes)
	}
	if b, _ := os.ReadFile(gardes[0]); !strings.Contains(string(b), "modifié par erreur") {
		t.Fatalf("version gardée : %q", b)
	}
	if _, err := s.Restaurer(ctx, agent.DemandeRestauration{Instantane: r.Instantane}); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("tout remettre en place depuis l'application : %v", err)
	}

	ex, err := s.Exercice(ctx)
	if err != nil || ex.Statut != xdemat.SauvegardeReussie || ex.FichiersInchanges == 0 {
		t.Fatalf("exercice de restauration : %+v %v", ex, err)
	}

	// A new PC: nothing on the poste, the password comes from the escrow.
	neuf := &Service{Store: magasin(t), DataDir: t.TempDir(), Restic: bin}
	neuf.Relier(central)
	ailleurs := t.TempDir()
	res, err = neuf.RestaurerTout(ctx, agent.DemandeRestauration{Cible: ailleurs})
	if err != nil || res.Fichiers < 3 {
		t.Fatalf("restauration complète sur un nouveau PC : %+v %v", res, err)
	}
	if b, err := os.ReadFile(filepath.Join(ailleurs, filepath.FromSlash(relatif(versInstantane(acte))))); err != nil || !strings.Contains(string(b), "modifié par erreur") {
		t.Fatalf("le nouveau PC restaure la dernière sauvegarde : %q %v", b, err)
	}
	if central.depots != 1 {
		t.Fatalf("le nouveau PC a déposé une autre clé : %d dépôts", central.depots)
	}
}

func TestEchecLeveUneNotificationParJour(t *testing.T) {
	ctx := context.Background()
	st := magasin(t)
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	s := &Service{Store: st, DataDir: t.TempDir(), Restic: "/bin/true", Now: func() time.Time { return now }}
	s.Relier(&centralFaux{err: xdemat.Errorf(xdemat.EUNAVAILABLE, "Le serveur central ne répond pas.")})
	if err := s.Configurer(ctx, agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{t.TempDir()}}, "secretaire"); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the night's retries
		r, err := s.Sauvegarder(ctx)
		if err == nil || r.Statut != xdemat.SauvegardeEchouee || !strings.Contains(r.Erreur, "ne répond pas") {
			t.Fatalf("sauvegarde sans central : %+v %v", r, err)
		}
		now = now.Add(Reessai)
	}
	ns, err := st.Notifications(ctx, agent.FiltreNotifications{}, now)
	if err != nil || len(ns) != 1 || ns[0].Type != xdemat.NotificationSauvegardeEchec || ns[0].Objet.Ecran != "sauvegarde" {
		t.Fatalf("une notification pour la nuit : %+v %v", ns, err)
	}
	if n := operations(t, st, xdemat.OperationSauvegardeTerminee); n != 3 {
		t.Fatalf("chaque essai est rapporté à central : %d", n)
	}
	now = now.Add(24 * time.Hour)
	s.Sauvegarder(ctx)
	if ns, _ := st.Notifications(ctx, agent.FiltreNotifications{}, now); len(ns) != 2 {
		t.Fatalf("la nuit suivante échoue aussi : %d notifications", len(ns))
	}
}

// horloge is a fake clock: Minuteur hands the asked delay to the test,
// which fires it.
type horloge struct {
	minuteurs chan minuteur
}

type minuteur struct {
	d   time.Duration
	feu chan time.Time
}

func (h *horloge) minuteur(d time.Duration) <-chan time.Time {
	m := minuteur{d, make(chan time.Time, 1)}
	h.minuteurs <- m
	return m.feu
}

func TestRattrapageAuDemarrageEtNouvelEssai(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := magasin(t)
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC) // the PC was off at 2 h
	var mu sync.Mutex
	h := &horloge{minuteurs: make(chan minuteur, 16)}
	s := &Service{Store: st, DataDir: t.TempDir(), Restic: "/bin/true", Minuteur: h.minuteur,
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	central := &centralFaux{err: errors.New("réseau coupé")}
	s.Relier(central)
	if err := s.Configurer(ctx, agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{t.TempDir()}}, "secretaire"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// Catch-up at start: due at once (a wake-up by the settings or the
	// enrollment reschedules at once too); then the retry an hour later.
	for m := range h.minuteurs {
		if m.d == 0 {
			m.feu <- now
			continue
		}
		if m.d != Reessai {
			t.Fatalf("attente de %v après un échec, attendu %v", m.d, Reessai)
		}
		break
	}
	hist, _ := st.Sauvegardes(ctx, 10)
	if len(hist) != 1 || hist[0].Statut != xdemat.SauvegardeEchouee {
		t.Fatalf("historique après le rattrapage : %+v", hist)
	}
	// Run stops cleanly.
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
