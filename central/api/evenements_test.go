package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/protocol"
)

// pollResult is the answer to a long-poll.
type pollResult struct {
	status int
	header http.Header
	ev     protocol.EvenementsResponse
	err    protocol.ErrorResponse
}

// longPoll starts GET /v1/evenements as p and returns where its answer will arrive.
func (e *env) longPoll(p *poste, query string) <-chan pollResult {
	out := make(chan pollResult, 1)
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
		res := pollResult{status: r.StatusCode, header: r.Header}
		if r.StatusCode == http.StatusOK {
			json.NewDecoder(r.Body).Decode(&res.ev)
		} else {
			json.NewDecoder(r.Body).Decode(&res.err)
		}
		r.Body.Close()
		out <- res
	}()
	return out
}

// cursor returns the cursor of the commune's last event, as p sees it.
func (e *env) cursor(p *poste) string {
	e.t.Helper()
	var ev protocol.EvenementsResponse
	e.call(p, http.MethodGet, "/v1/evenements", nil, &ev)
	return itoa(ev.Curseur)
}

// waitPolls waits until n long-polls wait on the server.
func (e *env) waitPolls(n int) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.server.WaitingPolls() != n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d attentes en cours, %d attendues", e.server.WaitingPolls(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEvenementsAttente(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Charleville-Mézières")
	secretariat := e.enroll(c.ID)
	accueil := e.enroll(c.ID)
	var now protocol.EvenementsResponse
	e.call(secretariat, http.MethodGet, "/v1/evenements", nil, &now)
	if len(now.Evenements) != 4 { // each enrollment and its notification
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
			case res, ok := <-answer:
				took := time.Since(start)
				if !ok || res.status != http.StatusOK {
					t.Fatalf("requête échouée : %+v", res)
				}
				ev := res.ev
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
	e.waitPolls(1)
	e.server.Drain()
	select {
	case res, ok := <-answer:
		if !ok || res.status != http.StatusOK {
			t.Fatalf("requête échouée : %+v", res)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("réponse après %s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("l'attente ne s'arrête pas avec le serveur")
	}
	if n := e.server.WaitingPolls(); n != 0 {
		t.Fatalf("%d attentes après l'arrêt", n)
	}
	// Later long-polls do not wait either.
	e.call(p, http.MethodGet, "/v1/evenements?attente=60&apres=1000", nil, nil)
}

func TestEvenementsPosteRevoquePendantLAttente(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Carignan")
	p := e.enroll(c.ID)
	answer := e.longPoll(p, "apres="+e.cursor(p)+"&attente=30")
	e.waitPolls(1)
	if err := e.store.RevokePoste(context.Background(), p.id, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Events of the commune arrive (the revocation itself): the poste gets none.
	e.server.Notifier.Notify(c.ID)
	select {
	case res := <-answer:
		if res.status != http.StatusForbidden || !strings.Contains(res.err.Message, "révoqué") {
			t.Fatalf("poste révoqué pendant l'attente : %+v", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("pas de réponse")
	}
}

// TestEvenementsConnexionNonReprenable covers connections that cannot be
// taken from net/http (HTTP/2, …): the handler waits itself.
func TestEvenementsConnexionNonReprenable(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Donchery")
	p, other := e.enroll(c.ID), e.enroll(c.ID)
	req := httptest.NewRequest(http.MethodGet, "/v1/evenements?apres="+e.cursor(p)+"&attente=30", nil)
	protocol.Signer(req, p.key, p.id, protocol.HashBody(nil), time.Now())
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		e.server.Handler().ServeHTTP(rec, req)
		close(done)
	}()
	e.waitPolls(1)
	e.call(other, http.MethodPost, "/v1/operations", protocol.OperationsRequest{Operations: operations(1, 1)}, nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("pas de réponse")
	}
	var ev protocol.EvenementsResponse
	mustJSON(t, rec.Body.Bytes(), &ev)
	if rec.Code != http.StatusOK || len(ev.Evenements) != 1 || ev.Evenements[0].PosteID != other.id {
		t.Fatalf("%d %+v", rec.Code, ev)
	}
	e.waitPolls(0)
}

// rawPoll writes a signed long-poll request, and then extra, on a new
// connection.
func (e *env) rawPoll(p *poste, query string, extra []byte) net.Conn {
	e.t.Helper()
	conn, err := net.Dial("tcp", e.http.Listener.Addr().String())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/v1/evenements?"+query, nil)
	protocol.Signer(req, p.key, p.id, protocol.HashBody(nil), time.Now())
	var b bytes.Buffer
	req.Write(&b)
	b.Write(extra)
	if _, err := conn.Write(b.Bytes()); err != nil {
		e.t.Fatal(err)
	}
	return conn
}

func TestEvenementsPosteParti(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Raucourt")
	p, other := e.enroll(c.ID), e.enroll(c.ID)
	conn := e.rawPoll(p, "apres="+e.cursor(p)+"&attente=30", nil)
	e.waitPolls(1)
	conn.Close() // the PC was switched off
	e.call(other, http.MethodPost, "/v1/operations", protocol.OperationsRequest{Operations: operations(1, 1)}, nil)
	e.waitPolls(0)
}

func TestEvenementsRequetesEnchainees(t *testing.T) {
	e := newEnv(t)
	p := e.enroll(e.commune("Vrigne-aux-Bois").ID)
	next, _ := http.NewRequest(http.MethodGet, e.http.URL+"/v1/poste", nil)
	protocol.Signer(next, p.key, p.id, protocol.HashBody(nil), time.Now())
	var b bytes.Buffer
	next.Write(&b)
	start := time.Now()
	conn := e.rawPoll(p, "apres=1000000&attente=30", b.Bytes())
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The poll cannot wait without losing the request behind it: it answers
	// at once and closes, and the agent sends that request again.
	if res.StatusCode != http.StatusOK || !res.Close || time.Since(start) > 5*time.Second {
		t.Fatalf("%d, fermeture %v, après %s", res.StatusCode, res.Close, time.Since(start))
	}
	e.waitPolls(0)
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
