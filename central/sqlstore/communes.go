package sqlstore

import (
	"context"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

const communeCols = "id, siren, nom, departement, population, cree_le"

func scanCommune(r scanner) (*xdemat.Commune, error) {
	c := new(xdemat.Commune)
	var cree int64
	if err := r.Scan(&c.ID, &c.SIREN, &c.Nom, &c.Departement, &c.Population, &cree); err != nil {
		return nil, err
	}
	c.CreeLe = fromMicros(cree)
	return c, nil
}

// CreateCommune validates and records c. It assigns c.ID (a lowercase UUID)
// when empty and c.CreeLe (now) when zero.
func (s *Store) CreateCommune(ctx context.Context, c *xdemat.Commune) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = uuid.NewString()
	} else if !xdemat.ValidUUID(c.ID) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant de commune invalide %q : laissez-le vide pour qu'il soit attribué automatiquement.", c.ID)
	}
	if c.CreeLe.IsZero() {
		c.CreeLe = time.Now()
	}
	c.CreeLe = ts(c.CreeLe)
	return s.write(ctx, func(t tx) error {
		var n int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM communes WHERE siren = ?", c.SIREN).Scan(&n); err != nil {
			return s.errorf("create commune: %w", err)
		}
		if n > 0 {
			return sirenConflict(c.SIREN)
		}
		_, err := t.exec(ctx, "INSERT INTO communes ("+communeCols+") VALUES (?, ?, ?, ?, ?, ?)",
			c.ID, c.SIREN, c.Nom, c.Departement, c.Population, micros(c.CreeLe))
		if s.d.IsUniqueViolation(err) {
			return xdemat.Errorf(xdemat.ECONFLICT, "Cette commune existe déjà (même SIREN %s ou même identifiant) : modifiez la commune existante plutôt que d'en créer une nouvelle.", c.SIREN)
		} else if err != nil {
			return s.errorf("create commune: %w", err)
		}
		return nil
	})
}

func sirenConflict(siren string) error {
	return xdemat.Errorf(xdemat.ECONFLICT, "Une commune de SIREN %s existe déjà : vérifiez le SIREN saisi ou modifiez la commune existante.", siren)
}

func communeNotFound() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Commune introuvable : vérifiez l'identifiant, ou créez d'abord la commune.")
}

// FindCommune returns the commune of id, or ENOTFOUND.
func (s *Store) FindCommune(ctx context.Context, id string) (*xdemat.Commune, error) {
	c, err := scanCommune(s.queryRow(ctx, "SELECT "+communeCols+" FROM communes WHERE id = ?", id))
	if notFound(err) {
		return nil, communeNotFound()
	} else if err != nil {
		return nil, s.errorf("find commune: %w", err)
	}
	return c, nil
}

// ListCommunes returns every commune, by name then département.
func (s *Store) ListCommunes(ctx context.Context) ([]*xdemat.Commune, error) {
	return list(ctx, s, scanCommune, "SELECT "+communeCols+" FROM communes ORDER BY nom, departement, id")
}

// lockCommune locks the commune row until the end of t (where the dialect
// needs it) and returns the head of its journal (nil when empty). Every
// transaction appending events or journal entries calls it before writing
// anything else for the commune. ENOTFOUND when there is no such commune.
func (t tx) lockCommune(ctx context.Context, communeID string) (*xdemat.Journal, error) {
	var id string
	err := t.queryRow(ctx, t.s.qLockCommune, communeID).Scan(&id)
	if notFound(err) {
		return nil, communeNotFound()
	} else if err != nil {
		return nil, t.s.errorf("lock commune: %w", err)
	}
	head := new(xdemat.Journal)
	err = t.queryRow(ctx, qJournalHead, communeID).Scan(&head.Seq, &head.Hash)
	if notFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, t.s.errorf("journal head: %w", err)
	}
	return head, nil
}
