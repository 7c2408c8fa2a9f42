// Package sqlite is central's store on SQLite (modernc.org/sqlite, no cgo):
// for a small SPL that runs central on a single server.
//
// The database runs in WAL mode with synchronous=NORMAL: readers never wait
// for the writer, and a crash of the machine may lose the last transactions
// but never corrupts the file. Writes of this process take turns before they
// reach SQLite; other processes (the CLI) wait up to 10 seconds for the lock.
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
}

var _ central.Store = (*Store)(nil)

// DSN returns the driver's data source name for the database file at path.
func DSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
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
	return &Store{s}, nil
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
