// Package sqlite is central's store on SQLite (modernc.org/sqlite, no cgo):
// for a small SPL that runs central on a single server.
//
// The database runs in WAL mode with synchronous=NORMAL: readers never wait
// for the writer, and a crash of the machine may lose the last transactions
// but never corrupts the file. Writes of this process take turns before they
// reach SQLite; other processes (the CLI) wait up to 10 seconds for the lock.
//
// Checkpoints (copying the WAL back into the database, with an fsync) run
// in a background goroutine once a second rather than inside whichever
// commit crosses SQLite's threshold: that commit would hold the write lock
// for the fsync, and every poste queued behind it would wait.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"xdemat"
	"xdemat/central"
	"xdemat/central/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is central.Store on an SQLite file.
type Store struct {
	*sqlstore.Store
	db        *sql.DB
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var _ central.Store = (*Store)(nil)

// DSN returns the driver's data source name for the database file at path.
func DSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
}

// Open opens the database file at path, creating it and its directory when
// needed, and applies the migrations it lacks.
func Open(path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, ":memory:") {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Chemin de base SQLite invalide %q : indiquez un fichier, sans « ? » ni « # ».", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: impossible de créer le dossier de la base (%w) : vérifiez le chemin et les droits", err)
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// WAL: any number of readers next to the single writer.
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	s, err := sqlstore.New(ctx, db, sqlstore.Dialect{
		Name:              "sqlite",
		IsUniqueViolation: isUniqueViolation,
		SerializeWrites:   true,
		Migrations:        sub,
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	st := &Store{Store: s, db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go st.checkpoints(time.Second)
	return st, nil
}

// checkpoints copies the WAL into the database every interval, without
// blocking writers (PASSIVE), until Close.
func (s *Store) checkpoints(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			// A failed checkpoint is retried at the next tick; the WAL
			// keeps every transaction meanwhile.
			_, _ = s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// Close stops the checkpoints, folds what it can of the WAL into the
// database and closes it.
// Calling it again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		// PASSIVE: the command line closes its store while the server
		// runs, and must never hold the server's writers back.
		_, _ = s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		s.closeErr = s.Store.Close()
	})
	return s.closeErr
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
