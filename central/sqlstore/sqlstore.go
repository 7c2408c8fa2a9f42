// Package sqlstore implements central.Store over database/sql. It is shared by
// central/sqlite and central/postgres, which only bring a driver, a Dialect and
// their migrations.
//
// Conventions, the same on both databases:
//   - queries are written with ? placeholders and rewritten to $1, $2… for
//     databases that need it (Dialect.Numbered);
//   - times are BIGINT unix microseconds, UTC; a zero time.Time is NULL;
//   - JSON payloads are stored as bytes, exactly as received;
//   - every tenant query filters on commune_id, taken from the poste in ctx;
//   - every transaction that appends events or journal entries for a commune
//     first locks the commune row (Dialect.LockCommune), so that the journal
//     chain never forks and a commune's event cursors are assigned in commit
//     order (a poller never skips an event committed late).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"xdemat"
	"xdemat/central"
)

// Dialect says how a database differs from the common SQL used here.
type Dialect struct {
	// Name prefixes internal errors ("sqlite", "postgres").
	Name string
	// Numbered rewrites ? placeholders to $1, $2… (PostgreSQL).
	Numbered bool
	// LockCommune is appended to "SELECT id FROM communes WHERE id = ?" to lock
	// the commune row until the end of the transaction. Empty when the database
	// already runs one writer at a time (SQLite with BEGIN IMMEDIATE).
	LockCommune string
	// MigrationLock, when not empty, is executed first in every migration
	// transaction so that two processes migrating the same database take turns.
	MigrationLock string
	// IsUniqueViolation reports whether err comes from a UNIQUE or PRIMARY KEY
	// constraint.
	IsUniqueViolation func(error) bool
	// SerializeWrites makes this process's writes take turns before they reach
	// the database: SQLite admits one writer at a time anyway, and waiting on a
	// channel is cheaper and fairer than its busy handler.
	SerializeWrites bool
	// Migrations holds the NNNN_name.sql files, at its root.
	Migrations fs.FS
}

// Store is central.Store over a *sql.DB.
type Store struct {
	db *sql.DB
	d  Dialect
	// wsem holds one token; writers take it when d.SerializeWrites.
	wsem chan struct{}
	// rebound caches queries rewritten for numbered placeholders.
	rebound sync.Map
	// prepared holds the statements of hotQueries, by query as written (with
	// ?). Read-only once New returns.
	prepared map[string]*sql.Stmt
	// qLockCommune selects the commune row, locking it where the dialect needs it.
	qLockCommune string
	// onEnvois is called after a commit that created envois (see OnEnvois).
	onEnvois atomic.Pointer[func()]
	// onEvenements is called after a commit that appended events (see OnEvenements).
	onEvenements atomic.Pointer[func(string)]
}

var _ central.Store = (*Store)(nil)

// New migrates db and returns a store over it. The store owns db: Close
// closes it.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if d.IsUniqueViolation == nil {
		d.IsUniqueViolation = func(error) bool { return false }
	}
	s := &Store{db: db, d: d, wsem: make(chan struct{}, 1), prepared: map[string]*sql.Stmt{},
		qLockCommune: "SELECT id FROM communes WHERE id = ?" + d.LockCommune}
	if err := Migrate(ctx, db, d); err != nil {
		return nil, err
	}
	for _, q := range s.hotQueries() {
		st, err := db.PrepareContext(ctx, s.q(q))
		if err != nil {
			s.closeStatements()
			return nil, s.errorf("prepare %q: %w", q, err)
		}
		s.prepared[q] = st
	}
	return s, nil
}

func (s *Store) closeStatements() {
	for _, st := range s.prepared {
		st.Close()
	}
}

// DB returns the underlying pool (for health checks and tools).
func (s *Store) DB() *sql.DB { return s.db }

// Close releases the prepared statements and closes the database.
func (s *Store) Close() error {
	s.closeStatements()
	return s.db.Close()
}

// Rebind rewrites ? placeholders to $1, $2…, leaving quoted text alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, quote := 0, byte(0)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// q returns query in the dialect's placeholder style.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	if r, ok := s.rebound.Load(query); ok {
		return r.(string)
	}
	r := Rebind(query)
	s.rebound.Store(query, r)
	return r
}

func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf(s.d.Name+": "+format, args...)
}

// lockWrites waits for this process's turn to write, when the dialect asks for it.
func (s *Store) lockWrites(ctx context.Context) (unlock func(), err error) {
	if !s.d.SerializeWrites {
		return func() {}, nil
	}
	select {
	case s.wsem <- struct{}{}:
		return func() { <-s.wsem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tx is a write transaction whose helpers rebind placeholders.
type tx struct {
	*sql.Tx
	s *Store
	// envois counts the envois the transaction created, so that the
	// dispatcher is woken once it commits.
	envois *int
	// communes lists the communes the transaction appended events for, so
	// that their waiting postes are woken once it commits.
	communes *[]string
}

// exec and queryRow run a prepared statement on the transaction's connection
// when query is one of hotQueries (Tx.StmtContext reuses the statement already
// prepared on that connection, or prepares it there once).
func (t tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.s.prepared[query]; ok {
		return t.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.ExecContext(ctx, t.s.q(query), args...)
}

func (t tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.s.prepared[query]; ok {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.QueryRowContext(ctx, t.s.q(query), args...)
}

// write runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise. Domain errors from fn are returned as they are.
func (s *Store) write(ctx context.Context, fn func(t tx) error) error {
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	sqltx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf("begin: %w", err)
	}
	var envois int
	var communes []string
	if err := fn(tx{sqltx, s, &envois, &communes}); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return s.errorf("commit: %w", err)
	}
	if wake := s.onEnvois.Load(); envois > 0 && wake != nil {
		(*wake)()
	}
	if wake := s.onEvenements.Load(); wake != nil {
		for i, c := range communes {
			if !slices.Contains(communes[:i], c) {
				(*wake)(c)
			}
		}
	}
	return nil
}

// OnEnvois sets the function called after each commit that created envois
// (central.EnvoiWaker); it must not block.
func (s *Store) OnEnvois(wake func()) {
	if wake == nil {
		s.onEnvois.Store(nil)
		return
	}
	s.onEnvois.Store(&wake)
}

var _ central.EnvoiWaker = (*Store)(nil)

// OnEvenements sets the function called, once per commune, after each commit
// that appended events for it (central.EventWaker), whoever made the change:
// the sync API, the console or the dispatcher. It must not block.
func (s *Store) OnEvenements(wake func(communeID string)) {
	if wake == nil {
		s.onEvenements.Store(nil)
		return
	}
	s.onEvenements.Store(&wake)
}

var _ central.EventWaker = (*Store)(nil)

// query runs a reading query inside the transaction.
func (t tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(ctx, t.s.q(query), args...)
}

// txList is list inside a transaction.
func txList[T any](ctx context.Context, t tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, t.s.errorf("query: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.s.errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.s.errorf("rows: %w", err)
	}
	return out, nil
}

// exec runs one writing statement outside an explicit transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if st, ok := s.prepared[query]; ok {
		return st.ExecContext(ctx, args...)
	}
	return s.db.ExecContext(ctx, s.q(query), args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.q(query), args...)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := s.prepared[query]; ok {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query and scans every row with scan.
func list[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.errorf("query: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("rows: %w", err)
	}
	return out, nil
}

// tenant returns the authenticated poste of ctx, or EUNAUTHORIZED.
func tenant(ctx context.Context) (*xdemat.Poste, error) {
	p := xdemat.PosteFromContext(ctx)
	if p == nil || p.ID == "" || p.CommuneID == "" {
		return nil, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Poste non authentifié : la requête doit être signée par un poste enrôlé auprès de la SPL.")
	}
	return p, nil
}

// --- times ---

// ts returns t as it comes back from the database: UTC, to the microsecond.
func ts(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros stores a zero time as NULL.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// nullBytes stores an empty payload as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// rowsAffected returns how many rows res changed.
func (s *Store) rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.errorf("rows affected: %w", err)
	}
	return n, nil
}

// notFound reports whether err is sql.ErrNoRows.
func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
