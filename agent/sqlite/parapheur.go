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

// The parapheur (Xparaph). Each action is one transaction: the dossier's new
// state and history, the operation for central, the journal entry naming
// the document's hash, and the notifications of whoever acts next. Central
// relays its own copy of each dossier after every action; a newer copy
// replaces the local one, and this poste's actions not yet applied by
// central are replayed on top of it (see projectParapheur).

var _ agent.ParapheurStore = (*Store)(nil)

// espaceNotifications makes the IDs of the parapheur's notifications from
// what they are about, so that raising one twice (a replay) changes nothing.
var espaceNotifications = uuid.MustParse("6f1d8a52-3c1e-4f0b-9a57-2b0c9d4e7a11")

func scanDossier(r scanner) (*xdemat.DossierParapheur, int64, error) {
	var data string
	var vc int64
	if err := r.Scan(&data, &vc); err != nil {
		return nil, 0, err
	}
	var d xdemat.DossierParapheur
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, 0, err
	}
	return &d, vc, nil
}

// DossiersParapheur returns what f selects, newest change first.
func (s *Store) DossiersParapheur(ctx context.Context, f agent.FiltreDossiers) ([]*xdemat.DossierParapheur, error) {
	q := `SELECT donnees, version_centrale FROM parapheur_dossiers WHERE 1 = 1`
	var args []any
	if f.Etat != "" {
		q += ` AND etat = ?`
		args = append(args, string(f.Etat))
	}
	if f.DeposePar != "" {
		q += ` AND depose_par = ?`
		args = append(args, f.DeposePar)
	}
	q += ` ORDER BY modifie_le DESC, id`
	if f.Limite > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limite)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("dossiers", err)
	}
	defer rows.Close()
	out := []*xdemat.DossierParapheur{}
	for rows.Next() {
		d, _, err := scanDossier(rows)
		if err != nil {
			return nil, wrap("dossiers", err)
		}
		out = append(out, d)
	}
	return out, wrap("dossiers", rows.Err())
}

// FindDossierParapheur returns the dossier; ENOTFOUND when unknown.
func (s *Store) FindDossierParapheur(ctx context.Context, id string) (*xdemat.DossierParapheur, error) {
	d, _, err := scanDossier(s.r.QueryRowContext(ctx, `SELECT donnees, version_centrale FROM parapheur_dossiers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, dossierInconnu()
	}
	return d, wrap("find dossier", err)
}

func dossierInconnu() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Ce document n'est pas (ou plus) dans le parapheur de ce poste.")
}

// loadDossier reads a dossier inside tx, nil when unknown.
func loadDossier(ctx context.Context, tx *sql.Tx, id string) (*xdemat.DossierParapheur, int64, error) {
	d, vc, err := scanDossier(tx.QueryRowContext(ctx, `SELECT donnees, version_centrale FROM parapheur_dossiers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	return d, vc, err
}

// saveDossier writes d with the last version central relayed.
func saveDossier(ctx context.Context, tx *sql.Tx, d *xdemat.DossierParapheur, versionCentrale int64) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO parapheur_dossiers (id, etat, depose_par, version, version_centrale, modifie_le, donnees)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET etat = excluded.etat, version = excluded.version,
			version_centrale = excluded.version_centrale, modifie_le = excluded.modifie_le, donnees = excluded.donnees`,
		d.ID, string(d.Etat), d.DeposePar, d.Version, versionCentrale, micro(d.ModifieLe), string(data))
	return err
}

// txUtilisateurs and txDelegations read the commune's people and
// delegations inside tx, for the domain's checks.
func txUtilisateurs(ctx context.Context, tx *sql.Tx) ([]*xdemat.Utilisateur, error) {
	rows, err := tx.QueryContext(ctx, `SELECT donnees FROM utilisateurs ORDER BY nom, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []*xdemat.Utilisateur
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var u xdemat.Utilisateur
		if json.Unmarshal([]byte(data), &u) == nil {
			us = append(us, &u)
		}
	}
	return us, rows.Err()
}

func txDelegations(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]*xdemat.Delegation, error) {
	rows, err := q.QueryContext(ctx, `SELECT donnees FROM parapheur_delegations ORDER BY modifie_le DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*xdemat.Delegation{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var d xdemat.Delegation
		if json.Unmarshal([]byte(data), &d) == nil {
			out = append(out, &d)
		}
	}
	return out, rows.Err()
}

func utilisateurParID(us []*xdemat.Utilisateur, id string) *xdemat.Utilisateur {
	for _, u := range us {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// DeposerDossier records a new dossier; see agent.ParapheurStore.
func (s *Store) DeposerDossier(ctx context.Context, d *xdemat.DossierParapheur, now time.Time) error {
	if d == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Dossier manquant.")
	}
	v := d.Copie()
	if v.ID == "" {
		v.ID = uuid.NewString()
	}
	if v.CommuneID == "" {
		if id, err := s.Identity(ctx); err == nil {
			v.CommuneID = id.Commune.ID
		}
	}
	if len(v.Etapes) == 0 {
		v.Etapes = xdemat.ModeleCircuit(v.Type)
	}
	if err := v.Deposer(v.DeposePar, stamp(now)); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return deposerTx(ctx, tx, v, now) })
	if err != nil {
		return wrap("deposit", err)
	}
	*d = *v
	return nil
}

// deposerTx records the dossier v, already through Deposer, inside tx: an
// acte sent through the parapheur is linked to its dossier in the same
// transaction.
func deposerTx(ctx context.Context, tx *sql.Tx, v *xdemat.DossierParapheur, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if old, _, err := loadDossier(ctx, tx, v.ID); err != nil {
		return err
	} else if old != nil {
		return xdemat.Errorf(xdemat.ECONFLICT, "Ce dossier est déjà dans le parapheur.")
	}
	us, err := txUtilisateurs(ctx, tx)
	if err != nil {
		return err
	}
	if utilisateurParID(us, v.DeposePar) == nil {
		return xdemat.Errorf(xdemat.EFORBIDDEN, "Choisissez qui travaille sur ce poste avant de déposer un document.")
	}
	for i, e := range v.Etapes {
		if e.UtilisateurID != "" && utilisateurParID(us, e.UtilisateurID) == nil {
			return xdemat.Errorf(xdemat.EINVALID, "L'étape %d du circuit désigne une personne inconnue de la commune.", i+1)
		}
	}
	if err := saveDossier(ctx, tx, v, 0); err != nil {
		return err
	}
	if _, err := enqueueTx(ctx, tx, xdemat.OperationParapheurDepose, v.DeposePar, data, v.Documents, now); err != nil {
		return err
	}
	if err := journalParapheur(ctx, tx, v, &v.Historique[0]); err != nil {
		return err
	}
	return notifierParapheur(ctx, tx, v, us, now)
}

// AgirSurDossier applies an action; see agent.ParapheurStore.
func (s *Store) AgirSurDossier(ctx context.Context, typ string, a *xdemat.ActionParapheur, now time.Time) (*xdemat.DossierParapheur, error) {
	if a == nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Action manquante.")
	}
	act := *a
	if act.Le.IsZero() {
		act.Le = now
	}
	act.Le = stamp(act.Le)
	if err := act.Validate(typ); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(&act)
	if err != nil {
		return nil, wrap("action", err)
	}
	var out *xdemat.DossierParapheur
	err = s.write(ctx, func(tx *sql.Tx) error {
		d, vc, err := loadDossier(ctx, tx, act.DossierID)
		if err != nil {
			return err
		}
		if d == nil {
			return dossierInconnu()
		}
		us, err := txUtilisateurs(ctx, tx)
		if err != nil {
			return err
		}
		dels, err := txDelegations(ctx, tx)
		if err != nil {
			return err
		}
		avant := d.EtapeCourante
		h, err := d.Appliquer(typ, &act, utilisateurParID(us, act.Par), dels)
		if err != nil {
			return err
		}
		if err := saveDossier(ctx, tx, d, vc); err != nil {
			return err
		}
		var docs []string
		if act.Document != "" {
			docs = []string{act.Document}
		}
		if _, err := enqueueTx(ctx, tx, typ, act.Par, payload, docs, now); err != nil {
			return err
		}
		if err := journalParapheur(ctx, tx, d, h); err != nil {
			return err
		}
		if err := acteApresSignature(ctx, tx, d, now); err != nil {
			return err
		}
		if typ == xdemat.OperationParapheurAnnote {
			out = d
			return nil
		}
		if d.EtapeCourante != avant || d.Etat.Termine() {
			if err := cloreNotifications(ctx, tx, d.ID, act.Par, now); err != nil {
				return err
			}
			if err := notifierParapheur(ctx, tx, d, us, now); err != nil {
				return err
			}
		}
		out = d
		return nil
	})
	if err != nil {
		return nil, wrap("action", err)
	}
	return out, nil
}

// journalParapheur appends the legal trace of an action: who, what, on
// behalf of whom, and the hash of the document concerned (the signed one
// for a signature).
func journalParapheur(ctx context.Context, tx *sql.Tx, d *xdemat.DossierParapheur, h *xdemat.EntreeHistorique) error {
	objet := h.Document
	if objet == "" && len(d.Documents) > 0 {
		objet = d.Documents[0]
	}
	details := fmt.Sprintf("« %s » (%s, dossier %s)", d.Titre, d.Type.Libelle(), d.ID)
	if h.Etape > 0 {
		details += fmt.Sprintf(", étape %d", h.Etape)
	}
	if h.PourLeCompteDe != "" {
		details += ", " + xdemat.MentionDelegation + " de " + h.PourLeCompteDe
	}
	if h.Certificat != nil {
		details += fmt.Sprintf(", certificat %s n° %s", h.Certificat.Sujet, h.Certificat.Serie)
	}
	if h.Motif != "" {
		details += ", motif : " + h.Motif
	}
	return appendJournal(ctx, tx, &xdemat.Journal{Date: h.Le, Acteur: h.Par, Action: h.Action, Objet: objet, Details: details})
}

// notifierParapheur raises, with their operations, the notifications the
// dossier's new state calls for: "à signer"/"à viser" for whoever the
// waiting step is for; "refusé" or "signé" for the depositor.
func notifierParapheur(ctx context.Context, tx *sql.Tx, d *xdemat.DossierParapheur, us []*xdemat.Utilisateur, now time.Time) error {
	type envoi struct {
		typ, titre, texte string
		pour              []string
	}
	var es []envoi
	switch d.Etat {
	case xdemat.DossierEnCours:
		e := d.Courante()
		typ, verbe := xdemat.NotificationParapheurASigner, "signer"
		if e.Nature == xdemat.EtapeVisa {
			typ, verbe = xdemat.NotificationParapheurAViser, "viser"
		}
		es = append(es, envoi{typ, fmt.Sprintf("Document à %s : %s", verbe, d.Titre),
			fmt.Sprintf("%s déposé dans le parapheur, étape %d sur %d.", d.Type.Libelle(), d.EtapeCourante+1, len(d.Etapes)), d.Destinataires(us)})
	case xdemat.DossierRefuse:
		h := d.Historique[len(d.Historique)-1]
		es = append(es, envoi{xdemat.NotificationParapheurRefuse, "Document refusé : " + d.Titre, "Motif : " + h.Motif, []string{d.DeposePar}})
	case xdemat.DossierSigne, xdemat.DossierVise:
		es = append(es, envoi{xdemat.NotificationParapheurTermine, fmt.Sprintf("Document %s : %s", strings.ToLower(d.Etat.Libelle()), d.Titre),
			"Le circuit est terminé.", []string{d.DeposePar}})
	}
	for _, e := range es {
		tn, _ := xdemat.TypeNotificationParCode(e.typ)
		for _, pour := range e.pour {
			n := &xdemat.Notification{
				ID:        uuid.NewSHA1(espaceNotifications, fmt.Appendf(nil, "%s/%d/%s/%s", d.ID, d.Version, e.typ, pour)).String(),
				CommuneID: d.CommuneID, Type: e.typ, Severite: tn.Severite, Titre: tronquer(e.titre, 200), Texte: e.texte,
				Objet: xdemat.Lien{Ecran: "parapheur", ID: d.ID}, Destinataire: pour, CreeLe: stamp(now),
			}
			if _, err := leverTx(ctx, tx, n, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// tronquer cuts s to at most max bytes, on a character boundary.
func tronquer(s string, max int) string {
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	for len(string(r)) > max-3 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// cloreNotifications marks done the "à signer"/"à viser" notifications of a
// dossier once its step is done, so that they leave everyone's "À faire".
func cloreNotifications(ctx context.Context, tx *sql.Tx, dossierID, par string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM notifications WHERE objet_ecran = 'parapheur' AND objet_id = ?
		AND type IN (?, ?) AND fait_le IS NULL`, dossierID, xdemat.NotificationParapheurASigner, xdemat.NotificationParapheurAViser)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		etat := xdemat.NotificationEtat{ID: id, Le: stamp(now), Par: par}
		data, err := json.Marshal(&etat)
		if err != nil {
			return err
		}
		if err := markNotification(ctx, tx, xdemat.OperationNotificationFaite, id, etat.Le); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationNotificationFaite, par, data, nil, now); err != nil {
			return err
		}
	}
	return nil
}

// Delegations returns the commune's delegations, newest change first.
func (s *Store) Delegations(ctx context.Context) ([]*xdemat.Delegation, error) {
	out, err := txDelegations(ctx, s.r)
	return out, wrap("delegations", err)
}

// EnregistrerDelegation records a delegation; see agent.ParapheurStore.
func (s *Store) EnregistrerDelegation(ctx context.Context, del *xdemat.Delegation, auteur string, now time.Time) error {
	if del == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Délégation manquante.")
	}
	v := *del
	if v.ID == "" {
		v.ID = uuid.NewString()
	}
	if v.CommuneID == "" {
		if id, err := s.Identity(ctx); err == nil {
			v.CommuneID = id.Commune.ID
		}
	}
	if v.CreeeLe.IsZero() {
		v.CreeeLe, v.CreeePar = stamp(now), auteur
	}
	v.ModifieLe = stamp(now)
	v.Du, v.Au = stamp(v.Du), stamp(v.Au)
	err := s.write(ctx, func(tx *sql.Tx) error {
		us, err := txUtilisateurs(ctx, tx)
		if err != nil {
			return err
		}
		delegant, delegataire := utilisateurParID(us, v.Delegant), utilisateurParID(us, v.Delegataire)
		if delegant == nil || delegataire == nil {
			return xdemat.Errorf(xdemat.EINVALID, "La délégation doit nommer deux personnes de la commune.")
		}
		v.DelegantRole = delegant.Role
		if err := v.Validate(); err != nil {
			return err
		}
		if !delegant.Role.PeutSigner() {
			return xdemat.Errorf(xdemat.EINVALID, "Seuls le maire et les adjoints délèguent leurs signatures ; %s est %s.", delegant.NomComplet(), strings.ToLower(delegant.Role.Libelle()))
		}
		// Only the élu himself (or, when he is away, whoever he asked: the
		// secretary records it for him) — but never the beneficiary alone.
		if auteur == v.Delegataire && auteur != v.Delegant {
			return xdemat.Errorf(xdemat.EFORBIDDEN, "On ne se donne pas une délégation à soi-même : c'est à %s de la donner.", delegant.NomComplet())
		}
		data, err := json.Marshal(&v)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO parapheur_delegations (id, delegataire, modifie_le, donnees) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET delegataire = excluded.delegataire, modifie_le = excluded.modifie_le, donnees = excluded.donnees`,
			v.ID, v.Delegataire, micro(v.ModifieLe), string(data)); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationParapheurDelegation, auteur, data, nil, now); err != nil {
			return err
		}
		quoi := fmt.Sprintf("de %s à %s du %s au %s", delegant.NomComplet(), delegataire.NomComplet(),
			v.Du.Local().Format("02/01/2006"), v.Au.Local().Format("02/01/2006"))
		if !v.RetireeLe.IsZero() {
			quoi += " (retirée)"
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: v.ModifieLe, Acteur: auteur, Action: xdemat.OperationParapheurDelegation, Objet: v.ID, Details: quoi})
	})
	if err != nil {
		return wrap("delegation", err)
	}
	*del = v
	return nil
}

// SavePreparations records prepared signatures, all or none.
func (s *Store) SavePreparations(ctx context.Context, ps []*agent.Preparation) error {
	return wrap("save preparations", s.write(ctx, func(tx *sql.Tx) error {
		// What waited more than a day will not be signed: forget it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM parapheur_preparations WHERE cree_le < ?`,
			micro(time.Now().Add(-agent.DureePreparation))); err != nil {
			return err
		}
		for _, p := range ps {
			data, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO parapheur_preparations (id, dossier_id, utilisateur_id, cree_le, donnees)
				VALUES (?, ?, ?, ?, ?)`, p.ID, p.DossierID, p.UtilisateurID, micro(p.CreeLe), string(data)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// FindPreparation returns a prepared signature; ENOTFOUND when unknown.
func (s *Store) FindPreparation(ctx context.Context, id string) (*agent.Preparation, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT donnees FROM parapheur_preparations WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cette signature préparée n'existe plus (déjà terminée, ou préparée il y a plus d'un jour) : relancez la signature.")
	} else if err != nil {
		return nil, wrap("find preparation", err)
	}
	var p agent.Preparation
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return nil, wrap("find preparation", err)
	}
	return &p, nil
}

// DeletePreparation forgets a prepared signature.
func (s *Store) DeletePreparation(ctx context.Context, id string) error {
	return wrap("delete preparation", s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM parapheur_preparations WHERE id = ?`, id)
		return err
	}))
}

// DocumentsManquants returns the documents of the dossiers (every version
// in their history) not recorded on this poste.
func (s *Store) DocumentsManquants(ctx context.Context) ([]agent.DocumentManquant, error) {
	var out []agent.DocumentManquant
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT donnees, version_centrale FROM parapheur_dossiers`)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var all []agent.DocumentManquant
		for rows.Next() {
			d, _, err := scanDossier(rows)
			if err != nil {
				rows.Close()
				return err
			}
			hs := append([]string(nil), d.Documents...)
			for _, h := range d.Historique {
				if h.Document != "" {
					hs = append(hs, h.Document)
				}
			}
			for _, h := range hs {
				if !seen[h] {
					seen[h] = true
					all = append(all, agent.DocumentManquant{SHA256: h, Titre: d.Titre})
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The documents of the actes created on other postes too.
		if all, err = documentsDesActes(ctx, tx, all, seen); err != nil {
			return err
		}
		for _, m := range all {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE sha256 = ?`, m.SHA256).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				out = append(out, m)
			}
		}
		return nil
	})
	return out, wrap("missing documents", err)
}

// projectParapheur applies an event of the parapheur relayed by central.
// Like project, a payload that cannot be read is skipped.
func projectParapheur(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	switch {
	case ev.Type == xdemat.OperationParapheurDelegation:
		var d xdemat.Delegation
		if json.Unmarshal(ev.Payload, &d) != nil || d.Validate() != nil {
			return nil
		}
		data, err := json.Marshal(&d)
		if err != nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO parapheur_delegations (id, delegataire, modifie_le, donnees) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET delegataire = excluded.delegataire, modifie_le = excluded.modifie_le, donnees = excluded.donnees
			WHERE excluded.modifie_le > parapheur_delegations.modifie_le`,
			d.ID, d.Delegataire, micro(stamp(d.ModifieLe)), string(data))
		return err

	case ev.Type == xdemat.EvenementParapheurActionRefusee:
		var r xdemat.RefusParapheur
		if json.Unmarshal(ev.Payload, &r) != nil || r.Dossier == nil {
			return nil
		}
		return projectDossier(ctx, tx, r.Dossier)

	case ev.Type == xdemat.OperationParapheurDepose || xdemat.EstOperationParapheur(ev.Type):
		var d xdemat.DossierParapheur
		if json.Unmarshal(ev.Payload, &d) != nil {
			return nil
		}
		return projectDossier(ctx, tx, &d)
	}
	return nil
}

// dejaApplique reports whether central's copy d already holds the action
// (same type, author and time, kept to the microsecond on both sides).
func dejaApplique(d *xdemat.DossierParapheur, typ string, a *xdemat.ActionParapheur) bool {
	for _, h := range d.Historique {
		if h.Action == typ && h.Par == a.Par && h.Le.Equal(a.Le) {
			return true
		}
	}
	return false
}

// projectDossier takes central's copy of a dossier unless this poste holds
// a newer one from central, then replays on it the actions of this poste
// central has not applied yet (an offline signature stays visible as done
// until central accepts or refuses it).
func projectDossier(ctx context.Context, tx *sql.Tx, d *xdemat.DossierParapheur) error {
	if d.Validate() != nil || d.Version < 1 || len(d.Historique) == 0 {
		return nil
	}
	_, vc, err := loadDossier(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	if d.Version < vc {
		return nil // an older copy, relayed before the one already taken
	}
	central := d.Version
	rows, err := tx.QueryContext(ctx, `SELECT type, payload FROM operations WHERE acquittee = 0 AND type LIKE 'parapheur.%' ORDER BY seq`)
	if err != nil {
		return err
	}
	type enAttente struct {
		typ string
		a   xdemat.ActionParapheur
	}
	var pending []enAttente
	for rows.Next() {
		var typ string
		var payload []byte
		if err := rows.Scan(&typ, &payload); err != nil {
			rows.Close()
			return err
		}
		var a xdemat.ActionParapheur
		if xdemat.EstOperationParapheur(typ) && json.Unmarshal(payload, &a) == nil && a.DossierID == d.ID {
			pending = append(pending, enAttente{typ, a})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pending) > 0 {
		us, err := txUtilisateurs(ctx, tx)
		if err != nil {
			return err
		}
		dels, err := txDelegations(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range pending {
			if dejaApplique(d, p.typ, &p.a) {
				continue // central applied it already; the ack is on its way
			}
			d.Appliquer(p.typ, &p.a, utilisateurParID(us, p.a.Par), dels) // refused: central will say so
		}
	}
	if err := saveDossier(ctx, tx, d, central); err != nil {
		return err
	}
	return acteApresSignature(ctx, tx, d, time.Now())
}
