package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/protocol"
)

// longPoll starts GET /v1/evenements as p and returns where its answer will arrive.
func (e *env) longPoll(p *poste, query string) <-chan protocol.EvenementsResponse {
	out := make(chan protocol.EvenementsResponse, 1)
	// The request is built and signed here, in the test's goroutine.
	req, err := http.NewRequest(http.MethodGet, e.http.URL+"/v1/evenements?"+query, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	protocol.Signer(req, p.key, p.id, protocol.HashBody(nil), time.Now())
	client := e.http.Client()
	go func() {
		r, err := client.Do(req)
		if err != nil {
			close(out)
			return
		}
		var ev protocol.EvenementsResponse
		if r.StatusCode == http.StatusOK {
			json.NewDecoder(r.Body).Decode(&ev)
		}
		r.Body.Close()
		out <- ev
	}()
	return out
}

func TestEvenementsAttente(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Charleville-Mézières")
	secretariat := e.enroll(c.ID)
	accueil := e.enroll(c.ID)
	var now protocol.EvenementsResponse
	e.call(secretariat, http.MethodGet, "/v1/evenements", nil, &now)
	if len(now.Evenements) != 2 {
		t.Fatalf("événements d'enrôlement : %+v", now.Evenements)
	}
	cursor := now.Curseur

	tests := []struct {
		nom     string
		attente string
		action  func()
		min     time.Duration // the answer comes after at least…
		max     time.Duration // …and at most
		recus   int
	}{
		{"opération d'un autre poste pendant l'attente", "30", func() {
			time.Sleep(200 * time.Millisecond)
			body, _ := json.Marshal(protocol.OperationsRequest{Operations: operations(1, 1)})
			if status, resp := e.send(http.MethodPost, "/v1/operations", body, accueil.sig()); status != http.StatusOK {
				t.Errorf("opération : %d %s", status, resp)
			}
		}, 150 * time.Millisecond, 5 * time.Second, 1},
		{"rien de nouveau avant la fin de l'attente", "1", func() {}, time.Second, 5 * time.Second, 0},
		{"sans attente", "0", func() {}, 0, 2 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			start := time.Now()
			answer := e.longPoll(secretariat, "apres="+itoa(cursor)+"&attente="+tt.attente)
			tt.action()
			select {
			case ev, ok := <-answer:
				took := time.Since(start)
				if !ok {
					t.Fatal("requête échouée")
				}
				if took < tt.min || took > tt.max {
					t.Fatalf("réponse après %s, entre %s et %s attendu", took, tt.min, tt.max)
				}
				if len(ev.Evenements) != tt.recus {
					t.Fatalf("%d événements, %d attendus : %+v", len(ev.Evenements), tt.recus, ev.Evenements)
				}
				if tt.recus > 0 {
					if ev.Evenements[0].Type != xdemat.EvenementOperationRecue || ev.Evenements[0].PosteID != accueil.id || ev.Curseur <= cursor {
						t.Fatalf("événement %+v, curseur %d", ev.Evenements[0], ev.Curseur)
					}
					cursor = ev.Curseur
				} else if ev.Curseur != cursor || ev.Evenements == nil {
					t.Fatalf("sans événement : curseur %d (%d attendu), liste %v", ev.Curseur, cursor, ev.Evenements)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("pas de réponse")
			}
		})
	}
}

func TestEvenementsArretDuServeur(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Bogny-sur-Meuse")
	p := e.enroll(c.ID)
	start := time.Now()
	answer := e.longPoll(p, "apres=1000&attente=60")
	time.Sleep(100 * time.Millisecond)
	e.server.Drain()
	select {
	case _, ok := <-answer:
		if !ok {
			t.Fatal("requête échouée")
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("réponse après %s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("l'attente ne s'arrête pas avec le serveur")
	}
	// Later long-polls do not wait either.
	e.call(p, http.MethodGet, "/v1/evenements?attente=60&apres=1000", nil, nil)
}

func TestEvenementsParametresInvalides(t *testing.T) {
	e := newEnv(t)
	p := e.enroll(e.commune("Mouzon").ID)
	for _, q := range []string{"apres=-1", "apres=abc", "attente=deux"} {
		status, body := e.send(http.MethodGet, "/v1/evenements?"+q, nil, p.sig())
		wantError(t, status, body, http.StatusBadRequest, "invalide")
	}
}

func TestNotifier(t *testing.T) {
	var n api.Notifier // the zero value is ready
	a1, a2, b := n.Wait("A"), n.Wait("A"), n.Wait("B")
	if a1 != a2 {
		t.Fatal("les postes d'une commune doivent partager un canal")
	}
	n.Notify("A")
	for nom, ch := range map[string]<-chan struct{}{"A": a1} {
		select {
		case <-ch:
		default:
			t.Fatalf("commune %s non réveillée", nom)
		}
	}
	select {
	case <-b:
		t.Fatal("commune B réveillée par un événement de A")
	default:
	}
	if n.Wait("A") == a1 {
		t.Fatal("un nouveau canal doit suivre le réveil")
	}
	n.Notify("inconnue") // no waiter: nothing to do
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
