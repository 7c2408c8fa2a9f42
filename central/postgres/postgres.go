// Package postgres is central's store on PostgreSQL (pgx through
// database/sql): for an SPL that runs several central servers, or wants the
// database on its own machine.
//
// Transactions run at READ COMMITTED. Every transaction that appends events or
// journal entries for a commune first locks the commune's row (SELECT … FOR
// NO KEY UPDATE): a commune's writers take turns, so its journal chain never
// forks and its event cursors are assigned in commit order, while other
// communes are not held up. NO KEY UPDATE rather than UPDATE lets concurrent
// inserts referencing the commune (their foreign-key check takes KEY SHARE)
// through.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"xdemat"
	"xdemat/central"
	"xdemat/central/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is central.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
}

var _ central.Store = (*Store)(nil)

// MaxConns is the size of the connection pool Open sets up; tune it after
// Open with Store.DB().SetMaxOpenConns.
const MaxConns = 20

// migrationLockID is the advisory lock key that serialises migrations of
// several central servers starting at once.
const migrationLockID = 0x78646d74 // "xdmt"

// Open connects to the database at url (postgres://user:pass@host:port/db?…,
// or any form pgx accepts) and applies the migrations it lacks.
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Adresse de la base PostgreSQL invalide (%v) : attendu postgres://utilisateur:motdepasse@hôte:5432/base.", err)
	}
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Impossible de joindre la base PostgreSQL (%v) : vérifiez que le serveur est démarré, l'adresse, l'utilisateur et le mot de passe.", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	s, err := sqlstore.New(ctx, db, sqlstore.Dialect{
		Name:              "postgres",
		Numbered:          true,
		LockCommune:       " FOR NO KEY UPDATE",
		MigrationLock:     fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockID),
		IsUniqueViolation: isUniqueViolation,
		Migrations:        sub,
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{s}, nil
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
