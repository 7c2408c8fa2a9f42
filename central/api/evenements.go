package api

import (
	"context"
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
// closed (then forgotten) on Notify; parked polls (see parking) are listed per
// commune and handed back to their server on Notify. The zero value is ready
// to use.
type Notifier struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
	parked  map[string]map[*parkedPoll]struct{}
}

var _ central.EventNotifier = (*Notifier)(nil)

// NewNotifier returns a notifier with no waiters.
func NewNotifier() *Notifier { return &Notifier{} }

// Notify wakes everyone waiting on the commune.
func (n *Notifier) Notify(communeID string) {
	n.mu.Lock()
	if ch, ok := n.waiting[communeID]; ok {
		close(ch)
		delete(n.waiting, communeID)
	}
	polls := n.parked[communeID]
	delete(n.parked, communeID)
	n.mu.Unlock()
	for pp := range polls {
		pp.parking.enqueue(pp)
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

// park registers pp to be handed back at the commune's next Notify. It
// returns false, registering nothing, when woken (taken with Wait before the
// store was queried) is already closed: an event may have been missed.
func (n *Notifier) park(pp *parkedPoll, woken <-chan struct{}) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-woken:
		return false
	default:
	}
	c := pp.poste.CommuneID
	if n.parked == nil {
		n.parked = make(map[string]map[*parkedPoll]struct{})
	}
	polls, ok := n.parked[c]
	if !ok {
		polls = make(map[*parkedPoll]struct{}, 1)
		n.parked[c] = polls
	}
	polls[pp] = struct{}{}
	return true
}

// unpark forgets pp.
func (n *Notifier) unpark(pp *parkedPoll) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := pp.poste.CommuneID
	if polls, ok := n.parked[c]; ok {
		delete(polls, pp)
		if len(polls) == 0 {
			delete(n.parked, c)
		}
	}
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
	p := xdemat.PosteFromContext(ctx)
	deadline := time.Now().Add(wait)
	parkable := true
	var timer *time.Timer
	for {
		woken := s.Notifier.Wait(p.CommuneID)
		evs, err := s.Store.Events(ctx, after, eventsLimit)
		if err != nil {
			if ctx.Err() != nil {
				return // the poste went away
			}
			s.writeError(w, r, err)
			return
		}
		if len(evs) > 0 && timer != nil {
			if err := s.checkStillActive(ctx, p.ID); err != nil {
				s.writeError(w, r, err)
				return
			}
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
		if parkable {
			parkable = false
			if s.park(w, p, after, deadline, woken) {
				return
			}
		}
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
			defer timer.Stop()
			s.handlerWaits.Add(1)
			defer s.handlerWaits.Add(-1)
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

// checkStillActive reads the poste again after a wait: one revoked
// meanwhile gets no more events.
func (s *Server) checkStillActive(ctx context.Context, id string) error {
	p, err := s.Store.FindPoste(ctx, id)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Ce poste est inconnu du serveur central : il doit être enrôlé à nouveau par la SPL.")
	} else if err != nil {
		return err
	}
	if p.Statut == xdemat.PosteRevoque || !p.RevoqueLe.IsZero() {
		return revoked(p)
	}
	return nil
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
