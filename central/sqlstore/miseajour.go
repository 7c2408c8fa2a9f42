package sqlstore

import (
	"context"
	"time"

	"xdemat/miseajour"
)

// EnregistrerEtatMiseAJour records the update report of the poste of ctx,
// replacing its previous one (see central/versions.Etats).
func (s *Store) EnregistrerEtatMiseAJour(ctx context.Context, e *miseajour.Etat, now time.Time) error {
	p, err := tenant(ctx)
	if err != nil {
		return err
	}
	if err := e.Valider(); err != nil {
		return err
	}
	_, err = s.exec(ctx, "INSERT INTO miseajour_postes (poste_id, commune_id, version, statut, cible, message, le, recu_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"+
		" ON CONFLICT (poste_id) DO UPDATE SET version = excluded.version, statut = excluded.statut, cible = excluded.cible,"+
		" message = excluded.message, le = excluded.le, recu_le = excluded.recu_le",
		p.ID, p.CommuneID, e.Version, string(e.Statut), e.Cible, e.Message, micros(ts(e.Le)), micros(ts(now)))
	if err != nil {
		return s.errorf("etat mise a jour: %w", err)
	}
	return nil
}

// EtatsMiseAJour returns the last update report of every poste, by poste ID,
// for the SPL's console.
func (s *Store) EtatsMiseAJour(ctx context.Context) (map[string]*miseajour.Etat, error) {
	rows, err := s.query(ctx, "SELECT poste_id, version, statut, cible, message, le FROM miseajour_postes")
	if err != nil {
		return nil, s.errorf("etats mise a jour: %w", err)
	}
	defer rows.Close()
	out := map[string]*miseajour.Etat{}
	for rows.Next() {
		var id, statut string
		var le int64
		e := new(miseajour.Etat)
		if err := rows.Scan(&id, &e.Version, &statut, &e.Cible, &e.Message, &le); err != nil {
			return nil, s.errorf("etats mise a jour: %w", err)
		}
		e.Statut, e.Le = miseajour.Statut(statut), fromMicros(le)
		out[id] = e
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("etats mise a jour: %w", err)
	}
	return out, nil
}
