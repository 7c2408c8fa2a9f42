package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

// Users and preferences are stored as the JSON the postes exchange, with the
// time of their last change: central only needs to route notifications with
// them, and keeps whatever fields a newer agent adds.

func scanUtilisateur(r scanner) (*xdemat.Utilisateur, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	u := new(xdemat.Utilisateur)
	if err := json.Unmarshal(b, u); err != nil {
		return nil, err
	}
	return u, nil
}

func scanPreferences(r scanner) (*xdemat.Preferences, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	p := new(xdemat.Preferences)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkUtilisateur validates u for the commune (forced), as received from a
// poste or typed at the SPL.
func checkUtilisateur(u *xdemat.Utilisateur, communeID string) error {
	u.CommuneID = communeID
	if u.ID == "" || !xdemat.TexteLisible(u.ID, 128) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant d'utilisateur absent ou illisible.")
	}
	if u.ModifieLe.IsZero() {
		return xdemat.Errorf(xdemat.EINVALID, "La date de modification de l'utilisateur est absente.")
	}
	u.ModifieLe = ts(u.ModifieLe)
	return u.Validate()
}

// checkPreferences validates p as received from a poste.
func checkPreferences(p *xdemat.Preferences) error {
	if p.ModifieLe.IsZero() {
		return xdemat.Errorf(xdemat.EINVALID, "La date de modification des préférences est absente.")
	}
	p.ModifieLe = ts(p.ModifieLe)
	return p.Validate()
}

// upsertUtilisateur stores u unless a version at least as recent is stored,
// and reports whether it did.
func (t tx) upsertUtilisateur(ctx context.Context, u *xdemat.Utilisateur) (bool, error) {
	b, err := t.marshal(u)
	if err != nil {
		return false, err
	}
	res, err := t.exec(ctx, "INSERT INTO utilisateurs (commune_id, id, donnees, modifie_le) VALUES (?, ?, ?, ?)"+
		" ON CONFLICT (commune_id, id) DO UPDATE SET donnees = excluded.donnees, modifie_le = excluded.modifie_le"+
		" WHERE utilisateurs.modifie_le < excluded.modifie_le",
		u.CommuneID, u.ID, b, micros(u.ModifieLe))
	if err != nil {
		return false, t.s.errorf("upsert utilisateur: %w", err)
	}
	n, err := t.s.rowsAffected(res)
	return n > 0, err
}

// upsertPreferences stores p unless a version at least as recent is stored.
func (t tx) upsertPreferences(ctx context.Context, communeID string, p *xdemat.Preferences) error {
	b, err := t.marshal(p)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "INSERT INTO preferences (commune_id, utilisateur_id, donnees, modifie_le) VALUES (?, ?, ?, ?)"+
		" ON CONFLICT (commune_id, utilisateur_id) DO UPDATE SET donnees = excluded.donnees, modifie_le = excluded.modifie_le"+
		" WHERE preferences.modifie_le < excluded.modifie_le",
		communeID, p.UtilisateurID, b, micros(p.ModifieLe))
	if err != nil {
		return t.s.errorf("upsert preferences: %w", err)
	}
	return nil
}

// SaveUtilisateur records u for u.CommuneID; see central.Store.
func (s *Store) SaveUtilisateur(ctx context.Context, u *xdemat.Utilisateur) error {
	if u.CommuneID == "" {
		return xdemat.Errorf(xdemat.EINVALID, "Un utilisateur de mairie doit être rattaché à une commune.")
	}
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	if u.ModifieLe.IsZero() {
		u.ModifieLe = time.Now()
	}
	if err := checkUtilisateur(u, u.CommuneID); err != nil {
		return err
	}
	now := ts(time.Now())
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, u.CommuneID)
		if err != nil {
			return err
		}
		if saved, err := t.upsertUtilisateur(ctx, u); err != nil || !saved {
			return err // !saved: a newer version is stored, nothing to relay
		}
		if err := a.event(ctx, xdemat.OperationUtilisateurEnregistre, u.ID, "", u, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.OperationUtilisateurEnregistre, Objet: u.ID,
			Details: u.NomComplet() + " (" + u.Role.Libelle() + ")"})
	})
}

// ListUtilisateurs returns the users of a commune, by name then first name.
func (s *Store) ListUtilisateurs(ctx context.Context, communeID string) ([]*xdemat.Utilisateur, error) {
	users, err := list(ctx, s, scanUtilisateur, "SELECT donnees FROM utilisateurs WHERE commune_id = ?", communeID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(users, func(a, b *xdemat.Utilisateur) int {
		if c := strings.Compare(strings.ToLower(a.Nom), strings.ToLower(b.Nom)); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(a.Prenom), strings.ToLower(b.Prenom)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return users, nil
}
