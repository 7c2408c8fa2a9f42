package agent

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

// Bus event types the app listens to, besides "etat".
const (
	// EvenementNotifications: a notification was raised or marked, here or
	// on another poste (Data: the notification or its NotificationEtat).
	EvenementNotifications = "notifications"
	// EvenementUtilisateurs: the commune's users changed.
	EvenementUtilisateurs = "utilisateurs"
)

// HorsLigneApres is how long a poste may go without a successful exchange
// with central before a "synchro.hors_ligne" notification is raised.
const HorsLigneApres = 24 * time.Hour

// Status is the live half of the sync state: whether central answers right
// now, and since when. The persisted half (pending work, last success) lives
// in the Store; State merges both for the status bar.
type Status struct {
	Store Store
	Bus   *Bus // told "etat" on every change; may be nil
	Now   func() time.Time
	// HorsLigneApres overrides the package's HorsLigneApres (tests).
	HorsLigneApres time.Duration
	Logger         *slog.Logger // nil: nowhere

	mu      sync.Mutex
	known   bool
	online  bool
	since   time.Time
	errs    map[string]string // French message of each loop's last failure
	boucles map[string]string // every loop reported so far: "" or its error
	alerte  string            // ID of the offline notification raised last
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
	if s.boucles == nil {
		s.boucles = map[string]string{}
	}
	if err == nil {
		delete(s.errs, loop)
		s.boucles[loop] = ""
	} else {
		s.errs[loop] = message
		s.boucles[loop] = message
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
	if err != nil {
		s.horsLigne(ctx, now)
	}
}

// Boucles returns the state of every loop reported so far: "" when its last
// exchange worked, else its French error.
func (s *Status) Boucles() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.boucles))
	for k, v := range s.boucles {
		out[k] = v
	}
	return out
}

// horsLigne raises "synchro.hors_ligne" once per offline period: when no
// exchange has worked for HorsLigneApres since the last success (or since
// enrollment). Its ID derives from the start of the period, so that a
// restart of the agent does not raise it again.
func (s *Status) horsLigne(ctx context.Context, now time.Time) {
	if s.Store == nil {
		return
	}
	limit := s.HorsLigneApres
	if limit <= 0 {
		limit = HorsLigneApres
	}
	st, err := s.Store.SyncState(ctx)
	if err != nil {
		return
	}
	since := st.DernierSucces
	if since.IsZero() {
		id, err := s.Store.Identity(ctx)
		if err != nil {
			return
		}
		since = id.EnrolleLe
	}
	if since.IsZero() || now.Sub(since) <= limit {
		return
	}
	id := IDNotification(xdemat.NotificationHorsLigne, since.UTC().Format(time.RFC3339Nano))
	s.mu.Lock()
	done := s.alerte == id
	s.mu.Unlock()
	if done {
		return
	}
	n := &xdemat.Notification{
		ID:       id,
		Type:     xdemat.NotificationHorsLigne,
		Severite: xdemat.SeveriteUrgent,
		Titre:    "Ce poste ne joint plus la SPL",
		Texte: "Aucun échange avec le serveur de la SPL n'a réussi depuis le " + since.Local().Format("02/01/2006 à 15:04") +
			". Ce qui est saisi reste enregistré sur ce poste et partira au retour de la connexion. Vérifiez la connexion Internet de la mairie ; si elle fonctionne, contactez la SPL.",
		Objet: xdemat.Lien{Ecran: "diagnostic"},
	}
	if err := s.Lever(ctx, n); err != nil {
		if s.Logger != nil {
			s.Logger.Warn("notification hors ligne non enregistrée", "err", err)
		}
		return
	}
	s.mu.Lock()
	s.alerte = id
	s.mu.Unlock()
}

// espaceNotifications names the notifications the agent raises itself with
// a deterministic ID (UUID v5), so that raising them again changes nothing.
var espaceNotifications = uuid.MustParse("6f1c1f0e-58b4-4f0a-9d0e-3a3c3c1d2b7a")

// IDNotification returns the deterministic ID of the notification of type
// typ about cle (an operation ID, a date…).
func IDNotification(typ, cle string) string {
	return uuid.NewSHA1(espaceNotifications, []byte(typ+"/"+cle)).String()
}

// Lever records a notification raised by the agent itself and tells the app.
// Raising the same ID again changes nothing.
func (s *Status) Lever(ctx context.Context, n *xdemat.Notification) error {
	if err := s.Store.RaiseNotification(ctx, n, s.now()); err != nil {
		return err
	}
	s.Bus.Publish(BusEvent{Type: EvenementNotifications, Data: n})
	return nil
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
