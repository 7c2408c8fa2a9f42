package inbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/inbox"
)

// push sends n operations of another poste, numbered from seq.
func push(t *testing.T, cl *centralclient.Client, seq int64, n int) []*xdemat.Operation {
	t.Helper()
	ops := make([]*xdemat.Operation, n)
	for i := range ops {
		ops[i] = &xdemat.Operation{ID: uuid.NewString(), Seq: seq + int64(i), Type: "acte.cree", Payload: json.RawMessage(`{"objet":"Arrêté du maire"}`), CreeLe: time.Now()}
	}
	if _, err := cl.PushOperations(context.Background(), ops, 0); err != nil {
		t.Fatal(err)
	}
	return ops
}

// received drains the "evenement.recu" events published so far.
func received(t *testing.T, ch <-chan agent.BusEvent) []*xdemat.Evenement {
	t.Helper()
	var evs []*xdemat.Evenement
	for {
		select {
		case ev := <-ch:
			if ev.Type != "evenement.recu" {
				continue
			}
			e, ok := ev.Data.(*xdemat.Evenement)
			if !ok {
				t.Fatalf("donnée publiée %T, *xdemat.Evenement attendu", ev.Data)
			}
			evs = append(evs, e)
		default:
			return evs
		}
	}
}

// sameEvents checks that the poste holds exactly central's events.
func sameEvents(t *testing.T, local, want []*xdemat.Evenement) {
	t.Helper()
	if len(local) != len(want) {
		t.Fatalf("%d événements sur le poste, %d chez central", len(local), len(want))
	}
	for i := range want {
		l, w := local[i], want[i]
		if l.Curseur != w.Curseur || l.Type != w.Type || l.Objet != w.Objet || l.PosteID != w.PosteID || string(l.Payload) != string(w.Payload) || !l.CreeLe.Equal(w.CreeLe) {
			t.Fatalf("événement %d sur le poste %+v, %+v attendu", i, l, w)
		}
	}
}

func TestPoll(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Haybes")
	m := newMairie(t, c, commune.ID)
	secretariat := c.enroll(commune.ID)
	push(t, secretariat, 1, 2)
	ctx := context.Background()
	bus := agent.NewBus()
	published, unsubscribe := bus.Subscribe()
	defer unsubscribe()
	in := inbox.New(m.store, m.client, nil, bus, nil)
	pushed := make(chan error, 1)

	centralEvents := func() []*xdemat.Evenement {
		t.Helper()
		evs, err := c.Store.Events(c.PosteCtx(m.id.PosteID), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	localEvents := func() []*xdemat.Evenement {
		t.Helper()
		evs, err := m.store.Events(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}

	tests := []struct {
		nom string
		// before runs before the poll; wait is the long-poll's duration.
		before  func(t *testing.T)
		wait    time.Duration
		nouveau int // events the poll brings
	}{
		// Both enrollments and two operations.
		{"première relève", func(*testing.T) {}, 0, 4},
		{"relève sans nouvel événement", func(*testing.T) {}, 0, 0},
		{"relève en attente sans nouvel événement", func(*testing.T) {}, time.Second, 0},
		{"opération d'un autre poste pendant l'attente", func(t *testing.T) {
			go func() {
				deadline := time.Now().Add(5 * time.Second)
				for c.API.WaitingPolls() == 0 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				_, err := secretariat.PushOperations(context.Background(), []*xdemat.Operation{{
					ID: uuid.NewString(), Seq: 3, Type: "acte.cree", CreeLe: time.Now(),
				}}, 0)
				pushed <- err
			}()
			t.Cleanup(func() {
				if err := <-pushed; err != nil {
					t.Errorf("envoi de l'autre poste : %v", err)
				}
			})
		}, 20 * time.Second, 1},
		{"relève suivante sans doublon", func(*testing.T) {}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			before := len(localEvents())
			cursor := m.state().Curseur
			m.sent.take()
			tt.before(t)
			start := time.Now()
			if err := in.Poll(ctx, tt.wait); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if tt.nouveau > 0 && took > 10*time.Second {
				t.Fatalf("événement reçu en %s", took)
			}
			if tt.nouveau == 0 && tt.wait > 0 && took < tt.wait-100*time.Millisecond {
				t.Fatalf("attente de %s pour %s demandées", took, tt.wait)
			}
			// One request, from the stored cursor.
			want := fmt.Sprintf("GET /v1/evenements?apres=%d&attente=%d", cursor, int(tt.wait/time.Second))
			if log := m.sent.take(); len(log) != 1 || log[0] != want {
				t.Fatalf("requêtes %v, %q attendue", log, want)
			}
			all := localEvents()
			sameEvents(t, all, centralEvents())
			st := m.state()
			if want := all[len(all)-1].Curseur; st.Curseur != want {
				t.Fatalf("curseur %d, %d attendu", st.Curseur, want)
			}
			pubAll := received(t, published)
			if len(pubAll) != len(all)-before {
				t.Fatalf("%d événements publiés, %d attendus", len(pubAll), len(all)-before)
			}
			for i, e := range pubAll {
				if e.Curseur != all[before+i].Curseur {
					t.Fatalf("événement publié %d : curseur %d, %d attendu", i, e.Curseur, all[before+i].Curseur)
				}
			}
			// Central may add notifications (Xpostit) to what happens: count the rest.
			if got := len(sansXpostit(all[before:])); got != tt.nouveau {
				t.Fatalf("%d événements enregistrés, %d attendus", got, tt.nouveau)
			}
		})
	}
	// The notifications central relayed are in the "À faire" list.
	relayed := 0
	for _, e := range localEvents() {
		if e.Type == xdemat.OperationNotificationCreee {
			relayed++
		}
	}
	if ns, err := m.store.Notifications(ctx, agent.FiltreNotifications{AvecFaites: true}, time.Now()); err != nil || len(ns) != relayed {
		t.Fatalf("%d notification(s) sur le poste, %d relayée(s) (%v)", len(ns), relayed, err)
	}
	if types := fmt.Sprint(typesOf(sansXpostit(localEvents()))); types != "[poste.enrole poste.enrole operation.recue operation.recue operation.recue]" {
		t.Fatalf("événements %s", types)
	}
}

// sansXpostit leaves out the events of notifications and users, which
// central adds to what happens (a poste enrolled raises a notification).
func sansXpostit(evs []*xdemat.Evenement) []*xdemat.Evenement {
	var out []*xdemat.Evenement
	for _, e := range evs {
		if !strings.HasPrefix(e.Type, "notification.") && !strings.HasPrefix(e.Type, "utilisateur.") && !strings.HasPrefix(e.Type, "preferences.") {
			out = append(out, e)
		}
	}
	return out
}

func typesOf(evs []*xdemat.Evenement) []string {
	var ts []string
	for _, e := range evs {
		ts = append(ts, e.Type)
	}
	return ts
}

func TestPollEnEchec(t *testing.T) {
	tests := []struct {
		nom       string
		panne     func(t *testing.T, c *central, m *mairie)
		status    int
		transient bool
		enLigne   bool
		message   string
	}{
		{"serveur de la SPL éteint", func(t *testing.T, c *central, m *mairie) {
			c.API.Drain()
			c.Srv.Close()
		}, 0, true, false, "Le serveur de la SPL est injoignable"},
		{"poste révoqué par la SPL", func(t *testing.T, c *central, m *mairie) {
			if err := c.Store.RevokePoste(context.Background(), m.id.PosteID, time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)); err != nil {
				t.Fatal(err)
			}
		}, http.StatusForbidden, false, true, "Ce poste a été révoqué par la SPL le 20/11/2026 : il ne peut plus se synchroniser."},
		{"horloge du poste en retard d'une heure", func(t *testing.T, c *central, m *mairie) {
			m.client.Now = func() time.Time { return time.Now().Add(-time.Hour) }
		}, http.StatusUnauthorized, false, true, "L'horloge de ce poste est décalée de 1h0m"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			c := newCentral(t)
			commune := c.Commune("Vireux-Molhain")
			m := newMairie(t, c, commune.ID)
			push(t, c.enroll(commune.ID), 1, 1)
			tt.panne(t, c, m)
			ctx := context.Background()
			bus := agent.NewBus()
			published, unsubscribe := bus.Subscribe()
			defer unsubscribe()
			status := &agent.Status{Store: m.store, Bus: bus}
			in := inbox.New(m.store, m.client, status, bus, nil)

			err := in.Poll(ctx, 0)
			var ce *centralclient.Error
			if !errors.As(err, &ce) || ce.Status != tt.status || centralclient.IsTransient(err) != tt.transient || !strings.Contains(xdemat.ErrorMessage(err), tt.message) {
				t.Fatalf("erreur %v : statut %d, temporaire %v, %q attendus", err, tt.status, tt.transient, tt.message)
			}
			if st := m.state(); st.Curseur != 0 {
				t.Fatalf("curseur avancé à %d malgré l'échec", st.Curseur)
			}
			if evs, _ := m.store.Events(ctx, 0, 0); len(evs) != 0 || len(received(t, published)) != 0 {
				t.Fatalf("événements enregistrés ou publiés malgré l'échec : %d", len(evs))
			}

			// Run tells the status bar.
			in.Wait = time.Second
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- in.Run(runCtx) }()
			deadline := time.Now().Add(10 * time.Second)
			var st *agent.SyncState
			for {
				if st, err = status.State(ctx); err != nil {
					t.Fatal(err)
				}
				if st.DerniereErreur != "" || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run : %v", err)
			}
			if !strings.Contains(st.DerniereErreur, tt.message) || st.EnLigne != tt.enLigne {
				t.Fatalf("état %+v : en ligne %v et %q attendus", st, tt.enLigne, tt.message)
			}
		})
	}
}

// TestRun checks the whole loop: an operation sent by another poste reaches
// this one through the long-poll and is published on the bus.
func TestRun(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Signy-le-Petit")
	m := newMairie(t, c, commune.ID)
	maire := c.enroll(commune.ID)
	bus := agent.NewBus()
	published, unsubscribe := bus.Subscribe()
	defer unsubscribe()
	status := &agent.Status{Store: m.store, Bus: bus}
	in := inbox.New(m.store, m.client, status, bus, nil)
	in.Wait = 20 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run : %v", err)
		}
	}()

	waitFor := func(objet string) {
		t.Helper()
		timeout := time.After(15 * time.Second)
		for {
			select {
			case ev := <-published:
				if e, ok := ev.Data.(*xdemat.Evenement); ok && ev.Type == "evenement.recu" && e.Objet == objet {
					return
				}
			case <-timeout:
				t.Fatalf("événement sur %s jamais publié", objet)
			}
		}
	}
	waitFor(maire.PosteID) // its enrollment, already there
	for i := range 3 {
		op := push(t, maire, int64(i+1), 1)[0]
		waitFor(op.ID)
	}
	evs, err := m.store.Events(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sansXpostit(evs)); n != 5 {
		t.Fatalf("%d événements sur le poste, 5 attendus : %v", n, typesOf(evs))
	}
	st, err := status.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.EnLigne || st.DerniereErreur != "" || st.Curseur != evs[len(evs)-1].Curseur {
		t.Fatalf("état %+v", st)
	}
}
