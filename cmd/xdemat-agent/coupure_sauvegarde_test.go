//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/sqlite"
)

// TestCoupureBrutalePendantLaSauvegarde kills the agent in the middle of a
// nightly backup, once together with its restic (a power cut), once alone
// (the service killed by the task manager): the next start runs the backup
// to its end, and the repository on central checks clean, with no lock left.
func TestCoupureBrutalePendantLaSauvegarde(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel et sous-processus")
	}
	restic := resticBin(t)
	t.Setenv("PATH", filepath.Dir(restic)+string(os.PathListSeparator)+os.Getenv("PATH"))
	ctx := context.Background()
	c := startCentral(t, shortTempDir(t), "127.0.0.1:0")
	for i, tc := range []struct {
		nom        string
		avecRestic bool // kill -9 of the whole process group
	}{
		{"coupure de courant : agent et restic tués ensemble", true},
		{"agent seul tué : restic s'arrête de lui-même", false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			commune, code := newCommune(t, c.Store, fmt.Sprintf("Commune sauvegardée %d", i), sirens[i])
			dataDir := shortTempDir(t)
			enrollAgent(t, c, code, dataDir)
			src := t.TempDir()
			fichiers := map[string][]byte{}
			for j := range 12 {
				b := make([]byte, 4<<20)
				rand.Read(b)
				p := filepath.Join(src, "Scans", fmt.Sprintf("registre-%02d.pdf", j))
				os.MkdirAll(filepath.Dir(p), 0o700)
				if err := os.WriteFile(p, b, 0o600); err != nil {
					t.Fatal(err)
				}
				fichiers[p] = b
			}
			// Chosen in the app before the night; never backed up yet, so
			// the agent starts the backup as soon as it runs.
			st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
			if err != nil {
				t.Fatal(err)
			}
			err = st.SaveConfigSauvegarde(ctx, &agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{src}}, "", time.Now())
			st.Close()
			if err != nil {
				t.Fatal(err)
			}

			premier := agentProcess(t, dataDir, "")
			depot := filepath.Join(c.DataDir, "sauvegardes", commune.ID, "data")
			attendreQue(t, "les premiers paquets arrivent à central", func() bool { return tailleDossier(depot) > 8<<20 })
			enfants := enfantsDe(premier.Process.Pid)
			if len(enfants) == 0 {
				t.Fatal("aucun restic en cours sous l'agent")
			}
			if tc.avecRestic {
				syscall.Kill(-premier.Process.Pid, syscall.SIGKILL)
			} else {
				premier.Process.Signal(syscall.SIGKILL)
			}
			premier.Wait()
			attendreQue(t, "plus aucun restic de l'agent tué", func() bool {
				for _, pid := range enfants {
					if vivant(pid) {
						return false
					}
				}
				return true
			})
			if h := historique(t, dataDir); len(h) != 0 {
				t.Fatalf("une sauvegarde tuée au milieu ne doit rien avoir enregistré : %+v", h[0])
			}
			second := agentProcess(t, dataDir, "")
			var derniere *xdemat.Sauvegarde
			attendreQue(t, "la sauvegarde reprise se termine", func() bool {
				if h := historique(t, dataDir); len(h) > 0 {
					derniere = h[0]
					return true
				}
				return false
			})
			second.Process.Signal(syscall.SIGTERM)
			second.Wait()
			if derniere.Statut != xdemat.SauvegardeReussie || derniere.FichiersNouveaux < 12 {
				t.Fatalf("sauvegarde reprise : %+v", derniere)
			}
			// Asked after the agent stopped: each access hands out a new
			// REST password to the poste, which voids the previous one.
			acces, err := clientDuPoste(t, dataDir).AccesSauvegarde(ctx, c.Pin)
			if err != nil || acces.MotDePasseDepot == "" {
				t.Fatalf("le mot de passe du dépôt doit être en séquestre : %v", err)
			}
			env := resticEnv(t, acces)
			if n := verrous(t, restic, env); n != 0 {
				t.Fatalf("%d verrou(s) restent après la sauvegarde reprise", n)
			}
			if out, err := runRestic(restic, env, "check", "--read-data"); err != nil {
				t.Fatalf("restic check après la coupure : %v\n%s", err, out)
			}
			out, err := runRestic(restic, env, "snapshots", "--json", "--no-lock")
			var snaps []json.RawMessage
			if err != nil || json.Unmarshal([]byte(out), &snaps) != nil || len(snaps) != 1 {
				t.Fatalf("un seul instantané attendu : %v %s", err, out)
			}
			cible := t.TempDir()
			if out, err := runRestic(restic, env, "restore", "latest", "--target", cible, "--include", src); err != nil {
				t.Fatalf("restauration : %v\n%s", err, out)
			}
			for p, want := range fichiers {
				if got, err := os.ReadFile(filepath.Join(cible, p)); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("%s restauré différent (%v)", p, err)
				}
			}
		})
	}
}

func historique(t *testing.T, dataDir string) []*xdemat.Sauvegarde {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.Sauvegardes(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func verrous(t *testing.T, restic string, env []string) int {
	t.Helper()
	out, err := runRestic(restic, env, "list", "locks", "--no-lock")
	if err != nil {
		t.Fatalf("restic list locks : %v\n%s", err, out)
	}
	return len(strings.Fields(out))
}

func tailleDossier(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// enfantsDe lists the child processes of pid (Linux /proc).
func enfantsDe(pid int) []int {
	var out []int
	taches, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range taches {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// vivant: a process that exists and is not a zombie waiting to be reaped.
func vivant(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
