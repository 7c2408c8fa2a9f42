package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/admin"
	"xdemat/central/protocol"
)

// Round trip of one operation under an open-loop load.

const (
	benchPostes   = 50 // enrolled postes sending operations
	benchCommunes = 5  // communes they belong to, benchPostes/benchCommunes each
	// benchGrace bounds how long a run may last past its schedule before
	// every request still pending is abandoned (and counted as an error).
	benchGrace = 2 * time.Minute
)

// benchPoste is an enrolled poste of the benchmark and what it sent.
type benchPoste struct {
	poste *xdemat.Poste
	key   ed25519.PrivateKey
	seq   int64            // last Seq acknowledged by central
	sent  map[string]int64 // operation ID → Seq, of every acknowledged operation
}

// benchResult is what one poste measured during one run.
type benchResult struct {
	latencies []time.Duration // from the slot's planned time to the response read
	late      int             // requests that left after their slot (previous one still running)
	errs      []string        // non-200 answers, transport errors, wrong acks
	last      time.Time       // when its last successful answer arrived
}

// BenchmarkAllerRetourOperation measures the latency of an operation round
// trip — a signed POST /v1/operations carrying the next operation of a poste,
// until the 200 answer that acknowledges it — on a whole central in-process
// (real SQLite store, real TLS, one pinned keep-alive client), under an
// OPEN-LOOP load: XDEMAT_BENCH_RPS requests per second (1,000 by default)
// for XDEMAT_BENCH_SECONDS seconds (10), spread round-robin over 50 postes of
// 5 communes.
//
// Every request has a planned time, fixed before the run. A poste sends its
// operations in Seq order, one at a time: when its previous request is still
// running at its next slot, the next request waits, and that wait counts in
// its latency, which always runs from the planned time. A stall of the server
// therefore shows in the percentiles instead of merely slowing the load down
// (no coordinated omission).
//
// Reported: p50-ms, p90-ms, p99-ms, max-ms, achieved-rps, errors. The
// benchmark fails on any answer other than 200 with the expected ack, and
// unless central holds exactly the operations that were acknowledged.
func BenchmarkAllerRetourOperation(b *testing.B) {
	rps := benchEnvInt(b, "XDEMAT_BENCH_RPS", 1000)
	seconds := benchEnvInt(b, "XDEMAT_BENCH_SECONDS", 10)
	ctx := context.Background()

	m, _ := newTestMain(b.TempDir())
	m.ListenAddr, m.AdminListenAddr = "127.0.0.1:0", "127.0.0.1:0"
	if err := m.ParseFlags(ctx, []string{"serve"}); err != nil {
		b.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	base := "https://" + m.Addr()

	// One client for every poste, as many idle keep-alive connections as
	// postes: at most one request per poste is in flight.
	client := pinnedClient(m.CertFingerprint())
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = benchPostes
	defer client.CloseIdleConnections()

	postes := benchEnroll(b, m, client, base)

	var results []benchResult
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		res, took := benchRun(ctx, client, base, postes, rps, seconds)
		results = append(results, res...)
		elapsed += took
	}
	b.StopTimer()

	var all []time.Duration
	var errs []string
	late := 0
	for _, r := range results {
		all = append(all, r.latencies...)
		errs = append(errs, r.errs...)
		late += r.late
	}
	slices.Sort(all)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	p50, p90, p99, maxi := benchQuantile(all, 0.50), benchQuantile(all, 0.90), benchQuantile(all, 0.99), benchQuantile(all, 1)
	achieved := 0.0
	if elapsed > 0 {
		achieved = float64(len(all)) / elapsed.Seconds()
	}
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(p90), "p90-ms")
	b.ReportMetric(ms(p99), "p99-ms")
	b.ReportMetric(ms(maxi), "max-ms")
	b.ReportMetric(achieved, "achieved-rps")
	b.ReportMetric(float64(len(errs)), "errors")
	b.ReportMetric(0, "ns/op") // one op is a whole run: its time says nothing
	b.Logf("aller-retour d'une opération, %d req/s visées pendant %d s sur %d postes de %d communes (×%d) : %d réponses, %.0f req/s obtenues, latence p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms ; %d requêtes parties en retard sur leur créneau, %d erreurs",
		rps, seconds, benchPostes, benchCommunes, b.N, len(all), achieved, ms(p50), ms(p90), ms(p99), ms(maxi), late, len(errs))
	if len(errs) > 0 {
		b.Errorf("%d requêtes en échec, dont : %v", len(errs), errs[:min(len(errs), 5)])
	}
	benchVerify(b, m, postes)
}

// benchRun sends rps×seconds operations on the open-loop schedule and returns
// what each poste measured, and the time from the start to the last answer.
func benchRun(ctx context.Context, client *http.Client, base string, postes []*benchPoste, rps, seconds int) ([]benchResult, time.Duration) {
	total := int64(rps) * int64(seconds)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second+benchGrace)
	defer cancel()
	results := make([]benchResult, len(postes))
	// The start leaves the postes time to reach their first slot.
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i, p := range postes {
		wg.Go(func() {
			r := &results[i]
			n := (total - int64(i) + int64(len(postes)) - 1) / int64(len(postes))
			r.latencies = make([]time.Duration, 0, n)
			for j := range n {
				// Request k of the whole load is planned at k/rps, for poste k mod 50.
				k := j*int64(len(postes)) + int64(i)
				planned := start.Add(time.Duration(k * int64(time.Second) / int64(rps)))
				if wait := time.Until(planned); wait > 0 {
					time.Sleep(wait)
				} else if wait < -time.Millisecond {
					r.late++
				}
				if ctx.Err() != nil {
					r.errs = append(r.errs, fmt.Sprintf("poste %d : %d opérations non envoyées dans le temps imparti", i, n-j))
					return
				}
				if err := p.send(ctx, client, base); err != nil {
					// The next Seq would be a gap: this poste stops here.
					r.errs = append(r.errs, fmt.Sprintf("poste %d, seq %d : %v", i, p.seq+1, err))
					return
				}
				r.last = time.Now()
				r.latencies = append(r.latencies, r.last.Sub(planned))
			}
		})
	}
	wg.Wait()
	var last time.Time
	for _, r := range results {
		if r.last.After(last) {
			last = r.last
		}
	}
	if last.IsZero() {
		return results, 0
	}
	return results, last.Sub(start)
}

// send POSTs the poste's next operation and checks that central acknowledges it.
func (p *benchPoste) send(ctx context.Context, client *http.Client, base string) error {
	op := &xdemat.Operation{
		ID:      uuid.NewString(),
		Seq:     p.seq + 1,
		Type:    "acte.cree",
		Auteur:  "banc",
		Payload: json.RawMessage(`{"numero":"2026-` + strconv.FormatInt(p.seq+1, 10) + `","objet":"Délibération de test"}`),
		CreeLe:  time.Now(),
	}
	body, err := json.Marshal(protocol.OperationsRequest{Operations: []*xdemat.Operation{op}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/operations", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(protocol.HeaderAgent, "banc")
	protocol.Signer(req, p.key, p.poste.ID, protocol.HashBody(body), time.Now())
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("statut %d : %s", res.StatusCode, bytes.TrimSpace(data))
	}
	var ack protocol.OperationsResponse
	if err := json.Unmarshal(data, &ack); err != nil {
		return fmt.Errorf("réponse illisible : %w", err)
	}
	if ack.Ack != op.Seq {
		return fmt.Errorf("acquitté jusqu'à %d, %d attendu", ack.Ack, op.Seq)
	}
	p.seq = op.Seq
	p.sent[op.ID] = op.Seq
	return nil
}

// benchEnroll creates the communes, issues one code per poste as the SPL
// does, and enrolls the postes through the enrollment route, all at once so
// that each opens its own connection, kept alive for the run.
func benchEnroll(b *testing.B, m *Main, client *http.Client, base string) []*benchPoste {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	codes := make([]string, benchPostes)
	for c := range benchCommunes {
		commune := &xdemat.Commune{Nom: fmt.Sprint("Commune de banc ", c+1), SIREN: benchSIREN(c), Departement: "51", Population: 400, CreeLe: now}
		if err := m.Store().CreateCommune(ctx, commune); err != nil {
			b.Fatal(err)
		}
		for i := c; i < benchPostes; i += benchCommunes {
			code, err := admin.IssueCode(ctx, m.Store(), commune.ID, now)
			if err != nil {
				b.Fatal(err)
			}
			codes[i] = code.Code
		}
	}
	postes := make([]*benchPoste, benchPostes)
	errs := make([]error, benchPostes)
	var wg sync.WaitGroup
	for i := range postes {
		wg.Go(func() {
			pub, key, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				errs[i] = err
				return
			}
			body, _ := json.Marshal(protocol.EnrolementRequest{Code: admin.FormatCode(codes[i]), Nom: fmt.Sprint("PC-BANC-", i), ClePublique: pub, Version: "banc"})
			req, err := http.NewRequest(http.MethodPost, base+"/v1/enrolement", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			protocol.Signer(req, key, "", protocol.HashBody(body), time.Now())
			res, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			var enr protocol.EnrolementResponse
			if err := json.NewDecoder(res.Body).Decode(&enr); err != nil || res.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("enrôlement : statut %d, %v", res.StatusCode, err)
				return
			}
			postes[i] = &benchPoste{poste: &xdemat.Poste{ID: enr.PosteID, CommuneID: enr.Commune.ID}, key: key, sent: make(map[string]int64)}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			b.Fatalf("poste %d : %v", i, err)
		}
	}
	for _, p := range postes {
		stored, err := m.Store().FindPoste(ctx, p.poste.ID)
		if err != nil {
			b.Fatal(err)
		}
		p.poste = stored
	}
	return postes
}

// benchVerify checks that central holds exactly the operations acknowledged:
// each poste's Ack is the number it sent, and each commune lists these
// operations and no other.
func benchVerify(b *testing.B, m *Main, postes []*benchPoste) {
	b.Helper()
	byCommune := make(map[string][]*benchPoste)
	for _, p := range postes {
		byCommune[p.poste.CommuneID] = append(byCommune[p.poste.CommuneID], p)
		ctx := xdemat.NewContextWithPoste(context.Background(), p.poste)
		ack, err := m.Store().Ack(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if ack != int64(len(p.sent)) || ack != p.seq {
			b.Errorf("poste %s : acquitté jusqu'à %d, %d opérations envoyées", p.poste.ID, ack, len(p.sent))
		}
	}
	if len(byCommune) != benchCommunes {
		b.Fatalf("%d communes, %d attendues", len(byCommune), benchCommunes)
	}
	for communeID, ps := range byCommune {
		ctx := xdemat.NewContextWithPoste(context.Background(), ps[0].poste)
		ops, err := m.Store().ListOperations(ctx)
		if err != nil {
			b.Fatal(err)
		}
		want := 0
		seqs := make(map[string]int64)
		for _, p := range ps {
			want += len(p.sent)
			for id, seq := range p.sent {
				seqs[id] = seq
			}
		}
		if len(ops) != want {
			b.Errorf("commune %s : %d opérations enregistrées, %d envoyées", communeID, len(ops), want)
		}
		for _, op := range ops {
			if seq, ok := seqs[op.ID]; !ok || seq != op.Seq {
				b.Errorf("commune %s : opération %s (seq %d) inattendue", communeID, op.ID, op.Seq)
				break
			}
		}
	}
}

// benchQuantile returns the q-quantile (nearest rank) of sorted latencies.
func benchQuantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// The small margin keeps 0.99×10,000 from rounding up to 9,901.
	i := int(math.Ceil(q*float64(len(sorted))-1e-9)) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// benchSIREN returns a valid SIREN, distinct for each i.
func benchSIREN(i int) string {
	prefix := fmt.Sprintf("2%07d", 9000000+i)
	for d := range 10 {
		if s := prefix + strconv.Itoa(d); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("no SIREN check digit")
}

func benchEnvInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q : un entier positif est attendu", name, v)
	}
	return n
}
