package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

// The parapheur (Xparaph). Central holds the authoritative copy of each
// dossier: the postes' actions apply to it in order of arrival, with the same
// domain rules as on the poste (xdemat.DossierParapheur.Appliquer). Each
// applied action is relayed to every poste of the commune as an event of the
// operation's type carrying the dossier as it now stands. An action that no
// longer applies (another poste signed, refused or withdrew first; a
// delegation withdrawn meanwhile) is still acknowledged — the poste's queue
// must not stall on it — and relayed as "parapheur.action_refusee" with the
// French reason and the dossier, and its author gets a notification.

// parapheurProjection is the decoded payload of a parapheur operation.
type parapheurProjection struct {
	dossier    *xdemat.DossierParapheur
	action     *xdemat.ActionParapheur
	delegation *xdemat.Delegation
}

// decodeParapheur checks the payload of a parapheur operation. It returns
// nil, nil for another type.
func decodeParapheur(op *xdemat.Operation, communeID string) (*parapheurProjection, error) {
	pp := &parapheurProjection{}
	var target any
	switch {
	case op.Type == xdemat.OperationParapheurDepose:
		pp.dossier = new(xdemat.DossierParapheur)
		target = pp.dossier
	case xdemat.EstOperationParapheur(op.Type):
		pp.action = new(xdemat.ActionParapheur)
		target = pp.action
	case op.Type == xdemat.OperationParapheurDelegation:
		pp.delegation = new(xdemat.Delegation)
		target = pp.delegation
	default:
		return nil, nil
	}
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, target) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	switch {
	case pp.dossier != nil:
		d := pp.dossier
		d.CommuneID = communeID
		if err := d.Deposer(d.DeposePar, ts(d.DeposeLe)); err != nil {
			return nil, err
		}
		if d.DeposeLe.IsZero() {
			return nil, xdemat.Errorf(xdemat.EINVALID, "La date de dépôt est absente.")
		}
		for _, h := range d.Documents {
			if !slices.Contains(op.Documents, h) {
				return nil, xdemat.Errorf(xdemat.EINVALID, "Le dossier cite un document que l'opération ne joint pas.")
			}
		}
	case pp.action != nil:
		a := pp.action
		if err := a.Validate(op.Type); err != nil {
			return nil, err
		}
		a.Le = ts(a.Le)
		if a.Document != "" && !slices.Contains(op.Documents, a.Document) {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le document signé n'est pas joint à l'opération.")
		}
	default:
		del := pp.delegation
		del.CommuneID = communeID
		if err := del.Validate(); err != nil {
			return nil, err
		}
		del.Du, del.Au, del.CreeeLe, del.RetireeLe, del.ModifieLe = ts(del.Du), ts(del.Au), ts(del.CreeeLe), ts(del.RetireeLe), ts(del.ModifieLe)
	}
	return pp, nil
}

func scanDossierParapheur(r scanner) (*xdemat.DossierParapheur, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	d := new(xdemat.DossierParapheur)
	return d, json.Unmarshal(b, d)
}

func scanDelegation(r scanner) (*xdemat.Delegation, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	d := new(xdemat.Delegation)
	return d, json.Unmarshal(b, d)
}

// saveDossierParapheur writes d (insert or replace).
func (t tx) saveDossierParapheur(ctx context.Context, d *xdemat.DossierParapheur) error {
	b, err := t.marshal(d)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "INSERT INTO parapheur_dossiers (commune_id, id, etat, version, depose_par, depose_le, modifie_le, donnees) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"+
		" ON CONFLICT (commune_id, id) DO UPDATE SET etat = excluded.etat, version = excluded.version, modifie_le = excluded.modifie_le, donnees = excluded.donnees",
		d.CommuneID, d.ID, string(d.Etat), d.Version, d.DeposePar, micros(d.DeposeLe), micros(d.ModifieLe), b)
	if err != nil {
		return t.s.errorf("save dossier parapheur: %w", err)
	}
	return nil
}

// projectParapheur applies a parapheur operation of poste p and relays it.
func (t tx) projectParapheur(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, pp *parapheurProjection, now time.Time) error {
	switch {
	case pp.dossier != nil:
		d := pp.dossier
		existing, err := txList(ctx, t, scanDossierParapheur, "SELECT donnees FROM parapheur_dossiers WHERE commune_id = ? AND id = ?", p.CommuneID, d.ID)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return nil // the same dossier ID twice: the first deposit stands
		}
		if err := t.saveDossierParapheur(ctx, d); err != nil {
			return err
		}
		return a.event(ctx, op.Type, d.ID, p.ID, d, now)

	case pp.delegation != nil:
		del := pp.delegation
		b, err := t.marshal(del)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "INSERT INTO parapheur_delegations (commune_id, id, modifie_le, donnees) VALUES (?, ?, ?, ?)"+
			" ON CONFLICT (commune_id, id) DO UPDATE SET modifie_le = excluded.modifie_le, donnees = excluded.donnees"+
			" WHERE parapheur_delegations.modifie_le < excluded.modifie_le",
			p.CommuneID, del.ID, micros(del.ModifieLe), b)
		if err != nil {
			return t.s.errorf("upsert delegation: %w", err)
		}
		if n, err := t.s.rowsAffected(res); err != nil || n == 0 {
			return err // an older version: nothing to relay
		}
		return a.event(ctx, op.Type, del.ID, p.ID, del, now)
	}

	act := pp.action
	ds, err := txList(ctx, t, scanDossierParapheur, "SELECT donnees FROM parapheur_dossiers WHERE commune_id = ? AND id = ?", p.CommuneID, act.DossierID)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return t.refuserAction(ctx, a, p, op, act, nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce document n'est pas dans le parapheur de la commune."), now)
	}
	d := ds[0]
	users, err := txList(ctx, t, scanUtilisateur, "SELECT donnees FROM utilisateurs WHERE commune_id = ?", p.CommuneID)
	if err != nil {
		return err
	}
	dels, err := txList(ctx, t, scanDelegation, "SELECT donnees FROM parapheur_delegations WHERE commune_id = ?", p.CommuneID)
	if err != nil {
		return err
	}
	var u *xdemat.Utilisateur
	for _, x := range users {
		if x.ID == act.Par {
			u = x
		}
	}
	avant := d.Copie()
	if _, err := d.Appliquer(op.Type, act, u, dels); err != nil {
		return t.refuserAction(ctx, a, p, op, act, avant, err, now)
	}
	if err := t.saveDossierParapheur(ctx, d); err != nil {
		return err
	}
	return a.event(ctx, op.Type, d.ID, p.ID, d, now)
}

// refuserAction records that an action of a poste was not applied: the
// refusal event (with the dossier as it stands, nil when unknown), the
// journal entry, and a notification to its author.
func (t tx) refuserAction(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, act *xdemat.ActionParapheur, d *xdemat.DossierParapheur, cause error, now time.Time) error {
	motif := xdemat.ErrorMessage(cause)
	r := &xdemat.RefusParapheur{OperationID: op.ID, Type: op.Type, Action: *act, Motif: motif, Dossier: d}
	if err := a.event(ctx, xdemat.EvenementParapheurActionRefusee, act.DossierID, p.ID, r, now); err != nil {
		return err
	}
	if err := a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementParapheurActionRefusee, Objet: op.ID,
		Details: fmt.Sprintf("%s de %s sur le dossier %s : %s", op.Type, act.Par, act.DossierID, motif)}); err != nil {
		return err
	}
	titre := "Action non prise en compte dans le parapheur"
	if d != nil {
		titre = "Action non prise en compte : " + d.Titre
		if len(titre) > 200 {
			titre = "Action non prise en compte dans le parapheur"
		}
	}
	tn, _ := xdemat.TypeNotificationParCode(xdemat.NotificationParapheurConflit)
	n := &xdemat.Notification{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("parapheur.refus/"+op.ID)).String(), CommuneID: p.CommuneID,
		Type: tn.Code, Severite: tn.Severite, Titre: titre, Texte: motif, Objet: xdemat.Lien{Ecran: "parapheur", ID: act.DossierID},
		Destinataire: act.Par, CreeLe: now}
	if err := normaliserNotification(n); err != nil {
		return t.s.errorf("refusal notification: %w", err)
	}
	created, err := t.insertNotification(ctx, n, now)
	if err != nil || !created {
		return err
	}
	return a.event(ctx, xdemat.OperationNotificationCreee, n.ID, "", n, now)
}

// DossiersParapheur returns the dossiers of the commune in ctx, newest change first.
func (s *Store) DossiersParapheur(ctx context.Context) ([]*xdemat.DossierParapheur, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanDossierParapheur, "SELECT donnees FROM parapheur_dossiers WHERE commune_id = ? ORDER BY modifie_le DESC, id", p.CommuneID)
}

// DelegationsParapheur returns the delegations of the commune in ctx.
func (s *Store) DelegationsParapheur(ctx context.Context) ([]*xdemat.Delegation, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanDelegation, "SELECT donnees FROM parapheur_delegations WHERE commune_id = ? ORDER BY modifie_le DESC, id", p.CommuneID)
}
