package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/protocol"
)

// Notifier wakes the long-polls of a commune when it has new events. Each
// commune with waiting postes has one channel, shared by all its waiters and
// closed (then forgotten) on Notify: an idle long-poll costs no more than a
// reference to it. The zero value is ready to use.
type Notifier struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
}

var _ central.EventNotifier = (*Notifier)(nil)

// NewNotifier returns a notifier with no waiters.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify wakes everyone waiting on the commune.
func (n *Notifier) Notify(communeID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ch, ok := n.waiting[communeID]; ok {
		close(ch)
		delete(n.waiting, communeID)
	}
}

// Wait returns a channel closed at the next Notify of the commune. Take it
// before looking for events, so that none appended in between is missed.
func (n *Notifier) Wait(communeID string) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	ch, ok := n.waiting[communeID]
	if !ok {
		if n.waiting == nil {
			n.waiting = make(map[string]chan struct{})
		}
		ch = make(chan struct{})
		n.waiting[communeID] = ch
	}
	return ch
}

// handleEvenements serves GET /v1/evenements?apres=C&attente=S: the commune's
// events after cursor C, waiting up to S seconds (at most
// protocol.AttenteMax) for one to arrive when there is none yet.
func (s *Server) handleEvenements(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	after, err := queryInt(q.Get("apres"))
	if err != nil {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "Curseur d'événements invalide (%q) : il doit être un entier positif.", q.Get("apres")))
		return
	}
	secs, err := queryInt(q.Get("attente"))
	if err != nil {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "Durée d'attente invalide (%q) : elle doit être un nombre de secondes positif.", q.Get("attente")))
		return
	}
	wait := time.Duration(min(secs, int64(protocol.AttenteMax/time.Second))) * time.Second

	ctx := r.Context()
	communeID := xdemat.CommuneIDFromContext(ctx)
	var timer *time.Timer
	for {
		woken := s.Notifier.Wait(communeID)
		evs, err := s.Store.Events(ctx, after, eventsLimit)
		if err != nil {
			if ctx.Err() != nil {
				return // the poste went away
			}
			s.writeError(w, r, err)
			return
		}
		if len(evs) > 0 || wait <= 0 {
			resp := protocol.EvenementsResponse{Evenements: evs, Curseur: after}
			if len(evs) > 0 {
				resp.Curseur = evs[len(evs)-1].Curseur
			} else {
				resp.Evenements = []*xdemat.Evenement{}
			}
			writeJSON(w, http.StatusOK, resp)
			return
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-woken:
		case <-timer.C:
			wait = 0 // look one last time, then answer
		case <-s.draining:
			wait = 0
		case <-ctx.Done():
			return
		}
	}
}

// queryInt parses a non-negative integer query parameter; empty is 0.
func queryInt(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}
