package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// The answers to the préfecture's letters, the correction of refused actes
// and the préfecture's classification, on the poste. Central alone talks
// to the préfecture: an answer is queued as acte.repondre and its fate comes
// back as acte.reponse events; the classification comes as
// acte.classification.

var _ agent.ReponsesActesStore = (*Store)(nil)

func messageDeActe(ctx context.Context, tx *sql.Tx, acteID, mid string) (*xdemat.MessagePrefecture, error) {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT donnees FROM actes_messages WHERE id = ? AND acte_id = ?`, mid, acteID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce message de la préfecture n'est pas (ou plus) sur ce poste : rouvrez la fiche de l'acte.")
	} else if err != nil {
		return nil, err
	}
	var m xdemat.MessagePrefecture
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func scanReponses(rows *sql.Rows) ([]*xdemat.ReponsePrefecture, error) {
	defer rows.Close()
	out := []*xdemat.ReponsePrefecture{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var r xdemat.ReponsePrefecture
		if json.Unmarshal([]byte(data), &r) == nil {
			out = append(out, &r)
		}
	}
	return out, rows.Err()
}

// pieceSurLePoste fills the size and media type of p from the document store.
func pieceSurLePoste(ctx context.Context, tx *sql.Tx, p *xdemat.PieceActe) error {
	d, err := scanDocument(tx.QueryRowContext(ctx, `SELECT sha256, taille, type_media, nom_original, cree_le FROM documents WHERE sha256 = ?`, p.SHA256))
	if errors.Is(err, sql.ErrNoRows) {
		return xdemat.Errorf(xdemat.EINVALID, "Le fichier « %s » n'est pas enregistré sur ce poste : déposez-le de nouveau.", strings.ToValidUTF8(p.Nom, "?"))
	} else if err != nil {
		return err
	}
	p.Taille = d.Taille
	if p.TypeMedia == "" {
		p.TypeMedia = d.TypeMedia
	}
	return nil
}

// RepondreMessage records an answer and queues it; see agent.ReponsesActesStore.
func (s *Store) RepondreMessage(ctx context.Context, acteID, mid, par string, d agent.DemandeReponse, now time.Time) (*xdemat.ReponsePrefecture, error) {
	r := &xdemat.ReponsePrefecture{ID: uuid.NewString(), ActeID: acteID, MessageID: mid, Type: d.Type, Pieces: append([]xdemat.PieceActe(nil), d.Pieces...),
		Par: par, Le: stamp(now), Etat: xdemat.ReponseDemandee}
	if d.Lettre != nil {
		l := *d.Lettre
		r.Lettre = &l
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, acteID)
		if err != nil {
			return err
		}
		m, err := messageDeActe(ctx, tx, acteID, mid)
		if err != nil {
			return err
		}
		if m.Type == xdemat.MessageDefere {
			return r.ValiderPour(m) // the explanation of where a déféré is answered
		}
		if l.acte.IdentifiantUnique == "" {
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s n'a pas d'accusé de réception de la préfecture : attendez-le avant de répondre.", l.acte.NumeroInterne)
		}
		rows, err := tx.QueryContext(ctx, `SELECT donnees FROM actes_reponses WHERE message_id = ? AND etat <> ? ORDER BY le`, mid, string(xdemat.ReponseRefusee))
		if err != nil {
			return err
		}
		deja, err := scanReponses(rows)
		if err != nil {
			return err
		}
		if len(deja) > 0 {
			return xdemat.DejaRepondu(deja[0])
		}
		var docs []string
		if r.Lettre != nil {
			if err := pieceSurLePoste(ctx, tx, r.Lettre); err != nil {
				return err
			}
			docs = append(docs, r.Lettre.SHA256)
		}
		for i := range r.Pieces {
			if err := pieceSurLePoste(ctx, tx, &r.Pieces[i]); err != nil {
				return err
			}
			docs = append(docs, r.Pieces[i].SHA256)
		}
		if err := r.Validate(); err != nil {
			return err
		}
		if err := r.ValiderPour(m); err != nil {
			return err
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO actes_reponses (id, acte_id, message_id, etat, le, donnees) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, r.ActeID, r.MessageID, string(r.Etat), micro(r.Le), string(data)); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActeRepondre, par, data, docs, now); err != nil {
			return err
		}
		details := fmt.Sprintf("%s au message du %s (%s) : en attente d'envoi.", r.Libelle(), m.RecuLe.In(xdemat.Paris).Format("02/01/2006"), m.Type.Libelle())
		if err := historiser(ctx, tx, acteID, agent.EntreeActe{Le: now, Action: xdemat.OperationActeRepondre, Statut: l.acte.Statut, Par: par, Details: details}); err != nil {
			return err
		}
		objet := r.ID
		if len(docs) > 0 {
			objet = docs[0]
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationActeRepondre, Objet: objet,
			Details: fmt.Sprintf("Acte n° %s : %s", l.acte.NumeroInterne, details)})
	})
	if err != nil {
		return nil, wrap("answer prefecture", err)
	}
	return r, nil
}

// ReponsesActe returns the answers about an acte, oldest first.
func (s *Store) ReponsesActe(ctx context.Context, acteID string) ([]*xdemat.ReponsePrefecture, error) {
	var out []*xdemat.ReponsePrefecture
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = reponsesActeTx(ctx, tx, acteID)
		return err
	})
	return out, wrap("answers", err)
}

func reponsesActeTx(ctx context.Context, tx *sql.Tx, acteID string) ([]*xdemat.ReponsePrefecture, error) {
	rows, err := tx.QueryContext(ctx, `SELECT donnees FROM actes_reponses WHERE acte_id = ? ORDER BY le, id`, acteID)
	if err != nil {
		return nil, err
	}
	return scanReponses(rows)
}

// projectReponse applies an acte.reponse event: the answer's state moves
// forward only (a replay, or an older state relayed late, changes nothing).
func projectReponse(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	var r xdemat.ReponsePrefecture
	if json.Unmarshal(ev.Payload, &r) != nil || r.Validate() != nil || !r.Etat.Valid() {
		return nil
	}
	var etat string
	err := tx.QueryRowContext(ctx, `SELECT etat FROM actes_reponses WHERE id = ?`, r.ID).Scan(&etat)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case !xdemat.EtatReponsePrefecture(etat).Avance(r.Etat):
		return nil
	}
	data, err := json.Marshal(&r)
	if err != nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO actes_reponses (id, acte_id, message_id, etat, le, donnees) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET etat = excluded.etat, donnees = excluded.donnees`,
		r.ID, r.ActeID, r.MessageID, string(r.Etat), micro(stamp(r.Le)), string(data)); err != nil {
		return err
	}
	var details string
	switch r.Etat {
	case xdemat.ReponseTransmise:
		details = fmt.Sprintf("%s transmise à la préfecture le %s.", r.Libelle(), r.TransmiseLe.In(xdemat.Paris).Format("02/01/2006 à 15:04"))
	case xdemat.ReponseAcquittee:
		details = fmt.Sprintf("%s reçue par la préfecture le %s.", r.Libelle(), r.AcquitteeLe.In(xdemat.Paris).Format("02/01/2006"))
	case xdemat.ReponseRefusee:
		details = r.Libelle() + " refusée : " + r.Anomalie
	default:
		if etat != "" {
			return nil
		}
		details = r.Libelle() + " préparée sur un autre poste."
	}
	l, err := loadActe(ctx, tx, r.ActeID)
	if err != nil {
		return nil // an acte this poste does not know
	}
	return historiser(ctx, tx, r.ActeID, agent.EntreeActe{Le: ev.CreeLe, Action: ev.Type, Statut: l.acte.Statut, Details: details})
}

// CorrigerActe corrects a refused acte and sends it again; see agent.ReponsesActesStore.
func (s *Store) CorrigerActe(ctx context.Context, id, par string, c xdemat.CorrectionActe, now time.Time) (*xdemat.Acte, error) {
	c.ActeID, c.Par, c.Le = id, par, stamp(now)
	if c.Classification != "" && c.DateClassification.IsZero() {
		if cl, err := s.ClassificationActes(ctx); err == nil {
			c.DateClassification = cl.Date
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, id)
		if err != nil {
			return err
		}
		a := l.acte
		if c.DocumentPrincipal != nil {
			p := *c.DocumentPrincipal
			if p.TypePiece == "" {
				p.TypePiece = a.DocumentPrincipal.TypePiece
			}
			if err := pieceSurLePoste(ctx, tx, &p); err != nil {
				return err
			}
			c.DocumentPrincipal = &p
		}
		if c.Classification != "" {
			if err := verifierClassificationTx(ctx, tx, c.Classification); err != nil {
				return err
			}
		}
		if err := c.Appliquer(a); err != nil {
			return err
		}
		data, err := json.Marshal(&c)
		if err != nil {
			return err
		}
		if err := saveActe(ctx, tx, a, false); err != nil {
			return err
		}
		var docs []string
		if c.DocumentPrincipal != nil {
			docs = []string{c.DocumentPrincipal.SHA256}
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActeCorriger, par, data, docs, now); err != nil {
			return err
		}
		if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationActeCorriger, Statut: a.Statut, Par: par, Details: c.Resume()}); err != nil {
			return err
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationActeCorriger, Objet: a.DocumentPrincipal.SHA256,
			Details: fmt.Sprintf("%s n° %s : %s", a.Nature.Libelle(), a.NumeroInterne, c.Resume())})
	})
	if err != nil {
		return nil, wrap("correct acte", err)
	}
	// The corrected acte goes again, as a new transmission.
	a, _, err := s.EnvoyerActe(ctx, id, par, false, nil, now)
	return a, err
}

// projectCorrection applies a correction made on another poste.
func projectCorrection(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	var c xdemat.CorrectionActe
	if json.Unmarshal(ev.Payload, &c) != nil || c.Validate() != nil {
		return nil
	}
	l, err := loadActe(ctx, tx, c.ActeID)
	if err != nil {
		return nil
	}
	if c.Appliquer(l.acte) != nil {
		return nil // ours, applied already, or the acte moved on
	}
	if err := saveActe(ctx, tx, l.acte, false); err != nil {
		return err
	}
	return historiser(ctx, tx, c.ActeID, agent.EntreeActe{Le: ev.CreeLe, Action: ev.Type, Statut: l.acte.Statut, Par: c.Par, Details: c.Resume()})
}

// ClassificationActes returns the classification relayed by central.
func (s *Store) ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error) {
	var out *xdemat.ClassificationPrefecture
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = classificationTx(ctx, tx)
		return err
	})
	if err != nil {
		return nil, wrap("classification", err)
	}
	if out == nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "La classification de la préfecture n'est pas encore arrivée sur ce poste : elle viendra du serveur central à la prochaine synchronisation.")
	}
	return out, nil
}

func classificationTx(ctx context.Context, tx *sql.Tx) (*xdemat.ClassificationPrefecture, error) {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT donnees FROM actes_classification WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var c xdemat.ClassificationPrefecture
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// verifierClassificationTx checks cl against the préfecture's classification
// when one arrived (until then, the demo default is taken on trust and the
// préfecture is the judge).
func verifierClassificationTx(ctx context.Context, tx *sql.Tx, cl xdemat.Classification) error {
	c, err := classificationTx(ctx, tx)
	if err != nil || c == nil {
		return err
	}
	return c.VerifierMatiere(cl)
}

// projectClassification keeps the newest classification relayed by central.
func projectClassification(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	var c xdemat.ClassificationPrefecture
	if json.Unmarshal(ev.Payload, &c) != nil || c.Validate() != nil {
		return nil
	}
	if c.RecueLe.IsZero() {
		c.RecueLe = ev.CreeLe
	}
	data, err := json.Marshal(&c)
	if err != nil {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO actes_classification (id, date_version, recue_le, donnees) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET date_version = excluded.date_version, recue_le = excluded.recue_le, donnees = excluded.donnees
		WHERE excluded.date_version >= actes_classification.date_version`,
		micro(c.Date), micro(stamp(c.RecueLe)), string(data))
	return err
}
