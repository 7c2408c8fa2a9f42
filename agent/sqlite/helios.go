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
)

// ImporterPES records an imported PES and deposits its dossier; see
// agent.HeliosStore.
func (s *Store) ImporterPES(ctx context.Context, t *xdemat.TransmissionPES, d *xdemat.DossierParapheur, now time.Time) error {
	if t == nil || d == nil {
		return xdemat.Errorf(xdemat.EINVALID, "PES ou dossier manquant.")
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
	tr := *t
	tr.DossierID = v.ID
	tr.CommuneID = v.CommuneID
	tr.Statut = xdemat.HeliosASigner
	tr.ImporteLe = stamp(now)
	for i := range tr.Bordereaux {
		tr.Bordereaux[i].Statut = xdemat.HeliosASigner
	}
	if err := tr.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var autre string
		err := tx.QueryRowContext(ctx, `SELECT id FROM helios_transmissions WHERE cle = ?`, tr.Cle()).Scan(&autre)
		if err == nil {
			// A PES whose dossier was refused or withdrawn in the parapheur
			// never left: the same file may come back.
			libre, errL := abandonne(ctx, tx, autre)
			if errL != nil {
				return errL
			}
			if libre {
				if _, errL := tx.ExecContext(ctx, `DELETE FROM helios_transmissions WHERE id = ?`, autre); errL != nil {
					return errL
				}
				err = sql.ErrNoRows
			}
		}
		if err == nil {
			return xdemat.Errorf(xdemat.ECONFLICT, "Ce PES (fichier %s, collectivité %s) a déjà été importé : Hélios refuserait un second envoi. Si vous devez le renvoyer, faites produire un nouveau fichier par le logiciel de comptabilité.", tr.NomFic, tr.CodCol)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := deposerTx(ctx, tx, v, now); err != nil {
			return err
		}
		if err := saveTransmission(ctx, tx, &tr); err != nil {
			return err
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: tr.ImporteLe, Acteur: "agent", Action: "helios.importe", Objet: tr.Original,
			Details: fmt.Sprintf("PES %s (collectivité %s, budget %s), %d bordereau(x), déposé dans le parapheur (dossier %s)", tr.NomFic, tr.CodCol, tr.CodBud, len(tr.Bordereaux), v.ID)})
	})
	if err != nil {
		return wrap("import PES", err)
	}
	*t, *d = tr, *v
	return nil
}

// abandonne reports whether transmission id was never handed over and its
// dossier was refused or withdrawn in the parapheur.
func abandonne(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	t, err := loadTransmission(ctx, tx, id)
	if err != nil || t == nil || t.Statut != xdemat.HeliosASigner {
		return false, err
	}
	d, _, err := loadDossier(ctx, tx, t.DossierID)
	if err != nil || d == nil {
		return false, err
	}
	return d.Etat == xdemat.DossierRefuse || d.Etat == xdemat.DossierRetire, nil
}

func saveTransmission(ctx context.Context, tx *sql.Tx, t *xdemat.TransmissionPES) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO helios_transmissions (id, dossier_id, cle, statut, importe_le, donnees) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET statut = excluded.statut, donnees = excluded.donnees`,
		t.ID, t.DossierID, t.Cle(), string(t.Statut), micro(t.ImporteLe), string(data))
	return err
}

func loadTransmission(ctx context.Context, tx *sql.Tx, id string) (*xdemat.TransmissionPES, error) {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT donnees FROM helios_transmissions WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t xdemat.TransmissionPES
	if err := json.Unmarshal([]byte(data), &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// TransmissionsPES returns the transmissions; see agent.HeliosStore.
func (s *Store) TransmissionsPES(ctx context.Context) ([]*xdemat.TransmissionPES, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT donnees FROM helios_transmissions ORDER BY importe_le DESC, id`)
	if err != nil {
		return nil, wrap("PES", err)
	}
	defer rows.Close()
	out := []*xdemat.TransmissionPES{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("PES", err)
		}
		var t xdemat.TransmissionPES
		if err := json.Unmarshal([]byte(data), &t); err != nil {
			return nil, wrap("PES", err)
		}
		out = append(out, &t)
	}
	return out, wrap("PES", rows.Err())
}

// TransmettrePESSignes queues the signed PES; see agent.HeliosStore.
func (s *Store) TransmettrePESSignes(ctx context.Context, present func(hash string) bool, now time.Time) ([]*xdemat.TransmissionPES, error) {
	// Most rounds find nothing: looked for without taking the write lock.
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM helios_transmissions WHERE statut = ?`, string(xdemat.HeliosASigner)).Scan(&n); err != nil {
		return nil, wrap("transmit PES", err)
	}
	if n == 0 {
		return nil, nil
	}
	var out []*xdemat.TransmissionPES
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT id FROM helios_transmissions WHERE statut = ?`, string(xdemat.HeliosASigner))
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
			t, err := loadTransmission(ctx, tx, id)
			if err != nil || t == nil {
				return err
			}
			d, _, err := loadDossier(ctx, tx, t.DossierID)
			if err != nil {
				return err
			}
			if d == nil || d.Etat != xdemat.DossierSigne {
				continue
			}
			signe, le := documentSigne(d)
			if signe == "" || (present != nil && !present(signe)) {
				continue // the signed PES is still on its way from the poste that signed it
			}
			t.Document, t.SigneLe, t.Statut = signe, le, xdemat.HeliosSigne
			for i := range t.Bordereaux {
				t.Bordereaux[i].Statut = xdemat.HeliosSigne
			}
			if err := t.Validate(); err != nil {
				return err
			}
			data, err := json.Marshal(t)
			if err != nil {
				return err
			}
			if err := saveTransmission(ctx, tx, t); err != nil {
				return err
			}
			if _, err := enqueueTx(ctx, tx, xdemat.OperationHeliosTransmettre, "", data, []string{signe}, now); err != nil {
				return err
			}
			if err := appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: "agent", Action: xdemat.OperationHeliosTransmettre, Objet: signe,
				Details: fmt.Sprintf("PES %s signé (dossier %s) confié à la SPL pour la trésorerie", t.NomFic, t.DossierID)}); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("transmit PES", err)
	}
	return out, nil
}

// documentSigne is the document of the dossier's last signature.
func documentSigne(d *xdemat.DossierParapheur) (string, time.Time) {
	for i := len(d.Historique) - 1; i >= 0; i-- {
		h := d.Historique[i]
		if h.Action == xdemat.OperationParapheurSigne && h.Document != "" {
			return h.Document, h.Le
		}
	}
	return "", time.Time{}
}

// espaceHelios makes the IDs of the Hélios notifications from the
// transmission and its statut, so that every poste of the commune raising
// the same one gives it the same ID (central keeps one).
var espaceHelios = uuid.MustParse("b1f0c3a4-6a2e-4d1b-8f0e-5c7d9e2a4b60")

// projectHelios applies a transmission relayed from another poste, or a
// statut from central, and raises the notifications of an answer from the
// DGFiP. Like project, a payload that cannot be read is skipped.
func projectHelios(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	switch ev.Type {
	case xdemat.OperationHeliosTransmettre:
		var t xdemat.TransmissionPES
		if json.Unmarshal(ev.Payload, &t) != nil || t.Validate() != nil {
			return nil
		}
		if old, err := loadTransmission(ctx, tx, t.ID); err != nil || old != nil {
			return err
		}
		var autre string
		err := tx.QueryRowContext(ctx, `SELECT id FROM helios_transmissions WHERE cle = ? OR dossier_id = ?`, t.Cle(), t.DossierID).Scan(&autre)
		if err == nil {
			return nil // imported here too: ours is kept
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return saveTransmission(ctx, tx, &t)

	case xdemat.EvenementHeliosStatut:
		var st xdemat.StatutTransmissionPES
		if json.Unmarshal(ev.Payload, &st) != nil || st.Validate() != nil {
			return nil
		}
		t, err := loadTransmission(ctx, tx, st.TransmissionID)
		if err != nil || t == nil {
			return err
		}
		change, err := t.Appliquer(&st)
		if err != nil || !change {
			return nil // replayed, or a second verdict: the first one stands
		}
		if err := saveTransmission(ctx, tx, t); err != nil {
			return err
		}
		if err := appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(ev.CreeLe), Acteur: "central", Action: xdemat.EvenementHeliosStatut, Objet: t.Document,
			Details: fmt.Sprintf("PES %s : %s", t.NomFic, t.Statut.Libelle())}); err != nil {
			return err
		}
		if t.Statut.Final() {
			return notifierHelios(ctx, tx, t, ev.CreeLe)
		}

	case xdemat.EvenementHeliosRetour:
		var r xdemat.RetourPES
		if json.Unmarshal(ev.Payload, &r) != nil || r.Validate() != nil {
			return nil
		}
		t, err := loadTransmission(ctx, tx, r.TransmissionID)
		if err != nil || t == nil {
			return err
		}
		bouge, err := t.AppliquerRetour(&r)
		if err != nil || len(bouge) == 0 {
			return nil // replayed or late: the newer states stand
		}
		if err := saveTransmission(ctx, tx, t); err != nil {
			return err
		}
		if err := appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(ev.CreeLe), Acteur: "central", Action: xdemat.EvenementHeliosRetour, Objet: t.Document,
			Details: fmt.Sprintf("PES %s : retour %s de la trésorerie sur %d pièce(s)", t.NomFic, r.NomRetour, len(bouge))}); err != nil {
			return err
		}
		var rejetees []xdemat.PiecePES
		for _, p := range bouge {
			if p.Statut == xdemat.PieceRejetee {
				rejetees = append(rejetees, p)
			}
		}
		if len(rejetees) > 0 {
			return notifierRejets(ctx, tx, t, r.NomRetour, r.Partie, rejetees, ev.CreeLe)
		}
	}
	return nil
}

// notifierRejets tells the depositor and the secrétaires which mandats or
// titres the Trésorerie rejected, why, and what to do. One notification per
// retour part: the ID comes from the transmission, the retour's name and
// the part.
func notifierRejets(ctx context.Context, tx *sql.Tx, t *xdemat.TransmissionPES, nomRetour string, partie int, ps []xdemat.PiecePES, now time.Time) error {
	titre := fmt.Sprintf("Pièce rejetée par la trésorerie : PES %s", t.NomFic)
	if len(ps) > 1 {
		titre = fmt.Sprintf("%d pièces rejetées par la trésorerie : PES %s", len(ps), t.NomFic)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "La trésorerie a rejeté %d pièce(s) du PES %s (retour %s).", len(ps), t.NomFic, nomRetour)
	for _, p := range ps {
		b.WriteString("\n" + p.Phrase)
	}
	return notifier(ctx, tx, t, xdemat.NotificationHeliosPieceRejetee, fmt.Sprintf("%s/%s/%d", t.ID, nomRetour, partie), titre, b.String(), now)
}

// notifierHelios tells the depositor of the dossier and the secrétaires
// what the trésorerie answered: an info on acceptance, what to do on refusal.
func notifierHelios(ctx context.Context, tx *sql.Tx, t *xdemat.TransmissionPES, now time.Time) error {
	typ := xdemat.NotificationHeliosAcquitte
	titre := "PES accepté par la trésorerie : " + t.NomFic
	texte := fmt.Sprintf("Les %d bordereau(x) du PES %s ont été acceptés par la trésorerie (Hélios). Rien d'autre à faire.", len(t.Bordereaux), t.NomFic)
	if t.Refusee() {
		typ = xdemat.NotificationHeliosRefuse
		titre = "PES refusé par la trésorerie : " + t.NomFic
		var b strings.Builder
		fmt.Fprintf(&b, "La trésorerie (Hélios) a refusé le PES %s.", t.NomFic)
		for _, e := range t.Explications {
			b.WriteString("\n" + e)
		}
		for _, bo := range t.Bordereaux {
			if bo.Statut != xdemat.HeliosRefuse {
				continue
			}
			fmt.Fprintf(&b, "\nBordereau de %s n° %s (exercice %s) refusé.", libelleDomaine(bo.Domaine), bo.Numero, bo.Exercice)
			for _, e := range bo.Explications {
				b.WriteString("\n" + e)
			}
		}
		b.WriteString("\nCorrigez dans le logiciel de comptabilité, produisez un nouveau PES (nouveau nom de fichier) et déposez-le dans le dossier d'export : il repassera à la signature.")
		texte = b.String()
	}
	return notifier(ctx, tx, t, typ, t.ID, titre, texte, now)
}

// notifier raises one Hélios notification for the depositor of the dossier
// and every secrétaire; cle makes its ID, the same on every poste.
func notifier(ctx context.Context, tx *sql.Tx, t *xdemat.TransmissionPES, typ, cle, titre, texte string, now time.Time) error {
	var destinataires []string
	vus := map[string]bool{}
	if d, _, err := loadDossier(ctx, tx, t.DossierID); err != nil {
		return err
	} else if d != nil && d.DeposePar != "" {
		destinataires, vus[d.DeposePar] = append(destinataires, d.DeposePar), true
	}
	us, err := txUtilisateurs(ctx, tx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.Role == xdemat.RoleSecretaire && !vus[u.ID] {
			destinataires, vus[u.ID] = append(destinataires, u.ID), true
		}
	}
	tn, _ := xdemat.TypeNotificationParCode(typ)
	for _, pour := range destinataires {
		n := &xdemat.Notification{
			ID:        uuid.NewSHA1(espaceHelios, fmt.Appendf(nil, "%s/%s/%s", cle, typ, pour)).String(),
			CommuneID: t.CommuneID, Type: typ, Severite: tn.Severite, Titre: tronquer(titre, 200), Texte: tronquer(texte, 4000),
			Objet: xdemat.Lien{Ecran: "parapheur", ID: t.DossierID}, Destinataire: pour, CreeLe: stamp(now),
		}
		if _, err := leverTx(ctx, tx, n, now); err != nil {
			return err
		}
	}
	return nil
}

func libelleDomaine(d string) string {
	if d == "recette" {
		return "recette"
	}
	return "dépense"
}
