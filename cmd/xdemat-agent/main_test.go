package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent/localapi"
	"xdemat/agent/sqlite"
	"xdemat/central"
	"xdemat/central/blob"
)

// TestMain lets the test binary play the agent program in a subprocess, so
// that tests can kill a real agent process with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("XDEMAT_AGENT_HELPER") == "1" {
		var args []string
		for _, a := range strings.Split(os.Getenv("XDEMAT_AGENT_ARGS"), "\x1f") {
			if a != "" {
				args = append(args, a)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := Execute(ctx, args, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// commune creates a commune on central and returns it with a fresh code.
func newCommune(t testing.TB, st central.Store, nom, siren string) (*xdemat.Commune, string) {
	t.Helper()
	ctx := context.Background()
	c := &xdemat.Commune{SIREN: siren, Nom: nom, Departement: "51", Population: 180}
	if err := st.CreateCommune(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c, newCode(t, st, c.ID)
}

func newCode(t testing.TB, st central.Store, communeID string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	code := strings.ToUpper(hex.EncodeToString(b))
	now := time.Now().UTC()
	if err := st.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: code, CommuneID: communeID, CreeLe: now, ExpireLe: now.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		t.Fatal(err)
	}
	return code
}

// enrollAgent runs "xdemat-agent enroll" as the technician would.
func enrollAgent(t testing.TB, c *centralHandle, code, dataDir string) {
	t.Helper()
	var out bytes.Buffer
	err := Execute(context.Background(), []string{"enroll", "-data", dataDir, "-central", "https://" + c.Addr, "-code", code, "-empreinte", c.Pin, "-nom", "PC-MAIRIE"}, &out)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if !strings.Contains(out.String(), "Poste enrôlé") {
		t.Fatalf("sortie d'enroll inattendue : %s", out.String())
	}
}

func startAgent(t testing.TB, dataDir string) *Main {
	t.Helper()
	m := NewMain()
	m.DataDir = dataDir
	m.RetryMax = 300 * time.Millisecond
	m.EnrollPoll = 100 * time.Millisecond
	m.Logger = testLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func shortTempDir(t testing.TB) string {
	t.Helper()
	// Unix socket paths are limited to about 104 bytes: t.TempDir() is too deep.
	d, err := os.MkdirTemp("", "xd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s : toujours pas au bout de %v (%s)", what, timeout, last)
}

func waitDrained(t *testing.T, dataDir string, timeout time.Duration) {
	t.Helper()
	waitFor(t, "file d'envoi vidée", timeout, func() (bool, string) {
		c, err := localapi.Dial(dataDir)
		if err != nil {
			return false, err.Error()
		}
		st, err := c.Etat(context.Background())
		if err != nil {
			return false, err.Error()
		}
		return st.OperationsEnAttente == 0 && st.OctetsEnAttente == 0, fmt.Sprintf("%+v", st)
	})
}

// exactlyOnce checks central's view of a commune: every operation of the
// poste once, Seq 1..n, every document once with the right bytes, and one
// event per operation and per document.
func exactlyOnce(t *testing.T, c *centralHandle, posteCtx context.Context, nOps int, docs map[string][]byte) {
	t.Helper()
	ops, err := c.Store.ListOperations(posteCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != nOps {
		t.Fatalf("central détient %d opérations, attendu %d", len(ops), nOps)
	}
	seen := map[string]bool{}
	for i, op := range ops {
		if op.Seq != int64(i+1) || seen[op.ID] {
			t.Fatalf("opération %d : seq %d, id %s (déjà vu : %v)", i, op.Seq, op.ID, seen[op.ID])
		}
		seen[op.ID] = true
	}
	list, err := c.Store.ListDocuments(posteCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(docs) {
		t.Fatalf("central détient %d documents, attendu %d", len(list), len(docs))
	}
	for _, d := range list {
		want, ok := docs[d.SHA256]
		if !ok {
			t.Fatalf("document inattendu %s", d.SHA256)
		}
		f, err := c.Blobs.Open(d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, want) {
			t.Fatalf("contenu du document %s différent", d.SHA256)
		}
	}
	evs, err := c.Store.Events(posteCtx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, ev := range evs {
		count[ev.Type+" "+ev.Objet]++
	}
	for id := range seen {
		if n := count[xdemat.EvenementOperationRecue+" "+id]; n != 1 {
			t.Fatalf("opération %s : %d événements « reçue », attendu 1", id, n)
		}
	}
	for h := range docs {
		if n := count[xdemat.EvenementDocumentRecu+" "+h]; n != 1 {
			t.Fatalf("document %s : %d événements « reçu », attendu 1", h, n)
		}
	}
	if j, err := c.Store.Journal(posteCtx); err != nil || xdemat.VerifierJournal(j) != nil {
		t.Fatalf("journal de central : %v / %v", err, xdemat.VerifierJournal(j))
	}
}

// queueDirect commits documents and operations into a stopped agent's store,
// exactly as the local API would.
func queueDirect(t testing.TB, dataDir string, nDocs, docSize, nOps int) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.Open(filepath.Join(dataDir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	var hashes []string
	for i := 0; i < nDocs; i++ {
		data := randomBytes(docSize)
		h, n, err := blobs.Put(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddDocument(ctx, &xdemat.Document{SHA256: h, Taille: n, TypeMedia: "application/pdf", NomOriginal: fmt.Sprintf("deliberation-%d.pdf", i), CreeLe: time.Now()}); err != nil {
			t.Fatal(err)
		}
		docs[h] = data
		hashes = append(hashes, h)
	}
	for i := 0; i < nOps; i++ {
		var refs []string
		if i < len(hashes) {
			refs = []string{hashes[i]}
		}
		if _, err := st.Enqueue(ctx, "document.ajoute", "secretaire", []byte(fmt.Sprintf(`{"n":%d}`, i)), refs, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return docs
}

// agentProcess starts the agent program in a subprocess.
func agentProcess(t *testing.T, dataDir, crashpoint string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	args := strings.Join([]string{"run", "-data", dataDir, "-retry-max", "300ms"}, "\x1f")
	cmd.Env = append(os.Environ(), "XDEMAT_AGENT_HELPER=1", "XDEMAT_AGENT_ARGS="+args, "XDEMAT_CRASHPOINT="+crashpoint)
	// Its own process group, so that a test can kill it with its children
	// (restic) as a power cut would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("sortie de l'agent (%s) :\n%s", crashpoint, stderr.String())
		}
	})
	return cmd
}

func TestCoupureBrutaleDeLAgentPendantLEnvoi(t *testing.T) {
	if testing.Short() {
		t.Skip("test de bout en bout avec sous-processus")
	}
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	for i, tc := range []struct {
		nom        string
		crashpoint string
		partial    bool // central holds part of a document when the agent dies
	}{
		{"au milieu d'un bloc de document", "televersement.bloc.milieu:2", false},
		{"après réception d'un bloc par central, avant la suite", "televersement.bloc.recu:2", true},
		{"document reçu et noté, avant les opérations", "televersement.apres-marque:1", false},
		{"opérations reçues par central, avant l'accusé local", "operations.avant-ack:1", false},
		{"juste après l'accusé local", "operations.apres-ack:1", false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			commune, code := newCommune(t, c.Store, fmt.Sprintf("Commune coupée %d", i), sirens[i])
			dataDir := shortTempDir(t)
			enrollAgent(t, c, code, dataDir)
			// 3 documents of 2.5 MB: 3 chunks each, so that crashes land between chunks too.
			docs := queueDirect(t, dataDir, 3, 5<<19, 5)

			first := agentProcess(t, dataDir, tc.crashpoint)
			err := first.Wait()
			ws, ok := first.ProcessState.Sys().(syscall.WaitStatus)
			if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("l'agent devait être tué au point %s, fin : %v", tc.crashpoint, err)
			}
			if tc.partial {
				// The restart must resume these uploads, not start them over.
				if n := partialBytes(t, filepath.Join(c.DataDir, "televersements", commune.ID)); n < 1<<20 {
					t.Fatalf("central devait détenir au moins un bloc d'un document partiel, il détient %d octets", n)
				}
			}

			second := agentProcess(t, dataDir, "")
			waitDrained(t, dataDir, 60*time.Second)
			second.Process.Signal(syscall.SIGTERM)
			second.Wait()

			exactlyOnce(t, c, c.PosteContext(t, commune.ID), 5, docs)
		})
	}
}

// partialBytes returns the size of the largest partial upload in dir.
func partialBytes(t *testing.T, dir string) int64 {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join(dir, "*.part"))
	var largest int64
	for _, p := range parts {
		if fi, err := os.Stat(p); err == nil && fi.Size() > largest {
			largest = fi.Size()
		}
	}
	return largest
}

// Valid SIRENs (Luhn) for test communes.
var sirens = []string{"215100009", "210800009", "215100017", "215100025", "215100033", "215100041", "215100058", "215100066"}

func TestDeuxCommunesHorsLignePuisRetourDeCentral(t *testing.T) {
	dir := t.TempDir()
	c := startCentral(t, dir, "127.0.0.1:0")
	addr := c.Addr
	ca, codeA := newCommune(t, c.Store, "Commune A", sirens[0])
	cb, codeB := newCommune(t, c.Store, "Commune B", sirens[1])
	dirA, dirB := shortTempDir(t), shortTempDir(t)
	enrollAgent(t, c, codeA, dirA)
	enrollAgent(t, c, codeB, dirB)
	agentA, agentB := startAgent(t, dirA), startAgent(t, dirB)
	defer agentA.Close()
	defer agentB.Close()

	// The line goes down.
	c.Close()

	ctx := context.Background()
	docs := map[string]map[string][]byte{dirA: {}, dirB: {}}
	for _, d := range []string{dirA, dirB} {
		cl, err := localapi.Dial(d)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			data := randomBytes(1<<20 + i*7919)
			doc, err := cl.AjouterDocument(ctx, fmt.Sprintf("Délibération n°%d.pdf", i), "application/pdf", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if doc.SHA256 != sha(data) {
				t.Fatalf("empreinte %s, attendu %s", doc.SHA256, sha(data))
			}
			docs[d][doc.SHA256] = data
			if _, err := cl.CreerOperation(ctx, "document.ajoute", "secretaire", map[string]any{"nom": doc.NomOriginal}, []string{doc.SHA256}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cl.CreerOperation(ctx, "note.creee", "secretaire", map[string]string{"texte": "sans document"}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "l'agent se sait hors ligne", 10*time.Second, func() (bool, string) {
			st, err := cl.Etat(ctx)
			if err != nil {
				return false, err.Error()
			}
			return !st.EnLigne && st.OperationsEnAttente == 4 && st.OctetsEnAttente > 3<<20 && st.DerniereErreur != "", fmt.Sprintf("%+v", st)
		})
	}

	// Central comes back on the same address with the same data.
	c = startCentral(t, dir, addr)
	waitDrained(t, dirA, 30*time.Second)
	waitDrained(t, dirB, 30*time.Second)
	exactlyOnce(t, c, c.PosteContext(t, ca.ID), 4, docs[dirA])
	exactlyOnce(t, c, c.PosteContext(t, cb.ID), 4, docs[dirB])

	// Each agent's inbox receives its own commune's events, and only those.
	for d, commune := range map[string]*xdemat.Commune{dirA: ca, dirB: cb} {
		cl, _ := localapi.Dial(d)
		waitFor(t, "événements reçus par "+commune.Nom, 30*time.Second, func() (bool, string) {
			evs, err := cl.Evenements(ctx, 0)
			if err != nil {
				return false, err.Error()
			}
			n := 0
			for _, ev := range evs {
				if ev.Type == xdemat.EvenementOperationRecue {
					n++
				}
			}
			return n == 4, fmt.Sprintf("%d opérations reçues", n)
		})
		st, _ := cl.Etat(ctx)
		if !st.EnLigne || st.DerniereErreur != "" {
			t.Fatalf("%s : l'état doit être « en ligne » sans erreur : %+v", commune.Nom, st)
		}
	}
}
