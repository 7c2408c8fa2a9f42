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

	mu      sync.Mutex
	known   bool
	online  bool
	since   time.Time
	lastErr string
}

// Report records the outcome of an exchange with central: reached tells
// whether central answered at all, err is nil on success or carries the French
// message to show. Both are also persisted, so the status bar tells the truth
// after a restart.
func (s *Status) Report(ctx context.Context, reached bool, err error, message string) {
	now := s.now()
	s.mu.Lock()
	changed := !s.known || s.online != reached || s.lastErr != message
	if !s.known || s.online != reached {
		s.since = now
	}
	s.known, s.online, s.lastErr = true, reached, message
	s.mu.Unlock()
	if s.Store != nil {
		if err == nil {
			_ = s.Store.RecordSuccess(ctx, now)
		} else {
			_ = s.Store.RecordFailure(ctx, now, message)
		}
	}
	if changed {
		s.Changed(ctx)
	}
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
		st.EnLigne, st.DepuisLe, st.DerniereErreur = s.online, s.since, s.lastErr
	}
	return st, nil
}

func (s *Status) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
