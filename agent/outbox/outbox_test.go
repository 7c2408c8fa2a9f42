package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/outbox"
	agentsqlite "xdemat/agent/sqlite"
)

// wantError checks an error of an exchange with central.
func wantError(t *testing.T, err error, status int, transient bool, code, msg string) {
	t.Helper()
	var ce *centralclient.Error
	if !errors.As(err, &ce) {
		t.Fatalf("erreur %v (%T), *centralclient.Error attendue", err, err)
	}
	if ce.Status != status || centralclient.IsTransient(err) != transient || xdemat.ErrorCode(err) != code {
		t.Fatalf("statut %d, temporaire %v, code %q ; %d, %v, %q attendus (%v)", ce.Status, centralclient.IsTransient(err), xdemat.ErrorCode(err), status, transient, code, err)
	}
	if got := xdemat.ErrorMessage(err); !strings.Contains(got, msg) {
		t.Fatalf("message %q, %q attendu dedans", got, msg)
	}
}

// count returns how many requests of log are req ("METHOD /path", or a
// prefix of it ending with "/").
func count(log []string, req string) int {
	n := 0
	for _, l := range log {
		if l == req || (strings.HasSuffix(req, "/") && strings.HasPrefix(l, req)) {
			n++
		}
	}
	return n
}

func TestDrain(t *testing.T) {
	c := newCentral(t)
	m := newMairie(t, c, "Nouzonville")
	m.client.BlocSize = 1 << 20
	ctx := context.Background()
	registre := m.document("registre.pdf", 3<<19) // 1,5 Mo : two chunks
	arrete := m.document("arrete.pdf", 20<<10)
	ops := []*xdemat.Operation{
		m.enqueue("document.ajoute", registre),
		m.enqueue("document.ajoute", arrete, registre),
		m.enqueue("acte.cree"),
	}
	if st := m.state(); st.OperationsEnAttente != 3 || st.OctetsEnAttente != registre.Taille+arrete.Taille {
		t.Fatalf("avant l'envoi : %+v", st)
	}
	o := outbox.New(m.store, m.blobs, m.client, nil, nil)
	o.BatchSize = 2

	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	log := m.sent.take()
	// The registre in two chunks, the small arrêté whole in one request.
	if n := count(log, "PUT /v1/televersements/"); n != 2 {
		t.Fatalf("%d blocs envoyés, 2 attendus : %v", n, log)
	}
	if n := count(log, "PUT /v1/documents/"); n != 1 {
		t.Fatalf("%d documents envoyés en une fois, 1 attendu : %v", n, log)
	}
	if n := count(log, "POST /v1/operations"); n != 2 {
		t.Fatalf("%d lots d'opérations envoyés, 2 attendus : %v", n, log)
	}
	// Every document travels before the operations that need it.
	firstOps := slices.Index(log, "POST /v1/operations")
	for i, l := range log {
		if (strings.Contains(l, "/v1/televersements") || strings.HasPrefix(l, "PUT /v1/documents/")) && i > firstOps {
			t.Fatalf("document envoyé après les opérations : %v", log)
		}
	}
	got, err := c.Store.ListOperations(c.PosteCtx(m.id.PosteID))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ops) {
		t.Fatalf("%d opérations chez central, %d attendues", len(got), len(ops))
	}
	for i := range ops {
		if got[i].ID != ops[i].ID || got[i].Seq != ops[i].Seq || !slices.Equal(got[i].Documents, ops[i].Documents) {
			t.Fatalf("opération %d chez central %+v, %+v attendue", i, got[i], ops[i])
		}
	}
	for _, d := range []*xdemat.Document{registre, arrete} {
		if _, err := c.Store.FindDocument(c.PosteCtx(m.id.PosteID), d.SHA256); err != nil {
			t.Fatalf("document %s absent de central : %v", d.NomOriginal, err)
		}
		if !sameFile(t, m.blobs.Path(d.SHA256), c.Blobs.Path(d.SHA256)) {
			t.Fatalf("document %s différent chez central", d.NomOriginal)
		}
	}
	st := m.state()
	if st.OperationsEnAttente != 0 || st.OctetsEnAttente != 0 || st.DernierAck != 3 {
		t.Fatalf("après l'envoi : %+v", st)
	}

	t.Run("deuxième passage sans rien à envoyer", func(t *testing.T) {
		if err := o.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if log := m.sent.take(); len(log) != 0 {
			t.Fatalf("requêtes envoyées pour rien : %v", log)
		}
	})
	t.Run("document déjà chez central", func(t *testing.T) {
		op := m.enqueue("document.annote", registre)
		if err := o.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if log := m.sent.take(); !slices.Equal(log, []string{"POST /v1/operations"}) {
			t.Fatalf("requêtes %v, le seul lot attendu", log)
		}
		if ack, err := c.Store.Ack(c.PosteCtx(m.id.PosteID)); err != nil || ack != op.Seq {
			t.Fatalf("ack de central %d (%v), %d attendu", ack, err, op.Seq)
		}
	})
	t.Run("fichier d'un document disparu du poste", func(t *testing.T) {
		perdu := m.document("perdu.pdf", 1000)
		op := m.enqueue("document.ajoute", perdu)
		if err := os.Remove(m.blobs.Path(perdu.SHA256)); err != nil {
			t.Fatal(err)
		}
		err := o.Drain(ctx)
		if xdemat.ErrorCode(err) != xdemat.EINTERNAL || !strings.Contains(xdemat.ErrorMessage(err), "« perdu.pdf » a disparu") {
			t.Fatalf("erreur %v", err)
		}
		if log := m.sent.take(); count(log, "POST /v1/operations") != 0 {
			t.Fatalf("opération envoyée sans son document : %v", log)
		}
		if ack, _ := c.Store.Ack(c.PosteCtx(m.id.PosteID)); ack >= op.Seq {
			t.Fatalf("central a acquitté l'opération n°%d sans son document", op.Seq)
		}
	})
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func TestDrainTrouDansLaSequence(t *testing.T) {
	c := newCentral(t)
	m := newMairie(t, c, "Bogny-sur-Meuse")
	ctx := context.Background()
	for range 4 {
		m.enqueue("acte.cree")
	}
	// The poste believes central holds 1 and 2 (central was restored from a
	// backup taken before it received them).
	if err := m.store.Acknowledge(ctx, 2); err != nil {
		t.Fatal(err)
	}
	o := outbox.New(m.store, m.blobs, m.client, nil, nil)
	err := o.Drain(ctx)
	wantError(t, err, http.StatusConflict, false, xdemat.ECONFLICT, "Opération n°3 reçue alors que la n°1 est attendue")
	// Central's acknowledgement is read again after the refusal.
	if log := m.sent.take(); !slices.Equal(log, []string{"POST /v1/operations", "GET /v1/operations/ack"}) {
		t.Fatalf("requêtes %v", log)
	}
	// Central lost 1 and 2: they are pending again, nothing was marked as
	// received that central does not hold.
	pending, err := m.store.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 4 || pending[0].Seq != 1 || pending[3].Seq != 4 {
		t.Fatalf("opérations en attente %+v : 1 à 4 attendues", pending)
	}
	if st := m.state(); st.DernierAck != 0 {
		t.Fatalf("ack local %d, 0 attendu (celui de central)", st.DernierAck)
	}
	if ops, err := c.Store.ListOperations(c.PosteCtx(m.id.PosteID)); err != nil || len(ops) != 0 {
		t.Fatalf("central a enregistré %d opération(s) d'un lot refusé (%v)", len(ops), err)
	}
	// The next pass sends them all again, in order.
	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if ops, err := c.Store.ListOperations(c.PosteCtx(m.id.PosteID)); err != nil || len(ops) != 4 || ops[0].Seq != 1 || ops[3].Seq != 4 {
		t.Fatalf("central détient %d opération(s) après reprise (%v)", len(ops), err)
	}
}

func TestFileDuPosteRestaureeNePerdRien(t *testing.T) {
	c := newCentral(t)
	m := newMairie(t, c, "Revin")
	ctx := context.Background()
	m.enqueue("acte.cree")
	m.enqueue("acte.cree")
	o := outbox.New(m.store, m.blobs, m.client, nil, nil)
	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The poste's base is put back as it was before those two existed
	// (restored from an older copy): its next operation is numbered 1 again,
	// under a new identifier, while central holds 1 and 2.
	restored, err := agentsqlite.Open(filepath.Join(t.TempDir(), "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.SaveIdentity(ctx, m.id); err != nil {
		t.Fatal(err)
	}
	m.store = restored
	fresh := m.enqueue("acte.cree").ID
	o = outbox.New(m.store, m.blobs, m.client, nil, nil)
	m.sent.take()
	err = o.Drain(ctx)
	if xdemat.ErrorCode(err) != xdemat.ECONFLICT || !strings.Contains(xdemat.ErrorMessage(err), "Rien n'est perdu") {
		t.Fatalf("erreur %v", err)
	}
	pending, err := m.store.Pending(ctx, 0)
	if err != nil || len(pending) != 1 || pending[0].ID != fresh {
		t.Fatalf("l'opération nouvelle doit rester en attente : %+v (%v)", pending, err)
	}
}

func TestErreurAfficheeDansLaBarreDEtat(t *testing.T) {
	tests := []struct {
		nom     string
		panne   func(c *central, m *mairie)
		status  int
		code    string
		enLigne bool
		message string
	}{
		{"poste révoqué par la SPL", func(c *central, m *mairie) {
			if err := c.Store.RevokePoste(context.Background(), m.id.PosteID, time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)); err != nil {
				t.Fatal(err)
			}
		}, http.StatusForbidden, xdemat.EFORBIDDEN, true,
			"Ce poste a été révoqué par la SPL le 20/11/2026 : il ne peut plus se synchroniser. Contactez la SPL pour l'enrôler à nouveau."},
		{"serveur de la SPL éteint", func(c *central, m *mairie) {
			c.API.Drain()
			c.Srv.Close()
		}, 0, xdemat.EUNAVAILABLE, false,
			"Le serveur de la SPL est injoignable : les envois attendent sur ce poste et partiront dès le retour de la connexion."},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			c := newCentral(t)
			m := newMairie(t, c, "Monthermé")
			ctx := context.Background()
			m.enqueue("document.ajoute", m.document("plan.pdf", 4096))
			m.enqueue("acte.cree")
			tt.panne(c, m)
			bus := agent.NewBus()
			status := &agent.Status{Store: m.store, Bus: bus}
			o := outbox.New(m.store, m.blobs, m.client, status, nil)

			err := o.Drain(ctx)
			wantError(t, err, tt.status, !tt.enLigne, tt.code, tt.message)
			if centralclient.IsOffline(err) == tt.enLigne {
				t.Fatalf("hors ligne = %v", centralclient.IsOffline(err))
			}

			// Run reports it to the status bar.
			events, unsubscribe := bus.Subscribe()
			defer unsubscribe()
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- o.Run(runCtx) }()
			timeout := time.After(10 * time.Second)
			var st *agent.SyncState
		wait:
			for {
				select {
				case ev := <-events:
					if s, ok := ev.Data.(*agent.SyncState); ok && ev.Type == "etat" && s.DerniereErreur != "" {
						st = s
						break wait
					}
				case <-timeout:
					t.Fatal("aucun état publié")
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run : %v", err)
			}
			if st.DerniereErreur != tt.message || st.EnLigne != tt.enLigne || !st.Enrole {
				t.Fatalf("état publié %+v ; en ligne %v et %q attendus", st, tt.enLigne, tt.message)
			}
			now, err := status.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if now.DerniereErreur != tt.message || now.EnLigne != tt.enLigne || now.OperationsEnAttente != 2 {
				t.Fatalf("état %+v", now)
			}
			// Persisted, for the status bar after a restart.
			if saved := m.state(); saved.DerniereErreur != tt.message {
				t.Fatalf("erreur enregistrée %q", saved.DerniereErreur)
			}
			if tt.status != 0 {
				if docs, err := c.Store.ListDocuments(c.PosteCtx(m.id.PosteID)); err != nil || len(docs) != 0 {
					t.Fatalf("documents chez central : %d (%v)", len(docs), err)
				}
			}
		})
	}
}

// TestDrainAnnule checks that a drain cut by the agent's shutdown is not an
// error to show, and that what it sent is resumed, not sent twice.
func TestDrainAnnule(t *testing.T) {
	c := newCentral(t)
	m := newMairie(t, c, "Fumay")
	m.client.BlocSize = 64 << 10
	registre := m.document("registre.pdf", 1<<20)
	m.enqueue("document.ajoute", registre)
	ctx, cancel := context.WithCancel(context.Background())
	// The agent stops once three chunks reached central.
	m.sent.before = func(log []string) {
		if count(log, "PUT /v1/televersements/") == 3 {
			cancel()
		}
	}
	o := outbox.New(m.store, m.blobs, m.client, nil, nil)
	err := o.Drain(ctx)
	cancel()
	if !errors.Is(err, context.Canceled) || centralclient.IsTransient(err) {
		t.Fatalf("erreur %v, annulation attendue", err)
	}
	m.sent.before = nil
	m.sent.take()
	if st := m.state(); st.OperationsEnAttente != 1 || st.OctetsEnAttente != registre.Taille {
		t.Fatalf("après l'arrêt : %+v", st)
	}
	if err := o.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := m.sent.take()
	if n := count(log, "PUT /v1/televersements/"); n != 16-3 {
		t.Fatalf("%d blocs envoyés à la reprise, %d attendus", n, 16-3)
	}
	if n := count(log, "POST /v1/operations"); n != 1 {
		t.Fatalf("%d lots d'opérations envoyés", n)
	}
	f, err := c.Blobs.Open(registre.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, _ := io.Copy(io.Discard, f)
	if n != registre.Taille {
		t.Fatalf("central tient %d octets, %d attendus", n, registre.Taille)
	}
}
