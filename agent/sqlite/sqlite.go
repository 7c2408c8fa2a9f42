// Package sqlite implements agent.Store on a local SQLite database (the pure
// Go modernc.org/sqlite driver, so the agent stays a single static binary).
//
// Durability comes first: the database runs in WAL mode with synchronous=FULL,
// so that a user action acknowledged to the user survives a power cut or a
// killed process. Writes go through a single connection, so that concurrent
// writers queue in Go instead of busy-waiting on SQLite's lock; reads use a
// separate pool and never wait for writers (WAL).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"xdemat"
	"xdemat/agent"
)

// Store is the agent's local database. It is safe for concurrent use.
type Store struct {
	w *sql.DB // a single connection: every write transaction, in turn
	r *sql.DB // a pool of readers
}

var _ agent.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// MessageNonEnrole is the error shown before the poste is enrolled.
const MessageNonEnrole = "Ce poste n'est pas encore enrôlé : le technicien de la SPL doit lancer « xdemat-agent enroll »."

// Open opens (creating it if needed) the database at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(abs, "immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w}
	ctx := context.Background()
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	// Readers use deferred transactions: a read snapshot must not take the write lock.
	r, err := sql.Open("sqlite", dsn(abs, "deferred"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	s.r = r
	if err := r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return s, nil
}

// dsn returns the URI the driver opens. The path is escaped as a URI path
// (SQLite opens "file:" names as URIs); a Windows drive path becomes "/C:/…",
// which SQLite understands.
func dsn(abs, txlock string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := url.URL{Path: p}
	return "file:" + u.EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=" + txlock
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := migrationsFS.ReadDir("migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("sqlite: migration file %q is not named NNNN_name.sql", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("sqlite: migrations %q and %q share number %d", other, name, v)
		}
		seen[v] = name
		b, err := migrationsFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("sqlite: migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, each in its own transaction, the migrations not yet
// recorded in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version     INTEGER PRIMARY KEY,
		nom         TEXT    NOT NULL,
		applique_le INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: schema_migrations: %w", err)
	}
	var highest int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&highest); err != nil {
		return fmt.Errorf("sqlite: schema_migrations: %w", err)
	}
	if len(ms) > 0 && highest > ms[len(ms)-1].version {
		return xdemat.Errorf(xdemat.EUNAVAILABLE, "La base locale a été créée par une version plus récente de xdemat : installez la dernière version de l'agent.")
	}
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, nom, applique_le) VALUES (?, ?, ?)`,
				m.version, m.name, micro(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read transaction, so that it sees one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// wrap leaves domain errors as they are and prefixes the others for the logs.
func wrap(op string, err error) error {
	var de *xdemat.Error
	if err == nil || errors.As(err, &de) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

func micro(t time.Time) int64 { return t.UnixMicro() }

func fromMicro(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicro(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicro(v.Int64)
}

// stamp returns t truncated to what the store keeps, or now when t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// blob returns b for a BLOB column, or nil (NULL) when empty.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Identity returns what enrollment gave this poste, ENOTFOUND before enrollment.
func (s *Store) Identity(ctx context.Context) (*agent.Identity, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM identite WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, MessageNonEnrole)
	} else if err != nil {
		return nil, wrap("identity", err)
	}
	var id agent.Identity
	if err := json.Unmarshal([]byte(data), &id); err != nil {
		return nil, wrap("identity", err)
	}
	return &id, nil
}

// SaveIdentity records (or replaces) the identity of this poste.
func (s *Store) SaveIdentity(ctx context.Context, id *agent.Identity) error {
	if id == nil || strings.TrimSpace(id.PosteID) == "" {
		return xdemat.Errorf(xdemat.EINVALID, "L'identité du poste est incomplète : relancez l'enrôlement avec un nouveau code.")
	}
	data, err := json.Marshal(id)
	if err != nil {
		return wrap("save identity", err)
	}
	return wrap("save identity", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO identite (id, donnees) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET donnees = excluded.donnees`, string(data))
		return err
	}))
}

// AddDocument records a document whose bytes are already in the local blob
// store. Adding the same SHA-256 again changes nothing. CreeLe defaults to now.
func (s *Store) AddDocument(ctx context.Context, d *xdemat.Document) error {
	if d == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Document manquant.")
	}
	if err := d.Validate(); err != nil {
		return err
	}
	d.CreeLe = stamp(d.CreeLe)
	return wrap("add document", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (sha256, taille, type_media, nom_original, cree_le)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			d.SHA256, d.Taille, d.TypeMedia, d.NomOriginal, micro(d.CreeLe))
		return err
	}))
}

// FindDocument returns the document of hash, ENOTFOUND when it is not recorded.
func (s *Store) FindDocument(ctx context.Context, hash string) (*xdemat.Document, error) {
	d, err := scanDocument(s.r.QueryRowContext(ctx, `SELECT sha256, taille, type_media, nom_original, cree_le
		FROM documents WHERE sha256 = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce document n'est pas enregistré sur ce poste : ajoutez-le de nouveau.")
	}
	return d, wrap("find document", err)
}

type scanner interface{ Scan(dest ...any) error }

func scanDocument(row scanner) (*xdemat.Document, error) {
	var d xdemat.Document
	var creeLe int64
	if err := row.Scan(&d.SHA256, &d.Taille, &d.TypeMedia, &d.NomOriginal, &creeLe); err != nil {
		return nil, err
	}
	d.CreeLe = fromMicro(creeLe)
	return &d, nil
}

// Enqueue commits a user action: in one transaction it takes the next Seq,
// checks the operation and the documents it refers to, stores it with its
// document links and appends a journal entry.
//
// The next Seq is one more than the highest ever used, acknowledged or not;
// it is also above the highest Seq central acknowledged, so that central never
// takes a new operation for a replay.
func (s *Store) Enqueue(ctx context.Context, typ, auteur string, payload json.RawMessage, documents []string, now time.Time) (*xdemat.Operation, error) {
	var op *xdemat.Operation
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		op, err = enqueueTx(ctx, tx, typ, auteur, payload, documents, now)
		return err
	})
	if err != nil {
		return nil, wrap("enqueue", err)
	}
	return op, nil
}

// enqueueTx is Enqueue inside the caller's transaction, so that a change of
// the local tables and the operation that carries it commit together.
func enqueueTx(ctx context.Context, tx *sql.Tx, typ, auteur string, payload json.RawMessage, documents []string, now time.Time) (*xdemat.Operation, error) {
	op := &xdemat.Operation{
		ID:     uuid.NewString(),
		Type:   typ,
		Auteur: auteur,
		CreeLe: stamp(now),
	}
	if len(payload) > 0 {
		op.Payload = append(json.RawMessage(nil), payload...)
	}
	if len(documents) > 0 {
		op.Documents = append([]string(nil), documents...)
	}
	if err := tx.QueryRowContext(ctx, `SELECT MAX(
			COALESCE((SELECT MAX(seq) FROM operations), 0),
			(SELECT dernier_ack FROM etat WHERE id = 1)) + 1`).Scan(&op.Seq); err != nil {
		return nil, err
	}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	for _, h := range op.Documents {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE sha256 = ?`, h).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le document %s… n'est pas enregistré sur ce poste : ajoutez-le de nouveau puis recommencez.", h[:12])
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO operations (seq, id, type, auteur, payload, cree_le)
		VALUES (?, ?, ?, ?, ?, ?)`,
		op.Seq, op.ID, op.Type, op.Auteur, blob(op.Payload), micro(op.CreeLe)); err != nil {
		return nil, err
	}
	for i, h := range op.Documents {
		if _, err := tx.ExecContext(ctx, `INSERT INTO operation_documents (seq, rang, sha256) VALUES (?, ?, ?)`,
			op.Seq, i, h); err != nil {
			return nil, err
		}
	}
	acteur := op.Auteur
	if acteur == "" {
		acteur = "agent"
	}
	if err := appendJournal(ctx, tx, &xdemat.Journal{Date: op.CreeLe, Acteur: acteur, Action: op.Type, Objet: op.ID}); err != nil {
		return nil, err
	}
	return op, nil
}

// Pending returns at most limit (≤ 0: all) unacknowledged operations, by Seq.
func (s *Store) Pending(ctx context.Context, limit int) ([]*xdemat.Operation, error) {
	if limit <= 0 {
		limit = -1
	}
	var ops []*xdemat.Operation
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, id, type, auteur, payload, cree_le
			FROM operations WHERE acquittee = 0 ORDER BY seq LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		bySeq := map[int64]*xdemat.Operation{}
		for rows.Next() {
			var op xdemat.Operation
			var payload []byte
			var creeLe int64
			if err := rows.Scan(&op.Seq, &op.ID, &op.Type, &op.Auteur, &payload, &creeLe); err != nil {
				return err
			}
			if len(payload) > 0 {
				op.Payload = json.RawMessage(payload)
			}
			op.CreeLe = fromMicro(creeLe)
			ops = append(ops, &op)
			bySeq[op.Seq] = &op
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(ops) == 0 {
			return nil
		}
		links, err := tx.QueryContext(ctx, `SELECT seq, sha256 FROM operation_documents
			WHERE seq BETWEEN ? AND ? ORDER BY seq, rang`, ops[0].Seq, ops[len(ops)-1].Seq)
		if err != nil {
			return err
		}
		defer links.Close()
		for links.Next() {
			var seq int64
			var h string
			if err := links.Scan(&seq, &h); err != nil {
				return err
			}
			if op := bySeq[seq]; op != nil {
				op.Documents = append(op.Documents, h)
			}
		}
		return links.Err()
	})
	if err != nil {
		return nil, wrap("pending", err)
	}
	return ops, nil
}

// Acknowledge marks every operation with Seq ≤ upTo as received by central.
// The rows are kept, so that their Seq is never reused.
func (s *Store) Acknowledge(ctx context.Context, upTo int64) error {
	if upTo < 0 {
		return xdemat.Errorf(xdemat.EINVALID, "Accusé de réception invalide (%d).", upTo)
	}
	return wrap("acknowledge", s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE operations SET acquittee = 1 WHERE seq <= ? AND acquittee = 0`, upTo); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE etat SET dernier_ack = MAX(dernier_ack, ?) WHERE id = 1`, upTo)
		return err
	}))
}

// Rewind makes the operations after upTo pending again; see agent.Store.
func (s *Store) Rewind(ctx context.Context, upTo int64) error {
	if upTo < 0 {
		return xdemat.Errorf(xdemat.EINVALID, "Accusé de réception invalide (%d).", upTo)
	}
	return wrap("rewind", s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET envoye_le = NULL
			WHERE sha256 IN (SELECT sha256 FROM operation_documents WHERE seq > ?)`, upTo); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE operations SET acquittee = 0 WHERE seq > ? AND acquittee = 1`, upTo); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE etat SET dernier_ack = ? WHERE id = 1 AND dernier_ack > ?`, upTo, upTo)
		return err
	}))
}

// pendingDocumentsFrom is the documents referred to by unacknowledged
// operations and not yet on central, one row per reference, in the order of
// the operations and of their document lists.
const pendingDocumentsFrom = `FROM operation_documents od
	JOIN operations o ON o.seq = od.seq
	JOIN documents d ON d.sha256 = od.sha256
	WHERE o.acquittee = 0 AND d.envoye_le IS NULL`

// PendingDocuments returns the documents that pending operations refer to and
// that central does not hold yet, in the order of the first operation needing
// them.
func (s *Store) PendingDocuments(ctx context.Context) ([]*xdemat.Document, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.sha256, d.taille, d.type_media, d.nom_original, d.cree_le `+
		pendingDocumentsFrom+` ORDER BY od.seq, od.rang`)
	if err != nil {
		return nil, wrap("pending documents", err)
	}
	defer rows.Close()
	var docs []*xdemat.Document
	seen := map[string]bool{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, wrap("pending documents", err)
		}
		if !seen[d.SHA256] {
			seen[d.SHA256] = true
			docs = append(docs, d)
		}
	}
	return docs, wrap("pending documents", rows.Err())
}

// MarkUploaded records that central holds the whole, verified document.
// Marking it again changes nothing; ENOTFOUND when the document is unknown.
func (s *Store) MarkUploaded(ctx context.Context, hashes ...string) error {
	// One transaction for many documents: the outbox marks a whole batch
	// at once, so that a synchronous commit is paid once, not per document.
	return wrap("mark uploaded", s.write(ctx, func(tx *sql.Tx) error {
		now := micro(time.Now())
		for _, hash := range hashes {
			res, err := tx.ExecContext(ctx, `UPDATE documents SET envoye_le = ? WHERE sha256 = ? AND envoye_le IS NULL`, now, hash)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE sha256 = ?`, hash).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return xdemat.Errorf(xdemat.ENOTFOUND, "Ce document n'est pas enregistré sur ce poste.")
			}
		}
		return nil
	}))
}

// SaveEvents stores events pulled from central and the new cursor in one
// transaction. Events already stored (same Curseur) are ignored; the cursor
// never goes back. The events of users, preferences and notifications are
// applied to their tables in the same transaction (see project).
func (s *Store) SaveEvents(ctx context.Context, evs []*xdemat.Evenement, cursor int64) error {
	for _, ev := range evs {
		if ev == nil || ev.Curseur < 1 || ev.Type == "" {
			return xdemat.Errorf(xdemat.EINVALID, "Événement reçu du serveur central invalide : la synchronisation reprendra au prochain échange.")
		}
	}
	return wrap("save events", s.write(ctx, func(tx *sql.Tx) error {
		for _, ev := range evs {
			res, err := tx.ExecContext(ctx, `INSERT INTO evenements (curseur, type, objet, poste_id, payload, cree_le)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (curseur) DO NOTHING`,
				ev.Curseur, ev.Type, ev.Objet, ev.PosteID, blob(ev.Payload), micro(ev.CreeLe))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				if err := project(ctx, tx, ev); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE etat SET curseur = MAX(curseur, ?) WHERE id = 1`, cursor)
		return err
	}))
}

// Events returns at most limit (≤ 0: all) stored events with Curseur > after.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]*xdemat.Evenement, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT curseur, type, objet, poste_id, payload, cree_le
		FROM evenements WHERE curseur > ? ORDER BY curseur LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	var evs []*xdemat.Evenement
	for rows.Next() {
		var ev xdemat.Evenement
		var payload []byte
		var creeLe int64
		if err := rows.Scan(&ev.Curseur, &ev.Type, &ev.Objet, &ev.PosteID, &payload, &creeLe); err != nil {
			return nil, wrap("events", err)
		}
		if len(payload) > 0 {
			ev.Payload = json.RawMessage(payload)
		}
		ev.CreeLe = fromMicro(creeLe)
		evs = append(evs, &ev)
	}
	return evs, wrap("events", rows.Err())
}

// AppendJournal chains e after the last entry and stores it (Seq, Precedent
// and Hash are set here; a zero Date means now).
func (s *Store) AppendJournal(ctx context.Context, e *xdemat.Journal) error {
	if e == nil || strings.TrimSpace(e.Acteur) == "" || strings.TrimSpace(e.Action) == "" {
		return xdemat.Errorf(xdemat.EINVALID, "Entrée de journal incomplète : l'acteur et l'action sont obligatoires.")
	}
	e.Date = stamp(e.Date)
	return wrap("append journal", s.write(ctx, func(tx *sql.Tx) error { return appendJournal(ctx, tx, e) }))
}

func appendJournal(ctx context.Context, tx *sql.Tx, e *xdemat.Journal) error {
	var prev *xdemat.Journal
	var last xdemat.Journal
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1`).Scan(&last.Seq, &last.Hash)
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	e.Chainer(prev)
	_, err = tx.ExecContext(ctx, `INSERT INTO journal (seq, date, acteur, action, objet, details, precedent, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, micro(e.Date), e.Acteur, e.Action, e.Objet, e.Details, e.Precedent, e.Hash)
	return err
}

// Journal returns every journal entry, by Seq.
func (s *Store) Journal(ctx context.Context) ([]*xdemat.Journal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, date, acteur, action, objet, details, precedent, hash
		FROM journal ORDER BY seq`)
	if err != nil {
		return nil, wrap("journal", err)
	}
	defer rows.Close()
	var entries []*xdemat.Journal
	for rows.Next() {
		var e xdemat.Journal
		var date int64
		if err := rows.Scan(&e.Seq, &date, &e.Acteur, &e.Action, &e.Objet, &e.Details, &e.Precedent, &e.Hash); err != nil {
			return nil, wrap("journal", err)
		}
		e.Date = fromMicro(date)
		entries = append(entries, &e)
	}
	return entries, wrap("journal", rows.Err())
}

// SyncState returns the persisted part of the sync state, read from one
// snapshot. EnLigne and DepuisLe are left to the syncer.
func (s *Store) SyncState(ctx context.Context) (*agent.SyncState, error) {
	var st agent.SyncState
	err := s.read(ctx, func(tx *sql.Tx) error {
		var enrole int
		var succes sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT COUNT(*) FROM identite),
				(SELECT COUNT(*) FROM operations WHERE acquittee = 0),
				dernier_ack, curseur, dernier_succes, derniere_erreur
			FROM etat WHERE id = 1`).Scan(&enrole, &st.OperationsEnAttente, &st.DernierAck, &st.Curseur, &succes, &st.DerniereErreur); err != nil {
			return err
		}
		st.Enrole = enrole > 0
		st.DernierSucces = fromNullMicro(succes)
		return tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(taille), 0) FROM documents
			WHERE sha256 IN (SELECT od.sha256 `+pendingDocumentsFrom+`)`).Scan(&st.OctetsEnAttente)
	})
	if err != nil {
		return nil, wrap("sync state", err)
	}
	return &st, nil
}

// RecordSuccess records an exchange with central that worked, and clears the
// last error.
func (s *Store) RecordSuccess(ctx context.Context, now time.Time) error {
	return wrap("record success", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE etat SET dernier_succes = ?, derniere_erreur = '', derniere_erreur_le = NULL
			WHERE id = 1`, micro(stamp(now)))
		return err
	}))
}

// RecordFailure records the French message of the last failed exchange.
func (s *Store) RecordFailure(ctx context.Context, now time.Time, message string) error {
	return wrap("record failure", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE etat SET derniere_erreur = ?, derniere_erreur_le = ? WHERE id = 1`,
			message, micro(stamp(now)))
		return err
	}))
}
