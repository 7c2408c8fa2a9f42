package backuprepo

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"xdemat"
)

// resticBin finds restic 0.18 (installer/deps.sh puts it in GOPATH/bin).
func resticBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("restic"); err == nil {
		if out, _ := exec.Command(p, "version").Output(); bytes.Contains(out, []byte("restic 0.18")) || bytes.Contains(out, []byte("restic 0.19")) {
			return p
		}
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "restic")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("restic 0.18 introuvable : lancez installer/deps.sh (make deps) pour l'installer")
	return ""
}

// banc is central's repository over real TLS, two communes with a poste each.
type banc struct {
	t        *testing.T
	restic   string
	srv      *Server
	url      string
	cacert   string
	jetons   *Jetons
	communes map[string]string // poste → commune
	quota    int64
	mu       sync.Mutex
	seuils   []float64
}

const (
	communeA = "0a000000-0000-4000-8000-00000000000a"
	communeB = "0b000000-0000-4000-8000-00000000000b"
	posteA   = "1a000000-0000-4000-8000-00000000000a"
	posteB   = "1b000000-0000-4000-8000-00000000000b"
)

func nouveauBanc(t *testing.T) *banc {
	b := &banc{t: t, restic: resticBin(t), jetons: &Jetons{Dir: filepath.Join(t.TempDir(), "acces")},
		communes: map[string]string{posteA: communeA, posteB: communeB}}
	b.srv = &Server{
		Dir: filepath.Join(t.TempDir(), "sauvegardes"),
		Acces: func(_ *http.Request, poste, mdp string) (string, error) {
			ok, err := b.jetons.Verifier(poste, mdp)
			if err != nil || !ok {
				return "", xdemat.Errorf(xdemat.EUNAUTHORIZED, "Identifiants de sauvegarde refusés.")
			}
			return b.communes[poste], nil
		},
		Quota:  func(string) int64 { b.mu.Lock(); defer b.mu.Unlock(); return b.quota },
		Seuil:  func(_ string, f float64, _, _ int64) { b.mu.Lock(); b.seuils = append(b.seuils, f); b.mu.Unlock() },
		Logger: slog.New(slog.DiscardHandler),
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix, b.srv)
	ts := httptest.NewTLSServer(mux)
	t.Cleanup(ts.Close)
	b.url = ts.URL
	b.cacert = filepath.Join(t.TempDir(), "central.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(b.cacert, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// poste returns restic's environment for poste on the repository of commune.
func (b *banc) poste(poste, commune, motDePasseDepot string) []string {
	b.t.Helper()
	jeton, err := b.jetons.Nouveau(poste)
	if err != nil {
		b.t.Fatal(err)
	}
	mdp := filepath.Join(b.t.TempDir(), "depot.mdp")
	if err := os.WriteFile(mdp, []byte(motDePasseDepot), 0o600); err != nil {
		b.t.Fatal(err)
	}
	return []string{
		"RESTIC_REPOSITORY=rest:" + b.url + Prefix + commune + "/",
		"RESTIC_PASSWORD_FILE=" + mdp,
		"RESTIC_REST_USERNAME=" + poste,
		"RESTIC_REST_PASSWORD=" + jeton,
		"RESTIC_CACERT=" + b.cacert,
		"RESTIC_CACHE_DIR=" + filepath.Join(b.t.TempDir(), "cache"),
		"HOME=" + b.t.TempDir(),
	}
}

func (b *banc) run(env []string, args ...string) (string, error) {
	cmd := exec.Command(b.restic, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String() + errOut.String(), err
}

func (b *banc) must(env []string, args ...string) string {
	b.t.Helper()
	out, err := b.run(env, args...)
	if err != nil {
		b.t.Fatalf("restic %s : %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func snapshots(t *testing.T, b *banc, env []string) []string {
	t.Helper()
	var snaps []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(b.must(env, "snapshots", "--json")), &snaps); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range snaps {
		ids = append(ids, s.ID)
	}
	return ids
}

func ecrire(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func aleatoire(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestDepotAvecRestic runs the real restic against the repository: what a
// mairie PC does each night, and what it must not be able to do.
func TestDepotAvecRestic(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	b := nouveauBanc(t)
	b.quota = 1 << 30
	env := b.poste(posteA, communeA, "mot de passe du dépôt de la commune A")
	src := t.TempDir()
	deliberation := aleatoire(300 << 10)
	ecrire(t, filepath.Join(src, "Actes", "deliberation-2026-014.pdf"), deliberation)
	ecrire(t, filepath.Join(src, "Compta", "budget.xlsx"), aleatoire(2<<20))

	b.must(env, "init")
	if out, err := b.run(env, "init"); err == nil {
		t.Fatalf("un second init doit échouer (dépôt existant) : %s", out)
	}

	t.Run("sauvegarde puis sauvegarde incrémentale", func(t *testing.T) {
		b.must(env, "backup", "--json", "--host", "mairie", src)
		ecrire(t, filepath.Join(src, "Compta", "budget.xlsx"), aleatoire(2<<20))
		out := b.must(env, "backup", "--json", "--host", "mairie", src)
		var resume struct {
			FilesChanged    int `json:"files_changed"`
			FilesUnmodified int `json:"files_unmodified"`
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, `"message_type":"summary"`) {
				json.Unmarshal([]byte(l), &resume)
			}
		}
		if resume.FilesChanged != 1 || resume.FilesUnmodified != 1 {
			t.Fatalf("seconde sauvegarde : %+v, attendu 1 modifié et 1 inchangé\n%s", resume, out)
		}
		if got := snapshots(t, b, env); len(got) != 2 {
			t.Fatalf("%d instantanés, 2 attendus", len(got))
		}
	})

	t.Run("restauration d'un fichier à l'identique", func(t *testing.T) {
		cible := t.TempDir()
		p := filepath.Join(src, "Actes", "deliberation-2026-014.pdf")
		b.must(env, "restore", "latest", "--target", cible, "--include", p)
		got, err := os.ReadFile(filepath.Join(cible, p))
		if err != nil || !bytes.Equal(got, deliberation) {
			t.Fatalf("fichier restauré différent de l'original (%v)", err)
		}
		if _, err := os.Stat(filepath.Join(cible, src, "Compta", "budget.xlsx")); err == nil {
			t.Fatal("seul le fichier demandé devait être restauré")
		}
	})

	t.Run("un poste ne supprime rien", func(t *testing.T) {
		out, err := b.run(env, "forget", "--keep-last", "1", "--prune")
		if err == nil || !strings.Contains(out, "403") {
			t.Fatalf("forget depuis le poste : %v\n%s", err, out)
		}
		b.must(env, "unlock")
		if got := snapshots(t, b, env); len(got) != 2 {
			t.Fatalf("après le refus : %d instantanés, 2 attendus", len(got))
		}
	})

	t.Run("les identifiants d'une autre commune sont refusés", func(t *testing.T) {
		autre := b.poste(posteB, communeA, "mot de passe du dépôt de la commune A")
		out, err := b.run(autre, "snapshots", "--json")
		if err == nil || !strings.Contains(out, "403") {
			t.Fatalf("poste de B sur le dépôt de A : %v\n%s", err, out)
		}
	})

	t.Run("un mot de passe REST faux est refusé", func(t *testing.T) {
		faux := append([]string(nil), env...)
		for i, e := range faux {
			if strings.HasPrefix(e, "RESTIC_REST_PASSWORD=") {
				faux[i] = "RESTIC_REST_PASSWORD=" + strings.Repeat("0", 64)
			}
		}
		out, err := b.run(faux, "snapshots", "--json")
		if err == nil || !strings.Contains(out, "401") {
			t.Fatalf("mot de passe faux : %v\n%s", err, out)
		}
	})

	t.Run("central retire ce qui a plus de 3 mois", func(t *testing.T) {
		b.must(env, "backup", "--host", "mairie", "--time", "2026-01-05 02:00:00", src)
		if got := snapshots(t, b, env); len(got) != 3 {
			t.Fatalf("%d instantanés, 3 attendus", len(got))
		}
		// Central's side: restic on the local folder with the escrowed
		// password, never through the postes' access.
		seq, err := OuvrirSequestre(filepath.Join(t.TempDir(), "cles"), filepath.Join(t.TempDir(), "sauvegarde.key"))
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.Deposer(communeA, "mot de passe du dépôt de la commune A"); err != nil {
			t.Fatal(err)
		}
		avant, _ := b.srv.Utilise(communeA)
		ret := &Retention{Depot: b.srv, Sequestre: seq, Restic: b.restic}
		res, err := ret.Appliquer(t.Context())
		if err != nil || len(res) != 1 || res[0].CommuneID != communeA || res[0].Err != nil {
			t.Fatalf("Appliquer = %+v, %v", res, err)
		}
		if got := snapshots(t, b, env); len(got) != 2 {
			t.Fatalf("après la rétention : %d instantanés, 2 attendus (celui de janvier retiré)", len(got))
		}
		if apres, _ := b.srv.Utilise(communeA); apres >= avant {
			t.Errorf("espace utilisé %d après la rétention, %d avant : il doit baisser", apres, avant)
		}
		local := []string{
			"RESTIC_REPOSITORY=" + filepath.Join(b.srv.Dir, communeA),
			"RESTIC_PASSWORD=mot de passe du dépôt de la commune A",
			"RESTIC_CACHE_DIR=" + filepath.Join(t.TempDir(), "cache"),
			"HOME=" + t.TempDir(),
		}
		b.must(local, "check")
	})

	t.Run("espace plein : refus clair", func(t *testing.T) {
		used, err := b.srv.Utilise(communeA)
		if err != nil || used == 0 {
			t.Fatalf("espace utilisé %d, %v", used, err)
		}
		b.mu.Lock()
		b.quota = used + 200<<10
		b.mu.Unlock()
		ecrire(t, filepath.Join(src, "Scans", "gros.pdf"), aleatoire(4<<20))
		out, err := b.run(env, "backup", "--host", "mairie", src)
		if err == nil || !strings.Contains(out, "507") {
			t.Fatalf("sauvegarde au-delà du quota : %v\n%s", err, out)
		}
		b.mu.Lock()
		seuils := append([]float64(nil), b.seuils...)
		b.mu.Unlock()
		if len(seuils) == 0 || seuils[len(seuils)-1] != 1 {
			t.Fatalf("seuils signalés %v : le quota atteint doit l'être", seuils)
		}
		b.must(env, "unlock")
		b.mu.Lock()
		b.quota = 1 << 30
		b.mu.Unlock()
		b.must(env, "backup", "--host", "mairie", src)
		b.must(env, "check")
	})
}

// TestSauvegardeInterrompue kills restic in the middle of a backup (as a
// power cut or a killed agent would): the next backup completes and the
// repository checks clean.
func TestSauvegardeInterrompue(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	b := nouveauBanc(t)
	b.quota = 1 << 30
	env := b.poste(posteA, communeA, "mot de passe du dépôt de la commune A")
	src := t.TempDir()
	for i := range 12 {
		ecrire(t, filepath.Join(src, "Scans", fmt.Sprintf("scan-%02d.pdf", i)), aleatoire(4<<20))
	}
	b.must(env, "init")
	avant, _ := b.srv.Utilise(communeA)

	// Throttled to 16 MiB/s, the 48 MiB take three seconds: the test sees
	// the first packs arrive long before the end (unthrottled, on an idle
	// machine, the packs landed together and restic finished first).
	cmd := exec.Command(b.restic, "backup", "--limit-upload", "16384", "--host", "mairie", src)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed once the first packs reached central, not before.
	for {
		if n, _ := b.srv.Utilise(communeA); n > avant+4<<20 {
			break
		}
		if cmd.ProcessState != nil {
			t.Fatal("restic a fini avant d'être interrompu")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Frozen, its lock is alive: central's retention waits for the next day.
	cmd.Process.Signal(syscall.SIGSTOP)
	seq, err := OuvrirSequestre(filepath.Join(t.TempDir(), "cles"), filepath.Join(t.TempDir(), "sauvegarde.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.Deposer(communeA, "mot de passe du dépôt de la commune A"); err != nil {
		t.Fatal(err)
	}
	ret := &Retention{Depot: b.srv, Sequestre: seq, Restic: b.restic}
	if err := ret.Commune(t.Context(), communeA); !errors.Is(err, ErrVerrouille) {
		t.Errorf("rétention pendant une sauvegarde : %v, ErrVerrouille attendu", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if got := snapshots(t, b, env); len(got) != 0 {
		t.Fatalf("%d instantanés après l'interruption, aucun attendu", len(got))
	}

	// A backup takes a shared lock: the dead one's lock does not stop it.
	b.must(env, "backup", "--host", "mairie", src)
	if got := snapshots(t, b, env); len(got) != 1 {
		t.Fatalf("%d instantanés, 1 attendu", len(got))
	}
	// check needs the repository alone: restic 0.18 never ignores a stale
	// lock by itself, `unlock` removes it (the dead process was on this
	// host; elsewhere a lock is stale after 30 minutes without refresh).
	if out, err := b.run(env, "check"); err == nil {
		t.Fatalf("check avant unlock : le verrou du processus tué devait gêner\n%s", out)
	}
	b.must(env, "unlock")
	b.must(env, "check")
	cible := t.TempDir()
	b.must(env, "restore", "latest", "--target", cible)
	for i := range 12 {
		p := filepath.Join(src, "Scans", fmt.Sprintf("scan-%02d.pdf", i))
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(cible, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s restauré différent (%v)", p, err)
		}
	}
}
