package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// Publication (see agent.PublicationStore). The poste records what it
// asked with the operation; central's events replace the dates with its
// own (the date an acte was put online is the one central saw), so that
// every poste of the commune and the stamped copy print the same.

var _ agent.PublicationStore = (*Store)(nil)

// publiciteLocale returns the mode recorded here, electronic by default.
func publiciteLocale(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (xdemat.Publicite, error) {
	var data string
	err := q.QueryRowContext(ctx, `SELECT donnees FROM publicite WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return xdemat.PubliciteParDefaut(), nil
	} else if err != nil {
		return xdemat.Publicite{}, err
	}
	var p xdemat.Publicite
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return xdemat.Publicite{}, err
	}
	return p, nil
}

func publicationLocale(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, acteID string) (*xdemat.PublicationActe, error) {
	var data string
	err := q.QueryRowContext(ctx, `SELECT donnees FROM publications WHERE acte_id = ?`, acteID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var p xdemat.PublicationActe
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func savePublication(ctx context.Context, tx *sql.Tx, p *xdemat.PublicationActe) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	var retire any
	if !p.RetireLe.IsZero() {
		retire = micro(p.RetireLe)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO publications (acte_id, publie_le, retire_le, donnees) VALUES (?, ?, ?, ?)
		ON CONFLICT (acte_id) DO UPDATE SET publie_le = excluded.publie_le, retire_le = excluded.retire_le, donnees = excluded.donnees`,
		p.ActeID, micro(p.PublieLe), retire, string(data))
	return err
}

// auteurPropose is the maire the poste knows, for the publication's author.
func (s *Store) auteurPropose(ctx context.Context) xdemat.AuteurActe {
	us, err := s.Utilisateurs(ctx)
	if err != nil {
		return xdemat.AuteurActe{}
	}
	for _, u := range us {
		if u.Actif && u.Role == xdemat.RoleMaire {
			return xdemat.AuteurActe{Prenom: u.Prenom, Nom: u.Nom, Qualite: u.Role.Libelle()}
		}
	}
	return xdemat.AuteurActe{Qualite: xdemat.RoleMaire.Libelle()}
}

// EtatPublicationActe returns the publication of an acte, or what to propose.
func (s *Store) EtatPublicationActe(ctx context.Context, acteID string) (*agent.EtatPublicationActe, error) {
	if _, err := loadActe(ctx, s.r, acteID); err != nil {
		return nil, wrap("publication", err)
	}
	p, err := publicationLocale(ctx, s.r, acteID)
	if err != nil {
		return nil, wrap("publication", err)
	}
	pu, err := publiciteLocale(ctx, s.r)
	if err != nil {
		return nil, wrap("publication", err)
	}
	e := &agent.EtatPublicationActe{Publication: p, EnLigne: pu.EnLigne()}
	if p != nil {
		e.AuteurPropose = p.Auteur
		if p.RetireLe.IsZero() {
			e.RetraitPossible = xdemat.RetraitPossibleLe(p.PublieLe)
		}
	} else {
		e.AuteurPropose = s.auteurPropose(ctx)
	}
	return e, nil
}

// PublierActe asks central to put the acte online.
func (s *Store) PublierActe(ctx context.Context, acteID string, auteur xdemat.AuteurActe, par string, now time.Time) (*xdemat.PublicationActe, error) {
	var out *xdemat.PublicationActe
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, acteID)
		if err != nil {
			return err
		}
		a := l.acte
		switch {
		case a.Statut == xdemat.ActeAnnule:
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est annulé : il ne peut pas être publié.", a.NumeroInterne)
		case l.dossierID != "" && l.envoyeLe.IsZero() && a.Statut == xdemat.ActeEnAttenteEnvoi:
			// What goes online is the acte as signed (PUB-06, SIG-04).
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s attend sa signature dans le parapheur : publiez-le une fois signé.", a.NumeroInterne)
		case a.DocumentPrincipal.Format() != xdemat.FormatPDF:
			return xdemat.Errorf(xdemat.EINVALID, "Le document principal de l'acte %s n'est pas un PDF : seul un PDF est publié sur le site (format non modifiable).", a.NumeroInterne)
		}
		pu, err := publiciteLocale(ctx, tx)
		if err != nil {
			return err
		}
		if !pu.EnLigne() {
			return xdemat.Errorf(xdemat.ECONFLICT, "La commune a choisi la %s : les actes sont consultables en mairie, pas sur le site. Changez le mode de publicité dans les Paramètres si le conseil municipal en a décidé autrement.", pu.Mode.Libelle())
		}
		if p, err := publicationLocale(ctx, tx, acteID); err != nil {
			return err
		} else if p != nil && p.RetireLe.IsZero() {
			out = p
			return nil // online already: its first date stands
		}
		p := &xdemat.PublicationActe{ActeID: a.ID, Auteur: auteur, PublieLe: stamp(now), DocumentSHA256: a.DocumentPrincipal.SHA256}
		if err := p.Validate(); err != nil {
			return err
		}
		data, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := savePublication(ctx, tx, p); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActePublier, par, data, []string{p.DocumentSHA256}, now); err != nil {
			return err
		}
		details := fmt.Sprintf("Publication sur le site de la commune demandée (auteur : %s).", p.Auteur)
		if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationActePublier, Statut: a.Statut, Par: par, Details: details}); err != nil {
			return err
		}
		out = p
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationActePublier,
			Objet: p.DocumentSHA256, Details: fmt.Sprintf("%s n° %s : %s", a.Nature.Libelle(), a.NumeroInterne, details)})
	})
	if err != nil {
		return nil, wrap("publish acte", err)
	}
	return out, nil
}

// DepublierActe asks central to take the acte offline, never before two months.
func (s *Store) DepublierActe(ctx context.Context, acteID, par string, now time.Time) (*xdemat.PublicationActe, error) {
	var out *xdemat.PublicationActe
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, acteID)
		if err != nil {
			return err
		}
		p, err := publicationLocale(ctx, tx, acteID)
		if err != nil {
			return err
		}
		if p == nil {
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s n'est pas publié sur le site.", l.acte.NumeroInterne)
		}
		if err := p.Retirer(stamp(now)); err != nil {
			return err
		}
		data, err := json.Marshal(&xdemat.RetraitPublication{ActeID: acteID, Le: p.RetireLe})
		if err != nil {
			return err
		}
		if err := savePublication(ctx, tx, p); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActeDepublier, par, data, nil, now); err != nil {
			return err
		}
		if err := historiser(ctx, tx, acteID, agent.EntreeActe{Le: now, Action: xdemat.OperationActeDepublier, Statut: l.acte.Statut, Par: par, Details: "Retrait du site de la commune demandé."}); err != nil {
			return err
		}
		out = p
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationActeDepublier,
			Objet: p.DocumentSHA256, Details: fmt.Sprintf("%s n° %s retiré du site de la commune", l.acte.Nature.Libelle(), l.acte.NumeroInterne)})
	})
	if err != nil {
		return nil, wrap("unpublish acte", err)
	}
	return out, nil
}

// PublierPV asks central to put a procès-verbal online.
func (s *Store) PublierPV(ctx context.Context, seance time.Time, doc *xdemat.Document, par string, now time.Time) (*xdemat.ProcesVerbal, error) {
	if doc == nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Joignez le procès-verbal en PDF.")
	}
	if doc.TypeMedia != "application/pdf" && xdemat.TypeMediaDe(doc.NomOriginal) != "application/pdf" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le procès-verbal « %s » n'est pas un PDF : enregistrez-le en PDF puis déposez-le de nouveau.", doc.NomOriginal)
	}
	pv := &xdemat.ProcesVerbal{ID: uuid.NewString(), DateSeance: seance, DocumentSHA256: doc.SHA256, Nom: doc.NomOriginal, Taille: doc.Taille, PublieLe: stamp(now)}
	if err := pv.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		data, err := json.Marshal(pv)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proces_verbaux (id, seance, publie_le, donnees) VALUES (?, ?, ?, ?)`,
			pv.ID, xdemat.JourSeance(pv.DateSeance), micro(pv.PublieLe), string(data)); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationPVPublier, par, data, []string{pv.DocumentSHA256}, now); err != nil {
			return err
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationPVPublier, Objet: pv.DocumentSHA256,
			Details: "Publication du procès-verbal de la séance du " + pv.DateSeance.In(xdemat.Paris).Format("02/01/2006") + " demandée"})
	})
	if err != nil {
		return nil, wrap("publish pv", err)
	}
	return pv, nil
}

// ProcesVerbaux returns the procès-verbaux published, newest séance first.
func (s *Store) ProcesVerbaux(ctx context.Context) ([]*xdemat.ProcesVerbal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT donnees FROM proces_verbaux ORDER BY seance DESC, publie_le DESC`)
	if err != nil {
		return nil, wrap("list pv", err)
	}
	defer rows.Close()
	var out []*xdemat.ProcesVerbal
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("list pv", err)
		}
		var pv xdemat.ProcesVerbal
		if json.Unmarshal([]byte(data), &pv) == nil {
			out = append(out, &pv)
		}
	}
	return out, wrap("list pv", rows.Err())
}

func (s *Store) etatPublicite(ctx context.Context, pu xdemat.Publicite) (*agent.EtatPublicite, error) {
	id, err := s.Identity(ctx)
	if err != nil && xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		return nil, err
	}
	e := &agent.EtatPublicite{Publicite: pu}
	if id != nil {
		e.Population = id.Commune.Population
		e.PeutChoisir = xdemat.PeutChoisirPublicite(id.Commune.Population)
	}
	return e, nil
}

// Publicite returns the mode de publicité of the commune.
func (s *Store) Publicite(ctx context.Context) (*agent.EtatPublicite, error) {
	pu, err := publiciteLocale(ctx, s.r)
	if err != nil {
		return nil, wrap("publicite", err)
	}
	return s.etatPublicite(ctx, pu)
}

// ChoisirPublicite records the mode the council chose.
func (s *Store) ChoisirPublicite(ctx context.Context, p xdemat.Publicite, par string, now time.Time) (*agent.EtatPublicite, error) {
	id, err := s.Identity(ctx)
	if err != nil {
		return nil, err
	}
	p.ModifieLe = stamp(now)
	if err := p.Validate(id.Commune.Population); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		data, err := json.Marshal(&p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO publicite (id, donnees) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET donnees = excluded.donnees`, string(data)); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationCommunePublicite, par, data, nil, now); err != nil {
			return err
		}
		details := "Mode de publicité des actes : " + p.Mode.Libelle()
		if p.ReferenceDeliberation != "" {
			details += " (délibération n° " + p.ReferenceDeliberation + " du " + p.DateDeliberation.In(xdemat.Paris).Format("02/01/2006") + ")"
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationCommunePublicite, Objet: p.ReferenceDeliberation, Details: details})
	})
	if err != nil {
		return nil, wrap("choose publicite", err)
	}
	return s.etatPublicite(ctx, p)
}

// DatePublicationActe returns when the acte was put online, zero when it is not.
func (s *Store) DatePublicationActe(ctx context.Context, acteID string) (time.Time, error) {
	p, err := publicationLocale(ctx, s.r, acteID)
	if err != nil {
		return time.Time{}, wrap("publication date", err)
	}
	if p == nil || !p.RetireLe.IsZero() {
		return time.Time{}, nil
	}
	return p.PublieLe, nil
}

// projectPublication applies a publication event relayed by central: its
// dates replace the poste's. Like project, an unreadable payload is skipped.
func projectPublication(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	switch ev.Type {
	case xdemat.OperationActePublier:
		var p xdemat.PublicationActe
		if json.Unmarshal(ev.Payload, &p) != nil || p.Validate() != nil {
			return nil
		}
		return savePublication(ctx, tx, &p)
	case xdemat.OperationActeDepublier:
		var r xdemat.RetraitPublication
		if json.Unmarshal(ev.Payload, &r) != nil || r.Validate() != nil {
			return nil
		}
		p, err := publicationLocale(ctx, tx, r.ActeID)
		if err != nil || p == nil {
			return err
		}
		p.RetireLe = stamp(r.Le)
		return savePublication(ctx, tx, p)
	case xdemat.OperationPVPublier:
		var pv xdemat.ProcesVerbal
		if json.Unmarshal(ev.Payload, &pv) != nil || !xdemat.ValidUUID(pv.ID) || pv.DateSeance.IsZero() || pv.PublieLe.IsZero() {
			return nil
		}
		data, err := json.Marshal(&pv)
		if err != nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO proces_verbaux (id, seance, publie_le, donnees) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET publie_le = excluded.publie_le, donnees = excluded.donnees`,
			pv.ID, xdemat.JourSeance(pv.DateSeance), micro(pv.PublieLe), string(data))
		return err
	case xdemat.OperationCommunePublicite:
		var p xdemat.Publicite
		if json.Unmarshal(ev.Payload, &p) != nil || !p.Mode.Valid() {
			return nil
		}
		local, err := publiciteLocale(ctx, tx)
		if err != nil {
			return err
		}
		if p.ModifieLe.Before(local.ModifieLe) {
			return nil // an older choice relayed late
		}
		data, err := json.Marshal(&p)
		if err != nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO publicite (id, donnees) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET donnees = excluded.donnees`, string(data))
		return err
	}
	return nil
}
