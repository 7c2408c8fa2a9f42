package sqlstore

import (
	"context"
	"time"

	"xdemat"
)

const documentCols = "sha256, taille, type_media, nom_original, cree_le"

func scanDocument(r scanner) (*xdemat.Document, error) {
	d := new(xdemat.Document)
	var cree int64
	if err := r.Scan(&d.SHA256, &d.Taille, &d.TypeMedia, &d.NomOriginal, &cree); err != nil {
		return nil, err
	}
	d.CreeLe = fromMicros(cree)
	return d, nil
}

// CreateDocument records d (validated with Document.Validate) for the commune
// in ctx, with a "document.recu" event and a journal entry; d.CreeLe is set to
// now when zero. Recording a hash the commune already holds changes nothing.
func (s *Store) CreateDocument(ctx context.Context, d *xdemat.Document, now time.Time) error {
	p, err := tenant(ctx)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	now = ts(now)
	if d.CreeLe.IsZero() {
		d.CreeLe = now
	}
	d.CreeLe = ts(d.CreeLe)
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, p.CommuneID)
		if err != nil {
			return err
		}
		// Commune locked: no other transaction can insert this hash meanwhile.
		var n int
		if err := t.queryRow(ctx, qDocumentExists, p.CommuneID, d.SHA256).Scan(&n); err != nil {
			return s.errorf("find document: %w", err)
		}
		if n > 0 {
			return nil
		}
		_, err = t.exec(ctx, qInsertDocument,
			p.CommuneID, d.SHA256, d.Taille, d.TypeMedia, d.NomOriginal, micros(d.CreeLe))
		if err != nil {
			return s.errorf("insert document: %w", err)
		}
		payload := struct {
			Taille      int64  `json:"taille"`
			TypeMedia   string `json:"typeMedia"`
			NomOriginal string `json:"nomOriginal"`
		}{d.Taille, d.TypeMedia, d.NomOriginal}
		if err := a.event(ctx, xdemat.EvenementDocumentRecu, d.SHA256, p.ID, payload, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "agent", Action: xdemat.EvenementDocumentRecu, Objet: d.SHA256,
			Details: d.NomOriginal})
	})
}

func documentNotFound() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Document introuvable pour cette commune : l'agent doit l'envoyer de nouveau.")
}

// FindDocument returns the document of hash held by the commune in ctx, or ENOTFOUND.
func (s *Store) FindDocument(ctx context.Context, sha256 string) (*xdemat.Document, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	d, err := scanDocument(s.queryRow(ctx, "SELECT "+documentCols+" FROM documents WHERE commune_id = ? AND sha256 = ?", p.CommuneID, sha256))
	if notFound(err) {
		return nil, documentNotFound()
	} else if err != nil {
		return nil, s.errorf("find document: %w", err)
	}
	return d, nil
}

// ListDocuments returns the documents of the commune in ctx, oldest first.
func (s *Store) ListDocuments(ctx context.Context) ([]*xdemat.Document, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanDocument, "SELECT "+documentCols+" FROM documents WHERE commune_id = ? ORDER BY cree_le, sha256", p.CommuneID)
}
