package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"xdemat"
	"xdemat/central"
)

// BailEnvoi is how long an envoi claimed by DueEnvois stays out of the next
// claims: long enough for a slow mail server, short enough that an envoi
// whose dispatcher crashed goes out again soon after.
const BailEnvoi = 5 * time.Minute

const envoiCols = "id, commune_id, notification_id, utilisateur_id, canal, adresse, statut, tentatives, prochain_essai, derniere_erreur, envoye_le, reference_fournisseur, cree_le"

func scanEnvoi(r scanner) (*central.Envoi, error) {
	e := new(central.Envoi)
	var prochain, cree int64
	var envoye sql.NullInt64
	if err := r.Scan(&e.ID, &e.CommuneID, &e.NotificationID, &e.UtilisateurID, &e.Canal, &e.Adresse, &e.Statut, &e.Tentatives,
		&prochain, &e.DerniereErreur, &envoye, &e.ReferenceFournisseur, &cree); err != nil {
		return nil, err
	}
	e.ProchainEssai, e.EnvoyeLe, e.CreeLe = fromMicros(prochain), fromNullMicros(envoye), fromMicros(cree)
	return e, nil
}

// insertEnvoi plans the delivery of n to a user on a channel, due at once.
// The same notification, user and channel again changes nothing.
func (t tx) insertEnvoi(ctx context.Context, n *xdemat.Notification, utilisateurID, canal, adresse string, now time.Time) error {
	res, err := t.exec(ctx, "INSERT INTO envois (commune_id, notification_id, utilisateur_id, canal, adresse, statut, tentatives, prochain_essai, derniere_erreur, reference_fournisseur, cree_le)"+
		" VALUES (?, ?, ?, ?, ?, ?, 0, ?, '', '', ?) ON CONFLICT (commune_id, notification_id, utilisateur_id, canal) DO NOTHING",
		n.CommuneID, n.ID, utilisateurID, canal, adresse, central.EnvoiAEnvoyer, micros(now), micros(now))
	if err != nil {
		return t.s.errorf("insert envoi: %w", err)
	}
	if k, err := t.s.rowsAffected(res); err != nil {
		return err
	} else if k > 0 {
		*t.envois++
	}
	return nil
}

// DueEnvois claims the envois due at now; see central.Store.
func (s *Store) DueEnvois(ctx context.Context, now time.Time, limit int) ([]*central.Envoi, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	now = ts(now)
	bail := now.Add(BailEnvoi)
	var out []*central.Envoi
	err := s.write(ctx, func(t tx) error {
		out = nil
		due, err := txList(ctx, t, scanEnvoiNotification,
			"SELECT "+envoiColsAs("e")+", "+notificationColsAs("n")+
				" FROM envois e JOIN notifications n ON n.commune_id = e.commune_id AND n.id = e.notification_id"+
				" WHERE e.statut = ? AND e.prochain_essai <= ? ORDER BY e.prochain_essai, e.id LIMIT ?",
			central.EnvoiAEnvoyer, micros(now), limit)
		if err != nil {
			return err
		}
		for _, e := range due {
			// Claimed only if no other dispatcher claimed it meanwhile
			// (PostgreSQL, several central servers).
			res, err := t.exec(ctx, "UPDATE envois SET tentatives = tentatives + 1, prochain_essai = ? WHERE id = ? AND statut = ? AND prochain_essai = ?",
				micros(bail), e.ID, central.EnvoiAEnvoyer, micros(e.ProchainEssai))
			if err != nil {
				return s.errorf("claim envoi: %w", err)
			}
			if k, err := s.rowsAffected(res); err != nil {
				return err
			} else if k == 1 {
				e.Tentatives++
				e.ProchainEssai = bail
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// envoiColsAs and notificationColsAs prefix the columns with a table alias.
func envoiColsAs(alias string) string        { return prefixCols(alias, envoiCols) }
func notificationColsAs(alias string) string { return prefixCols(alias, notificationCols) }

func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}

func scanEnvoiNotification(r scanner) (*central.Envoi, error) {
	e := new(central.Envoi)
	n := new(xdemat.Notification)
	var prochain, cree, ncree int64
	var envoye, echeance, lu, fait sql.NullInt64
	var severite, objet string
	if err := r.Scan(&e.ID, &e.CommuneID, &e.NotificationID, &e.UtilisateurID, &e.Canal, &e.Adresse, &e.Statut, &e.Tentatives,
		&prochain, &e.DerniereErreur, &envoye, &e.ReferenceFournisseur, &cree,
		&n.CommuneID, &n.ID, &n.Type, &severite, &n.Titre, &n.Texte, &objet, &n.Destinataire, &echeance, &ncree, &lu, &fait); err != nil {
		return nil, err
	}
	e.ProchainEssai, e.EnvoyeLe, e.CreeLe = fromMicros(prochain), fromNullMicros(envoye), fromMicros(cree)
	n.Severite = xdemat.Severite(severite)
	if objet != "" {
		n.Objet, _ = xdemat.ParseLien(objet)
	}
	n.Echeance, n.CreeLe, n.LuLe, n.FaitLe = fromNullMicros(echeance), fromMicros(ncree), fromNullMicros(lu), fromNullMicros(fait)
	e.Notification = n
	return e, nil
}

// rangStatut orders the states of an envoi: a state never goes back.
func rangStatut(statut string) int {
	switch statut {
	case central.EnvoiAEnvoyer:
		return 0
	case central.EnvoiEnvoye:
		return 1
	case central.EnvoiLivre, central.EnvoiEchec:
		return 2
	}
	return -1
}

// MarkEnvoi records the outcome of an attempt or a provider's report; see
// central.Store.
func (s *Store) MarkEnvoi(ctx context.Context, id int64, statut, reference, errMsg string, next, now time.Time) error {
	if rangStatut(statut) < 0 {
		return xdemat.Errorf(xdemat.EINVALID, "État d'envoi inconnu : %q.", statut)
	}
	if !xdemat.TexteLisible(reference, 200) || !xdemat.TexteLisible(errMsg, 1000) {
		return xdemat.Errorf(xdemat.EINVALID, "Référence ou message d'erreur d'envoi illisible.")
	}
	now = ts(now)
	return s.write(ctx, func(t tx) error {
		e, err := scanEnvoi(t.queryRow(ctx, "SELECT "+envoiCols+" FROM envois WHERE id = ?", id))
		if notFound(err) {
			return xdemat.Errorf(xdemat.ENOTFOUND, "Envoi n°%d introuvable.", id)
		} else if err != nil {
			return s.errorf("find envoi: %w", err)
		}
		if rangStatut(statut) < rangStatut(e.Statut) {
			return nil // a late report: the provider answered first
		}
		e.Statut, e.DerniereErreur = statut, errMsg
		if reference != "" {
			e.ReferenceFournisseur = reference
		}
		if statut == central.EnvoiAEnvoyer {
			e.ProchainEssai = ts(next)
		}
		if (statut == central.EnvoiEnvoye || statut == central.EnvoiLivre) && e.EnvoyeLe.IsZero() {
			e.EnvoyeLe = now
		}
		_, err = t.exec(ctx, "UPDATE envois SET statut = ?, reference_fournisseur = ?, derniere_erreur = ?, prochain_essai = ?, envoye_le = ? WHERE id = ?",
			e.Statut, e.ReferenceFournisseur, e.DerniereErreur, micros(e.ProchainEssai), nullMicros(e.EnvoyeLe), id)
		if err != nil {
			return s.errorf("mark envoi: %w", err)
		}
		return nil
	})
}

// ListEnvois returns the last limit envois of a commune, newest first.
func (s *Store) ListEnvois(ctx context.Context, communeID string, limit int) ([]*central.Envoi, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return list(ctx, s, scanEnvoi, "SELECT "+envoiCols+" FROM envois WHERE commune_id = ? ORDER BY id DESC LIMIT ?", communeID, limit)
}

// DueResumes returns the daily digests not yet sent for jour; see
// central.Store.
func (s *Store) DueResumes(ctx context.Context, jour string, since time.Time) ([]*central.Resume, error) {
	type candidat struct {
		u *xdemat.Utilisateur
		p *xdemat.Preferences
	}
	scan := func(r scanner) (candidat, error) {
		var ub, pb []byte
		if err := r.Scan(&ub, &pb); err != nil {
			return candidat{}, err
		}
		c := candidat{new(xdemat.Utilisateur), new(xdemat.Preferences)}
		if err := json.Unmarshal(ub, c.u); err != nil {
			return candidat{}, err
		}
		return c, json.Unmarshal(pb, c.p)
	}
	candidats, err := list(ctx, s, scan, "SELECT u.donnees, p.donnees FROM utilisateurs u"+
		" JOIN preferences p ON p.commune_id = u.commune_id AND p.utilisateur_id = u.id"+
		" WHERE NOT EXISTS (SELECT 1 FROM resumes r WHERE r.commune_id = u.commune_id AND r.utilisateur_id = u.id AND r.jour = ?)"+
		" ORDER BY u.commune_id, u.id", jour)
	if err != nil {
		return nil, err
	}
	var out []*central.Resume
	for _, c := range candidats {
		if !c.u.Actif || c.u.Email == "" || !c.p.Resume {
			continue
		}
		ns, err := list(ctx, s, scanNotification, "SELECT "+notificationCols+" FROM notifications"+
			" WHERE commune_id = ? AND fait_le IS NULL AND cree_le >= ? AND (destinataire = '' OR destinataire = ?) ORDER BY cree_le, id",
			c.u.CommuneID, micros(since), c.u.ID)
		if err != nil {
			return nil, err
		}
		if len(ns) > 0 {
			out = append(out, &central.Resume{Utilisateur: c.u, Notifications: ns})
		}
	}
	return out, nil
}

// MarkResume records that the digest of jour went to the user; see
// central.Store.
func (s *Store) MarkResume(ctx context.Context, communeID, utilisateurID, jour string, now time.Time) (bool, error) {
	res, err := s.exec(ctx, "INSERT INTO resumes (commune_id, utilisateur_id, jour, envoye_le) VALUES (?, ?, ?, ?) ON CONFLICT (commune_id, utilisateur_id, jour) DO NOTHING",
		communeID, utilisateurID, jour, micros(ts(now)))
	if err != nil {
		return false, s.errorf("mark resume: %w", err)
	}
	n, err := s.rowsAffected(res)
	return n > 0, err
}
