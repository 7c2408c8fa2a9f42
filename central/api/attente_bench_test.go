package api_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/blob"
	"xdemat/central/protocol"
	"xdemat/central/sqlite"
	"xdemat/central/tlscert"
)

// Idle long-polls: the memory the server spends on postes that wait for events.

const (
	// envClientsAttente names the clients file of the helper process.
	envClientsAttente = "XDEMAT_CLIENTS_ATTENTE"
	// cibleOctetsParPoste is the budget of server memory per idle poste.
	cibleOctetsParPoste = 32 << 10
)

// clientsAttente is what the helper process needs to open the long-polls.
type clientsAttente struct {
	Addr   string         `json:"addr"`
	Postes []posteAttente `json:"postes"`
}

type posteAttente struct {
	ID   string `json:"id"`
	Seed string `json:"seed"` // hex Ed25519 seed
}

// BenchmarkAttentesInactives holds 5,000 idle long-polls (XDEMAT_BENCH_POSTES
// to change) from as many postes, over TLS (XDEMAT_BENCH_TLS=0: plain HTTP),
// and reports the server's memory per waiting poste: Go memory in use after
// collection (o-go/poste, held to cibleOctetsParPoste) and resident set size
// (o-rss/poste, Linux). The clients run in a child process, so that only the
// server's memory is counted. XDEMAT_BENCH_PROFIL=FILE writes a heap profile
// of the waiting server.
func BenchmarkAttentesInactives(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("XDEMAT_BENCH_POSTES")); err == nil && v > 0 {
		n = v
	}
	if os.Getenv("XDEMAT_BENCH_PROFIL") != "" {
		runtime.MemProfileRate = 1
	}
	dir := b.TempDir()
	store, err := sqlite.Open(filepath.Join(dir, "central.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		b.Fatal(err)
	}
	clients := clientsAttente{Postes: enrollPostes(b, store, n)}

	srv := &api.Server{Store: store, Blobs: blobs, UploadDir: filepath.Join(dir, "televersements"), Logger: slog.New(slog.DiscardHandler)}
	certPEM, keyPEM, err := tlscert.Generate(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	hs.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	if os.Getenv("XDEMAT_BENCH_TLS") == "0" {
		hs.Start()
	} else {
		hs.StartTLS()
	}
	defer hs.Close()
	clients.Addr = hs.Listener.Addr().String()
	file := filepath.Join(dir, "clients.json")
	data, _ := json.Marshal(clients)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	for range b.N {
		before := serverMemory()
		child := exec.Command(os.Args[0], "-test.run=^TestClientsAttenteInactifs$", "-test.v")
		child.Env = append(os.Environ(), envClientsAttente+"="+file)
		stdin, _ := child.StdinPipe()
		stdout, _ := child.StdoutPipe()
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		ready := bufio.NewScanner(stdout)
		for ready.Scan() && ready.Text() != "pret" {
		}
		deadline := time.Now().Add(30 * time.Second)
		for srv.WaitingPolls() < n && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := srv.WaitingPolls(); got < n {
			b.Fatalf("%d attentes en cours, %d attendues", got, n)
		}
		time.Sleep(500 * time.Millisecond) // every request reaches its wait
		after := serverMemory()
		if f := os.Getenv("XDEMAT_BENCH_PROFIL"); f != "" {
			if out, err := os.Create(f); err == nil {
				pprof.WriteHeapProfile(out)
				out.Close()
			}
		}
		if got := srv.WaitingPolls(); got < n {
			b.Fatalf("des attentes se sont terminées pendant la mesure (%d/%d)", got, n)
		}
		stdin.Close()
		go io.Copy(io.Discard, stdout)
		child.Wait()

		perPoste := float64(after.goMem-before.goMem) / float64(n)
		b.ReportMetric(perPoste, "o-go/poste")
		if after.rss > 0 {
			b.ReportMetric(float64(after.rss-before.rss)/float64(n), "o-rss/poste")
		}
		b.Logf("%d attentes inactives : %.1f Ko de mémoire Go par poste (tas %.1f Ko, piles %.1f Ko), RSS %+.1f Ko par poste",
			n, perPoste/1024, float64(after.heap-before.heap)/float64(n)/1024, float64(after.stack-before.stack)/float64(n)/1024,
			float64(after.rss-before.rss)/float64(n)/1024)
		if perPoste > cibleOctetsParPoste {
			b.Errorf("%.1f Ko par poste en attente, objectif %d Ko", perPoste/1024, cibleOctetsParPoste>>10)
		}
	}
}

// enrollPostes records n postes, five per commune, and returns their keys.
func enrollPostes(b *testing.B, store *sqlite.Store, n int) []posteAttente {
	ctx := context.Background()
	now := time.Now()
	out := make([]posteAttente, 0, n)
	var commune *xdemat.Commune
	for i := range n {
		if i%5 == 0 {
			commune = &xdemat.Commune{Nom: fmt.Sprint("Commune ", i/5), SIREN: newSIREN(), Departement: "08", Population: 300, CreeLe: now}
			if err := store.CreateCommune(ctx, commune); err != nil {
				b.Fatal(err)
			}
		}
		code := fmt.Sprintf("BENCH%07d", i)
		if err := store.CreateCode(ctx, &xdemat.CodeEnrolement{Code: code, CommuneID: commune.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		pub, key, _ := ed25519.GenerateKey(rand.Reader)
		p := &xdemat.Poste{Nom: fmt.Sprint("PC-", i), ClePublique: pub}
		if err := store.Enroll(ctx, code, p, now); err != nil {
			b.Fatal(err)
		}
		out = append(out, posteAttente{ID: p.ID, Seed: hex.EncodeToString(key.Seed())})
	}
	return out
}

type memory struct {
	heap, stack, goMem, rss uint64
}

// serverMemory returns the memory in use after full collections (which also
// shrink idle goroutine stacks).
func serverMemory() memory {
	for range 4 {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memory{heap: ms.HeapInuse, stack: ms.StackInuse}
	m.goMem = ms.HeapInuse + ms.StackInuse + ms.MSpanInuse + ms.MCacheInuse + ms.GCSys + ms.OtherSys + ms.BuckHashSys
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			m.rss = pages * uint64(os.Getpagesize())
		}
	}
	return m
}

// TestClientsAttenteInactifs is the helper process of BenchmarkAttentesInactives:
// it opens one long-poll per poste, says "pret", and holds them until its
// standard input closes.
func TestClientsAttenteInactifs(t *testing.T) {
	file := os.Getenv(envClientsAttente)
	if file == "" {
		t.Skip("processus auxiliaire de BenchmarkAttentesInactives")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c clientsAttente
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	conns := make([]net.Conn, len(c.Postes))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	var failed atomic.Value
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(c.Postes) {
					return
				}
				p := c.Postes[i]
				seed, _ := hex.DecodeString(p.Seed)
				var conn net.Conn
				var err error
				if os.Getenv("XDEMAT_BENCH_TLS") == "0" {
					conn, err = net.Dial("tcp", c.Addr)
				} else {
					conn, err = tls.Dial("tcp", c.Addr, &tls.Config{InsecureSkipVerify: true}) // a local test server
				}
				if err != nil {
					failed.Store(err)
					return
				}
				req, _ := http.NewRequest(http.MethodGet, "https://"+c.Addr+"/v1/evenements?apres=9223372036854775806&attente=60", nil)
				protocol.Signer(req, ed25519.NewKeyFromSeed(seed), p.ID, protocol.HashBody(nil), time.Now())
				if err := req.Write(conn); err != nil {
					failed.Store(err)
					return
				}
				conns[i] = conn
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		t.Fatal(err)
	}
	fmt.Println("pret")
	io.Copy(io.Discard, os.Stdin)
	for _, conn := range conns {
		conn.Close()
	}
}
