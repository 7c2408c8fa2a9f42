package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"time"

	"xdemat"
	"xdemat/agent"
)

// ConfigExports returns the watched export folders; none when never saved.
func (s *Store) ConfigExports(ctx context.Context) (*agent.ConfigExports, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM exports_reglages WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return &agent.ConfigExports{Dossiers: []agent.DossierExport{}}, nil
	}
	if err != nil {
		return nil, wrap("export folders", err)
	}
	var c agent.ConfigExports
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, wrap("export folders", err)
	}
	return &c, nil
}

// SaveConfigExports records the watched export folders, with a journal
// entry naming auteur. Each folder must be an absolute path, given once.
func (s *Store) SaveConfigExports(ctx context.Context, c *agent.ConfigExports, auteur string, now time.Time) error {
	vus := map[string]bool{}
	for _, d := range c.Dossiers {
		if !filepath.IsAbs(d.Chemin) {
			return xdemat.Errorf(xdemat.EINVALID, "Le dossier d'export %q n'est pas un chemin complet : choisissez-le avec « Ajouter un dossier… ».", d.Chemin)
		}
		if vus[filepath.Clean(d.Chemin)] {
			return xdemat.Errorf(xdemat.EINVALID, "Le dossier %s est choisi deux fois.", d.Chemin)
		}
		vus[filepath.Clean(d.Chemin)] = true
	}
	if c.Dossiers == nil {
		c.Dossiers = []agent.DossierExport{}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return wrap("export folders", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO exports_reglages (id, donnees) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET donnees = excluded.donnees`, string(data))
		if err != nil {
			return err
		}
		if auteur == "" {
			auteur = "agent"
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: now, Acteur: auteur, Action: "exports.regles", Objet: "exports", Details: string(data)})
	})
	return wrap("export folders", err)
}
