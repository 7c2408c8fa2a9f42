package agent

import (
	"context"
	"sync"
	"time"
)

// Status is the live half of the sync state: whether central answers right
// now, and since when. The persisted half (pending work, last success) lives
// in the Store; State merges both for the status bar.
type Status struct {
	Store Store
	Bus   *Bus // told "etat" on every change; may be nil
	Now   func() time.Time

	mu     sync.Mutex
	known  bool
	online bool
	since  time.Time
	errs   map[string]string // French message of each loop's last failure
}

// Report records the outcome of an exchange of one loop ("outbox",
// "inbox") with central: reached tells whether central answered at all, err
// is nil on success or carries the French message to show. The message of a
// loop stays until that same loop succeeds: the inbox answering every 25 s
// must not hide that the outbox is refused. Outcomes are also persisted, so
// the status bar tells the truth after a restart.
func (s *Status) Report(ctx context.Context, loop string, reached bool, err error, message string) {
	now := s.now()
	s.mu.Lock()
	before := s.lastErrLocked()
	if s.errs == nil {
		s.errs = map[string]string{}
	}
	if err == nil {
		delete(s.errs, loop)
	} else {
		s.errs[loop] = message
	}
	shown := s.lastErrLocked()
	changed := !s.known || s.online != reached || shown != before
	if !s.known || s.online != reached {
		s.since = now
	}
	s.known, s.online = true, reached
	s.mu.Unlock()
	if s.Store != nil {
		if err == nil {
			_ = s.Store.RecordSuccess(ctx, now) // also clears the stored message
		}
		if shown != "" {
			_ = s.Store.RecordFailure(ctx, now, shown)
		}
	}
	if changed {
		s.Changed(ctx)
	}
}

// lastErrLocked returns the message to show: the outbox's first, since what
// waits to be sent matters most to the secretary.
func (s *Status) lastErrLocked() string {
	if m := s.errs["outbox"]; m != "" {
		return m
	}
	for _, m := range s.errs {
		return m
	}
	return ""
}

// Changed publishes the current state on the bus (after a local commit, an
// acknowledgement, a change of connectivity).
func (s *Status) Changed(ctx context.Context) {
	if s.Bus == nil {
		return
	}
	if st, err := s.State(ctx); err == nil {
		s.Bus.Publish(BusEvent{Type: "etat", Data: st})
	}
}

// State returns the whole sync state for the status bar.
func (s *Status) State(ctx context.Context) (*SyncState, error) {
	st := &SyncState{}
	if s.Store != nil {
		var err error
		if st, err = s.Store.SyncState(ctx); err != nil {
			return nil, err
		}
		if _, err := s.Store.Identity(ctx); err == nil {
			st.Enrole = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.known { // otherwise keep what the store remembers from the last run
		st.EnLigne, st.DepuisLe, st.DerniereErreur = s.online, s.since, s.lastErrLocked()
	}
	return st, nil
}

func (s *Status) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
