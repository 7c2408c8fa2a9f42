// Package central holds the SPL's server: the interfaces its parts meet on.
// Implementations live in subpackages named after what they use
// (central/sqlite, central/postgres, central/blob, central/api).
package central

import (
	"context"
	"time"

	"xdemat"
)

// Store is central's database. Two implementations (SQLite, PostgreSQL) pass
// the same suite, central/storetest.
//
// Methods in the "tenant" group take the commune and poste from ctx
// (xdemat.PosteFromContext) and never from an argument: a poste can only ever
// read or change its own commune's data. They return EUNAUTHORIZED when ctx
// carries no poste. Methods in the "SPL" group are for the admin console and
// the CLI only.
type Store interface {
	// --- SPL group ---

	// CreateCommune records a commune; ID is assigned when empty.
	// EINVALID on bad fields, ECONFLICT when the SIREN already exists.
	CreateCommune(ctx context.Context, c *xdemat.Commune) error
	// FindCommune returns ENOTFOUND when there is no such commune.
	FindCommune(ctx context.Context, id string) (*xdemat.Commune, error)
	ListCommunes(ctx context.Context) ([]*xdemat.Commune, error)

	// CreateCode records an enrollment code (Code, CommuneID, CreeLe, ExpireLe set by the caller).
	// ENOTFOUND when the commune does not exist.
	CreateCode(ctx context.Context, c *xdemat.CodeEnrolement) error
	// ListCodes returns the codes of a commune, newest first ("" = all communes).
	ListCodes(ctx context.Context, communeID string) ([]*xdemat.CodeEnrolement, error)
	// RevokeCode cancels an unused code. ENOTFOUND, or EFORBIDDEN when already used.
	RevokeCode(ctx context.Context, code string, now time.Time) error

	// Enroll consumes code and records p (ID, CommuneID, EnrolleLe and Statut are set
	// here) in one transaction, so that a code enrolls at most one poste even under
	// concurrent use. ENOTFOUND for an unknown code; EFORBIDDEN (with the message
	// of CodeEnrolement.Utilisable) for a used, expired or revoked one. Appends a
	// "poste.enrole" event and a journal entry for the commune, and raises an
	// xdemat.NotificationPosteEnrole notification (event "notification.creee"
	// and its envois) in the same transaction.
	Enroll(ctx context.Context, code string, p *xdemat.Poste, now time.Time) error
	// FindPoste is used to authenticate requests. ENOTFOUND.
	FindPoste(ctx context.Context, id string) (*xdemat.Poste, error)
	// ListPostes returns the postes of a commune ("" = all), by commune then name.
	ListPostes(ctx context.Context, communeID string) ([]*xdemat.Poste, error)
	// RevokePoste marks a poste revoked; it is refused from its next request on.
	// Appends a "poste.revoque" event and a journal entry, and raises an
	// xdemat.NotificationPosteRevoque notification. ENOTFOUND.
	RevokePoste(ctx context.Context, id string, now time.Time) error
	// TouchPoste records that the poste was seen (version, pending operations);
	// enAttente < 0 keeps the stored count.
	TouchPoste(ctx context.Context, id string, now time.Time, version string, enAttente int64) error

	// RaiseNotification records n for n.CommuneID (set by the caller; ID
	// assigned when empty, CreeLe = now when zero) with a "notification.creee"
	// event, a journal entry and the envois that xdemat.Destinations decides
	// for each active user of the commune, in one transaction. Raising the same
	// ID again changes nothing. EINVALID, ENOTFOUND for an unknown commune.
	RaiseNotification(ctx context.Context, n *xdemat.Notification) error
	// SaveUtilisateur records u for u.CommuneID (ID assigned when empty,
	// ModifieLe = now when zero) unless a newer version is stored, with a
	// "utilisateur.enregistre" event relayed to the postes and a journal entry.
	SaveUtilisateur(ctx context.Context, u *xdemat.Utilisateur) error
	// ListUtilisateurs returns the users of a commune, by name.
	ListUtilisateurs(ctx context.Context, communeID string) ([]*xdemat.Utilisateur, error)
	// DueEnvois claims at most limit envois waiting to be sent whose
	// ProchainEssai has come, oldest first, with their Notification: each
	// claimed envoi counts one more attempt and is not due again before a
	// lease of a few minutes, so that two dispatchers (or one that crashed
	// mid-send) do not send it at the same time.
	DueEnvois(ctx context.Context, now time.Time, limit int) ([]*Envoi, error)
	// MarkEnvoi records the outcome of an attempt or a provider's report:
	// statut (Envoi* constant), the provider's reference (kept when ""), the
	// French error ("" clears it) and, for EnvoiAEnvoyer, the next attempt.
	// A state never goes back: a late "envoye" after "livre" or "echec"
	// changes nothing. ENOTFOUND.
	MarkEnvoi(ctx context.Context, id int64, statut, reference, errMsg string, next, now time.Time) error
	// ListEnvois returns the last limit envois of a commune, newest first.
	ListEnvois(ctx context.Context, communeID string, limit int) ([]*Envoi, error)
	// DueResumes returns, for every active user with an e-mail address who
	// chose the daily digest and has none recorded for jour (see MarkResume),
	// the notifications meant for them, not done, created since since.
	DueResumes(ctx context.Context, jour string, since time.Time) ([]*Resume, error)
	// MarkResume records that the digest of jour went to the user; false when
	// it was already recorded (it must not go twice).
	MarkResume(ctx context.Context, communeID, utilisateurID, jour string, now time.Time) (bool, error)

	// ListSauvegardes returns the last limit backup reports of a commune
	// (recorded from its postes' "sauvegarde.terminee" operations), newest
	// first.
	ListSauvegardes(ctx context.Context, communeID string, limit int) ([]*xdemat.Sauvegarde, error)
	// BilansSauvegarde returns the backup state of every commune, by name,
	// counting the backups run since since.
	BilansSauvegarde(ctx context.Context, since time.Time) ([]*BilanSauvegarde, error)
	// QuotaSauvegarde returns the commune's backup space in bytes:
	// xdemat.QuotaSauvegardeDefaut unless the SPL changed it.
	QuotaSauvegarde(ctx context.Context, communeID string) (int64, error)
	// SetQuotaSauvegarde sets the commune's backup space in bytes; octets ≤ 0
	// goes back to xdemat.QuotaSauvegardeDefaut. ENOTFOUND.
	SetQuotaSauvegarde(ctx context.Context, communeID string, octets int64, now time.Time) error

	// --- tenant group ---

	// ApplyOperations records ops of the poste in ctx and returns the new
	// acknowledged Seq. In one transaction: an op whose Seq is ≤ the poste's last
	// Seq is a replay and is skipped when its ID matches what is stored (ECONFLICT
	// otherwise); an op with Seq = last+1 is stored with one "operation.recue"
	// event and one journal entry; an op with a larger Seq is a gap (ECONFLICT,
	// nothing stored). Every document an op refers to must exist for the commune
	// (EINVALID otherwise, nothing stored).
	//
	// New ops of the Xpostit types (xdemat.OperationNotificationCreee, …Lue,
	// …Faite, OperationUtilisateurEnregistre, OperationPreferencesEnregistrees)
	// are also projected into the commune's notifications, users and
	// preferences (users and preferences only when ModifieLe is newer; a
	// notification once, in the poste's commune whatever its payload says, with
	// its envois; lue/faite keep the earliest date) and relayed to every poste
	// of the commune as an event of the same type and payload. A malformed
	// payload of those types refuses the batch (EINVALID, nothing stored).
	//
	// New ops of type xdemat.OperationSauvegardeTerminee are recorded as the
	// commune's backup reports (once per report ID, PosteID forced to the
	// sending poste), not relayed; a malformed one refuses the batch too.
	ApplyOperations(ctx context.Context, ops []*xdemat.Operation, now time.Time) (ack int64, err error)
	// Ack returns the last acknowledged Seq of the poste in ctx.
	Ack(ctx context.Context) (int64, error)
	// ListOperations returns the commune's operations, in order of arrival.
	ListOperations(ctx context.Context) ([]*xdemat.Operation, error)

	// CreateDocument records a verified document for the commune, with one
	// "document.recu" event and a journal entry. Idempotent: recording the same
	// SHA-256 again changes nothing and returns nil.
	CreateDocument(ctx context.Context, d *xdemat.Document, now time.Time) error
	// FindDocument returns ENOTFOUND unless the commune holds the document.
	FindDocument(ctx context.Context, sha256 string) (*xdemat.Document, error)
	ListDocuments(ctx context.Context) ([]*xdemat.Document, error)

	// Events returns at most limit events of the commune with Curseur > after, oldest first.
	Events(ctx context.Context, after int64, limit int) ([]*xdemat.Evenement, error)
	// Journal returns the commune's hash-chained journal, in order.
	Journal(ctx context.Context) ([]*xdemat.Journal, error)

	// Notifications returns the commune's notifications, oldest first.
	Notifications(ctx context.Context) ([]*xdemat.Notification, error)

	// DossiersParapheur returns the commune's parapheur dossiers as central
	// holds them (the authority between postes), newest change first.
	//
	// New ops of the parapheur (xdemat.OperationParapheur* types) are
	// applied by ApplyOperations to these dossiers with the domain's rules,
	// in order of arrival, and relayed to every poste of the commune as an
	// event of the same type carrying the dossier after the action (the
	// Delegation for "parapheur.delegation"). An action that no longer
	// applies (the step was already done from another poste…) is still
	// acknowledged, and relayed as xdemat.EvenementParapheurActionRefusee
	// with a French reason, plus a notification to its author. A malformed
	// payload refuses the batch (EINVALID).
	DossiersParapheur(ctx context.Context) ([]*xdemat.DossierParapheur, error)
	// DelegationsParapheur returns the commune's delegations.
	DelegationsParapheur(ctx context.Context) ([]*xdemat.Delegation, error)

	Close() error
}

// EventNotifier is told when a commune has new events, so that long-polling
// postes wake up at once. The API calls Notify after each store call that
// appended events (the store itself knows nothing of waiting postes).
type EventNotifier interface {
	Notify(communeID string)
}

// EventWaker is implemented by stores that can say when a commune just got
// new events in this process, whatever made them, so that its long-polling
// postes wake up at once.
type EventWaker interface {
	// OnEvenements sets the function called after each commit that appended
	// events for a commune.
	OnEvenements(wake func(communeID string))
}

// EnvoiWaker is implemented by stores that can say when envois were just
// created in this process, so that the dispatcher sends them at once instead
// of at its next poll.
type EnvoiWaker interface {
	// OnEnvois sets the function called after each commit that created envois.
	OnEnvois(wake func())
}
