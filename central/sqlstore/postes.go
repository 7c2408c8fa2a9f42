package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"xdemat"
)

// --- enrollment codes ---

// CleCode returns the form under which an enrollment code is stored and looked
// up: without dashes (any Unicode dash, as word processors turn "-" into "–")
// nor spaces, in upper case. "abcd-efgh-jkmn", "ABCD EFGH JKMN" and
// "ABCDEFGHJKMN" are the same code.
func CleCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Dash, r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code))
}

const codeCols = "code, commune_id, cree_le, expire_le, utilise_le, poste_id, revoque_le"

func scanCode(r scanner) (*xdemat.CodeEnrolement, error) {
	c := new(xdemat.CodeEnrolement)
	var cree, expire int64
	var utilise, revoque sql.NullInt64
	var poste sql.NullString
	if err := r.Scan(&c.Code, &c.CommuneID, &cree, &expire, &utilise, &poste, &revoque); err != nil {
		return nil, err
	}
	c.CreeLe, c.ExpireLe = fromMicros(cree), fromMicros(expire)
	c.UtiliseLe, c.RevoqueLe = fromNullMicros(utilise), fromNullMicros(revoque)
	c.PosteID = poste.String
	return c, nil
}

func codeNotFound() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Code d'enrôlement inconnu : vérifiez la saisie (12 caractères, tirets facultatifs) ou demandez un nouveau code à la SPL.")
}

// CreateCode records an enrollment code. The code is looked up later without
// regard to dashes, spaces or case (see CleCode): two codes that differ only
// in those are the same code (ECONFLICT).
func (s *Store) CreateCode(ctx context.Context, c *xdemat.CodeEnrolement) error {
	cle := CleCode(c.Code)
	switch {
	case cle == "":
		return xdemat.Errorf(xdemat.EINVALID, "Le code d'enrôlement est vide : générez-en un nouveau.")
	case c.CreeLe.IsZero() || c.ExpireLe.IsZero():
		return xdemat.Errorf(xdemat.EINVALID, "Le code d'enrôlement doit avoir une date de création et une date d'expiration.")
	case !c.ExpireLe.After(c.CreeLe):
		return xdemat.Errorf(xdemat.EINVALID, "Le code d'enrôlement expirerait avant d'avoir été créé : vérifiez l'horloge du serveur.")
	}
	c.CreeLe, c.ExpireLe, c.UtiliseLe, c.RevoqueLe = ts(c.CreeLe), ts(c.ExpireLe), ts(c.UtiliseLe), ts(c.RevoqueLe)
	return s.write(ctx, func(t tx) error {
		var n int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM communes WHERE id = ?", c.CommuneID).Scan(&n); err != nil {
			return s.errorf("create code: %w", err)
		}
		if n == 0 {
			return communeNotFound()
		}
		var poste any
		if c.PosteID != "" {
			poste = c.PosteID
		}
		_, err := t.exec(ctx, "INSERT INTO codes_enrolement (cle, "+codeCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			cle, c.Code, c.CommuneID, micros(c.CreeLe), micros(c.ExpireLe), nullMicros(c.UtiliseLe), poste, nullMicros(c.RevoqueLe))
		if s.d.IsUniqueViolation(err) {
			return xdemat.Errorf(xdemat.ECONFLICT, "Le code d'enrôlement %s existe déjà : générez-en un autre.", c.Code)
		} else if err != nil {
			return s.errorf("create code: %w", err)
		}
		return nil
	})
}

// ListCodes returns the codes of a commune ("" = all communes), newest first.
func (s *Store) ListCodes(ctx context.Context, communeID string) ([]*xdemat.CodeEnrolement, error) {
	if communeID == "" {
		return list(ctx, s, scanCode, "SELECT "+codeCols+" FROM codes_enrolement ORDER BY cree_le DESC, cle DESC")
	}
	return list(ctx, s, scanCode, "SELECT "+codeCols+" FROM codes_enrolement WHERE commune_id = ? ORDER BY cree_le DESC, cle DESC", communeID)
}

func (t tx) findCode(ctx context.Context, cle string) (*xdemat.CodeEnrolement, error) {
	c, err := scanCode(t.queryRow(ctx, "SELECT "+codeCols+" FROM codes_enrolement WHERE cle = ?", cle))
	if notFound(err) {
		return nil, codeNotFound()
	} else if err != nil {
		return nil, t.s.errorf("find code: %w", err)
	}
	return c, nil
}

func codeUtilise(c *xdemat.CodeEnrolement) error {
	return xdemat.Errorf(xdemat.EFORBIDDEN, "Ce code a déjà servi le %s à enrôler un poste : révoquez plutôt ce poste.", c.UtiliseLe.Local().Format("02/01/2006 à 15:04"))
}

// RevokeCode cancels an unused code. Revoking a revoked code changes nothing.
// ENOTFOUND, or EFORBIDDEN when the code has already enrolled a poste.
func (s *Store) RevokeCode(ctx context.Context, code string, now time.Time) error {
	cle := CleCode(code)
	return s.write(ctx, func(t tx) error {
		c, err := t.findCode(ctx, cle)
		if err != nil {
			return err
		}
		switch {
		case !c.UtiliseLe.IsZero():
			return codeUtilise(c)
		case !c.RevoqueLe.IsZero():
			return nil
		}
		res, err := t.exec(ctx, "UPDATE codes_enrolement SET revoque_le = ? WHERE cle = ? AND utilise_le IS NULL AND revoque_le IS NULL", micros(ts(now)), cle)
		if err != nil {
			return s.errorf("revoke code: %w", err)
		}
		if n, err := s.rowsAffected(res); err != nil {
			return err
		} else if n == 0 { // used or revoked by another transaction meanwhile
			if c, err = t.findCode(ctx, cle); err != nil {
				return err
			}
			if !c.UtiliseLe.IsZero() {
				return codeUtilise(c)
			}
		}
		return nil
	})
}

// --- postes ---

const posteCols = "id, commune_id, nom, cle_publique, statut, enrolle_le, revoque_le, vu_le, version, dernier_seq, en_attente"

func scanPoste(r scanner) (*xdemat.Poste, error) {
	p := new(xdemat.Poste)
	var statut string
	var enrolle int64
	var revoque, vu sql.NullInt64
	if err := r.Scan(&p.ID, &p.CommuneID, &p.Nom, &p.ClePublique, &statut, &enrolle, &revoque, &vu, &p.Version, &p.DernierSeq, &p.EnAttente); err != nil {
		return nil, err
	}
	p.Statut = xdemat.PosteStatut(statut)
	p.EnrolleLe, p.RevoqueLe, p.VuLe = fromMicros(enrolle), fromNullMicros(revoque), fromNullMicros(vu)
	return p, nil
}

func posteNotFound() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Poste introuvable : vérifiez son identifiant, ou enrôlez-le avec un nouveau code.")
}

// Enroll consumes code and records p; see central.Store. p.Nom (trimmed) and
// p.ClePublique (an Ed25519 public key) are required; p.Version and p.VuLe
// are kept as given; DernierSeq, EnAttente and RevoqueLe start at zero. p is
// changed only on success.
func (s *Store) Enroll(ctx context.Context, code string, p *xdemat.Poste, now time.Time) error {
	nom := strings.TrimSpace(p.Nom)
	if err := (&xdemat.Poste{Nom: nom}).ValidateNom(); err != nil {
		return err
	}
	if len(p.ClePublique) != ed25519.PublicKeySize {
		return xdemat.Errorf(xdemat.EINVALID, "La clé publique du poste est invalide (clé Ed25519 de %d octets attendue) : relancez l'enrôlement depuis le poste.", ed25519.PublicKeySize)
	}
	cle := CleCode(code)
	if cle == "" {
		return codeNotFound()
	}
	now = ts(now)
	np := *p
	np.ID, np.Nom, np.Statut, np.EnrolleLe = uuid.NewString(), nom, xdemat.PosteActif, now
	np.RevoqueLe, np.VuLe, np.DernierSeq, np.EnAttente = time.Time{}, ts(p.VuLe), 0, 0
	err := s.write(ctx, func(t tx) error {
		c, err := t.findCode(ctx, cle)
		if err != nil {
			return err
		}
		if err := c.Utilisable(now); err != nil {
			return err
		}
		np.CommuneID = c.CommuneID
		a, err := t.appender(ctx, c.CommuneID)
		if err != nil {
			return err
		}
		// The WHERE clause makes the consumption atomic: of two transactions
		// racing for the code, the second changes no row.
		res, err := t.exec(ctx, "UPDATE codes_enrolement SET utilise_le = ?, poste_id = ? WHERE cle = ? AND utilise_le IS NULL AND revoque_le IS NULL AND expire_le > ?",
			micros(now), np.ID, cle, micros(now))
		if err != nil {
			return s.errorf("consume code: %w", err)
		}
		if n, err := s.rowsAffected(res); err != nil {
			return err
		} else if n != 1 {
			if c, err = t.findCode(ctx, cle); err != nil {
				return err
			}
			if err := c.Utilisable(now); err != nil {
				return err
			}
			return xdemat.Errorf(xdemat.EFORBIDDEN, "Ce code d'enrôlement vient d'être utilisé par un autre poste : demandez un nouveau code à la SPL.")
		}
		_, err = t.exec(ctx, "INSERT INTO postes ("+posteCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			np.ID, np.CommuneID, np.Nom, np.ClePublique, string(np.Statut), micros(np.EnrolleLe), nil, nullMicros(np.VuLe), np.Version, 0, 0)
		if err != nil {
			return s.errorf("insert poste: %w", err)
		}
		if err := a.event(ctx, xdemat.EvenementPosteEnrole, np.ID, np.ID, map[string]string{"nom": np.Nom}, now); err != nil {
			return err
		}
		if err := t.raisePlateforme(ctx, a, xdemat.NotificationPosteEnrole, "Nouveau poste relié à la commune : « "+np.Nom+" »",
			"Le poste « "+np.Nom+" » peut désormais échanger avec la SPL. Si personne de la mairie n'a installé xdemat sur un nouvel ordinateur, prévenez la SPL sans attendre.", now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementPosteEnrole, Objet: np.ID,
			Details: "Poste « " + np.Nom + " » enrôlé avec le code " + c.Code})
	})
	if err != nil {
		return err
	}
	*p = np
	return nil
}

// FindPoste returns the poste of id, or ENOTFOUND. One query on the primary
// key, through a prepared statement: it runs on every request.
func (s *Store) FindPoste(ctx context.Context, id string) (*xdemat.Poste, error) {
	if !xdemat.ValidUUID(id) {
		return nil, posteNotFound()
	}
	p, err := scanPoste(s.queryRow(ctx, qFindPoste, id))
	if notFound(err) {
		return nil, posteNotFound()
	} else if err != nil {
		return nil, s.errorf("find poste: %w", err)
	}
	return p, nil
}

// ListPostes returns the postes of a commune ("" = all), by commune name then
// poste name.
func (s *Store) ListPostes(ctx context.Context, communeID string) ([]*xdemat.Poste, error) {
	const q = "SELECT p.id, p.commune_id, p.nom, p.cle_publique, p.statut, p.enrolle_le, p.revoque_le, p.vu_le, p.version, p.dernier_seq, p.en_attente" +
		" FROM postes p JOIN communes c ON c.id = p.commune_id"
	if communeID == "" {
		return list(ctx, s, scanPoste, q+" ORDER BY c.nom, c.id, p.nom, p.id")
	}
	return list(ctx, s, scanPoste, q+" WHERE p.commune_id = ? ORDER BY p.nom, p.id", communeID)
}

// RevokePoste marks the poste revoked, with a "poste.revoque" event and a
// journal entry. Revoking a revoked poste changes nothing. ENOTFOUND.
func (s *Store) RevokePoste(ctx context.Context, id string, now time.Time) error {
	now = ts(now)
	return s.write(ctx, func(t tx) error {
		var communeID, nom, statut string
		err := t.queryRow(ctx, "SELECT commune_id, nom, statut FROM postes WHERE id = ?", id).Scan(&communeID, &nom, &statut)
		if notFound(err) {
			return posteNotFound()
		} else if err != nil {
			return s.errorf("revoke poste: %w", err)
		}
		if xdemat.PosteStatut(statut) == xdemat.PosteRevoque {
			return nil
		}
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "UPDATE postes SET statut = ?, revoque_le = ? WHERE id = ? AND statut <> ?",
			string(xdemat.PosteRevoque), micros(now), id, string(xdemat.PosteRevoque))
		if err != nil {
			return s.errorf("revoke poste: %w", err)
		}
		if n, err := s.rowsAffected(res); err != nil || n == 0 {
			return err // revoked meanwhile by another transaction
		}
		if err := a.event(ctx, xdemat.EvenementPosteRevoque, id, "", map[string]string{"nom": nom}, now); err != nil {
			return err
		}
		if err := t.raisePlateforme(ctx, a, xdemat.NotificationPosteRevoque, "Poste révoqué : « "+nom+" »",
			"La SPL a révoqué le poste « "+nom+" » : il ne peut plus envoyer ni recevoir de données de la commune. Si c'est une erreur, contactez la SPL.", now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementPosteRevoque, Objet: id,
			Details: "Poste « " + nom + " » révoqué"})
	})
}

// TouchPoste records that the poste was seen at now running version (an empty
// version keeps the stored one) with enAttente pending operations (< 0 keeps
// the stored count). ENOTFOUND.
func (s *Store) TouchPoste(ctx context.Context, id string, now time.Time, version string, enAttente int64) error {
	res, err := s.exec(ctx, qTouchPoste, micros(now), version, version, enAttente, enAttente, id)
	if err != nil {
		return s.errorf("touch poste: %w", err)
	}
	if n, err := s.rowsAffected(res); err != nil {
		return err
	} else if n == 0 {
		return posteNotFound()
	}
	return nil
}
