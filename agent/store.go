// Package agent holds the background service of a mairie PC: the interfaces
// its parts meet on and the supervisor that runs them. Implementations live in
// subpackages (agent/sqlite, agent/localapi, agent/sync…).
package agent

import (
	"context"
	"encoding/json"
	"time"

	"xdemat"
)

// Identity is what enrollment gave this poste. The private key is kept in a
// separate file readable only by the service (0600), never in the database.
type Identity struct {
	PosteID     string         `json:"posteId"`
	Commune     xdemat.Commune `json:"commune"`
	CentralURL  string         `json:"centralUrl"`
	CentralCert string         `json:"centralCert"` // hex SHA-256 of central's TLS certificate (pinned)
	EnrolleLe   time.Time      `json:"enrolleLe"`
}

// SyncState is what the status bar shows.
type SyncState struct {
	Enrole              bool      `json:"enrole"`
	EnLigne             bool      `json:"enLigne"`
	DepuisLe            time.Time `json:"depuisLe,omitzero"`        // when EnLigne last changed
	DernierSucces       time.Time `json:"dernierSucces,omitzero"`   // last exchange that worked
	DerniereErreur      string    `json:"derniereErreur,omitempty"` // French
	OperationsEnAttente int64     `json:"operationsEnAttente"`
	OctetsEnAttente     int64     `json:"octetsEnAttente"` // document bytes not yet on central
	DernierAck          int64     `json:"dernierAck"`
	Curseur             int64     `json:"curseur"` // inbox cursor
}

// Store is the agent's local database, the only place where a user action is
// first committed. agent/sqlite implements it.
type Store interface {
	// Identity returns ENOTFOUND before enrollment.
	Identity(ctx context.Context) (*Identity, error)
	SaveIdentity(ctx context.Context, id *Identity) error

	// AddDocument records a document whose bytes are already in the local
	// blob store. Idempotent on SHA256.
	AddDocument(ctx context.Context, d *xdemat.Document) error
	FindDocument(ctx context.Context, sha256 string) (*xdemat.Document, error)

	// Enqueue commits a user action: it assigns a UUID and the next Seq, stores
	// the operation and a journal entry in one transaction, and returns it.
	// Every referenced document must have been added (EINVALID otherwise).
	Enqueue(ctx context.Context, typ, auteur string, payload json.RawMessage, documents []string, now time.Time) (*xdemat.Operation, error)
	// Pending returns at most limit operations not yet acknowledged by central, by Seq.
	Pending(ctx context.Context, limit int) ([]*xdemat.Operation, error)
	// Acknowledge marks every operation with Seq ≤ upTo as received by central.
	Acknowledge(ctx context.Context, upTo int64) error
	// Rewind makes the operations after upTo pending again, with the
	// documents they refer to: central lost them (restored from a backup)
	// and must receive them again. Acknowledged operations are kept for this.
	Rewind(ctx context.Context, upTo int64) error
	// PendingDocuments returns documents not yet on central that pending
	// operations refer to, in the order of the first operation needing them.
	PendingDocuments(ctx context.Context) ([]*xdemat.Document, error)
	// MarkUploaded records, in one transaction, that central holds the whole,
	// verified documents. ENOTFOUND (nothing recorded) for an unknown hash.
	MarkUploaded(ctx context.Context, sha256 ...string) error

	// SaveEvents stores events pulled from central and the new cursor, in one
	// transaction, so that an event is never applied twice nor skipped.
	SaveEvents(ctx context.Context, evs []*xdemat.Evenement, cursor int64) error
	Events(ctx context.Context, after int64, limit int) ([]*xdemat.Evenement, error)

	// AppendJournal chains and stores a journal entry (Seq, Precedent, Hash set here).
	AppendJournal(ctx context.Context, e *xdemat.Journal) error
	Journal(ctx context.Context) ([]*xdemat.Journal, error)

	// SyncState returns the persisted part of the sync state (pending counts,
	// bytes, ack, cursor, last success); the live part (EnLigne) is the syncer's.
	SyncState(ctx context.Context) (*SyncState, error)
	// RecordSuccess/RecordFailure persist the outcome of the last exchange with central.
	RecordSuccess(ctx context.Context, now time.Time) error
	RecordFailure(ctx context.Context, now time.Time, message string) error

	// --- users, preferences and notifications (Xpostit) ---
	// Each Save/Raise/Mark call changes the local tables and enqueues the
	// matching operation (xdemat.Operation* types) in one transaction, so the
	// change reaches central and the commune's other postes exactly once.

	// Utilisateurs returns the commune's users, by name.
	Utilisateurs(ctx context.Context) ([]*xdemat.Utilisateur, error)
	// FindUtilisateur returns ENOTFOUND for an unknown ID.
	FindUtilisateur(ctx context.Context, id string) (*xdemat.Utilisateur, error)
	// SaveUtilisateur records u (ID assigned when empty, ModifieLe = now).
	SaveUtilisateur(ctx context.Context, u *xdemat.Utilisateur, auteur string, now time.Time) error
	// Preferences returns the user's preferences (empty ones when never saved).
	Preferences(ctx context.Context, utilisateurID string) (*xdemat.Preferences, error)
	// SavePreferences records p (ModifieLe = now).
	SavePreferences(ctx context.Context, p *xdemat.Preferences, auteur string, now time.Time) error
	// RaiseNotification records n (ID assigned when empty, CreeLe = now when
	// zero). Raising the same ID again changes nothing.
	RaiseNotification(ctx context.Context, n *xdemat.Notification, now time.Time) error

	MagasinCertificats

	// ConfigExports and SaveConfigExports keep the watched export folders
	// of the accounting software.
	ConfigExports(ctx context.Context) (*ConfigExports, error)
	SaveConfigExports(ctx context.Context, c *ConfigExports, auteur string, now time.Time) error
	// Notifications returns what f selects, by urgency (xdemat.TrierParUrgence).
	Notifications(ctx context.Context, f FiltreNotifications, now time.Time) ([]*xdemat.Notification, error)
	// MarkNotification records a "notification.lue" or "notification.faite"
	// (typ) by par; marking again keeps the first date. ENOTFOUND.
	MarkNotification(ctx context.Context, typ, id, par string, now time.Time) error

	Close() error
}
