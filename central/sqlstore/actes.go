package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// Xactes. Central keeps its copy of each acte, scoped by commune: acte.cree
// records it, acte.transmettre marks it to be built into an @CTES archive,
// acte.annuler withdraws or cancels it. The connector (central/ctes) then
// records each archive with its bytes before posting it, so that a crash
// between building and posting never builds a second archive for the acte:
// the recorded one is posted again under the same name. What the préfecture
// answers is relayed to the commune's postes as acte.statut and
// acte.message events.

var _ central.ActesStore = (*Store)(nil)

// acteProjection is the decoded payload of an acte operation.
type acteProjection struct {
	acte         *xdemat.Acte
	transmission *xdemat.TransmissionActe
	annulation   *xdemat.AnnulationActe
	reponse      *xdemat.ReponsePrefecture // see actesreponses.go
	correction   *xdemat.CorrectionActe
}

// decodeActe checks the payload of an acte operation; nil, nil for another type.
func decodeActe(op *xdemat.Operation, communeID string) (*acteProjection, error) {
	ap := &acteProjection{}
	var target any
	switch op.Type {
	case xdemat.OperationActeCree:
		ap.acte = new(xdemat.Acte)
		target = ap.acte
	case xdemat.OperationActeTransmettre:
		ap.transmission = new(xdemat.TransmissionActe)
		target = ap.transmission
	case xdemat.OperationActeAnnuler:
		ap.annulation = new(xdemat.AnnulationActe)
		target = ap.annulation
	case xdemat.OperationActeRepondre:
		r, err := decodeReponse(op)
		return &acteProjection{reponse: r}, err
	case xdemat.OperationActeCorriger:
		c, err := decodeCorrection(op)
		return &acteProjection{correction: c}, err
	default:
		return nil, nil
	}
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, target) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	switch {
	case ap.acte != nil:
		a := ap.acte
		a.CommuneID, a.Statut = communeID, xdemat.ActeEnAttenteEnvoi
		a.NomArchive, a.TransmisLe, a.IdentifiantUnique, a.DateAR, a.Anomalie, a.AnnuleLe = "", time.Time{}, "", time.Time{}, "", time.Time{}
		if !xdemat.ValidUUID(a.ID) {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Identifiant d'acte invalide.")
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
		a.DateDecision, a.DateClassification, a.CreeLe = ts(a.DateDecision), ts(a.DateClassification), ts(a.CreeLe)
	case ap.transmission != nil:
		if err := ap.transmission.Validate(); err != nil {
			return nil, err
		}
	default:
		if err := ap.annulation.Validate(); err != nil {
			return nil, err
		}
	}
	return ap, nil
}

// What the connector has to build for an acte (column a_transmettre).
const (
	rienATransmettre       = 0
	acteATransmettre       = 1 // the acte itself (1-1)
	annulationATransmettre = 2 // its annulation (6-1), once acquitted
)

type ligneActe struct {
	communeID    string
	acte         *xdemat.Acte
	aTransmettre int
}

func scanLigneActe(r scanner) (*ligneActe, error) {
	var b []byte
	var l ligneActe
	if err := r.Scan(&l.communeID, &l.aTransmettre, &b); err != nil {
		return nil, err
	}
	l.acte = new(xdemat.Acte)
	return &l, json.Unmarshal(b, l.acte)
}

const colsActe = "commune_id, a_transmettre, donnees"

func (t tx) loadActe(ctx context.Context, communeID, id string) (*ligneActe, error) {
	ls, err := txList(ctx, t, scanLigneActe, "SELECT "+colsActe+" FROM actes WHERE commune_id = ? AND id = ?", communeID, id)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	return ls[0], nil
}

// saveActe writes a's status and data, and what is to be built for it.
func (t tx) saveActe(ctx context.Context, a *xdemat.Acte, flag int, now time.Time) error {
	b, err := t.marshal(a)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "UPDATE actes SET statut = ?, a_transmettre = ?, modifie_le = ?, donnees = ? WHERE commune_id = ? AND id = ?",
		string(a.Statut), flag, micros(now), b, a.CommuneID, a.ID); err != nil {
		return t.s.errorf("save acte: %w", err)
	}
	return nil
}

// changement is the status change event of a's current state.
func changement(a *xdemat.Acte, now time.Time) *xdemat.StatutActeChange {
	return &xdemat.StatutActeChange{ActeID: a.ID, Statut: a.Statut, NomArchive: a.NomArchive, TransmisLe: a.TransmisLe,
		IdentifiantUnique: a.IdentifiantUnique, DateAR: a.DateAR, DocumentAR: a.DocumentAR, Anomalie: a.Anomalie, AnnuleLe: a.AnnuleLe, Le: now}
}

// projectActe applies an acte operation of poste p and relays what changed.
func (t tx) projectActe(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, ap *acteProjection, now time.Time) error {
	switch {
	case ap.reponse != nil:
		return t.projectReponse(ctx, a, p, op, ap.reponse, now)
	case ap.correction != nil:
		return t.projectCorrection(ctx, a, p, op, ap.correction, now)
	case ap.acte != nil:
		ac := ap.acte
		b, err := t.marshal(ac)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "INSERT INTO actes (commune_id, id, numero, statut, auteur, modifie_le, donnees) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			p.CommuneID, ac.ID, ac.NumeroInterne, string(ac.Statut), op.Auteur, micros(now), b)
		if err != nil {
			return t.s.errorf("insert acte: %w", err)
		}
		if n, err := t.s.rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			if l, err := t.loadActe(ctx, p.CommuneID, ac.ID); err != nil || l != nil {
				return err // the same acte twice: the first stands
			}
			// Two postes, offline, chose the same numéro: the first one stands.
			msg := fmt.Sprintf("L'acte n° %s (%s) n'a pas été enregistré : un autre acte de la commune porte déjà ce numéro. Recréez-le avec un autre numéro.", ac.NumeroInterne, ac.Objet)
			return t.notifierActe(ctx, a, ac.ID, xdemat.NotificationActeErreur, "Numéro d'acte déjà utilisé : "+ac.NumeroInterne, msg, op.Auteur, now)
		}
		if err := a.event(ctx, op.Type, ac.ID, p.ID, ac, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: ac.DocumentPrincipal.SHA256,
			Details: fmt.Sprintf("%s n° %s : « %s »", ac.Nature.Libelle(), ac.NumeroInterne, ac.Objet)})

	case ap.transmission != nil:
		tr := ap.transmission
		l, err := t.loadActe(ctx, p.CommuneID, tr.ActeID)
		if err != nil || l == nil {
			return err // unknown here: nothing to transmit
		}
		ac := l.acte
		avant := ac.Statut
		if ac.Statut == xdemat.ActeEnErreur {
			if err := ac.Reprendre(); err != nil {
				return err
			}
		}
		var enCours int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM actes_envois WHERE commune_id = ? AND acte_id = ? AND etat = ?", p.CommuneID, ac.ID, string(central.EnvoiActeIntention)).Scan(&enCours); err != nil {
			return t.s.errorf("count envois: %w", err)
		}
		if ac.Statut != xdemat.ActeEnAttenteEnvoi || enCours > 0 {
			return nil // transmitted already, or on its way: an acte goes once
		}
		ac.DocumentPrincipal = tr.DocumentPrincipal
		if err := t.saveActe(ctx, ac, acteATransmettre, now); err != nil {
			return err
		}
		if avant != ac.Statut {
			if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, p.ID, changement(ac, now), now); err != nil {
				return err
			}
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: ac.DocumentPrincipal.SHA256,
			Details: fmt.Sprintf("%s n° %s à transmettre à la préfecture", ac.Nature.Libelle(), ac.NumeroInterne)})
	}

	an := ap.annulation
	l, err := t.loadActe(ctx, p.CommuneID, an.ActeID)
	if err != nil || l == nil {
		return err
	}
	ac := l.acte
	flag := rienATransmettre
	switch {
	case ac.Statut == xdemat.ActeAcquitte:
		if err := ac.DemanderAnnulation(); err != nil {
			return nil
		}
		flag = annulationATransmettre
	case ac.Statut == xdemat.ActeEnErreur || ac.Statut == xdemat.ActeEnAttenteEnvoi:
		var enCours int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM actes_envois WHERE commune_id = ? AND acte_id = ? AND etat = ?", p.CommuneID, ac.ID, string(central.EnvoiActeIntention)).Scan(&enCours); err != nil {
			return t.s.errorf("count envois: %w", err)
		}
		if enCours > 0 {
			return nil // already posted or about to be: its answer decides
		}
		if err := ac.Annuler(an.Le); err != nil {
			return nil
		}
	default:
		return nil
	}
	if err := t.saveActe(ctx, ac, flag, now); err != nil {
		return err
	}
	if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, p.ID, changement(ac, now), now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: ac.DocumentPrincipal.SHA256,
		Details: fmt.Sprintf("%s n° %s : %s", ac.Nature.Libelle(), ac.NumeroInterne, ac.Statut.Libelle())})
}

func acteurOp(op *xdemat.Operation) string {
	if op.Auteur == "" {
		return "poste"
	}
	return op.Auteur
}

// notifierActe raises a notification about an acte for pour ("" for the
// whole commune), with its event. Its ID comes from what it is about, so
// that the same answer taken twice notifies once.
func (t tx) notifierActe(ctx context.Context, a *appender, acteID, typ, titre, texte, pour string, now time.Time) error {
	tn, _ := xdemat.TypeNotificationParCode(typ)
	n := &xdemat.Notification{ID: idNotificationActe(acteID, typ, titre+texte), CommuneID: a.communeID, Type: typ, Severite: tn.Severite,
		Titre: tronquerTitre(titre), Texte: texte, Objet: xdemat.Lien{Ecran: "actes", ID: acteID}, Destinataire: pour, CreeLe: now}
	return t.leverNotificationActe(ctx, a, n, now)
}

func (t tx) leverNotificationActe(ctx context.Context, a *appender, n *xdemat.Notification, now time.Time) error {
	if n == nil {
		return nil
	}
	n.CommuneID = a.communeID
	if n.CreeLe.IsZero() {
		n.CreeLe = now
	}
	if err := normaliserNotification(n); err != nil {
		return t.s.errorf("acte notification: %w", err)
	}
	created, err := t.insertNotification(ctx, n, now)
	if err != nil || !created {
		return err
	}
	return a.event(ctx, xdemat.OperationNotificationCreee, n.ID, "", n, now)
}

func tronquerTitre(s string) string {
	r := []rune(s)
	if len(r) > 190 {
		return string(r[:190]) + "…"
	}
	return s
}

// ActesATransmettre returns at most limit actes waiting to be built, oldest change first.
func (s *Store) ActesATransmettre(ctx context.Context, limit int) ([]central.ActeATransmettre, error) {
	if limit <= 0 {
		limit = 100
	}
	ls, err := list(ctx, s, scanLigneActe, fmt.Sprintf("SELECT "+colsActe+" FROM actes WHERE a_transmettre IN (1, 2) ORDER BY modifie_le, id LIMIT %d", limit))
	if err != nil {
		return nil, err
	}
	out := make([]central.ActeATransmettre, 0, len(ls))
	communes := map[string]*xdemat.Commune{}
	for _, l := range ls {
		c, ok := communes[l.communeID]
		if !ok {
			if c, err = s.FindCommune(ctx, l.communeID); err != nil {
				return nil, err
			}
			communes[l.communeID] = c
		}
		out = append(out, central.ActeATransmettre{Commune: c, Acte: l.acte, Annulation: l.aTransmettre == annulationATransmettre})
	}
	return out, nil
}

// EnregistrerIntention records the archive of an acte before it is posted; see central.ActesStore.
func (s *Store) EnregistrerIntention(ctx context.Context, communeID, acteID, siren string, build func(serie int) (*central.EnvoiActe, error), now time.Time) (*central.EnvoiActe, error) {
	now = ts(now)
	var out *central.EnvoiActe
	var refus error
	err := s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		l, err := t.loadActe(ctx, communeID, acteID)
		if err != nil {
			return err
		}
		if l == nil || l.aTransmettre == rienATransmettre {
			return nil // built by someone else meanwhile, or withdrawn
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
			// The acte cannot be built as it is: the secretary must correct it.
			refus = err
			ac := l.acte
			if !revenirSurAnnulation(ac) && ac.MettreEnErreur(xdemat.ErrorMessage(err)) != nil {
				return err
			}
			if err := t.saveActe(ctx, ac, rienATransmettre, now); err != nil {
				return err
			}
			if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, "", changement(ac, now), now); err != nil {
				return err
			}
			return t.notifierActe(ctx, a, ac.ID, xdemat.NotificationActeErreur, "Acte non transmis : "+ac.NumeroInterne, ac.Anomalie, "", now)
		}
		e.CommuneID, e.ActeID, e.Etat, e.CreeLe = communeID, acteID, central.EnvoiActeIntention, now
		if _, err := t.exec(ctx, "INSERT INTO actes_envois (nom, commune_id, acte_id, id_acte, etat, octets, cree_le) VALUES (?, ?, ?, ?, ?, ?, ?)",
			e.Nom, communeID, acteID, e.IDActe, string(e.Etat), e.Octets, micros(now)); err != nil {
			return t.s.errorf("record intent: %w", err)
		}
		if _, err := t.exec(ctx, "UPDATE actes SET a_transmettre = 0, id_acte = ? WHERE commune_id = ? AND id = ?", e.IDActe, communeID, acteID); err != nil {
			return t.s.errorf("record intent: %w", err)
		}
		out = e
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: "acte.archive", Objet: e.Nom,
			Details: fmt.Sprintf("Archive @CTES construite pour l'acte %s (%s), série %d", l.acte.NumeroInterne, e.IDActe, serie)})
	})
	if err != nil {
		return nil, err
	}
	return out, refus
}

func scanEnvoiActe(r scanner) (*central.EnvoiActe, error) {
	var e central.EnvoiActe
	var etat string
	var cree int64
	if err := r.Scan(&e.Nom, &e.CommuneID, &e.ActeID, &e.IDActe, &etat, &e.Octets, &cree); err != nil {
		return nil, err
	}
	e.Etat, e.CreeLe = central.EtatEnvoiActe(etat), fromMicros(cree)
	return &e, nil
}

const colsEnvoiActe = "nom, commune_id, acte_id, id_acte, etat, octets, cree_le"

// EnvoisEnAttente returns the archives recorded and not yet taken, oldest first.
func (s *Store) EnvoisEnAttente(ctx context.Context) ([]*central.EnvoiActe, error) {
	return list(ctx, s, scanEnvoiActe, "SELECT "+colsEnvoiActe+" FROM actes_envois WHERE etat = ? ORDER BY cree_le, nom", string(central.EnvoiActeIntention))
}

// conclureEnvoi moves the archive nom out of 'intention' and applies f to its acte.
func (s *Store) conclureEnvoi(ctx context.Context, nom string, etat central.EtatEnvoiActe, now time.Time, f func(t tx, a *appender, ac *xdemat.Acte) error) error {
	now = ts(now)
	es, err := list(ctx, s, scanEnvoiActe, "SELECT "+colsEnvoiActe+" FROM actes_envois WHERE nom = ?", nom)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Archive %s inconnue.", nom)
	}
	e := es[0]
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, e.CommuneID)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "UPDATE actes_envois SET etat = ?, envoye_le = ? WHERE nom = ? AND etat = ?", string(etat), micros(now), nom, string(central.EnvoiActeIntention))
		if err != nil {
			return t.s.errorf("conclude envoi: %w", err)
		}
		if n, err := t.s.rowsAffected(res); err != nil || n == 0 {
			return err // concluded already
		}
		l, err := t.loadActe(ctx, e.CommuneID, e.ActeID)
		if err != nil || l == nil {
			return err
		}
		return f(t, a, l.acte)
	})
}

// MarquerEnvoye records that the platform took the archive.
func (s *Store) MarquerEnvoye(ctx context.Context, nom string, now time.Time) error {
	return s.conclureEnvoi(ctx, nom, central.EnvoiActeEnvoye, now, func(t tx, a *appender, ac *xdemat.Acte) error {
		now := ts(now)
		if ac.MarquerTransmis(nom, now) != nil {
			return nil // the préfecture answered already
		}
		if err := t.saveActe(ctx, ac, rienATransmettre, now); err != nil {
			return err
		}
		if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, "", changement(ac, now), now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementActeStatut, Objet: nom,
			Details: fmt.Sprintf("Acte %s transmis à la préfecture", ac.NumeroInterne)})
	})
}

// MarquerRefuse records that the platform refused the archive outright.
func (s *Store) MarquerRefuse(ctx context.Context, nom, motif string, now time.Time) error {
	return s.conclureEnvoi(ctx, nom, central.EnvoiActeRefuse, now, func(t tx, a *appender, ac *xdemat.Acte) error {
		now := ts(now)
		if !revenirSurAnnulation(ac) && ac.MettreEnErreur(motif) != nil {
			return nil
		}
		if err := t.saveActe(ctx, ac, rienATransmettre, now); err != nil {
			return err
		}
		if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, "", changement(ac, now), now); err != nil {
			return err
		}
		if err := t.notifierActe(ctx, a, ac.ID, xdemat.NotificationActeErreur, "Acte refusé par la plateforme : "+ac.NumeroInterne, motif, "", now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementActeStatut, Objet: nom,
			Details: fmt.Sprintf("Archive de l'acte %s refusée : %s", ac.NumeroInterne, motif)})
	})
}

// ActeDeRetour finds the acte an answer is about.
func (s *Store) ActeDeRetour(ctx context.Context, archive, idActe string) (string, *xdemat.Acte, error) {
	var ls []*ligneActe
	var err error
	if archive != "" {
		ls, err = list(ctx, s, scanLigneActe, "SELECT a.commune_id, a.a_transmettre, a.donnees FROM actes_envois e JOIN actes a ON a.commune_id = e.commune_id AND a.id = e.acte_id WHERE e.nom = ?", archive)
	}
	if err == nil && len(ls) == 0 && idActe != "" {
		ls, err = list(ctx, s, scanLigneActe, "SELECT "+colsActe+" FROM actes WHERE id_acte = ? ORDER BY modifie_le DESC", idActe)
	}
	if err != nil {
		return "", nil, err
	}
	if len(ls) == 0 {
		return "", nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucun acte ne correspond à la réponse de la préfecture (archive %q, acte %q).", archive, idActe)
	}
	return ls[0].communeID, ls[0].acte, nil
}

// Acte returns central's copy of an acte.
func (s *Store) Acte(ctx context.Context, communeID, id string) (*xdemat.Acte, error) {
	ls, err := list(ctx, s, scanLigneActe, "SELECT "+colsActe+" FROM actes WHERE commune_id = ? AND id = ?", communeID, id)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cet acte est inconnu du serveur central.")
	}
	return ls[0].acte, nil
}

// ChangerStatutActe applies a status change decided by the préfecture.
func (s *Store) ChangerStatutActe(ctx context.Context, communeID string, c *xdemat.StatutActeChange, n *xdemat.Notification) error {
	if err := c.Validate(); err != nil {
		return err
	}
	now := ts(c.Le)
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		l, err := t.loadActe(ctx, communeID, c.ActeID)
		if err != nil {
			return err
		}
		if l == nil {
			return xdemat.Errorf(xdemat.ENOTFOUND, "Cet acte est inconnu du serveur central.")
		}
		ac := l.acte
		if ac.Statut == c.Statut {
			return nil // taken already
		}
		if err := c.Appliquer(ac); err != nil {
			return nil // an answer that no longer applies (journalled by the caller)
		}
		if err := t.saveActe(ctx, ac, rienATransmettre, now); err != nil {
			return err
		}
		if err := a.event(ctx, xdemat.EvenementActeStatut, ac.ID, "", changement(ac, now), now); err != nil {
			return err
		}
		if err := t.leverNotificationActe(ctx, a, n, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "préfecture", Action: xdemat.EvenementActeStatut, Objet: ac.ID,
			Details: fmt.Sprintf("Acte %s : %s", ac.NumeroInterne, ac.Statut.Libelle())})
	})
}

// AjouterMessageActe records a message of the préfecture.
func (s *Store) AjouterMessageActe(ctx context.Context, communeID string, m *xdemat.MessagePrefecture, n *xdemat.Notification) error {
	if err := m.Validate(); err != nil {
		return err
	}
	m.RecuLe = ts(m.RecuLe)
	now := ts(time.Now())
	return s.write(ctx, func(t tx) error {
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		b, err := t.marshal(m)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, "INSERT INTO actes_messages (commune_id, id, acte_id, recu_le, donnees) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			communeID, m.ID, m.ActeID, micros(m.RecuLe), b)
		if err != nil {
			return t.s.errorf("insert message: %w", err)
		}
		if k, err := t.s.rowsAffected(res); err != nil || k == 0 {
			return err
		}
		if err := a.event(ctx, xdemat.EvenementActeMessage, m.ActeID, "", m, now); err != nil {
			return err
		}
		if err := t.leverNotificationActe(ctx, a, n, now); err != nil {
			return err
		}
		return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "préfecture", Action: xdemat.EvenementActeMessage, Objet: m.ActeID,
			Details: m.Type.Libelle() + " (" + m.Code + ")"})
	})
}

// RetourTraite records that an answer of the platform was taken.
func (s *Store) RetourTraite(ctx context.Context, nom string, numero int, now time.Time) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "INSERT INTO actes_retours (nom, numero, traite_le) VALUES (?, ?, ?) ON CONFLICT (nom) DO NOTHING", nom, numero, micros(now))
		if err != nil {
			return t.s.errorf("record answer: %w", err)
		}
		return nil
	})
}

// RetoursTraites tells whether the answer nom was taken.
func (s *Store) RetoursTraites(ctx context.Context, nom string) (bool, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM actes_retours WHERE nom = ?", nom).Scan(&n); err != nil {
		return false, s.errorf("read answers: %w", err)
	}
	return n > 0, nil
}

// DernierRetour returns the highest position of the platform's mailbox taken.
func (s *Store) DernierRetour(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT COALESCE(MAX(numero), 0) FROM actes_retours").Scan(&n); err != nil {
		return 0, s.errorf("read answers: %w", err)
	}
	return n, nil
}

// idNotificationActe makes the ID of a notification about an acte from
// what it says, so that the same answer taken twice notifies once.
func idNotificationActe(acteID, typ, quoi string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("actes/"+acteID+"/"+typ+"/"+quoi)).String()
}

// revenirSurAnnulation puts back in acquitté an acte whose annulation could
// not be sent: the acte stands. It reports whether a was such an acte.
func revenirSurAnnulation(a *xdemat.Acte) bool {
	if a.Statut != xdemat.ActeAnnulationTransmise {
		return false
	}
	c := xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: a.IdentifiantUnique, DateAR: a.DateAR}
	return c.Appliquer(a) == nil
}
