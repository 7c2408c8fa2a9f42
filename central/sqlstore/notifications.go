package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

const notificationCols = "commune_id, id, type, severite, titre, texte, objet, destinataire, echeance, cree_le, lu_le, fait_le"

func scanNotification(r scanner) (*xdemat.Notification, error) {
	n := new(xdemat.Notification)
	var severite, objet string
	var cree int64
	var echeance, lu, fait sql.NullInt64
	if err := r.Scan(&n.CommuneID, &n.ID, &n.Type, &severite, &n.Titre, &n.Texte, &objet, &n.Destinataire, &echeance, &cree, &lu, &fait); err != nil {
		return nil, err
	}
	n.Severite = xdemat.Severite(severite)
	if objet != "" {
		// Stored after validation: it parses back.
		n.Objet, _ = xdemat.ParseLien(objet)
	}
	n.Echeance, n.CreeLe, n.LuLe, n.FaitLe = fromNullMicros(echeance), fromMicros(cree), fromNullMicros(lu), fromNullMicros(fait)
	return n, nil
}

// normaliserNotification checks n and brings its times to what the store
// gives back.
func normaliserNotification(n *xdemat.Notification) error {
	if err := n.Validate(); err != nil {
		return err
	}
	n.Echeance, n.CreeLe, n.LuLe, n.FaitLe = ts(n.Echeance), ts(n.CreeLe), ts(n.LuLe), ts(n.FaitLe)
	return nil
}

// insertNotification records n (already normalised, n.CommuneID set) unless
// the commune already holds its ID, and then plans its envois. It reports
// whether n was new.
func (t tx) insertNotification(ctx context.Context, n *xdemat.Notification, now time.Time) (bool, error) {
	res, err := t.exec(ctx, "INSERT INTO notifications ("+notificationCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (commune_id, id) DO NOTHING",
		n.CommuneID, n.ID, n.Type, string(n.Severite), n.Titre, n.Texte, n.Objet.String(), n.Destinataire,
		nullMicros(n.Echeance), micros(n.CreeLe), nullMicros(n.LuLe), nullMicros(n.FaitLe))
	if err != nil {
		return false, t.s.errorf("insert notification: %w", err)
	}
	if k, err := t.s.rowsAffected(res); err != nil || k == 0 {
		return false, err
	}
	return true, t.planEnvois(ctx, n, now)
}

// planEnvois inserts the envois of a new notification: for each active user
// of its commune, what xdemat.Destinations decides (critical types always
// reach an e-mail address).
func (t tx) planEnvois(ctx context.Context, n *xdemat.Notification, now time.Time) error {
	users, err := txList(ctx, t, scanUtilisateur, "SELECT donnees FROM utilisateurs WHERE commune_id = ? ORDER BY id", n.CommuneID)
	if err != nil {
		return err
	}
	prefs, err := txList(ctx, t, scanPreferences, "SELECT donnees FROM preferences WHERE commune_id = ?", n.CommuneID)
	if err != nil {
		return err
	}
	byUser := make(map[string]*xdemat.Preferences, len(prefs))
	for _, p := range prefs {
		byUser[p.UtilisateurID] = p
	}
	for _, u := range users {
		if !u.Actif {
			continue
		}
		d := xdemat.Destinations(u, byUser[u.ID], n)
		if d.Email {
			if err := t.insertEnvoi(ctx, n, u.ID, central.CanalEmail, u.Email, now); err != nil {
				return err
			}
		}
		if d.SMS {
			if err := t.insertEnvoi(ctx, n, u.ID, central.CanalSMS, u.Telephone, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// RaiseNotification records n for n.CommuneID; see central.Store.
func (s *Store) RaiseNotification(ctx context.Context, n *xdemat.Notification) error {
	now := ts(time.Now())
	if n.ID == "" {
		n.ID = uuid.NewString()
	}
	if n.CreeLe.IsZero() {
		n.CreeLe = now
	}
	if n.CommuneID == "" {
		return xdemat.Errorf(xdemat.EINVALID, "Indiquez la commune à qui la notification est destinée.")
	}
	if err := normaliserNotification(n); err != nil {
		return err
	}
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, n.CommuneID)
		if err != nil {
			return err
		}
		created, err := t.insertNotification(ctx, n, now)
		if err != nil || !created {
			return err
		}
		if err := a.event(ctx, xdemat.OperationNotificationCreee, n.ID, "", n, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.OperationNotificationCreee, Objet: n.ID, Details: n.Titre})
	})
}

// raisePlateforme raises, inside a transaction that already appends for the
// commune (enrollment, revocation), a notification of the platform about a
// poste. Its journal entry is the caller's.
func (t tx) raisePlateforme(ctx context.Context, a *appender, typ, titre, texte string, now time.Time) error {
	tn, _ := xdemat.TypeNotificationParCode(typ)
	n := &xdemat.Notification{ID: uuid.NewString(), CommuneID: a.communeID, Type: typ, Severite: tn.Severite,
		Titre: titre, Texte: texte, Objet: xdemat.Lien{Ecran: "diagnostic"}, CreeLe: now}
	if err := normaliserNotification(n); err != nil {
		return t.s.errorf("platform notification: %w", err)
	}
	if _, err := t.insertNotification(ctx, n, now); err != nil {
		return err
	}
	return a.event(ctx, xdemat.OperationNotificationCreee, n.ID, "", n, now)
}

// markNotification records that a notification was read or done, keeping
// the earliest date. An unknown notification changes nothing.
func (t tx) markNotification(ctx context.Context, communeID, typ string, e *xdemat.NotificationEtat) error {
	col := "lu_le"
	if typ == xdemat.OperationNotificationFaite {
		col = "fait_le"
	}
	le := micros(e.Le)
	_, err := t.exec(ctx, "UPDATE notifications SET "+col+" = ? WHERE commune_id = ? AND id = ? AND ("+col+" IS NULL OR "+col+" > ?)",
		le, communeID, e.ID, le)
	if err != nil {
		return t.s.errorf("mark notification: %w", err)
	}
	return nil
}

// Notifications returns the notifications of the commune in ctx, oldest first.
func (s *Store) Notifications(ctx context.Context) ([]*xdemat.Notification, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanNotification, "SELECT "+notificationCols+" FROM notifications WHERE commune_id = ? ORDER BY cree_le, id", p.CommuneID)
}

// marshal returns v as JSON for a column.
func (t tx) marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, t.s.errorf("marshal: %w", err)
	}
	return b, nil
}
