package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// Idle long-polls are "parked": once a poste's long-poll finds no event, its
// connection is taken from net/http (Hijack) and the handler returns. What is
// left while it waits is the connection itself and a small parkedPoll: no
// goroutine, no HTTP buffers. When the commune is notified, the deadline
// passes or the server drains, a worker answers on the connection and closes
// it (Connection: close); the agent simply opens a new one for its next poll.
//
// Connections that cannot be taken over (HTTP/2, a recorder in tests) wait in
// their handler instead, as do polls with a pipelined request behind them.

const (
	// parkingWorkers bounds the goroutines answering parked polls at once.
	parkingWorkers = 4
	// parkingTick is the finest resolution of parked polls' deadlines.
	parkingTick = 250 * time.Millisecond
	// parkedWriteTimeout bounds writing an answer to a parked poll.
	parkedWriteTimeout = 10 * time.Second
	// parkedQueryTimeout bounds the store query of a woken parked poll.
	parkedQueryTimeout = 30 * time.Second
)

// parkedPoll is a long-poll waiting without a goroutine.
type parkedPoll struct {
	parking  *parking
	conn     net.Conn
	poste    xdemat.Poste // ID and CommuneID only: what the store needs
	after    int64
	deadline time.Time
}

// parking holds a server's parked polls and answers them.
type parking struct {
	s       *Server
	mu      sync.Mutex
	polls   map[*parkedPoll]struct{}
	queue   []*parkedPoll
	workers int
	timer   *time.Timer
	timerAt time.Time
	empty   *sync.Cond // signalled when polls becomes empty
}

func newParking(s *Server) *parking {
	p := &parking{s: s, polls: make(map[*parkedPoll]struct{})}
	p.empty = sync.NewCond(&p.mu)
	return p
}

// park takes the connection of r from net/http and parks the poll. It
// returns false when the connection cannot be taken over: the handler then
// waits itself. woken is the commune's Notifier channel taken before the
// store was last queried.
func (s *Server) park(w http.ResponseWriter, p *xdemat.Poste, after int64, deadline time.Time, woken <-chan struct{}) bool {
	select {
	case <-s.draining:
		return false
	default:
	}
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	pp := &parkedPoll{parking: s.parking, conn: conn, poste: xdemat.Poste{ID: p.ID, CommuneID: p.CommuneID}, after: after, deadline: deadline}
	if buf.Reader.Buffered() > 0 {
		// Another request follows on this connection (pipelining): answer
		// now and close, so that it is sent again on a new connection.
		s.parking.answer(pp, []*xdemat.Evenement{}, false)
		return true
	}
	s.parking.add(pp, woken)
	return true
}

// add parks pp, or queues it at once if the commune was notified since woken
// was taken.
func (p *parking) add(pp *parkedPoll, woken <-chan struct{}) {
	p.mu.Lock()
	p.polls[pp] = struct{}{}
	p.scheduleLocked(pp.deadline)
	p.mu.Unlock()
	select {
	case <-p.s.draining:
		// Drain may have listed the parked polls before this one.
		p.enqueue(pp)
		return
	default:
	}
	if !p.s.Notifier.park(pp, woken) {
		p.enqueue(pp)
	}
}

// scheduleLocked makes sure the timer fires by at (no sooner than a tick
// after the previous firing).
func (p *parking) scheduleLocked(at time.Time) {
	if p.timer != nil && !p.timerAt.IsZero() && !at.Before(p.timerAt) {
		return
	}
	d := max(time.Until(at), parkingTick)
	p.timerAt = time.Now().Add(d)
	if p.timer == nil {
		p.timer = time.AfterFunc(d, p.expire)
	} else {
		p.timer.Reset(d)
	}
}

// expire queues the polls whose deadline has passed, and sets the timer for
// the next one.
func (p *parking) expire() {
	now := time.Now()
	var due []*parkedPoll
	var next time.Time
	p.mu.Lock()
	for pp := range p.polls {
		if !pp.deadline.After(now) {
			due = append(due, pp)
		} else if next.IsZero() || pp.deadline.Before(next) {
			next = pp.deadline
		}
	}
	p.timerAt = time.Time{}
	if !next.IsZero() {
		p.scheduleLocked(next)
	}
	p.mu.Unlock()
	for _, pp := range due {
		p.enqueue(pp)
	}
}

// enqueue hands pp to a worker.
func (p *parking) enqueue(pp *parkedPoll) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, pp)
	if p.workers < parkingWorkers {
		p.workers++
		go p.work()
	}
}

// work answers queued polls until there are none left.
func (p *parking) work() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.workers--
			p.queue = nil // let a grown backing array go
			p.mu.Unlock()
			return
		}
		pp := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		_, parked := p.polls[pp]
		p.mu.Unlock()
		if parked {
			p.examine(pp)
		}
	}
}

// examine answers a woken or expired poll, or parks it again when it was
// woken for nothing new.
func (p *parking) examine(pp *parkedPoll) {
	draining := false
	select {
	case <-p.s.draining:
		draining = true
	default:
	}
	if draining || !time.Now().Before(pp.deadline) {
		// Any event is returned at once by the next poll.
		p.answer(pp, []*xdemat.Evenement{}, true)
		return
	}
	woken := p.s.Notifier.Wait(pp.poste.CommuneID)
	ctx, cancel := context.WithTimeout(xdemat.NewContextWithPoste(context.Background(), &pp.poste), parkedQueryTimeout)
	defer cancel()
	evs, err := p.s.Store.Events(ctx, pp.after, eventsLimit)
	if err == nil && len(evs) > 0 {
		err = p.s.checkStillActive(ctx, pp.poste.ID)
	}
	switch {
	case err != nil:
		p.fail(pp, err)
	case len(evs) > 0:
		p.answer(pp, evs, true)
	case !p.s.Notifier.park(pp, woken):
		p.enqueue(pp)
	}
}

// claim removes pp from the parked polls; false when it was already answered.
func (p *parking) claim(pp *parkedPoll, registered bool) bool {
	p.mu.Lock()
	_, ok := p.polls[pp]
	delete(p.polls, pp)
	if len(p.polls) == 0 {
		p.empty.Broadcast()
	}
	p.mu.Unlock()
	if registered && ok {
		p.s.Notifier.unpark(pp)
	}
	return ok || !registered
}

// answer sends the events to the poste and closes the connection.
func (p *parking) answer(pp *parkedPoll, evs []*xdemat.Evenement, registered bool) {
	if !p.claim(pp, registered) {
		return
	}
	resp := protocol.EvenementsResponse{Evenements: evs, Curseur: pp.after}
	if len(evs) > 0 {
		resp.Curseur = evs[len(evs)-1].Curseur
	}
	p.write(pp, http.StatusOK, resp)
}

// fail answers an error, as writeError does.
func (p *parking) fail(pp *parkedPoll, err error) {
	if !p.claim(pp, true) {
		return
	}
	code := xdemat.ErrorCode(err)
	status := protocol.Status(code)
	if status == http.StatusInternalServerError {
		p.s.Logger.Error("erreur interne", "methode", http.MethodGet, "chemin", "/v1/evenements", "poste", pp.poste.ID, "err", err)
	}
	p.write(pp, status, protocol.ErrorResponse{Code: code, Message: xdemat.ErrorMessage(err)})
}

// write sends a whole HTTP/1.1 response on the parked connection, and closes it.
func (p *parking) write(pp *parkedPoll, status int, v any) {
	defer pp.conn.Close()
	body, err := json.Marshal(v)
	if err != nil {
		p.s.Logger.Error("attente d'événements : réponse illisible", "poste", pp.poste.ID, "err", err)
		return
	}
	body = append(body, '\n')
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	b.WriteString("Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n")
	b.WriteString("Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	pp.conn.SetWriteDeadline(time.Now().Add(parkedWriteTimeout))
	if _, err := pp.conn.Write(b.Bytes()); err != nil {
		p.s.Logger.Debug("attente d'événements : poste parti", "poste", pp.poste.ID, "err", err)
	}
}

// drain answers every parked poll, waiting at most timeout for them all.
func (p *parking) drain(timeout time.Duration) {
	p.mu.Lock()
	all := make([]*parkedPoll, 0, len(p.polls))
	for pp := range p.polls {
		all = append(all, pp)
	}
	p.mu.Unlock()
	for _, pp := range all {
		p.enqueue(pp)
	}
	done := make(chan struct{})
	go func() {
		p.mu.Lock()
		for len(p.polls) > 0 {
			p.empty.Wait()
		}
		p.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		p.s.Logger.Warn("arrêt : des attentes d'événements n'ont pas pu être terminées")
	}
}

// parked returns how many polls are parked.
func (p *parking) parked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.polls)
}
