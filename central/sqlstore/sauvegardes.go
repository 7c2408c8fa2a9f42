package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"xdemat"
	"xdemat/central"
)

func scanSauvegarde(r scanner) (*xdemat.Sauvegarde, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	sv := new(xdemat.Sauvegarde)
	return sv, json.Unmarshal(b, sv)
}

// insertSauvegarde records a backup report of the poste p; the same report
// ID again (an agent resending after a lost answer) changes nothing.
func (t tx) insertSauvegarde(ctx context.Context, p *xdemat.Poste, sv *xdemat.Sauvegarde, now time.Time) error {
	b, err := t.marshal(sv)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "INSERT INTO sauvegardes (commune_id, id, poste_id, type, statut, debut, fin, donnees, recue_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"+
		" ON CONFLICT (commune_id, id) DO NOTHING",
		p.CommuneID, sv.ID, p.ID, sv.Type, string(sv.Statut), micros(sv.Debut), micros(sv.Fin), b, micros(now))
	if err != nil {
		return t.s.errorf("insert sauvegarde: %w", err)
	}
	return nil
}

// ListSauvegardes returns the last reports of a commune; see central.Store.
func (s *Store) ListSauvegardes(ctx context.Context, communeID string, limit int) ([]*xdemat.Sauvegarde, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return list(ctx, s, scanSauvegarde, "SELECT donnees FROM sauvegardes WHERE commune_id = ? ORDER BY fin DESC, id DESC LIMIT ?", communeID, limit)
}

// statutsEchec are the outcomes the console shows as failures (a run
// cancelled by the secretary is not one).
const statutsEchec = "('" + string(xdemat.SauvegardeEchouee) + "', '" + string(xdemat.SauvegardeRefusee) + "')"

const statutsReussite = "('" + string(xdemat.SauvegardeReussie) + "', '" + string(xdemat.SauvegardePartielle) + "')"

// BilansSauvegarde returns the backup state of every commune; see
// central.Store. A few indexed queries per commune: the SPL serves hundreds
// of communes, not millions.
func (s *Store) BilansSauvegarde(ctx context.Context, since time.Time) ([]*central.BilanSauvegarde, error) {
	communes, err := s.ListCommunes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*central.BilanSauvegarde, 0, len(communes))
	for _, c := range communes {
		b := &central.BilanSauvegarde{Commune: c}
		if b.Quota, err = s.QuotaSauvegarde(ctx, c.ID); err != nil {
			return nil, err
		}
		if b.DerniereReussie, err = s.derniereSauvegarde(ctx, "SELECT donnees FROM sauvegardes WHERE commune_id = ? AND type = '"+xdemat.TypeSauvegarde+"' AND statut IN "+statutsReussite+" ORDER BY fin DESC, id DESC LIMIT 1", c.ID); err != nil {
			return nil, err
		}
		if b.DernierEchec, err = s.derniereSauvegarde(ctx, "SELECT donnees FROM sauvegardes WHERE commune_id = ? AND statut IN "+statutsEchec+" ORDER BY fin DESC, id DESC LIMIT 1", c.ID); err != nil {
			return nil, err
		}
		var premiere *int64
		if err := s.queryRow(ctx, "SELECT COUNT(*) FROM sauvegardes WHERE commune_id = ? AND type = '"+xdemat.TypeSauvegarde+"' AND fin >= ?", c.ID, micros(since)).Scan(&b.Executions); err != nil {
			return nil, s.errorf("count sauvegardes: %w", err)
		}
		if err := s.queryRow(ctx, "SELECT MIN(debut) FROM sauvegardes WHERE commune_id = ?", c.ID).Scan(&premiere); err != nil {
			return nil, s.errorf("first sauvegarde: %w", err)
		}
		if premiere != nil {
			b.Premiere = fromMicros(*premiere)
		}
		out = append(out, b)
	}
	return out, nil
}

func (s *Store) derniereSauvegarde(ctx context.Context, query, communeID string) (*xdemat.Sauvegarde, error) {
	sv, err := scanSauvegarde(s.queryRow(ctx, query, communeID))
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, s.errorf("last sauvegarde: %w", err)
	}
	return sv, nil
}

// QuotaSauvegarde returns the commune's backup space; see central.Store.
func (s *Store) QuotaSauvegarde(ctx context.Context, communeID string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, "SELECT octets FROM quotas_sauvegarde WHERE commune_id = ?", communeID).Scan(&n)
	if notFound(err) || (err == nil && n <= 0) {
		return xdemat.QuotaSauvegardeDefaut, nil
	}
	if err != nil {
		return 0, s.errorf("quota sauvegarde: %w", err)
	}
	return n, nil
}

// SetQuotaSauvegarde sets the commune's backup space; see central.Store.
func (s *Store) SetQuotaSauvegarde(ctx context.Context, communeID string, octets int64, now time.Time) error {
	if _, err := s.FindCommune(ctx, communeID); err != nil {
		return err
	}
	var err error
	if octets <= 0 {
		_, err = s.exec(ctx, "DELETE FROM quotas_sauvegarde WHERE commune_id = ?", communeID)
	} else {
		_, err = s.exec(ctx, "INSERT INTO quotas_sauvegarde (commune_id, octets, modifie_le) VALUES (?, ?, ?)"+
			" ON CONFLICT (commune_id) DO UPDATE SET octets = excluded.octets, modifie_le = excluded.modifie_le",
			communeID, octets, micros(ts(now)))
	}
	if err != nil {
		return s.errorf("set quota sauvegarde: %w", err)
	}
	return nil
}
