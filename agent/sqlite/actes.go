package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// Xactes on the poste. Every change is one transaction: the acte, its
// history line, the operation for central and the journal entry. Central
// alone talks to the préfecture; what it learns comes back as events
// (projectActe), applied in the transaction that moves the inbox cursor.

var _ agent.ActesStore = (*Store)(nil)

// registreActe is the register an acte is numbered in: délibérations and
// arrêtés (réglementaires and individuels together, as the paper register
// keeps them), the other natures each their own.
func registreActe(n xdemat.NatureActe) string {
	if n == xdemat.NatureActeIndividuel {
		return xdemat.NatureActeReglementaire.Abrege()
	}
	return n.Abrege()
}

// numeroPropose is the shape of the numéros we propose: register, year, rank.
var numeroPropose = regexp.MustCompile(`^([A-Z]{2})([0-9]{4})_([0-9]{1,6})$`)

func numeroRegistre(reg string, annee, rang int) string {
	return fmt.Sprintf("%s%04d_%03d", reg, annee, rang)
}

// ProposerNumeroActe proposes the next free numéro of the register.
func (s *Store) ProposerNumeroActe(ctx context.Context, nature xdemat.NatureActe, annee int) (string, error) {
	if !nature.Valid() {
		return "", xdemat.Errorf(xdemat.EINVALID, "Choisissez d'abord la nature de l'acte.")
	}
	if annee < 1900 || annee > 9999 {
		return "", xdemat.Errorf(xdemat.EINVALID, "L'année %d n'est pas valide.", annee)
	}
	var out string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = proposerTx(ctx, tx, nature, annee)
		return err
	})
	return out, wrap("propose numero", err)
}

// avancerCompteur moves the register's counter past a numéro of its shape.
func avancerCompteur(ctx context.Context, tx *sql.Tx, a *xdemat.Acte) error {
	m := numeroPropose.FindStringSubmatch(a.NumeroInterne)
	if m == nil || m[1] != registreActe(a.Nature) {
		return nil
	}
	annee, _ := strconv.Atoi(m[2])
	rang, _ := strconv.Atoi(m[3])
	_, err := tx.ExecContext(ctx, `INSERT INTO actes_compteurs (registre, annee, dernier) VALUES (?, ?, ?)
		ON CONFLICT (registre, annee) DO UPDATE SET dernier = MAX(dernier, excluded.dernier)`, m[1], annee, rang)
	return err
}

// CreerActe validates and records a new acte; see agent.ActesStore.
func (s *Store) CreerActe(ctx context.Context, a *xdemat.Acte, auteur string, now time.Time) error {
	if a == nil {
		return xdemat.Errorf(xdemat.EINVALID, "Acte manquant.")
	}
	v := *a
	v.Annexes = append([]xdemat.PieceActe(nil), a.Annexes...)
	if v.ID == "" {
		v.ID = uuid.NewString()
	}
	if !xdemat.ValidUUID(v.ID) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant d'acte invalide.")
	}
	if v.CommuneID == "" {
		if id, err := s.Identity(ctx); err == nil {
			v.CommuneID = id.Commune.ID
		}
	}
	v.Statut, v.CreeLe = xdemat.ActeEnAttenteEnvoi, stamp(now)
	v.NomArchive, v.TransmisLe, v.IdentifiantUnique, v.DateAR, v.Anomalie, v.AnnuleLe = "", time.Time{}, "", time.Time{}, "", time.Time{}
	v.DocumentAR = ""
	if err := v.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := piecesEnregistrees(ctx, tx, &v); err != nil {
			return err
		}
		if err := verifierClassificationTx(ctx, tx, v.Classification); err != nil { // reponseprefecture.go
			return err
		}
		var autre string
		err := tx.QueryRowContext(ctx, `SELECT id FROM actes WHERE numero = ?`, v.NumeroInterne).Scan(&autre)
		switch {
		case err == nil && autre == v.ID:
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est déjà enregistré.", v.NumeroInterne)
		case err == nil:
			prop, _ := proposerTx(ctx, tx, v.Nature, v.DateDecision.In(xdemat.Paris).Year())
			return xdemat.Errorf(xdemat.ECONFLICT, "Le numéro %s est déjà celui d'un autre acte de la commune : choisissez-en un autre (par exemple %s).", v.NumeroInterne, prop)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if err := saveActe(ctx, tx, &v, true); err != nil {
			return err
		}
		if err := avancerCompteur(ctx, tx, &v); err != nil {
			return err
		}
		data, err := json.Marshal(&v)
		if err != nil {
			return err
		}
		docs := []string{}
		for _, p := range v.Documents() {
			docs = append(docs, p.SHA256)
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActeCree, auteur, data, docs, now); err != nil {
			return err
		}
		details := fmt.Sprintf("%s n° %s du %s : « %s » (matière %s)", v.Nature.Libelle(), v.NumeroInterne,
			v.DateDecision.In(xdemat.Paris).Format("02/01/2006"), v.Objet, v.Classification)
		if err := historiser(ctx, tx, v.ID, agent.EntreeActe{Le: v.CreeLe, Action: xdemat.OperationActeCree, Statut: v.Statut, Par: auteur, Details: details}); err != nil {
			return err
		}
		return appendJournal(ctx, tx, &xdemat.Journal{Date: v.CreeLe, Acteur: auteur, Action: xdemat.OperationActeCree, Objet: v.DocumentPrincipal.SHA256, Details: details})
	})
	if err != nil {
		return wrap("create acte", err)
	}
	*a = v
	return nil
}

// proposerTx is ProposerNumeroActe inside tx, for the message of a refusal.
func proposerTx(ctx context.Context, tx *sql.Tx, nature xdemat.NatureActe, annee int) (string, error) {
	reg := registreActe(nature)
	var dernier int
	if err := tx.QueryRowContext(ctx, `SELECT dernier FROM actes_compteurs WHERE registre = ? AND annee = ?`, reg, annee).Scan(&dernier); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	for rang := dernier + 1; ; rang++ {
		n := numeroRegistre(reg, annee, rang)
		var pris int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM actes WHERE numero = ?`, n).Scan(&pris); err != nil {
			return "", err
		}
		if pris == 0 {
			return n, nil
		}
	}
}

// piecesEnregistrees checks that every document of the acte is on this
// poste with the size and kind announced, and fills the media type.
func piecesEnregistrees(ctx context.Context, tx *sql.Tx, a *xdemat.Acte) error {
	pieces := []*xdemat.PieceActe{&a.DocumentPrincipal}
	for i := range a.Annexes {
		pieces = append(pieces, &a.Annexes[i])
	}
	for _, p := range pieces {
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
	}
	// Sizes now come from the store: check the total again.
	return a.Validate()
}

// saveActe writes a; creation refuses an existing ID.
func saveActe(ctx context.Context, tx *sql.Tx, a *xdemat.Acte, creation bool) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if creation {
		_, err = tx.ExecContext(ctx, `INSERT INTO actes (id, numero, nature, annee, statut, date_decision, modifie_le, donnees)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.NumeroInterne, int(a.Nature), a.DateDecision.In(xdemat.Paris).Year(), string(a.Statut), micro(a.DateDecision), micro(time.Now()), string(data))
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE actes SET statut = ?, modifie_le = ?, donnees = ? WHERE id = ?`,
		string(a.Statut), micro(time.Now()), string(data), a.ID)
	return err
}

func historiser(ctx context.Context, tx *sql.Tx, acteID string, e agent.EntreeActe) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO actes_historique (acte_id, rang, le, action, statut, par, details)
		VALUES (?, (SELECT COALESCE(MAX(rang), 0) + 1 FROM actes_historique WHERE acte_id = ?), ?, ?, ?, ?, ?)`,
		acteID, acteID, micro(stamp(e.Le)), e.Action, string(e.Statut), e.Par, e.Details)
	return err
}

func acteInconnu() error {
	return xdemat.Errorf(xdemat.ENOTFOUND, "Cet acte n'est pas (ou plus) enregistré sur ce poste.")
}

type ligneActe struct {
	acte      *xdemat.Acte
	dossierID string
	envoyeLe  time.Time
}

func loadActe(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (*ligneActe, error) {
	var data string
	var dossier sql.NullString
	var envoye sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT donnees, dossier_id, envoye_le FROM actes WHERE id = ?`, id).Scan(&data, &dossier, &envoye)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, acteInconnu()
	} else if err != nil {
		return nil, err
	}
	var a xdemat.Acte
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return nil, err
	}
	return &ligneActe{acte: &a, dossierID: dossier.String, envoyeLe: fromNullMicro(envoye)}, nil
}

// Actes returns what f selects, newest decision first.
func (s *Store) Actes(ctx context.Context, f agent.FiltreActes) ([]*xdemat.Acte, error) {
	q := `SELECT donnees FROM actes WHERE 1 = 1`
	var args []any
	if f.Nature != 0 {
		q += ` AND nature = ?`
		args = append(args, int(f.Nature))
	}
	if f.Annee != 0 {
		q += ` AND annee = ?`
		args = append(args, f.Annee)
	}
	if f.Statut != "" {
		q += ` AND statut = ?`
		args = append(args, string(f.Statut))
	}
	q += ` ORDER BY date_decision DESC, numero DESC`
	if f.Limite > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limite)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("actes", err)
	}
	defer rows.Close()
	out := []*xdemat.Acte{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("actes", err)
		}
		var a xdemat.Acte
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return nil, wrap("actes", err)
		}
		out = append(out, &a)
	}
	return out, wrap("actes", rows.Err())
}

// FicheActe returns the acte with its history and messages.
func (s *Store) FicheActe(ctx context.Context, id string) (*agent.FicheActe, error) {
	var f *agent.FicheActe
	err := s.read(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, id)
		if err != nil {
			return err
		}
		f = &agent.FicheActe{Acte: l.acte, DossierID: l.dossierID, EnvoyeLe: l.envoyeLe, Historique: []agent.EntreeActe{}, Messages: []*xdemat.MessagePrefecture{}}
		rows, err := tx.QueryContext(ctx, `SELECT le, action, statut, par, details FROM actes_historique WHERE acte_id = ? ORDER BY rang`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e agent.EntreeActe
			var le int64
			var st string
			if err := rows.Scan(&le, &e.Action, &st, &e.Par, &e.Details); err != nil {
				rows.Close()
				return err
			}
			e.Le, e.Statut = fromMicro(le), xdemat.StatutActe(st)
			f.Historique = append(f.Historique, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT donnees FROM actes_messages WHERE acte_id = ? ORDER BY recu_le, id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			if err := rows.Scan(&data); err != nil {
				return err
			}
			var m xdemat.MessagePrefecture
			if json.Unmarshal([]byte(data), &m) == nil {
				f.Messages = append(f.Messages, &m)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		f.Reponses, err = reponsesActeTx(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, wrap("fiche acte", err)
	}
	return f, nil
}

// typeDossierActe is the parapheur's kind of dossier for an acte.
func typeDossierActe(n xdemat.NatureActe) xdemat.TypeDossier {
	if n == xdemat.NatureDeliberation {
		return xdemat.DossierDeliberation
	}
	return xdemat.DossierArrete
}

// EnvoyerActe sends an acte; see agent.ActesStore.
func (s *Store) EnvoyerActe(ctx context.Context, id, par string, viaParapheur bool, etapes []xdemat.Etape, now time.Time) (*xdemat.Acte, string, error) {
	communeID := ""
	if ident, err := s.Identity(ctx); err == nil {
		communeID = ident.Commune.ID
	}
	var out *xdemat.Acte
	var dossierID string
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, id)
		if err != nil {
			return err
		}
		a := l.acte
		switch {
		case a.Statut == xdemat.ActeEnErreur:
			// Corrected after a refusal: it goes again.
			if err := a.Reprendre(); err != nil {
				return err
			}
		case a.Statut != xdemat.ActeEnAttenteEnvoi:
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est « %s » : il a déjà été envoyé.", a.NumeroInterne, a.Statut.Libelle())
		case !l.envoyeLe.IsZero():
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est déjà parti vers la préfecture le %s : attendez sa réponse.", a.NumeroInterne, l.envoyeLe.In(xdemat.Paris).Format("02/01/2006 à 15:04"))
		case l.dossierID != "":
			if d, _, err := loadDossier(ctx, tx, l.dossierID); err != nil {
				return err
			} else if d != nil && d.Etat == xdemat.DossierEnCours {
				return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s attend déjà sa signature dans le parapheur.", a.NumeroInterne)
			}
		}
		if !viaParapheur {
			if err := transmettreTx(ctx, tx, a, "", par, now); err != nil {
				return err
			}
			out = a
			return nil
		}
		if a.DocumentPrincipal.Format() != xdemat.FormatPDF {
			return xdemat.Errorf(xdemat.EINVALID, "Le document principal de l'acte %s n'est pas un PDF : il ne peut pas être signé dans le parapheur ; envoyez-le directement.", a.NumeroInterne)
		}
		d := &xdemat.DossierParapheur{
			ID: uuid.NewString(), CommuneID: communeID,
			Titre: tronquer(fmt.Sprintf("%s n° %s : %s", a.Nature.Libelle(), a.NumeroInterne, a.Objet), xdemat.TailleMaxTitre),
			Type:  typeDossierActe(a.Nature), Documents: []string{a.DocumentPrincipal.SHA256}, DeposePar: par,
			Etapes: append([]xdemat.Etape(nil), etapes...),
		}
		if len(d.Etapes) == 0 {
			d.Etapes = xdemat.ModeleCircuit(d.Type)
		}
		if err := d.Deposer(par, stamp(now)); err != nil {
			return err
		}
		if err := deposerTx(ctx, tx, d, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE actes SET dossier_id = ? WHERE id = ?`, d.ID, a.ID); err != nil {
			return err
		}
		if err := saveActe(ctx, tx, a, false); err != nil {
			return err
		}
		if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationParapheurDepose, Statut: a.Statut, Par: par,
			Details: "Déposé dans le parapheur pour signature (dossier " + d.ID + ")."}); err != nil {
			return err
		}
		out, dossierID = a, d.ID
		return nil
	})
	if err != nil {
		return nil, "", wrap("send acte", err)
	}
	return out, dossierID, nil
}

// transmettreTx queues the transmission of a (its main document as it
// stands) and marks it sent, so that it is never queued twice.
func transmettreTx(ctx context.Context, tx *sql.Tx, a *xdemat.Acte, dossierID, par string, now time.Time) error {
	t := xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: a.DocumentPrincipal, DossierID: dossierID, Le: stamp(now)}
	if err := t.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(&t)
	if err != nil {
		return err
	}
	// Only the documents held here travel with the operation: a signature
	// relayed from another poste left the signed PDF on central already.
	var docs []string
	for _, p := range a.Documents() {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE sha256 = ?`, p.SHA256).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			docs = append(docs, p.SHA256)
		}
	}
	if _, err := enqueueTx(ctx, tx, xdemat.OperationActeTransmettre, par, data, docs, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE actes SET envoye_le = ? WHERE id = ?`, micro(stamp(now)), a.ID); err != nil {
		return err
	}
	if err := saveActe(ctx, tx, a, false); err != nil {
		return err
	}
	details := fmt.Sprintf("Envoi à la préfecture demandé (document principal %s…).", a.DocumentPrincipal.SHA256[:12])
	if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationActeTransmettre, Statut: a.Statut, Par: par, Details: details}); err != nil {
		return err
	}
	acteur := par
	if acteur == "" {
		acteur = "agent"
	}
	return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: acteur, Action: xdemat.OperationActeTransmettre,
		Objet: a.DocumentPrincipal.SHA256, Details: fmt.Sprintf("%s n° %s (acte %s)", a.Nature.Libelle(), a.NumeroInterne, a.ID)})
}

// acteApresSignature queues, once, the transmission of the acte that the
// dossier d carried, now signed (here or on another poste): its main
// document becomes the signed PDF.
func acteApresSignature(ctx context.Context, tx *sql.Tx, d *xdemat.DossierParapheur, now time.Time) error {
	if d.Etat != xdemat.DossierSigne || len(d.Documents) == 0 {
		return nil
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM actes WHERE dossier_id = ? AND envoye_le IS NULL`, d.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	l, err := loadActe(ctx, tx, id)
	if err != nil {
		return err
	}
	a := l.acte
	if a.Statut != xdemat.ActeEnAttenteEnvoi {
		return nil
	}
	signe := d.Documents[0]
	if signe != a.DocumentPrincipal.SHA256 {
		a.DocumentPrincipal.SHA256 = signe
		var taille int64
		if err := tx.QueryRowContext(ctx, `SELECT taille FROM documents WHERE sha256 = ?`, signe).Scan(&taille); err == nil {
			a.DocumentPrincipal.Taille = taille
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	par := ""
	if n := len(d.Historique); n > 0 {
		par = d.Historique[n-1].Par
	}
	if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationParapheurSigne, Statut: a.Statut, Par: par,
		Details: "Signé dans le parapheur (document signé " + signe[:12] + "…)."}); err != nil {
		return err
	}
	return transmettreTx(ctx, tx, a, d.ID, par, now)
}

// AnnulerActe asks for the cancellation of an acte; see agent.ActesStore.
func (s *Store) AnnulerActe(ctx context.Context, id, par, motif string, now time.Time) (*xdemat.Acte, error) {
	demande := xdemat.AnnulationActe{ActeID: id, Motif: strings.TrimSpace(motif), Le: stamp(now)}
	if err := demande.Validate(); err != nil {
		return nil, err
	}
	var out *xdemat.Acte
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, id)
		if err != nil {
			return err
		}
		a := l.acte
		var details string
		switch {
		case a.Statut == xdemat.ActeAcquitte:
			if err := a.DemanderAnnulation(); err != nil {
				return err
			}
			details = "Annulation demandée à la préfecture."
		case a.Statut == xdemat.ActeTransmis || (a.Statut == xdemat.ActeEnAttenteEnvoi && !l.envoyeLe.IsZero()):
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est en route vers la préfecture : attendez son accusé de réception pour l'annuler.", a.NumeroInterne)
		case a.Statut == xdemat.ActeEnAttenteEnvoi || a.Statut == xdemat.ActeEnErreur:
			if err := a.Annuler(stamp(now)); err != nil {
				return err
			}
			details = "Retiré avant tout envoi à la préfecture."
		default:
			return xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est « %s » : il ne peut pas être annulé.", a.NumeroInterne, a.Statut.Libelle())
		}
		if demande.Motif != "" {
			details += " Motif : " + demande.Motif
		}
		data, err := json.Marshal(&demande)
		if err != nil {
			return err
		}
		if err := saveActe(ctx, tx, a, false); err != nil {
			return err
		}
		if _, err := enqueueTx(ctx, tx, xdemat.OperationActeAnnuler, par, data, nil, now); err != nil {
			return err
		}
		if err := historiser(ctx, tx, a.ID, agent.EntreeActe{Le: now, Action: xdemat.OperationActeAnnuler, Statut: a.Statut, Par: par, Details: details}); err != nil {
			return err
		}
		out = a
		return appendJournal(ctx, tx, &xdemat.Journal{Date: stamp(now), Acteur: par, Action: xdemat.OperationActeAnnuler,
			Objet: a.DocumentPrincipal.SHA256, Details: fmt.Sprintf("%s n° %s : %s", a.Nature.Libelle(), a.NumeroInterne, details)})
	})
	if err != nil {
		return nil, wrap("cancel acte", err)
	}
	return out, nil
}

// projectActe applies an event of Xactes relayed by central. Like project,
// a payload that cannot be read is skipped; central is the authority on
// the status, so its word replaces the local one.
func projectActe(ctx context.Context, tx *sql.Tx, ev *xdemat.Evenement) error {
	switch ev.Type {
	case xdemat.EvenementActeReponse: // reponseprefecture.go
		return projectReponse(ctx, tx, ev)
	case xdemat.OperationActeCorriger:
		return projectCorrection(ctx, tx, ev)
	case xdemat.EvenementActeClassification:
		return projectClassification(ctx, tx, ev)
	case xdemat.OperationActeCree:
		var a xdemat.Acte
		if json.Unmarshal(ev.Payload, &a) != nil || !xdemat.ValidUUID(a.ID) || a.Validate() != nil {
			return nil
		}
		if _, err := loadActe(ctx, tx, a.ID); err == nil {
			return nil // ours, or already received
		} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			return err
		}
		var pris int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM actes WHERE numero = ?`, a.NumeroInterne).Scan(&pris); err != nil || pris > 0 {
			return err // two postes offline chose the same numéro: central decides
		}
		if a.Statut == "" {
			a.Statut = xdemat.ActeEnAttenteEnvoi
		}
		if err := saveActe(ctx, tx, &a, true); err != nil {
			return err
		}
		if err := avancerCompteur(ctx, tx, &a); err != nil {
			return err
		}
		return historiser(ctx, tx, a.ID, agent.EntreeActe{Le: ev.CreeLe, Action: ev.Type, Statut: a.Statut,
			Details: fmt.Sprintf("%s n° %s créé sur un autre poste.", a.Nature.Libelle(), a.NumeroInterne)})

	case xdemat.EvenementActeStatut:
		var c xdemat.StatutActeChange
		if json.Unmarshal(ev.Payload, &c) != nil || c.Validate() != nil {
			return nil
		}
		l, err := loadActe(ctx, tx, c.ActeID)
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		a := l.acte
		avant := a.Statut
		if c.Appliquer(a) != nil {
			// Central's word stands even when this poste missed a step.
			a.Statut = c.Statut
			if !c.TransmisLe.IsZero() {
				a.NomArchive, a.TransmisLe = c.NomArchive, c.TransmisLe
			}
			if c.IdentifiantUnique != "" {
				a.IdentifiantUnique, a.DateAR = c.IdentifiantUnique, c.DateAR
			}
			if c.DocumentAR != "" {
				a.DocumentAR = c.DocumentAR
			}
			a.Anomalie, a.AnnuleLe = c.Anomalie, c.AnnuleLe
		}
		if err := saveActe(ctx, tx, a, false); err != nil {
			return err
		}
		if a.Statut == xdemat.ActeEnErreur {
			// Refused: once corrected it may be sent again.
			if _, err := tx.ExecContext(ctx, `UPDATE actes SET envoye_le = NULL WHERE id = ?`, a.ID); err != nil {
				return err
			}
		}
		if avant == a.Statut && a.Statut != xdemat.ActeEnErreur {
			return nil
		}
		return historiser(ctx, tx, a.ID, agent.EntreeActe{Le: c.Le, Action: ev.Type, Statut: a.Statut, Details: detailsStatut(a)})

	case xdemat.EvenementActeMessage:
		var m xdemat.MessagePrefecture
		if json.Unmarshal(ev.Payload, &m) != nil || m.Validate() != nil {
			return nil
		}
		data, err := json.Marshal(&m)
		if err != nil {
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO actes_messages (id, acte_id, recu_le, donnees) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			m.ID, m.ActeID, micro(stamp(m.RecuLe)), string(data))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		l, err := loadActe(ctx, tx, m.ActeID)
		if err != nil {
			return nil // an acte this poste does not know: the message waits for it
		}
		return historiser(ctx, tx, m.ActeID, agent.EntreeActe{Le: m.RecuLe, Action: ev.Type, Statut: l.acte.Statut,
			Details: m.Type.Libelle() + " de la préfecture : " + m.Texte})
	}
	return nil
}

// detailsStatut says in French what the new status of a brings.
func detailsStatut(a *xdemat.Acte) string {
	switch a.Statut {
	case xdemat.ActeTransmis:
		return "Transmis à la préfecture (archive " + a.NomArchive + ")."
	case xdemat.ActeAcquitte:
		return fmt.Sprintf("Accusé de réception de la préfecture du %s, identifiant unique %s.", a.DateAR.In(xdemat.Paris).Format("02/01/2006"), a.IdentifiantUnique)
	case xdemat.ActeEnErreur:
		return "Refusé par la préfecture : " + a.Anomalie
	case xdemat.ActeAnnule:
		return "Annulé."
	}
	return a.Statut.Libelle() + "."
}

// documentsDesActes adds to all the documents of the actes not in seen.
func documentsDesActes(ctx context.Context, tx *sql.Tx, all []agent.DocumentManquant, seen map[string]bool) ([]agent.DocumentManquant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT donnees FROM actes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var a xdemat.Acte
		if json.Unmarshal([]byte(data), &a) != nil {
			continue
		}
		for _, p := range a.Documents() {
			if !seen[p.SHA256] {
				seen[p.SHA256] = true
				all = append(all, agent.DocumentManquant{SHA256: p.SHA256, Titre: fmt.Sprintf("%s n° %s", a.Nature.Libelle(), a.NumeroInterne)})
			}
		}
		// The AR file central kept (see actesar.go).
		if h := a.DocumentAR; xdemat.ValidSHA256(h) && !seen[h] {
			seen[h] = true
			all = append(all, agent.DocumentManquant{SHA256: h, Titre: "Accusé de réception " + a.NumeroInterne})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return documentsDesMessages(ctx, tx, all, seen)
}
