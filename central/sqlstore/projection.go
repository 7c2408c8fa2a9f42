package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"xdemat"
)

// projection is an operation of an Xpostit type (notifications, users,
// preferences), its payload decoded and checked: ApplyOperations projects
// it into the commune's tables and relays it to the commune's postes.
type projection struct {
	typ          string
	objet        string // what the relayed event is about
	notification *xdemat.Notification
	etat         *xdemat.NotificationEtat
	utilisateur  *xdemat.Utilisateur
	preferences  *xdemat.Preferences
	// sauvegarde is a backup report: recorded for the SPL's console, not
	// relayed (the postes keep their own history).
	sauvegarde *xdemat.Sauvegarde
	// parapheur is a parapheur operation (see parapheur.go), with its op.
	parapheur *parapheurProjection
	// acte is an Xactes operation (see actes.go), with its op.
	acte *acteProjection
	op   *xdemat.Operation
	// helios is a PES handed over for the DGFiP (see helios.go), with its op.
	helios *xdemat.TransmissionPES
	// publication is a publication operation (see publication.go), with its op.
	publication *publicationProjection
}

// payload returns what the relayed event carries: the payload as checked,
// with the commune forced to the poste's.
func (pr *projection) payload() any {
	switch {
	case pr.notification != nil:
		return pr.notification
	case pr.etat != nil:
		return pr.etat
	case pr.utilisateur != nil:
		return pr.utilisateur
	}
	return pr.preferences
}

// decodeProjection returns the projection of op for the commune, nil when op
// is of another type, EINVALID when its payload is malformed. The commune of
// the payload is never trusted: it is communeID.
func decodeProjection(op *xdemat.Operation, communeID string) (*projection, error) {
	pr := &projection{typ: op.Type}
	if h, err := decodeHelios(op, communeID); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Opération n°%d (%s) refusée : %s Rien n'a été enregistré ; mettez l'agent xdemat à jour si cela se répète.", op.Seq, op.Type, xdemat.ErrorMessage(err))
	} else if h != nil {
		pr.helios, pr.op = h, op
		return pr, nil
	}
	if pp, err := decodeParapheur(op, communeID); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Opération n°%d (%s) refusée : %s Rien n'a été enregistré ; mettez l'agent xdemat à jour si cela se répète.", op.Seq, op.Type, xdemat.ErrorMessage(err))
	} else if pp != nil {
		pr.parapheur, pr.op = pp, op
		return pr, nil
	}
	if ap, err := decodeActe(op, communeID); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Opération n°%d (%s) refusée : %s Rien n'a été enregistré ; corrigez l'acte puis recommencez.", op.Seq, op.Type, xdemat.ErrorMessage(err))
	} else if ap != nil {
		pr.acte, pr.op = ap, op
		return pr, nil
	}
	if pp, err := decodePublication(op); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Opération n°%d (%s) refusée : %s Rien n'a été enregistré ; corrigez la publication puis recommencez.", op.Seq, op.Type, xdemat.ErrorMessage(err))
	} else if pp != nil {
		pr.publication, pr.op = pp, op
		return pr, nil
	}
	var target any
	switch op.Type {
	case xdemat.OperationNotificationCreee:
		pr.notification = new(xdemat.Notification)
		target = pr.notification
	case xdemat.OperationNotificationLue, xdemat.OperationNotificationFaite:
		pr.etat = new(xdemat.NotificationEtat)
		target = pr.etat
	case xdemat.OperationUtilisateurEnregistre:
		pr.utilisateur = new(xdemat.Utilisateur)
		target = pr.utilisateur
	case xdemat.OperationPreferencesEnregistrees:
		pr.preferences = new(xdemat.Preferences)
		target = pr.preferences
	case xdemat.OperationSauvegardeTerminee:
		pr.sauvegarde = new(xdemat.Sauvegarde)
		target = pr.sauvegarde
	default:
		return nil, nil
	}
	illisible := func(err error) error {
		msg := "contenu illisible"
		if err != nil && xdemat.ErrorCode(err) != xdemat.EINTERNAL {
			msg = xdemat.ErrorMessage(err)
		}
		return xdemat.Errorf(xdemat.EINVALID, "Opération n°%d (%s) refusée : %s Rien n'a été enregistré ; mettez l'agent xdemat à jour si cela se répète.", op.Seq, op.Type, msg)
	}
	if len(op.Payload) == 0 {
		return nil, illisible(nil)
	}
	if err := json.Unmarshal(op.Payload, target); err != nil {
		return nil, illisible(nil)
	}
	var err error
	switch {
	case pr.notification != nil:
		pr.notification.CommuneID = communeID
		err, pr.objet = normaliserNotification(pr.notification), pr.notification.ID
	case pr.etat != nil:
		e := pr.etat
		switch {
		case !xdemat.ValidUUID(e.ID):
			err = xdemat.Errorf(xdemat.EINVALID, "Identifiant de notification invalide.")
		case e.Le.IsZero():
			err = xdemat.Errorf(xdemat.EINVALID, "La date de lecture ou de réalisation est absente.")
		case !xdemat.TexteLisible(e.Par, 128):
			err = xdemat.Errorf(xdemat.EINVALID, "Auteur illisible.")
		}
		e.Le, pr.objet = ts(e.Le), e.ID
	case pr.utilisateur != nil:
		err, pr.objet = checkUtilisateur(pr.utilisateur, communeID), pr.utilisateur.ID
	case pr.sauvegarde != nil:
		sv := pr.sauvegarde
		err, pr.objet = sv.Validate(), sv.ID
		sv.Debut, sv.Fin = ts(sv.Debut), ts(sv.Fin)
	default:
		err, pr.objet = checkPreferences(pr.preferences), pr.preferences.UtilisateurID
	}
	if err != nil {
		return nil, illisible(err)
	}
	return pr, nil
}

// project applies pr, the projection of an operation p just sent, and relays
// it to the postes of the commune.
func (t tx) project(ctx context.Context, a *appender, p *xdemat.Poste, pr *projection, now time.Time) error {
	if pr.parapheur != nil {
		return t.projectParapheur(ctx, a, p, pr.op, pr.parapheur, now)
	}
	if pr.acte != nil {
		return t.projectActe(ctx, a, p, pr.op, pr.acte, now)
	}
	if pr.helios != nil {
		return t.projectHelios(ctx, a, p, pr.op, pr.helios, now)
	}
	if pr.publication != nil {
		return t.projectPublication(ctx, a, p, pr.op, pr.publication, now)
	}
	var err error
	switch {
	case pr.sauvegarde != nil:
		pr.sauvegarde.PosteID = p.ID
		return t.insertSauvegarde(ctx, p, pr.sauvegarde, now)
	case pr.notification != nil:
		_, err = t.insertNotification(ctx, pr.notification, now)
	case pr.etat != nil:
		err = t.markNotification(ctx, p.CommuneID, pr.typ, pr.etat)
	case pr.utilisateur != nil:
		_, err = t.upsertUtilisateur(ctx, pr.utilisateur)
	default:
		err = t.upsertPreferences(ctx, p.CommuneID, pr.preferences)
	}
	if err != nil {
		return err
	}
	// Relayed to every poste, the sender included: agents apply these events
	// idempotently, and the sender's other profiles learn of it the same way.
	return a.event(ctx, pr.typ, pr.objet, p.ID, pr.payload(), now)
}
