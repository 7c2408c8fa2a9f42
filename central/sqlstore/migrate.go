package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"

	"xdemat"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

var migrationRE = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// ReadMigrations returns the NNNN_name.sql files at the root of fsys, by
// version. Another .sql name, a duplicate or a missing number is an error.
func ReadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || len(name) < 4 || name[len(name)-4:] != ".sql" {
			continue
		}
		m := migrationRE.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("migrations: %q is not named NNNN_name.sql", name)
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != int64(i+1) {
			return nil, fmt.Errorf("migrations: expected version %04d, found %04d_%s", i+1, m.Version, m.Name)
		}
	}
	return out, nil
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_le BIGINT NOT NULL
)`

// Migrate applies, in order, the migrations of d not yet recorded in the
// schema_migrations table, each in its own transaction together with its
// record. It refuses a database migrated by a newer program.
func Migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	if d.Migrations == nil {
		return fmt.Errorf("%s: no migrations", d.Name)
	}
	migs, err := ReadMigrations(d.Migrations)
	if err != nil {
		return err
	}
	q := func(s string) string {
		if d.Numbered {
			return Rebind(s)
		}
		return s
	}
	for _, m := range migs {
		if err := applyMigration(ctx, db, d, q, m); err != nil {
			return err
		}
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&newest); err != nil {
		return fmt.Errorf("%s: read schema version: %w", d.Name, err)
	}
	if newest.Int64 > int64(len(migs)) {
		return xdemat.Errorf(xdemat.EINTERNAL, "La base de données a été mise à jour par une version plus récente de xdemat (schéma n°%d, celle-ci connaît le n°%d) : installez la dernière version du serveur central.", newest.Int64, len(migs))
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, d Dialect, q func(string) string, m Migration) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: migration %04d_%s: begin: %w", d.Name, m.Version, m.Name, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if d.MigrationLock != "" {
		if _, err = tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return fmt.Errorf("%s: migration lock: %w", d.Name, err)
		}
	}
	if _, err = tx.ExecContext(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("%s: create schema_migrations: %w", d.Name, err)
	}
	var n int
	if err = tx.QueryRowContext(ctx, q("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.Version).Scan(&n); err != nil {
		return fmt.Errorf("%s: read schema_migrations: %w", d.Name, err)
	}
	if n > 0 {
		return tx.Rollback()
	}
	if _, err = tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("%s: migration %04d_%s: %w", d.Name, m.Version, m.Name, err)
	}
	if _, err = tx.ExecContext(ctx, q("INSERT INTO schema_migrations (version, name, applied_le) VALUES (?, ?, ?)"), m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("%s: record migration %04d_%s: %w", d.Name, m.Version, m.Name, err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("%s: migration %04d_%s: commit: %w", d.Name, m.Version, m.Name, err)
	}
	return nil
}
