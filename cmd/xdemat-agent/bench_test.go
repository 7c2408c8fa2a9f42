//go:build !windows

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/outbox"
	"xdemat/agent/sqlite"
	"xdemat/central/blob"
)

// BenchmarkSyncDrain measures the outbox draining N documents of 1 MB (each
// with its operation) from a fresh queue to a central on loopback, against a
// plain HTTP upload of the same bytes in the same run. N is 1,000 unless
// XDEMAT_BENCH_DOCS says otherwise. Reported: both throughputs and their
// ratio (target ≥ 0.8), against a sequential plain upload and against one
// with as many uploads in flight as the outbox uses.
func BenchmarkSyncDrain(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("XDEMAT_BENCH_DOCS")); err == nil && v > 0 {
		n = v
	}
	const size = 1 << 20
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := startCentral(b, b.TempDir(), "127.0.0.1:0")
		_, code := newCommune(b, c.Store, "Commune de Démonstration", sirens[0])
		dataDir := shortTempDir(b)
		enrollAgent(b, c, code, dataDir)
		docs := queueDirect(b, dataDir, n, size, n)
		payloads := make([][]byte, 0, n)
		for _, d := range docs {
			payloads = append(payloads, d)
		}

		ob, closeAgent := benchOutbox(b, dataDir)
		// Each phase starts with clean page caches: otherwise the first
		// fsyncs of one phase pay for the writeback of the previous one.
		syscall.Sync()
		plainSeq := plainUpload(b, payloads, 1, false)
		syscall.Sync()
		plainPar := plainUpload(b, payloads, ob.Uploads, false)
		syscall.Sync()
		plainDurable := plainUpload(b, payloads, ob.Uploads, true)
		syscall.Sync()

		var ru0, ru1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		b.StartTimer()
		start := time.Now()
		if err := ob.Drain(ctx); err != nil {
			b.Fatal(err)
		}
		ours := time.Since(start)
		b.StopTimer()
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
		b.ReportMetric(cpu.Seconds()/ours.Seconds(), "cpu-cores")
		closeAgent()
		c.Close()

		total := float64(n * size)
		mbps := func(d time.Duration) float64 { return total / d.Seconds() / 1e6 }
		b.ReportMetric(mbps(ours), "sync-MB/s")
		b.ReportMetric(mbps(plainSeq), "plain-MB/s")
		b.ReportMetric(mbps(plainPar), "plain-parallel-MB/s")
		b.ReportMetric(plainSeq.Seconds()/ours.Seconds(), "ratio-vs-plain")
		b.ReportMetric(plainPar.Seconds()/ours.Seconds(), "ratio-vs-plain-parallel")
		b.ReportMetric(plainDurable.Seconds()/ours.Seconds(), "ratio-vs-plain-durable")
		b.Logf("%d documents de 1 Mo : synchronisation %v ; envoi HTTP simple %v, en parallèle ×%d %v, en parallèle et écrit durablement (fsync, renommage) %v",
			n, ours.Round(time.Millisecond), plainSeq.Round(time.Millisecond), ob.Uploads, plainPar.Round(time.Millisecond), plainDurable.Round(time.Millisecond))
	}
}

// benchOutbox builds the outbox of an enrolled agent, as the service would.
func benchOutbox(b *testing.B, dataDir string) (*outbox.Outbox, func()) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
	if err != nil {
		b.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dataDir, "documents"))
	if err != nil {
		b.Fatal(err)
	}
	id, err := st.Identity(ctx)
	if err != nil {
		b.Fatal(err)
	}
	key, err := readKey(dataDir)
	if err != nil {
		b.Fatal(err)
	}
	client := centralclient.New(id.CentralURL, id.PosteID, key, id.CentralCert)
	ob := outbox.New(st, blobs, client, &agent.Status{Store: st}, nil)
	return ob, func() { client.HTTP.CloseIdleConnections(); st.Close() }
}

// plainUpload POSTs each payload to a bare net/http server that writes it to
// a file: the floor any sync protocol over HTTP is measured against. With
// durable, the server also does what central must before acknowledging a
// document: sync the file, rename it into place, sync the directory.
func plainUpload(b *testing.B, payloads [][]byte, parallel int, durable bool) time.Duration {
	b.Helper()
	dir := b.TempDir()
	var seq int64
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seq++
		name := filepath.Join(dir, strconv.FormatInt(seq, 10))
		mu.Unlock()
		f, err := os.Create(name)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, err = io.Copy(f, r.Body)
		if durable && err == nil {
			err = f.Sync()
		}
		f.Close()
		if durable && err == nil {
			err = os.Rename(name, name+".doc")
			if d, derr := os.Open(dir); derr == nil {
				d.Sync()
				d.Close()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
		}
	}))
	defer srv.Close()
	client := srv.Client()
	work := make(chan []byte)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				res, err := client.Post(srv.URL+"/upload", "application/octet-stream", bytes.NewReader(p))
				if err != nil {
					b.Error("envoi simple :", err)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	for _, p := range payloads {
		work <- p
	}
	close(work)
	wg.Wait()
	return time.Since(start)
}
