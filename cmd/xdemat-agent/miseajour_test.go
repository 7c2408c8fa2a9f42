package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"xdemat/agent/localapi"
	"xdemat/agent/sqlite"
	"xdemat/central/server"
	"xdemat/miseajour"
)

// The release key of these tests, and another one an attacker would hold.
var (
	cleSPL   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
	cleAutre = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{43}, ed25519.SeedSize))
)

// agentsConstruits builds, once for the whole test, real agent binaries
// with the SPL's key built in: 1.0.0 (installed), 1.1.0 (the release), and
// 1.2.0 built to exit at once (xdemat_casse).
func agentsConstruits(t *testing.T) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go introuvable dans le PATH : les agents de test ne peuvent pas être construits")
	}
	dir := t.TempDir()
	cle := miseajour.CodeCle(cleSPL.Public().(ed25519.PublicKey))
	out := map[string]string{}
	for _, b := range []struct{ version, tags string }{{"1.0.0", ""}, {"1.1.0", ""}, {"1.2.0", "xdemat_casse"}} {
		exe := filepath.Join(dir, b.version, "xdemat-agent")
		args := []string{"build", "-o", exe, "-ldflags", "-X xdemat.Version=" + b.version + " -X xdemat/agent/versions.CleDePublication=" + cle}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("construction de l'agent %s : %v\n%s", b.version, err, msg)
		}
		out[b.version] = exe
	}
	return out
}

// publier publishes version from the binary exe with key, through the
// command line of central, as the SPL would.
func publier(t *testing.T, c *centralHandle, version, exe string, key ed25519.PrivateKey) error {
	t.Helper()
	build := filepath.Join(t.TempDir(), "build", runtime.GOOS+"-"+runtime.GOARCH)
	if err := os.MkdirAll(build, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := copyFile(exe, filepath.Join(build, miseajour.NomFichier(miseajour.RoleAgent, runtime.GOOS))); err != nil {
		t.Fatal(err)
	}
	// A second binary, to check that every file of the release moves together.
	if err := os.WriteFile(filepath.Join(build, miseajour.NomFichier(miseajour.RoleRestic, runtime.GOOS)), []byte("#!/bin/sh\necho restic "+version+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "cle.pem")
	if err := miseajour.EcrireClePrivee(keyFile, key); err != nil {
		t.Fatal(err)
	}
	m := server.NewMain()
	var stderr bytes.Buffer
	m.Stdout, m.Stderr = io.Discard, &stderr
	if err := m.ParseFlags(context.Background(), []string{"-data", c.DataDir, "release", "publish", "-version", version, "-dir", filepath.Dir(build), "-key", keyFile}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		return err
	}
	if !strings.Contains(stderr.String(), "Version "+version+" publiée") {
		t.Fatalf("publication : %s", stderr.String())
	}
	return nil
}

func copyFile(src, dst string) (int64, string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return 0, "", err
	}
	return int64(len(b)), sha(b), os.WriteFile(dst, b, 0o755)
}

// gestionnaire plays the service manager (systemd Restart=always, Windows
// recovery "restart"): it starts the binary at a fixed path, and again each
// time it exits, until stopped.
type gestionnaire struct {
	t       *testing.T
	exe     string
	dataDir string
	mu      sync.Mutex
	cmd     *exec.Cmd
	sorties []int // exit codes, in order
	journal bytes.Buffer
	stop    chan struct{}
	done    chan struct{}
}

func lancerService(t *testing.T, exe, dataDir string) *gestionnaire {
	g := &gestionnaire{t: t, exe: exe, dataDir: dataDir, stop: make(chan struct{}), done: make(chan struct{})}
	go g.boucle()
	t.Cleanup(func() {
		g.arreter()
		if t.Failed() {
			g.mu.Lock()
			t.Logf("sorties de l'agent : %v\n%s", g.sorties, g.journal.String())
			g.mu.Unlock()
		}
	})
	return g
}

func (g *gestionnaire) boucle() {
	defer close(g.done)
	for n := 0; n < 30; n++ {
		cmd := exec.Command(g.exe, "run", "-data", g.dataDir, "-retry-max", "300ms", "-maj-heure", "-1", "-maj-intervalle", "500ms")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		g.mu.Lock()
		cmd.Stdout, cmd.Stderr = &lockedWriter{g}, &lockedWriter{g}
		err := cmd.Start()
		g.cmd = cmd
		g.mu.Unlock()
		if err != nil {
			return
		}
		cmd.Wait()
		g.mu.Lock()
		g.sorties = append(g.sorties, cmd.ProcessState.ExitCode())
		g.mu.Unlock()
		select {
		case <-g.stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

type lockedWriter struct{ g *gestionnaire }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.g.mu.Lock()
	defer w.g.mu.Unlock()
	return w.g.journal.Write(p)
}

func (g *gestionnaire) arreter() {
	select {
	case <-g.stop:
		return
	default:
	}
	close(g.stop)
	g.mu.Lock()
	if g.cmd != nil && g.cmd.Process != nil {
		syscall.Kill(-g.cmd.Process.Pid, syscall.SIGTERM)
	}
	g.mu.Unlock()
	select {
	case <-g.done:
	case <-time.After(15 * time.Second):
		g.mu.Lock()
		if g.cmd != nil && g.cmd.Process != nil {
			syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
		}
		g.mu.Unlock()
		<-g.done
	}
}

func (g *gestionnaire) redemarrages() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sorties...)
}

// diagnostic asks the running agent for its version and identity.
func diagnostic(dataDir string) (string, string, error) {
	c, err := localapi.Dial(dataDir)
	if err != nil {
		return "", "", err
	}
	d, err := c.Diagnostic(context.Background())
	if err != nil {
		return "", "", err
	}
	id := ""
	if d.Identite != nil {
		id = d.Identite.PosteID
	}
	return d.Version, id, nil
}

// etatCentral returns the last update report central holds for the poste.
func etatCentral(t *testing.T, c *centralHandle, posteID string) *miseajour.Etat {
	t.Helper()
	etats, err := c.Store.(interface {
		EtatsMiseAJour(context.Context) (map[string]*miseajour.Etat, error)
	}).EtatsMiseAJour(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return etats[posteID]
}

// posteInstalle enrolls a poste whose agent 1.0.0 is installed in its own
// folder, with a document and an operation in its store.
func posteInstalle(t *testing.T, c *centralHandle, agents map[string]string, i int) (exe, dataDir, posteID, docHash string) {
	t.Helper()
	_, code := newCommune(t, c.Store, fmt.Sprintf("Commune mise à jour %d", i), sirens[i])
	dataDir = shortTempDir(t)
	enrollAgent(t, c, code, dataDir)
	docs := queueDirect(t, dataDir, 1, 4096, 1)
	for h := range docs {
		docHash = h
	}
	inst := filepath.Join(t.TempDir(), "programmes")
	os.MkdirAll(inst, 0o755)
	exe = filepath.Join(inst, "xdemat-agent")
	if _, _, err := copyFile(agents["1.0.0"], exe); err != nil {
		t.Fatal(err)
	}
	id, err := localIdentity(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return exe, dataDir, id, docHash
}

func localIdentity(dataDir string) (string, error) {
	st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
	if err != nil {
		return "", err
	}
	defer st.Close()
	id, err := st.Identity(context.Background())
	if err != nil {
		return "", err
	}
	return id.PosteID, nil
}

func TestMiseAJourDeLAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("test de bout en bout : construit trois agents et les lance en sous-processus")
	}
	if runtime.GOOS == "windows" {
		t.Skip("le gestionnaire de services simulé utilise les groupes de processus Unix")
	}
	agents := agentsConstruits(t)
	ctx := context.Background()

	t.Run("une version signée par la SPL est installée et garde les données et l'enrôlement", func(t *testing.T) {
		c := startCentral(t, t.TempDir(), "127.0.0.1:0")
		exe, dataDir, posteID, docHash := posteInstalle(t, c, agents, 0)
		g := lancerService(t, exe, dataDir)
		waitFor(t, "l'agent 1.0.0 répond", 20*time.Second, func() (bool, string) {
			v, _, err := diagnostic(dataDir)
			return v == "1.0.0", fmt.Sprint(v, err)
		})
		if err := publier(t, c, "1.1.0", agents["1.1.0"], cleSPL); err != nil {
			t.Fatal(err)
		}
		// The trial of 1.1.0 answers on the local API too: wait for the
		// binary in place, then for it to answer.
		want := mustRead(t, agents["1.1.0"])
		waitFor(t, "l'agent 1.1.0 tourne", 60*time.Second, func() (bool, string) {
			b, _ := os.ReadFile(exe)
			v, id, err := diagnostic(dataDir)
			return bytes.Equal(b, want) && v == "1.1.0" && id == posteID, fmt.Sprint(v, " ", id, " ", err, " ", g.redemarrages())
		})
		if prev, _ := os.ReadFile(exe + ".precedent"); sha(prev) != sha(mustRead(t, agents["1.0.0"])) {
			t.Fatal("la version 1.0.0 doit rester à côté, en .precedent")
		}
		if r, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "restic")); err != nil || !strings.Contains(string(r), "1.1.0") {
			t.Fatalf("restic de la version doit être installé avec l'agent : %v", err)
		}
		// Same data, same enrollment: the queued operation reaches central.
		waitDrained(t, dataDir, 30*time.Second)
		docs, err := c.Store.ListDocuments(c.PosteContext(t, posteCommune(t, c, posteID)))
		if err != nil || len(docs) != 1 || docs[0].SHA256 != docHash {
			t.Fatalf("document d'avant la mise à jour : %v %v", docs, err)
		}
		waitFor(t, "central connaît la version et l'installation", 30*time.Second, func() (bool, string) {
			p, err := c.Store.FindPoste(ctx, posteID)
			e := etatCentral(t, c, posteID)
			return err == nil && p.Version == "1.1.0" && e != nil && e.Statut == miseajour.Installee, fmt.Sprintf("%+v %+v", p, e)
		})
		// The console lists the poste with its version and update status.
		page := consolePage(t, c, "/versions")
		for _, s := range []string{"Versions des postes", "PC-MAIRIE", "1.1.0", "installée", "Dernière version publiée : <strong>1.1.0</strong>"} {
			if !strings.Contains(page, s) {
				t.Errorf("la page des versions ne montre pas %q :\n%s", s, page)
			}
		}
		// Never the same version twice: the agent stays up.
		n := len(g.redemarrages())
		time.Sleep(1500 * time.Millisecond)
		if got := len(g.redemarrages()); got != n {
			t.Fatalf("l'agent a redémarré sans nouvelle version : %v", g.redemarrages())
		}
	})

	refus := []struct {
		nom      string
		prepare  func(t *testing.T, c *centralHandle) error
		contient string
	}{
		{"un binaire altéré sur central est refusé", func(t *testing.T, c *centralHandle) error {
			if err := publier(t, c, "1.1.0", agents["1.1.0"], cleSPL); err != nil {
				return err
			}
			f := filepath.Join(c.DataDir, "releases", "1.1.0", runtime.GOOS+"-"+runtime.GOARCH, "xdemat-agent")
			b := mustRead(t, f)
			b[len(b)/2] ^= 0xff
			return os.WriteFile(f, b, 0o640)
		}, "ne correspond pas au manifeste signé"},
		{"un manifeste altéré sur central est refusé", func(t *testing.T, c *centralHandle) error {
			if err := publier(t, c, "1.1.0", agents["1.1.0"], cleSPL); err != nil {
				return err
			}
			f := filepath.Join(c.DataDir, "releases", "1.1.0", "manifeste.json")
			b := bytes.Replace(mustRead(t, f), []byte(`"version": "1.1.0"`), []byte(`"version": "1.1.1"`), 1)
			return os.WriteFile(f, b, 0o640)
		}, "signature de la mise à jour"},
		{"une version signée par une autre clé est refusée", func(t *testing.T, c *centralHandle) error {
			return publier(t, c, "1.1.0", agents["1.1.0"], cleAutre)
		}, "signature de la mise à jour"},
	}
	for i, tc := range refus {
		t.Run(tc.nom, func(t *testing.T) {
			c := startCentral(t, t.TempDir(), "127.0.0.1:0")
			exe, dataDir, posteID, _ := posteInstalle(t, c, agents, 1+i)
			before := mustRead(t, exe)
			// Altered before the agent starts: it checks at once.
			if err := tc.prepare(t, c); err != nil {
				t.Fatal(err)
			}
			g := lancerService(t, exe, dataDir)
			waitFor(t, "central sait la mise à jour refusée", 30*time.Second, func() (bool, string) {
				e := etatCentral(t, c, posteID)
				return e != nil && e.Statut == miseajour.Refusee && strings.Contains(e.Message, tc.contient), fmt.Sprintf("%+v", e)
			})
			if e := etatCentral(t, c, posteID); !strings.Contains(e.Message, "rien n'a été modifié") {
				t.Errorf("motif du refus : %q", e.Message)
			}
			if v, _, err := diagnostic(dataDir); v != "1.0.0" || err != nil {
				t.Fatalf("l'agent 1.0.0 doit continuer : %q %v", v, err)
			}
			if !bytes.Equal(mustRead(t, exe), before) {
				t.Fatal("le binaire de l'agent a changé")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(exe), "restic")); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("aucun fichier de la version refusée ne doit être posé")
			}
			if r := g.redemarrages(); len(r) != 0 {
				t.Fatalf("l'agent ne doit pas redémarrer : %v", r)
			}
		})
	}

	t.Run("une version dont l'agent ne démarre pas est retirée et la précédente continue", func(t *testing.T) {
		c := startCentral(t, t.TempDir(), "127.0.0.1:0")
		exe, dataDir, posteID, _ := posteInstalle(t, c, agents, 5)
		before := mustRead(t, exe)
		g := lancerService(t, exe, dataDir)
		waitFor(t, "l'agent 1.0.0 répond", 20*time.Second, func() (bool, string) {
			v, _, err := diagnostic(dataDir)
			return v == "1.0.0", fmt.Sprint(v, err)
		})
		if err := publier(t, c, "1.2.0", agents["1.2.0"], cleSPL); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "central sait la version retirée", 60*time.Second, func() (bool, string) {
			e := etatCentral(t, c, posteID)
			return e != nil && e.Statut == miseajour.Retablie && e.Cible == "1.2.0" && e.Version == "1.0.0", fmt.Sprintf("%+v %v", e, g.redemarrages())
		})
		if e := etatCentral(t, c, posteID); !strings.Contains(e.Message, "n'a pas démarré") {
			t.Errorf("motif : %q", e.Message)
		}
		waitFor(t, "l'agent 1.0.0 répond de nouveau", 20*time.Second, func() (bool, string) {
			v, id, err := diagnostic(dataDir)
			return v == "1.0.0" && id == posteID, fmt.Sprint(v, err)
		})
		if !bytes.Equal(mustRead(t, exe), before) {
			t.Fatal("le binaire de l'agent a changé")
		}
		// The failed release is not tried again: one restart (to try it), no more.
		time.Sleep(2 * time.Second)
		if r := g.redemarrages(); len(r) != 1 {
			t.Fatalf("un seul redémarrage attendu (l'essai), vu : %v", r)
		}
		page := consolePage(t, c, "/versions")
		if !strings.Contains(page, "version précédente rétablie") || !strings.Contains(page, `class="alerte"`) {
			t.Errorf("la console doit signaler la version retirée :\n%s", page)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func posteCommune(t *testing.T, c *centralHandle, posteID string) string {
	t.Helper()
	p, err := c.Store.FindPoste(context.Background(), posteID)
	if err != nil {
		t.Fatal(err)
	}
	return p.CommuneID
}

// consolePage fetches a page of central's console with its password.
func consolePage(t *testing.T, c *centralHandle, path string) string {
	t.Helper()
	pass, err := os.ReadFile(filepath.Join(c.DataDir, "admin.secret"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+c.m.AdminAddr()+path, nil)
	req.SetBasicAuth("admin", strings.TrimSpace(string(pass)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("console %s : %s\n%s", path, res.Status, b)
	}
	return string(b)
}
