package outbox_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/outbox"
	agentsqlite "xdemat/agent/sqlite"
)

// refusingCentral answers every batch of operations with a permanent refusal.
type refusingCentral struct{ status int }

func (r refusingCentral) RoundTrip(req *http.Request) (*http.Response, error) {
	body := `{"code":"invalide","message":"Opération illisible."}`
	return &http.Response{StatusCode: r.status, Status: http.StatusText(r.status), Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

func TestEnvoiRefuseSignaleUneFoisParOperation(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		nom    string
		status int
		want   int
	}{
		{"refus définitif", http.StatusBadRequest, 1},
		{"panne passagère", http.StatusServiceUnavailable, 0},
	} {
		t.Run(tt.nom, func(t *testing.T) {
			store, err := agentsqlite.Open(filepath.Join(t.TempDir(), "agent.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			client := centralclient.New("https://central.invalid", "p-1", key, "")
			client.HTTP = &http.Client{Transport: refusingCentral{tt.status}}
			bus := agent.NewBus()
			events, unsubscribe := bus.Subscribe()
			defer unsubscribe()
			status := &agent.Status{Store: store, Bus: bus}
			op, err := store.Enqueue(ctx, "acte.cree", "u-1", []byte(`{}`), nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			o := outbox.New(store, nil, client, status, nil)
			for range 3 {
				if err := o.Drain(ctx); err == nil {
					t.Fatal("refus attendu")
				}
			}
			ns, err := store.Notifications(ctx, agent.FiltreNotifications{}, time.Now())
			if err != nil || len(ns) != tt.want {
				t.Fatalf("%d notification(s), %d attendue(s) (%v)", len(ns), tt.want, err)
			}
			if tt.want == 0 {
				return
			}
			n := ns[0]
			if n.Type != xdemat.NotificationEnvoiRefuse || n.Objet != (xdemat.Lien{Ecran: "diagnostic"}) || !strings.Contains(n.Texte, "Opération illisible.") {
				t.Fatalf("notification %+v", n)
			}
			if n.ID != agent.IDNotification(xdemat.NotificationEnvoiRefuse, op.ID) {
				t.Fatalf("ID %s non déterministe", n.ID)
			}
			got := 0
			for len(events) > 0 {
				if ev := <-events; ev.Type == agent.EvenementNotifications {
					got++
				}
			}
			if got == 0 {
				t.Fatal("l'application n'a pas été prévenue")
			}
		})
	}
}
