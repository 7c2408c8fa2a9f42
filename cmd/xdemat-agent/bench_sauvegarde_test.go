//go:build !windows

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

// BenchmarkSauvegarde2Go backs up 2 GiB of mixed files (scans, accounting
// exports, office documents; XDEMAT_BENCH_MO sets another size in MiB) three
// ways in the same run, each into an empty repository:
//   - bare restic to a local repository (the baseline),
//   - bare restic to central's REST backend with the poste's credentials,
//   - the agent's nightly backup (copy of its store, restic, report) to
//     central, as on a night after the first (the repository exists).
//
// Reported: the agent's time as a ratio to bare restic to central (its own
// overhead; target ≤ 1.05) and to bare restic to a local folder, and the REST
// backend's throughput.
func BenchmarkSauvegarde2Go(b *testing.B) {
	restic := resticBin(b)
	mo := 2048
	if v, err := strconv.Atoi(os.Getenv("XDEMAT_BENCH_MO")); err == nil && v > 0 {
		mo = v
	}
	src := b.TempDir()
	total := jeuDeFichiers(b, src, int64(mo)<<20)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := startCentral(b, shortTempDir(b), "127.0.0.1:0")

		// 1. Bare restic to a local folder.
		local := b.TempDir()
		envLocal := []string{"RESTIC_REPOSITORY=" + filepath.Join(local, "depot"), "RESTIC_PASSWORD=banc d'essai",
			"RESTIC_CACHE_DIR=" + filepath.Join(local, "cache"), "HOME=" + local}
		mustRestic(b, restic, envLocal, "init")
		syscall.Sync()
		debut := time.Now()
		mustRestic(b, restic, envLocal, "backup", "--host", "banc", src)
		dLocal := time.Since(debut)

		// 2. Bare restic to central, with a poste's own credentials.
		_, codeB := newCommune(b, c.Store, "Commune témoin", sirens[1])
		dirB := shortTempDir(b)
		enrollAgent(b, c, codeB, dirB)
		acces, err := clientDuPoste(b, dirB).AccesSauvegarde(ctx, c.Pin)
		if err != nil {
			b.Fatal(err)
		}
		acces.MotDePasseDepot = "mot de passe du dépôt témoin, assez long"
		envREST := resticEnv(b, acces)
		mustRestic(b, restic, envREST, "init")
		syscall.Sync()
		debut = time.Now()
		mustRestic(b, restic, envREST, "backup", "--host", "banc", src)
		dREST := time.Since(debut)

		// 3. The agent's backup to central.
		_, codeA := newCommune(b, c.Store, "Commune de Démonstration", sirens[0])
		dirA := shortTempDir(b)
		enrollAgent(b, c, codeA, dirA)
		m := NewMain()
		m.DataDir, m.Restic = dirA, restic
		m.RetryMax, m.EnrollPoll = 300*time.Millisecond, 100*time.Millisecond
		if err := m.Run(ctx); err != nil {
			b.Fatal(err)
		}
		// Not active: the schedule must not start one on its own. A first
		// run of an empty folder creates the repository (restic init,
		// outside the timing as for the others) and escrows the key.
		for _, dossiers := range [][]string{{b.TempDir()}, {src}} {
			if err := m.Store.SaveConfigSauvegarde(ctx, &agent.ConfigSauvegarde{Heure: 2, Dossiers: dossiers}, "", time.Now()); err != nil {
				b.Fatal(err)
			}
			if dossiers[0] == src {
				break
			}
			if r, err := m.Sauvegarde.Sauvegarder(ctx); err != nil {
				b.Fatalf("première sauvegarde : %+v %v", r, err)
			}
		}
		syscall.Sync()
		b.StartTimer()
		debut = time.Now()
		r, err := m.Sauvegarde.Sauvegarder(ctx)
		dAgent := time.Since(debut)
		b.StopTimer()
		if err != nil || r.Statut != xdemat.SauvegardeReussie {
			b.Fatalf("sauvegarde de l'agent : %+v %v", r, err)
		}
		m.Close()
		c.Close()

		mbps := func(d time.Duration) float64 { return float64(total) / d.Seconds() / 1e6 }
		b.ReportMetric(mbps(dLocal), "restic-local-MB/s")
		b.ReportMetric(mbps(dREST), "restic-central-MB/s")
		b.ReportMetric(mbps(dAgent), "agent-MB/s")
		b.ReportMetric(dAgent.Seconds()/dREST.Seconds(), "agent/restic-central")
		b.ReportMetric(dAgent.Seconds()/dLocal.Seconds(), "agent/restic-local")
	}
}

// jeuDeFichiers writes about taille bytes of what a mairie PC holds: 40 %
// big scans (incompressible), 30 % accounting exports and registers
// (compressible text), 30 % small office files of 4 to 64 KiB.
func jeuDeFichiers(b *testing.B, dir string, taille int64) int64 {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var total int64
	ecrire := func(p string, n int, texte bool) {
		buf := make([]byte, n)
		if texte {
			for j := 0; j < n; {
				j += copy(buf[j:], fmt.Sprintf("%08d;FACTURE;%d;Fournisseur %d;%d,%02d;EUR\n", rng.IntN(1e8), rng.IntN(9999), rng.IntN(400), rng.IntN(99999), rng.IntN(100)))
			}
		} else {
			for j := 0; j+8 <= n; j += 8 {
				v := rng.Uint64()
				for k := range 8 {
					buf[j+k] = byte(v >> (8 * k))
				}
			}
		}
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, buf, 0o600); err != nil {
			b.Fatal(err)
		}
		total += int64(n)
	}
	for i := 0; total < taille*4/10; i++ {
		ecrire(filepath.Join(dir, "Scans", fmt.Sprintf("scan-%04d.pdf", i)), 32<<20, false)
	}
	for i := 0; total < taille*7/10; i++ {
		ecrire(filepath.Join(dir, "Compta", fmt.Sprintf("export-%04d.csv", i)), 8<<20, true)
	}
	for i := 0; total < taille; i++ {
		ecrire(filepath.Join(dir, "Documents", fmt.Sprintf("%03d", i/200), fmt.Sprintf("courrier-%05d.odt", i)), 4<<10+rng.IntN(60<<10), i%2 == 0)
	}
	return total
}

func mustRestic(b *testing.B, bin string, env []string, args ...string) {
	b.Helper()
	if out, err := runRestic(bin, env, args...); err != nil {
		b.Fatalf("restic %s : %v\n%s", args[0], err, out)
	}
}
