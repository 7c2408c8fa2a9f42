package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"xdemat"
	"xdemat/central"
)

// The commune's answers to the préfecture's letters. acte.repondre records
// an answer (checked against the message central holds: one answer per
// letter, none to a déféré); the connector then records its archive before
// posting it (EnregistrerIntentionReponse), like an acte's. Each step is
// relayed to the commune's postes as acte.reponse. acte.corriger corrects a
// refused acte before its new transmission.

var _ central.ReponsesActesStore = (*Store)(nil)

// decodeReponse checks the payload of acte.repondre.
func decodeReponse(op *xdemat.Operation) (*xdemat.ReponsePrefecture, error) {
	var r xdemat.ReponsePrefecture
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, &r) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	r.Etat, r.NomArchive, r.TransmiseLe, r.AcquitteeLe, r.Anomalie = xdemat.ReponseDemandee, "", time.Time{}, time.Time{}, ""
	if r.Par == "" {
		r.Par = op.Auteur
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.Le = ts(r.Le)
	return &r, nil
}

// decodeCorrection checks the payload of acte.corriger.
func decodeCorrection(op *xdemat.Operation) (*xdemat.CorrectionActe, error) {
	var c xdemat.CorrectionActe
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, &c) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Le, c.DateClassification = ts(c.Le), ts(c.DateClassification)
	return &c, nil
}

// jourCourrier is the civil day of a letter in Paris as YYYYMMDD: answers
// and acknowledgements name the letter by its day.
func jourCourrier(t time.Time) int64 {
	y, m, d := t.In(xdemat.Paris).Date()
	return int64(y*10000 + int(m)*100 + d)
}

func scanMessage(r scanner) (*xdemat.MessagePrefecture, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	var m xdemat.MessagePrefecture
	return &m, json.Unmarshal(b, &m)
}

func (t tx) messageActe(ctx context.Context, communeID, id string) (*xdemat.MessagePrefecture, error) {
	ms, err := txList(ctx, t, scanMessage, "SELECT donnees FROM actes_messages WHERE commune_id = ? AND id = ?", communeID, id)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return ms[0], nil
}

type ligneReponse struct {
	communeID string
	reponse   *xdemat.ReponsePrefecture
}

func scanLigneReponse(r scanner) (*ligneReponse, error) {
	var l ligneReponse
	var b []byte
	if err := r.Scan(&l.communeID, &b); err != nil {
		return nil, err
	}
	l.reponse = new(xdemat.ReponsePrefecture)
	return &l, json.Unmarshal(b, l.reponse)
}

func (t tx) loadReponse(ctx context.Context, communeID, id string) (*xdemat.ReponsePrefecture, error) {
	ls, err := txList(ctx, t, scanLigneReponse, "SELECT commune_id, donnees FROM actes_reponses WHERE commune_id = ? AND id = ?", communeID, id)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	return ls[0].reponse, nil
}

// saveReponse writes r's state and data; flag says whether it is to be built.
func (t tx) saveReponse(ctx context.Context, communeID string, r *xdemat.ReponsePrefecture, flag int, now time.Time) error {
	b, err := t.marshal(r)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "UPDATE actes_reponses SET etat = ?, a_transmettre = ?, modifie_le = ?, donnees = ? WHERE commune_id = ? AND id = ?",
		string(r.Etat), flag, micros(now), b, communeID, r.ID); err != nil {
		return t.s.errorf("save answer: %w", err)
	}
	return nil
}

// projectReponse records an answer of poste p. An answer that cannot go
// (unknown letter, déféré, letter already answered…) is recorded refusée
// with the reason, relayed and notified to its author: the poste recorded
// it as asked and must learn why it will not leave.
func (t tx) projectReponse(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, r *xdemat.ReponsePrefecture, now time.Time) error {
	if prev, err := t.loadReponse(ctx, p.CommuneID, r.ID); err != nil || prev != nil {
		return err // the same answer twice: the first stands
	}
	var motif string
	var idActe string
	var jour int64
	l, err := t.loadActe(ctx, p.CommuneID, r.ActeID)
	if err != nil {
		return err
	}
	m, err := t.messageActe(ctx, p.CommuneID, r.MessageID)
	if err != nil {
		return err
	}
	switch {
	case l == nil:
		motif = "L'acte de cette réponse est inconnu du serveur central : la réponse n'est pas envoyée."
	case m == nil:
		motif = "Le message de la préfecture auquel répond la commune est inconnu du serveur central : la réponse n'est pas envoyée."
	case l.acte.IdentifiantUnique == "":
		motif = fmt.Sprintf("L'acte %s n'a pas d'accusé de réception de la préfecture : il n'y a pas de courrier à lui répondre.", l.acte.NumeroInterne)
	default:
		if err := r.ValiderPour(m); err != nil {
			motif = xdemat.ErrorMessage(err)
			break
		}
		autres, err := txList(ctx, t, scanLigneReponse, "SELECT commune_id, donnees FROM actes_reponses WHERE commune_id = ? AND message_id = ? AND etat <> ?",
			p.CommuneID, r.MessageID, string(xdemat.ReponseRefusee))
		if err != nil {
			return err
		}
		if len(autres) > 0 {
			motif = xdemat.ErrorMessage(xdemat.DejaRepondu(autres[0].reponse))
			break
		}
		idActe = l.acte.IdentifiantUnique
		dc := m.DateCourrier
		if dc.IsZero() {
			dc = m.RecuLe
		}
		jour = jourCourrier(dc)
	}
	flag := acteATransmettre
	if motif != "" {
		r.Etat, r.Anomalie, flag = xdemat.ReponseRefusee, motif, rienATransmettre
	}
	b, err := t.marshal(r)
	if err != nil {
		return err
	}
	var idActeArg, jourArg any
	if idActe != "" {
		idActeArg, jourArg = idActe, jour
	}
	if _, err := t.exec(ctx, "INSERT INTO actes_reponses (commune_id, id, acte_id, message_id, etat, a_transmettre, id_acte, date_courrier, modifie_le, donnees) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		p.CommuneID, r.ID, r.ActeID, r.MessageID, string(r.Etat), flag, idActeArg, jourArg, micros(now), b); err != nil {
		return t.s.errorf("insert answer: %w", err)
	}
	if err := a.event(ctx, xdemat.EvenementActeReponse, r.ActeID, p.ID, r, now); err != nil {
		return err
	}
	numero := ""
	if l != nil {
		numero = l.acte.NumeroInterne
	}
	if motif != "" {
		if err := t.notifierActe(ctx, a, r.ActeID, xdemat.NotificationActeErreur, "Réponse à la préfecture non envoyée : acte "+numero, motif, op.Auteur, now); err != nil {
			return err
		}
	}
	details := fmt.Sprintf("%s (acte %s) à envoyer à la préfecture", r.Libelle(), numero)
	if motif != "" {
		details = fmt.Sprintf("%s (acte %s) refusée : %s", r.Libelle(), numero, motif)
	}
	objet := r.ID
	if docs := r.Documents(); len(docs) > 0 {
		objet = docs[0].SHA256
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: objet, Details: details})
}

// projectCorrection corrects a refused acte (central's copy) and relays the
// correction to the commune's postes. A correction that no longer applies
// (the acte moved meanwhile) changes nothing.
func (t tx) projectCorrection(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, c *xdemat.CorrectionActe, now time.Time) error {
	l, err := t.loadActe(ctx, p.CommuneID, c.ActeID)
	if err != nil || l == nil {
		return err
	}
	if l.aTransmettre != rienATransmettre || c.Appliquer(l.acte) != nil {
		return nil
	}
	if err := t.saveActe(ctx, l.acte, rienATransmettre, now); err != nil {
		return err
	}
	if err := a.event(ctx, op.Type, c.ActeID, p.ID, c, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: l.acte.DocumentPrincipal.SHA256,
		Details: fmt.Sprintf("%s n° %s : %s", l.acte.Nature.Libelle(), l.acte.NumeroInterne, c.Resume())})
}

// ReponsesATransmettre returns at most limit answers waiting to be built, oldest first.
func (s *Store) ReponsesATransmettre(ctx context.Context, limit int) ([]central.ReponseATransmettre, error) {
	if limit <= 0 {
		limit = 100
	}
	ls, err := list(ctx, s, scanLigneReponse, fmt.Sprintf("SELECT commune_id, donnees FROM actes_reponses WHERE a_transmettre = 1 ORDER BY modifie_le, id LIMIT %d", limit))
	if err != nil {
		return nil, err
	}
	out := make([]central.ReponseATransmettre, 0, len(ls))
	communes := map[string]*xdemat.Commune{}
	for _, l := range ls {
		c, ok := communes[l.communeID]
		if !ok {
			if c, err = s.FindCommune(ctx, l.communeID); err != nil {
				return nil, err
			}
			communes[l.communeID] = c
		}
		ac, err := s.Acte(ctx, l.communeID, l.reponse.ActeID)
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			continue // cannot happen (checked at projection): never block the others
		} else if err != nil {
			return nil, err
		}
		ms, err := list(ctx, s, scanMessage, "SELECT donnees FROM actes_messages WHERE commune_id = ? AND id = ?", l.communeID, l.reponse.MessageID)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			continue
		}
		m := ms[0]
		out = append(out, central.ReponseATransmettre{Commune: c, Acte: ac, Message: m, Reponse: l.reponse})
	}
	return out, nil
}

// conclureReponse applies a change to the answer r of the commune: saved,
// relayed, notified (n may be nil) and journalled.
func (t tx) conclureReponse(ctx context.Context, a *appender, communeID string, r *xdemat.ReponsePrefecture, n *xdemat.Notification, acteur, details string, now time.Time) error {
	if err := t.saveReponse(ctx, communeID, r, rienATransmettre, now); err != nil {
		return err
	}
	if err := a.event(ctx, xdemat.EvenementActeReponse, r.ActeID, "", r, now); err != nil {
		return err
	}
	if err := t.leverNotificationActe(ctx, a, n, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteur, Action: xdemat.EvenementActeReponse, Objet: r.ID, Details: details})
}

// refuserReponseTx makes r refusée with motif, relayed and notified.
func (t tx) refuserReponseTx(ctx context.Context, a *appender, communeID string, r *xdemat.ReponsePrefecture, motif, acteur string, now time.Time) error {
	r.Etat, r.Anomalie = xdemat.ReponseRefusee, motif
	n := &xdemat.Notification{ID: idNotificationActe(r.ActeID, xdemat.NotificationActeErreur, "reponse/"+r.ID+"/"+motif), Type: xdemat.NotificationActeErreur,
		Titre: "Réponse refusée par la préfecture", Texte: motif, Objet: xdemat.Lien{Ecran: "actes", ID: r.ActeID}, Destinataire: r.Par, CreeLe: now}
	tn, _ := xdemat.TypeNotificationParCode(n.Type)
	n.Severite = tn.Severite
	return t.conclureReponse(ctx, a, communeID, r, n, acteur, r.Libelle()+" refusée : "+motif, now)
}

// EnregistrerIntentionReponse records an answer's archive before it is posted.
func (s *Store) EnregistrerIntentionReponse(ctx context.Context, communeID, reponseID, siren string, build func(serie int) (*central.EnvoiReponse, error), now time.Time) (*central.EnvoiReponse, error) {
	now = ts(now)
	var out *central.EnvoiReponse
	var refus error
	err := s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		var flag int
		if err := t.queryRow(ctx, "SELECT a_transmettre FROM actes_reponses WHERE commune_id = ? AND id = ?", communeID, reponseID).Scan(&flag); notFound(err) {
			return nil
		} else if err != nil {
			return t.s.errorf("read answer: %w", err)
		}
		if flag == rienATransmettre {
			return nil // built meanwhile
		}
		r, err := t.loadReponse(ctx, communeID, reponseID)
		if err != nil || r == nil {
			return err
		}
		serie, err := t.serieSuivante(ctx, siren)
		if err != nil {
			return err
		}
		e, err := build(serie)
		if err != nil {
			if xdemat.ErrorCode(err) == xdemat.EINTERNAL {
				return err
			}
			refus = err
			return t.refuserReponseTx(ctx, a, communeID, r, xdemat.ErrorMessage(err), "central", now)
		}
		e.CommuneID, e.ReponseID, e.Etat, e.CreeLe = communeID, reponseID, central.EnvoiActeIntention, now
		if _, err := t.exec(ctx, "UPDATE actes_reponses SET a_transmettre = 0, envoi = ?, nom = ?, octets = ?, modifie_le = ? WHERE commune_id = ? AND id = ?",
			string(central.EnvoiActeIntention), e.Nom, e.Octets, micros(now), communeID, reponseID); err != nil {
			return t.s.errorf("record answer intent: %w", err)
		}
		out = e
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: "acte.reponse.archive", Objet: e.Nom,
			Details: fmt.Sprintf("Archive @CTES construite pour la réponse %s, série %d", reponseID, serie)})
	})
	if err != nil {
		return nil, err
	}
	return out, refus
}

func scanEnvoiReponse(r scanner) (*central.EnvoiReponse, error) {
	var e central.EnvoiReponse
	var etat string
	var modifie int64
	if err := r.Scan(&e.Nom, &e.CommuneID, &e.ReponseID, &etat, &e.Octets, &modifie); err != nil {
		return nil, err
	}
	e.Etat, e.CreeLe = central.EtatEnvoiActe(etat), fromMicros(modifie)
	return &e, nil
}

const colsEnvoiReponse = "nom, commune_id, id, envoi, octets, modifie_le"

// ReponsesEnAttente returns the answer archives recorded and not yet taken.
func (s *Store) ReponsesEnAttente(ctx context.Context) ([]*central.EnvoiReponse, error) {
	return list(ctx, s, scanEnvoiReponse, "SELECT "+colsEnvoiReponse+" FROM actes_reponses WHERE envoi = ? ORDER BY modifie_le, nom", string(central.EnvoiActeIntention))
}

// conclureEnvoiReponse moves the archive nom from envoi 'avant' to 'apres'
// and applies f to its answer; ENOTFOUND when nom carried no answer.
func (s *Store) conclureEnvoiReponse(ctx context.Context, nom string, avant []central.EtatEnvoiActe, apres central.EtatEnvoiActe, now time.Time,
	f func(t tx, a *appender, communeID string, r *xdemat.ReponsePrefecture) error) error {
	es, err := list(ctx, s, scanEnvoiReponse, "SELECT "+colsEnvoiReponse+" FROM actes_reponses WHERE nom = ?", nom)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Archive de réponse %s inconnue.", nom)
	}
	e := es[0]
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, e.CommuneID)
		if err != nil {
			return err
		}
		ok := false
		for _, et := range avant {
			res, err := t.exec(ctx, "UPDATE actes_reponses SET envoi = ?, modifie_le = ? WHERE nom = ? AND envoi = ?", string(apres), micros(ts(now)), nom, string(et))
			if err != nil {
				return t.s.errorf("conclude answer: %w", err)
			}
			if n, err := t.s.rowsAffected(res); err != nil {
				return err
			} else if n > 0 {
				ok = true
				break
			}
		}
		if !ok {
			return nil // concluded already
		}
		r, err := t.loadReponse(ctx, e.CommuneID, e.ReponseID)
		if err != nil || r == nil {
			return err
		}
		return f(t, a, e.CommuneID, r)
	})
}

// MarquerReponseEnvoyee records that the platform took the answer's archive.
func (s *Store) MarquerReponseEnvoyee(ctx context.Context, nom string, now time.Time) error {
	return s.conclureEnvoiReponse(ctx, nom, []central.EtatEnvoiActe{central.EnvoiActeIntention}, central.EnvoiActeEnvoye, now,
		func(t tx, a *appender, communeID string, r *xdemat.ReponsePrefecture) error {
			if !r.Etat.Avance(xdemat.ReponseTransmise) {
				return nil
			}
			r.Etat, r.NomArchive, r.TransmiseLe = xdemat.ReponseTransmise, nom, ts(now)
			return t.conclureReponse(ctx, a, communeID, r, nil, "central", r.Libelle()+" transmise à la préfecture (archive "+nom+")", ts(now))
		})
}

// MarquerReponseRefusee records that the platform refused the answer's archive outright.
func (s *Store) MarquerReponseRefusee(ctx context.Context, nom, motif string, now time.Time) error {
	return s.conclureEnvoiReponse(ctx, nom, []central.EtatEnvoiActe{central.EnvoiActeIntention}, central.EnvoiActeRefuse, now,
		func(t tx, a *appender, communeID string, r *xdemat.ReponsePrefecture) error {
			r.NomArchive = nom
			return t.refuserReponseTx(ctx, a, communeID, r, motif, "central", ts(now))
		})
}

// RefuserReponse applies an anomaly about the answer the archive nom carried.
func (s *Store) RefuserReponse(ctx context.Context, nom, motif string, now time.Time) error {
	return s.conclureEnvoiReponse(ctx, nom, []central.EtatEnvoiActe{central.EnvoiActeEnvoye, central.EnvoiActeIntention}, central.EnvoiActeRefuse, now,
		func(t tx, a *appender, communeID string, r *xdemat.ReponsePrefecture) error {
			if r.Etat == xdemat.ReponseAcquittee || r.Etat == xdemat.ReponseRefusee {
				return nil
			}
			r.NomArchive = nom
			return t.refuserReponseTx(ctx, a, communeID, r, motif, "préfecture", ts(now))
		})
}

// AcquitterReponse applies the préfecture's acknowledgement of an answer.
func (s *Store) AcquitterReponse(ctx context.Context, idActe string, dateCourrier, le time.Time) error {
	now := ts(time.Now())
	ls, err := list(ctx, s, scanLigneReponse, "SELECT commune_id, donnees FROM actes_reponses WHERE id_acte = ? AND date_courrier = ? ORDER BY modifie_le DESC",
		idActe, jourCourrier(dateCourrier))
	if err != nil {
		return err
	}
	var cible *ligneReponse
	for _, l := range ls {
		switch l.reponse.Etat {
		case xdemat.ReponseAcquittee:
			return nil // taken already
		case xdemat.ReponseTransmise, xdemat.ReponseDemandee:
			if cible == nil {
				cible = l
			}
		}
	}
	if cible == nil {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Aucune réponse transmise ne correspond à l'accusé de réception (acte %s).", idActe)
	}
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, cible.communeID)
		if err != nil {
			return err
		}
		r, err := t.loadReponse(ctx, cible.communeID, cible.reponse.ID)
		if err != nil || r == nil || !r.Etat.Avance(xdemat.ReponseAcquittee) {
			return err
		}
		r.Etat, r.AcquitteeLe = xdemat.ReponseAcquittee, ts(le)
		return t.conclureReponse(ctx, a, cible.communeID, r, nil, "préfecture",
			fmt.Sprintf("%s reçue par la préfecture le %s", r.Libelle(), r.AcquitteeLe.In(xdemat.Paris).Format("02/01/2006")), now)
	})
}
