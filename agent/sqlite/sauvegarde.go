package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"time"

	"xdemat"
	"xdemat/agent"
)

// ConfigSauvegarde returns the backup settings; inactive ones (nightly at
// 2 h) when never saved.
func (s *Store) ConfigSauvegarde(ctx context.Context) (*agent.ConfigSauvegarde, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM sauvegarde_reglages WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return &agent.ConfigSauvegarde{Heure: 2, Dossiers: []string{}}, nil
	}
	if err != nil {
		return nil, wrap("backup settings", err)
	}
	var c agent.ConfigSauvegarde
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, wrap("backup settings", err)
	}
	return &c, nil
}

// SaveConfigSauvegarde records the settings, with a journal entry naming auteur.
func (s *Store) SaveConfigSauvegarde(ctx context.Context, c *agent.ConfigSauvegarde, auteur string, now time.Time) error {
	if c.Heure < 0 || c.Heure > 23 {
		return xdemat.Errorf(xdemat.EINVALID, "L'heure de la sauvegarde doit être comprise entre 0 h et 23 h.")
	}
	data, err := json.Marshal(c)
	if err != nil {
		return wrap("backup settings", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sauvegarde_reglages (id, donnees) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET donnees = excluded.donnees`, string(data))
		if err != nil {
			return err
		}
		if auteur == "" {
			auteur = "agent"
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: now, Acteur: auteur, Action: "sauvegarde.reglee", Objet: "sauvegarde", Details: string(data)})
	})
	return wrap("backup settings", err)
}

// RecordSauvegarde records a run in the history and as a
// "sauvegarde.terminee" operation for central, and raises n when not nil,
// in one transaction: a report is never sent without being kept, nor kept
// without being sent.
func (s *Store) RecordSauvegarde(ctx context.Context, r *xdemat.Sauvegarde, n *xdemat.Notification, now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return wrap("record backup", err)
	}
	if n != nil {
		if n.CommuneID == "" {
			if id, err := s.Identity(ctx); err == nil {
				n.CommuneID = id.Commune.ID
			}
		}
		n.CreeLe = stamp(n.CreeLe)
		if err := n.Validate(); err != nil {
			return err
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sauvegardes (id, type, statut, debut, donnees) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, r.ID, r.Type, string(r.Statut), micro(r.Debut), string(data))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil // recorded already
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationSauvegardeTerminee, "", data, nil, now); err != nil {
			return err
		}
		if n == nil {
			return nil
		}
		_, err = leverTx(ctx, tx, n, now)
		return err
	})
	return wrap("record backup", err)
}

// Sauvegardes returns the last runs, newest first.
func (s *Store) Sauvegardes(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error) {
	if limite <= 0 {
		limite = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT donnees FROM sauvegardes ORDER BY debut DESC LIMIT ?`, limite)
	if err != nil {
		return nil, wrap("backups", err)
	}
	defer rows.Close()
	out := []*xdemat.Sauvegarde{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("backups", err)
		}
		var r xdemat.Sauvegarde
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, wrap("backups", err)
		}
		out = append(out, &r)
	}
	return out, wrap("backups", rows.Err())
}

// CopieCoherente writes a consistent copy of the store to path (VACUUM
// INTO), for the backup: never the live file, whose WAL may hold what the
// main file does not.
func (s *Store) CopieCoherente(ctx context.Context, path string) error {
	os.Remove(path) // VACUUM INTO refuses an existing file
	if _, err := s.r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return wrap("consistent copy", err)
	}
	return nil
}
