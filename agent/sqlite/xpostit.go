package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// Users, preferences and notifications (Xpostit). Every local change is
// committed with the operation that carries it to central; the events central
// relays back (to every poste of the commune, this one included) are applied
// by project, so that all postes converge whatever the order of arrival.

// cleTri is the sort key of a user: "nom prénom", lower case, without the
// accents of French, so that "Écuyer" sorts next to "Ecuyer", not after "Z".
func cleTri(u *xdemat.Utilisateur) string {
	return sansAccents.Replace(strings.ToLower(strings.TrimSpace(u.Nom) + " " + strings.TrimSpace(u.Prenom)))
}

var sansAccents = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a",
	"ç", "c",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ì", "i",
	"ô", "o", "ö", "o", "ó", "o", "ò", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "ñ", "n", "æ", "ae", "œ", "oe",
)

// Utilisateurs returns the commune's users, by name.
func (s *Store) Utilisateurs(ctx context.Context) ([]*xdemat.Utilisateur, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT donnees FROM utilisateurs ORDER BY nom, id`)
	if err != nil {
		return nil, wrap("utilisateurs", err)
	}
	defer rows.Close()
	var us []*xdemat.Utilisateur
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("utilisateurs", err)
		}
		var u xdemat.Utilisateur
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			return nil, wrap("utilisateurs", err)
		}
		us = append(us, &u)
	}
	return us, wrap("utilisateurs", rows.Err())
}

// FindUtilisateur returns the user of that ID; ENOTFOUND when unknown.
func (s *Store) FindUtilisateur(ctx context.Context, id string) (*xdemat.Utilisateur, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM utilisateurs WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cet utilisateur n'existe pas (ou plus) sur ce poste.")
	} else if err != nil {
		return nil, wrap("find utilisateur", err)
	}
	var u xdemat.Utilisateur
	if err := json.Unmarshal([]byte(data), &u); err != nil {
		return nil, wrap("find utilisateur", err)
	}
	return &u, nil
}

// SaveUtilisateur records u (ID assigned when empty, ModifieLe = now) and
// enqueues "utilisateur.enregistre" in the same transaction.
func (s *Store) SaveUtilisateur(ctx context.Context, u *xdemat.Utilisateur, auteur string, now time.Time) error {
	if u == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Utilisateur manquant.")
	}
	v := *u
	if v.ID == "" {
		v.ID = uuid.NewString()
	}
	if !texteCourt(v.ID) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant d'utilisateur illisible.")
	}
	v.ModifieLe = stamp(now)
	if err := v.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(&v)
	if err != nil {
		return wrap("save utilisateur", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO utilisateurs (id, nom, donnees, modifie_le) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, donnees = excluded.donnees, modifie_le = excluded.modifie_le`,
			v.ID, cleTri(&v), string(data), micro(v.ModifieLe)); err != nil {
			return err
		}
		_, err := enqueueTx(ctx, tx, xdemat.OperationUtilisateurEnregistre, auteur, data, nil, now)
		return err
	})
	if err != nil {
		return wrap("save utilisateur", err)
	}
	*u = v
	return nil
}

// texteCourt accepts an identifier fit for a key and a log line.
func texteCourt(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Preferences returns the user's preferences; empty ones when never saved.
func (s *Store) Preferences(ctx context.Context, utilisateurID string) (*xdemat.Preferences, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM preferences WHERE utilisateur_id = ?`, utilisateurID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return &xdemat.Preferences{UtilisateurID: utilisateurID}, nil
	} else if err != nil {
		return nil, wrap("preferences", err)
	}
	var p xdemat.Preferences
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return nil, wrap("preferences", err)
	}
	return &p, nil
}

// SavePreferences records p (ModifieLe = now) and enqueues
// "preferences.enregistrees" in the same transaction.
func (s *Store) SavePreferences(ctx context.Context, p *xdemat.Preferences, auteur string, now time.Time) error {
	if p == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Préférences manquantes.")
	}
	v := *p
	v.ModifieLe = stamp(now)
	if err := v.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(&v)
	if err != nil {
		return wrap("save preferences", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO preferences (utilisateur_id, donnees, modifie_le) VALUES (?, ?, ?)
			ON CONFLICT (utilisateur_id) DO UPDATE SET donnees = excluded.donnees, modifie_le = excluded.modifie_le`,
			v.UtilisateurID, string(data), micro(v.ModifieLe)); err != nil {
			return err
		}
		_, err := enqueueTx(ctx, tx, xdemat.OperationPreferencesEnregistrees, auteur, data, nil, now)
		return err
	})
	if err != nil {
		return wrap("save preferences", err)
	}
	*p = v
	return nil
}

// RaiseNotification records n (ID assigned when empty, CreeLe = now when
// zero, CommuneID = this poste's commune when empty) and enqueues
// "notification.creee". Raising an ID already recorded changes nothing.
func (s *Store) RaiseNotification(ctx context.Context, n *xdemat.Notification, now time.Time) error {
	if n == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Notification manquante.")
	}
	v := *n
	if v.ID == "" {
		v.ID = uuid.NewString()
	}
	if v.CreeLe.IsZero() {
		v.CreeLe = now
	}
	v.CreeLe = stamp(v.CreeLe)
	if !v.Echeance.IsZero() {
		v.Echeance = stamp(v.Echeance)
	}
	v.LuLe, v.FaitLe = time.Time{}, time.Time{} // marked through MarkNotification only
	if v.CommuneID == "" {
		if id, err := s.Identity(ctx); err == nil {
			v.CommuneID = id.Commune.ID
		}
	}
	if err := v.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := leverTx(ctx, tx, &v, now)
		return err
	})
	if err != nil {
		return wrap("raise notification", err)
	}
	*n = v
	return nil
}

// leverTx records n in tx, valid and stamped, and queues its
// notification.creee for central, in the same transaction as the change
// that raised it: a notification already recorded (same ID) changes
// nothing. It reports whether n was new.
func leverTx(ctx context.Context, tx *sql.Tx, n *xdemat.Notification, now time.Time) (bool, error) {
	if err := n.Validate(); err != nil {
		return false, err
	}
	added, err := insertNotification(ctx, tx, n)
	if err != nil || !added {
		return false, err
	}
	data, err := json.Marshal(n)
	if err != nil {
		return false, err
	}
	if _, err := enqueueTx(ctx, tx, xdemat.OperationNotificationCreee, "", data, nil, now); err != nil {
		return false, err
	}
	return true, nil
}

// insertNotification adds n unless its ID is known, and tells which.
func insertNotification(ctx context.Context, tx *sql.Tx, n *xdemat.Notification) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, commune_id, type, service, severite, titre, texte,
			objet_ecran, objet_id, destinataire, echeance, cree_le, lu_le, fait_le)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		n.ID, n.CommuneID, n.Type, n.Service(), string(n.Severite), n.Titre, n.Texte,
		n.Objet.Ecran, n.Objet.ID, n.Destinataire, nullMicro(n.Echeance), micro(n.CreeLe), nullMicro(n.LuLe), nullMicro(n.FaitLe))
	if err != nil {
		return false, err
	}
	added, err := res.RowsAffected()
	return added > 0, err
}

func nullMicro(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micro(t)
}

// Notifications returns what f selects, by urgency (xdemat.TrierParUrgence).
func (s *Store) Notifications(ctx context.Context, f agent.FiltreNotifications, now time.Time) ([]*xdemat.Notification, error) {
	q := `SELECT id, commune_id, type, severite, titre, texte, objet_ecran, objet_id, destinataire,
		echeance, cree_le, lu_le, fait_le FROM notifications WHERE 1 = 1`
	var args []any
	if f.Pour != "" {
		q += ` AND destinataire IN ('', ?)`
		args = append(args, f.Pour)
	}
	if f.Service != "" {
		q += ` AND service = ?`
		args = append(args, f.Service)
	}
	if !f.AvecFaites {
		q += ` AND fait_le IS NULL`
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("notifications", err)
	}
	defer rows.Close()
	ns := []*xdemat.Notification{}
	masque := make(map[string]bool, len(f.Masques))
	for _, t := range f.Masques {
		masque[t] = true
	}
	for rows.Next() {
		var n xdemat.Notification
		var sev string
		var echeance, lu, fait sql.NullInt64
		var cree int64
		if err := rows.Scan(&n.ID, &n.CommuneID, &n.Type, &sev, &n.Titre, &n.Texte, &n.Objet.Ecran, &n.Objet.ID,
			&n.Destinataire, &echeance, &cree, &lu, &fait); err != nil {
			return nil, wrap("notifications", err)
		}
		n.Severite = xdemat.Severite(sev)
		n.Echeance, n.CreeLe, n.LuLe, n.FaitLe = fromNullMicro(echeance), fromMicro(cree), fromNullMicro(lu), fromNullMicro(fait)
		if masque[n.Type] {
			continue
		}
		ns = append(ns, &n)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("notifications", err)
	}
	xdemat.TrierParUrgence(ns, now)
	if f.Limite > 0 && len(ns) > f.Limite {
		ns = ns[:f.Limite]
	}
	return ns, nil
}

// MarkNotification records that par read ("notification.lue") or did
// ("notification.faite", which also marks it read) the notification id, and
// enqueues the operation. Marking again keeps the first date and sends
// nothing. ENOTFOUND for an unknown notification.
func (s *Store) MarkNotification(ctx context.Context, typ, id, par string, now time.Time) error {
	if typ != xdemat.OperationNotificationLue && typ != xdemat.OperationNotificationFaite {
		return xdemat.Errorf(xdemat.EINVALID, "Marque de notification inconnue : %q.", typ)
	}
	etat := xdemat.NotificationEtat{ID: id, Le: stamp(now), Par: par}
	data, err := json.Marshal(&etat)
	if err != nil {
		return wrap("mark notification", err)
	}
	return wrap("mark notification", s.write(ctx, func(tx *sql.Tx) error {
		var lu, fait sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT lu_le, fait_le FROM notifications WHERE id = ?`, id).Scan(&lu, &fait)
		if errors.Is(err, sql.ErrNoRows) {
			return xdemat.Errorf(xdemat.ENOTFOUND, "Cette notification n'existe pas (ou plus) sur ce poste.")
		} else if err != nil {
			return err
		}
		if (typ == xdemat.OperationNotificationLue && lu.Valid) || (typ == xdemat.OperationNotificationFaite && fait.Valid) {
			return nil
		}
		if err := markNotification(ctx, tx, typ, etat.ID, etat.Le); err != nil {
			return err
		}
		_, err = enqueueTx(ctx, tx, typ, par, data, nil, now)
		return err
	}))
}

// markNotification sets the date of a mark unless an earlier one is
// recorded; "faite" marks it read too.
func markNotification(ctx context.Context, tx *sql.Tx, typ, id string, le time.Time) error {
	q := `UPDATE notifications SET lu_le = MIN(COALESCE(lu_le, ?1), ?1) WHERE id = ?2`
	if typ == xdemat.OperationNotificationFaite {
		q = `UPDATE notifications SET lu_le = MIN(COALESCE(lu_le, ?1), ?1), fait_le = MIN(COALESCE(fait_le, ?1), ?1) WHERE id = ?2`
	}
	_, err := tx.ExecContext(ctx, q, micro(le), id)
	return err
}

// project applies an event of users, preferences or notifications received
// from central to the local tables. A payload that cannot be read or is not
// valid is skipped (the event itself stays stored and the cursor moves on):
// one bad event must never block the inbox. Only database errors stop it.
func project(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	switch ev.Type {
	case xdemat.OperationUtilisateurEnregistre:
		var u xdemat.Utilisateur
		if json.Unmarshal(ev.Payload, &u) != nil || !texteCourt(u.ID) || u.Validate() != nil || u.ModifieLe.IsZero() {
			return nil
		}
		u.ModifieLe = stamp(u.ModifieLe)
		data, err := json.Marshal(&u)
		if err != nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO utilisateurs (id, nom, donnees, modifie_le) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, donnees = excluded.donnees, modifie_le = excluded.modifie_le
			WHERE excluded.modifie_le > utilisateurs.modifie_le`,
			u.ID, cleTri(&u), string(data), micro(u.ModifieLe))
		return err

	case xdemat.OperationPreferencesEnregistrees:
		var p xdemat.Preferences
		if json.Unmarshal(ev.Payload, &p) != nil || p.Validate() != nil || p.ModifieLe.IsZero() {
			return nil
		}
		p.ModifieLe = stamp(p.ModifieLe)
		data, err := json.Marshal(&p)
		if err != nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO preferences (utilisateur_id, donnees, modifie_le) VALUES (?, ?, ?)
			ON CONFLICT (utilisateur_id) DO UPDATE SET donnees = excluded.donnees, modifie_le = excluded.modifie_le
			WHERE excluded.modifie_le > preferences.modifie_le`,
			p.UtilisateurID, string(data), micro(p.ModifieLe))
		return err

	case xdemat.OperationNotificationCreee:
		var n xdemat.Notification
		if json.Unmarshal(ev.Payload, &n) != nil {
			return nil
		}
		if n.ID == "" {
			n.ID = ev.Objet
		}
		if n.CommuneID == "" {
			n.CommuneID = ev.CommuneID
		}
		if n.CreeLe.IsZero() {
			n.CreeLe = ev.CreeLe
		}
		if n.Validate() != nil {
			return nil
		}
		for _, t := range []*time.Time{&n.CreeLe, &n.Echeance, &n.LuLe, &n.FaitLe} {
			if !t.IsZero() {
				*t = stamp(*t)
			}
		}
		if !n.FaitLe.IsZero() && (n.LuLe.IsZero() || n.LuLe.After(n.FaitLe)) {
			n.LuLe = n.FaitLe
		}
		added, err := insertNotification(ctx, tx, &n)
		if err != nil || added {
			return err
		}
		// Known already (marked before this copy arrived?): keep the earliest marks.
		if !n.LuLe.IsZero() {
			if err := markNotification(ctx, tx, xdemat.OperationNotificationLue, n.ID, n.LuLe); err != nil {
				return err
			}
		}
		if !n.FaitLe.IsZero() {
			return markNotification(ctx, tx, xdemat.OperationNotificationFaite, n.ID, n.FaitLe)
		}
		return nil

	case xdemat.OperationNotificationLue, xdemat.OperationNotificationFaite:
		var e xdemat.NotificationEtat
		if json.Unmarshal(ev.Payload, &e) != nil {
			return nil
		}
		if e.ID == "" {
			e.ID = ev.Objet
		}
		if e.Le.IsZero() {
			e.Le = ev.CreeLe
		}
		if !texteCourt(e.ID) || e.Le.IsZero() {
			return nil
		}
		return markNotification(ctx, tx, ev.Type, e.ID, stamp(e.Le))

	case xdemat.OperationHeliosTransmettre, xdemat.EvenementHeliosStatut, xdemat.EvenementHeliosRetour:
		return projectHelios(ctx, tx, ev)
	case xdemat.OperationActePublier, xdemat.OperationActeDepublier, xdemat.OperationPVPublier, xdemat.OperationCommunePublicite:
		return projectPublication(ctx, tx, ev) // publication.go
	}
	if strings.HasPrefix(ev.Type, "acte.") {
		return projectActe(ctx, tx, ev)
	}
	return projectParapheur(ctx, tx, ev)
}
