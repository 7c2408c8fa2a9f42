package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"xdemat"
	"xdemat/central"
)

// The préfecture's classification of each commune: asked for by the
// connector, recorded here, relayed to the commune's postes as
// acte.classification when a newer version arrives.

var _ central.ClassificationsStore = (*Store)(nil)

// ClassificationsADemander returns the communes to ask the classification for.
func (s *Store) ClassificationsADemander(ctx context.Context, avant time.Time, limit int) ([]*xdemat.Commune, error) {
	if limit <= 0 {
		limit = 100
	}
	ids, err := list(ctx, s, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, fmt.Sprintf(`SELECT c.id FROM communes c LEFT JOIN actes_classifications k ON k.commune_id = c.id
		WHERE k.demandee_le IS NULL OR k.demandee_le < ? ORDER BY COALESCE(k.demandee_le, 0), c.id LIMIT %d`, limit), micros(avant))
	if err != nil {
		return nil, err
	}
	out := make([]*xdemat.Commune, 0, len(ids))
	for _, id := range ids {
		c, err := s.FindCommune(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// NumeroSerieActes takes the next series number of the SIREN.
func (s *Store) NumeroSerieActes(ctx context.Context, siren string) (int, error) {
	var serie int
	err := s.write(ctx, func(t tx) (err error) {
		serie, err = t.serieSuivante(ctx, siren)
		return err
	})
	return serie, err
}

// serieSuivante takes, in t, the next number of the SIREN's series: every
// archive the SIREN sends (acte, answer, classification request) has its own.
func (t tx) serieSuivante(ctx context.Context, siren string) (int, error) {
	var serie int64
	if err := t.queryRow(ctx, "SELECT derniere FROM actes_series WHERE siren = ?", siren).Scan(&serie); err != nil && !notFound(err) {
		return 0, t.s.errorf("read series: %w", err)
	}
	serie++
	if _, err := t.exec(ctx, "INSERT INTO actes_series (siren, derniere) VALUES (?, ?) ON CONFLICT (siren) DO UPDATE SET derniere = excluded.derniere", siren, serie); err != nil {
		return 0, t.s.errorf("next series: %w", err)
	}
	return int(serie), nil
}

// ClassificationDemandee records that the commune's classification was asked for.
func (s *Store) ClassificationDemandee(ctx context.Context, communeID string, now time.Time) error {
	return s.write(ctx, func(t tx) error {
		if _, err := t.exec(ctx, `INSERT INTO actes_classifications (commune_id, demandee_le) VALUES (?, ?)
			ON CONFLICT (commune_id) DO UPDATE SET demandee_le = excluded.demandee_le`, communeID, micros(ts(now))); err != nil {
			return t.s.errorf("classification asked: %w", err)
		}
		return nil
	})
}

// EnregistrerClassification records a classification and relays it when newer.
func (s *Store) EnregistrerClassification(ctx context.Context, siren string, c *xdemat.ClassificationPrefecture, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	now = ts(now)
	var communeID string
	if err := s.queryRow(ctx, "SELECT id FROM communes WHERE siren = ?", siren).Scan(&communeID); notFound(err) {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Aucune commune de SIREN %s.", siren)
	} else if err != nil {
		return s.errorf("find commune: %w", err)
	}
	c.Date, c.RecueLe = ts(c.Date), now
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		var version sql.NullInt64
		err = t.queryRow(ctx, "SELECT date_version FROM actes_classifications WHERE commune_id = ?", communeID).Scan(&version)
		if err != nil && !notFound(err) {
			return t.s.errorf("read classification: %w", err)
		}
		if version.Valid && version.Int64 >= micros(c.Date) {
			_, err := t.exec(ctx, "UPDATE actes_classifications SET recue_le = ? WHERE commune_id = ?", micros(now), communeID)
			return err // the same version: nothing new for the postes
		}
		b, err := json.Marshal(c)
		if err != nil {
			return t.s.errorf("classification: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO actes_classifications (commune_id, date_version, recue_le, donnees) VALUES (?, ?, ?, ?)
			ON CONFLICT (commune_id) DO UPDATE SET date_version = excluded.date_version, recue_le = excluded.recue_le, donnees = excluded.donnees`,
			communeID, micros(c.Date), micros(now), b); err != nil {
			return t.s.errorf("record classification: %w", err)
		}
		if err := a.event(ctx, xdemat.EvenementActeClassification, "", "", c, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "préfecture", Action: xdemat.EvenementActeClassification, Objet: siren,
			Details: fmt.Sprintf("Classification des actes de la préfecture, version du %s (%d matières)", c.Date.In(xdemat.Paris).Format("02/01/2006"), len(c.Liste()))})
	})
}

// ClassificationCommune returns the commune's classification.
func (s *Store) ClassificationCommune(ctx context.Context, communeID string) (*xdemat.ClassificationPrefecture, error) {
	var b []byte
	err := s.queryRow(ctx, "SELECT donnees FROM actes_classifications WHERE commune_id = ? AND donnees IS NOT NULL", communeID).Scan(&b)
	if notFound(err) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "La classification de la préfecture n'est pas encore arrivée.")
	} else if err != nil {
		return nil, s.errorf("read classification: %w", err)
	}
	var c xdemat.ClassificationPrefecture
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, s.errorf("read classification: %w", err)
	}
	return &c, nil
}
