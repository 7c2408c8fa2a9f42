package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// Publication. acte.publier, acte.depublier, seance.pv.publier and
// commune.publicite are projected, scoped by the poste's commune, into
// publications, proces_verbaux and publicites; the public pages read them
// by the commune's SIREN and see only what is online. The poste's clock is
// not trusted for the dates that the law counts from: central's is.

var _ central.PublicationStore = (*Store)(nil)

// publicationProjection is the decoded payload of a publication operation.
type publicationProjection struct {
	publication *xdemat.PublicationActe
	retrait     *xdemat.RetraitPublication
	pv          *xdemat.ProcesVerbal
	publicite   *xdemat.Publicite
}

// decodePublication checks the payload of a publication operation; nil, nil
// for another type.
func decodePublication(op *xdemat.Operation) (*publicationProjection, error) {
	pp := &publicationProjection{}
	var target any
	switch op.Type {
	case xdemat.OperationActePublier:
		pp.publication = new(xdemat.PublicationActe)
		target = pp.publication
	case xdemat.OperationActeDepublier:
		pp.retrait = new(xdemat.RetraitPublication)
		target = pp.retrait
	case xdemat.OperationPVPublier:
		pp.pv = new(xdemat.ProcesVerbal)
		target = pp.pv
	case xdemat.OperationCommunePublicite:
		pp.publicite = new(xdemat.Publicite)
		target = pp.publicite
	default:
		return nil, nil
	}
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, target) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	var err error
	switch {
	case pp.publication != nil:
		pp.publication.RetireLe = time.Time{} // taken offline only by acte.depublier
		err = pp.publication.Validate()
	case pp.retrait != nil:
		err = pp.retrait.Validate()
	case pp.pv != nil:
		err = pp.pv.Validate()
		if err == nil && !slices.Contains(op.Documents, pp.pv.DocumentSHA256) {
			// Only a document listed by the operation is known to be stored for the commune.
			err = xdemat.Errorf(xdemat.EINVALID, "le procès-verbal n'accompagne pas l'opération.")
		}
	default:
		// Checked against the commune's population when projected.
		if !pp.publicite.Mode.Valid() && pp.publicite.Mode != "" {
			err = xdemat.Errorf(xdemat.EINVALID, "mode de publicité inconnu.")
		}
	}
	if err != nil {
		return nil, err
	}
	return pp, nil
}

// refusPublication tells the commune why a publication operation changed
// nothing; its ID comes from the operation, so that a replay notifies once.
func (t tx) refusPublication(ctx context.Context, a *appender, op *xdemat.Operation, titre, texte string, now time.Time) error {
	tn, _ := xdemat.TypeNotificationParCode(xdemat.NotificationEnvoiRefuse)
	n := &xdemat.Notification{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("publication/refus/"+op.ID)).String(), Type: tn.Code, Severite: tn.Severite,
		Titre: tronquerTitre(titre), Texte: texte, Objet: xdemat.Lien{Ecran: "actes"}, Destinataire: op.Auteur, CreeLe: now}
	return t.leverNotificationActe(ctx, a, n, now)
}

// projectPublication applies a publication operation of poste p and relays it.
func (t tx) projectPublication(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, pp *publicationProjection, now time.Time) error {
	switch {
	case pp.publication != nil:
		return t.publierActe(ctx, a, p, op, pp.publication, now)
	case pp.retrait != nil:
		return t.depublierActe(ctx, a, p, op, pp.retrait, now)
	case pp.pv != nil:
		return t.publierPV(ctx, a, p, op, pp.pv, now)
	}
	return t.enregistrerPublicite(ctx, a, p, op, pp.publicite, now)
}

func (t tx) publierActe(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, pub *xdemat.PublicationActe, now time.Time) error {
	l, err := t.loadActe(ctx, p.CommuneID, pub.ActeID)
	if err != nil {
		return err
	}
	if l == nil {
		return t.refusPublication(ctx, a, op, "Acte non publié", "L'acte à publier est inconnu du serveur de la SPL : attendez que l'acte soit synchronisé, puis publiez-le de nouveau.", now)
	}
	ac := l.acte
	switch {
	case ac.Statut == xdemat.ActeAnnule:
		return t.refusPublication(ctx, a, op, "Acte non publié : "+ac.NumeroInterne, fmt.Sprintf("L'acte n° %s est annulé : il ne peut pas être publié.", ac.NumeroInterne), now)
	case pub.DocumentSHA256 != ac.DocumentPrincipal.SHA256:
		return t.refusPublication(ctx, a, op, "Acte non publié : "+ac.NumeroInterne, fmt.Sprintf("Le document à publier n'est pas celui de l'acte n° %s tel que la SPL le connaît : publiez l'acte depuis sa fiche, une fois transmis.", ac.NumeroInterne), now)
	}
	var retire *int64
	err = t.queryRow(ctx, "SELECT retire_le FROM publications WHERE commune_id = ? AND acte_id = ?", p.CommuneID, ac.ID).Scan(&retire)
	switch {
	case err == nil && retire == nil:
		return nil // online already: the first publication stands (its date counts)
	case err != nil && !notFound(err):
		return t.s.errorf("read publication: %w", err)
	}
	// The date it was put online is the one central saw (PUB-07, PUB-08).
	pub.PublieLe = now
	seance := ""
	if ac.Nature == xdemat.NatureDeliberation {
		seance = xdemat.JourSeance(ac.DateDecision)
	}
	b, err := t.marshal(pub)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "INSERT INTO publications (commune_id, acte_id, seance, publie_le, retire_le, donnees) VALUES (?, ?, ?, ?, NULL, ?) "+
		"ON CONFLICT (commune_id, acte_id) DO UPDATE SET seance = excluded.seance, publie_le = excluded.publie_le, retire_le = NULL, donnees = excluded.donnees",
		p.CommuneID, ac.ID, seance, micros(now), b); err != nil {
		return t.s.errorf("insert publication: %w", err)
	}
	if err := a.event(ctx, op.Type, ac.ID, p.ID, pub, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: pub.DocumentSHA256,
		Details: fmt.Sprintf("%s n° %s mis en ligne (auteur : %s)", ac.Nature.Libelle(), ac.NumeroInterne, pub.Auteur)})
}

func (t tx) depublierActe(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, r *xdemat.RetraitPublication, now time.Time) error {
	var b []byte
	var retire *int64
	err := t.queryRow(ctx, "SELECT retire_le, donnees FROM publications WHERE commune_id = ? AND acte_id = ?", p.CommuneID, r.ActeID).Scan(&retire, &b)
	if notFound(err) || (err == nil && retire != nil) {
		return nil // never online, or offline already
	}
	if err != nil {
		return t.s.errorf("read publication: %w", err)
	}
	var pub xdemat.PublicationActe
	if err := json.Unmarshal(b, &pub); err != nil {
		return t.s.errorf("read publication: %w", err)
	}
	if err := pub.Retirer(now); err != nil {
		return t.refusPublication(ctx, a, op, "Acte toujours en ligne", xdemat.ErrorMessage(err), now)
	}
	if b, err = t.marshal(&pub); err != nil {
		return err
	}
	if _, err := t.exec(ctx, "UPDATE publications SET retire_le = ?, donnees = ? WHERE commune_id = ? AND acte_id = ?", micros(now), b, p.CommuneID, r.ActeID); err != nil {
		return t.s.errorf("retire publication: %w", err)
	}
	r.Le = now
	if err := a.event(ctx, op.Type, r.ActeID, p.ID, r, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: pub.DocumentSHA256,
		Details: "Acte retiré du site de la commune"})
}

func (t tx) publierPV(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, pv *xdemat.ProcesVerbal, now time.Time) error {
	pv.PublieLe = now
	pv.DateSeance, _ = xdemat.ParseJourSeance(xdemat.JourSeance(pv.DateSeance))
	b, err := t.marshal(pv)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, "INSERT INTO proces_verbaux (commune_id, id, seance, publie_le, donnees) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		p.CommuneID, pv.ID, xdemat.JourSeance(pv.DateSeance), micros(now), b)
	if err != nil {
		return t.s.errorf("insert pv: %w", err)
	}
	if n, err := t.s.rowsAffected(res); err != nil || n == 0 {
		return err // the same PV twice: the first stands
	}
	if err := a.event(ctx, op.Type, pv.ID, p.ID, pv, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: pv.DocumentSHA256,
		Details: "Procès-verbal de la séance du " + pv.DateSeance.In(xdemat.Paris).Format("02/01/2006") + " mis en ligne"})
}

func (t tx) enregistrerPublicite(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, pu *xdemat.Publicite, now time.Time) error {
	var population int
	if err := t.queryRow(ctx, "SELECT population FROM communes WHERE id = ?", p.CommuneID).Scan(&population); err != nil {
		return t.s.errorf("read commune: %w", err)
	}
	if err := pu.Validate(population); err != nil {
		return t.refusPublication(ctx, a, op, "Mode de publicité non enregistré", xdemat.ErrorMessage(err), now)
	}
	if pu.ModifieLe.IsZero() || pu.ModifieLe.After(now) {
		pu.ModifieLe = now
	}
	pu.ModifieLe, pu.DateDeliberation = ts(pu.ModifieLe), ts(pu.DateDeliberation)
	b, err := t.marshal(pu)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, "INSERT INTO publicites (commune_id, mode, modifie_le, donnees) VALUES (?, ?, ?, ?) "+
		"ON CONFLICT (commune_id) DO UPDATE SET mode = excluded.mode, modifie_le = excluded.modifie_le, donnees = excluded.donnees WHERE publicites.modifie_le < excluded.modifie_le",
		p.CommuneID, string(pu.Mode), micros(pu.ModifieLe), b)
	if err != nil {
		return t.s.errorf("save publicite: %w", err)
	}
	if n, err := t.s.rowsAffected(res); err != nil || n == 0 {
		return err // an older choice arriving late
	}
	if err := a.event(ctx, op.Type, p.CommuneID, p.ID, pu, now); err != nil {
		return err
	}
	return a.journal(ctx, &xdemat.Journal{Date: now, Acteur: acteurOp(op), Action: op.Type, Objet: pu.ReferenceDeliberation,
		Details: "Mode de publicité des actes : " + pu.Mode.Libelle()})
}

// --- public reads: by the commune's SIREN, only what is online ---

// publiciteDe returns the mode the commune chose, electronic by default.
func (s *Store) publiciteDe(ctx context.Context, communeID string) (xdemat.Publicite, error) {
	var b []byte
	err := s.queryRow(ctx, "SELECT donnees FROM publicites WHERE commune_id = ?", communeID).Scan(&b)
	if notFound(err) {
		return xdemat.PubliciteParDefaut(), nil
	}
	if err != nil {
		return xdemat.Publicite{}, s.errorf("read publicite: %w", err)
	}
	var pu xdemat.Publicite
	if err := json.Unmarshal(b, &pu); err != nil {
		return xdemat.Publicite{}, s.errorf("read publicite: %w", err)
	}
	return pu, nil
}

// CommunesPubliques returns the communes that have something online or
// publish on paper, by name.
func (s *Store) CommunesPubliques(ctx context.Context, now time.Time) ([]*central.CommunePublique, error) {
	n := micros(now)
	cs, err := list(ctx, s, scanCommune, "SELECT "+communeCols+" FROM communes c WHERE "+
		"EXISTS (SELECT 1 FROM publications p WHERE p.commune_id = c.id AND p.publie_le <= ? AND (p.retire_le IS NULL OR p.retire_le > ?)) "+
		"OR EXISTS (SELECT 1 FROM proces_verbaux v WHERE v.commune_id = c.id AND v.publie_le <= ?) "+
		"OR EXISTS (SELECT 1 FROM publicites u WHERE u.commune_id = c.id AND u.mode <> ?) ORDER BY nom, id",
		n, n, n, string(xdemat.PubliciteElectronique))
	if err != nil {
		return nil, err
	}
	out := make([]*central.CommunePublique, 0, len(cs))
	for _, c := range cs {
		pu, err := s.publiciteDe(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &central.CommunePublique{Commune: c, Publicite: pu})
	}
	return out, nil
}

// CommunePublique returns the commune of that SIREN with its mode de publicité.
func (s *Store) CommunePublique(ctx context.Context, siren string) (*central.CommunePublique, error) {
	if !xdemat.ValidSIREN(siren) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucune commune ne porte ce numéro SIREN.")
	}
	cs, err := list(ctx, s, scanCommune, "SELECT "+communeCols+" FROM communes WHERE siren = ?", siren)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucune commune ne porte ce numéro SIREN.")
	}
	pu, err := s.publiciteDe(ctx, cs[0].ID)
	if err != nil {
		return nil, err
	}
	return &central.CommunePublique{Commune: cs[0], Publicite: pu}, nil
}

func scanActePublie(r scanner) (*central.ActePublie, error) {
	var ba, bp []byte
	if err := r.Scan(&ba, &bp); err != nil {
		return nil, err
	}
	ap := &central.ActePublie{Acte: new(xdemat.Acte)}
	if err := json.Unmarshal(ba, ap.Acte); err != nil {
		return nil, err
	}
	return ap, json.Unmarshal(bp, &ap.Publication)
}

// enLigne selects the publications p of the commune online at now, of
// actes a not annulled.
const enLigne = "SELECT a.donnees, p.donnees FROM publications p JOIN actes a ON a.commune_id = p.commune_id AND a.id = p.acte_id " +
	"WHERE p.commune_id = ? AND p.publie_le <= ? AND (p.retire_le IS NULL OR p.retire_le > ?) AND a.statut <> 'annule'"

// ActesPublies returns the actes of the commune online at now, newest put
// online first, a page of them, and how many are online.
func (s *Store) ActesPublies(ctx context.Context, communeID string, now time.Time, limit, offset int) ([]*central.ActePublie, int, error) {
	n := micros(now)
	var total int
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM ("+enLigne+") t", communeID, n, n).Scan(&total); err != nil {
		return nil, 0, s.errorf("count publications: %w", err)
	}
	q := enLigne + " ORDER BY p.publie_le DESC, p.acte_id"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(0, offset))
	}
	ls, err := list(ctx, s, scanActePublie, q, communeID, n, n)
	return ls, total, err
}

// ActePublie returns one acte online at now; ENOTFOUND otherwise.
func (s *Store) ActePublie(ctx context.Context, communeID, acteID string, now time.Time) (*central.ActePublie, error) {
	n := micros(now)
	ls, err := list(ctx, s, scanActePublie, enLigne+" AND p.acte_id = ?", communeID, n, n, acteID)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cet acte n'est pas publié par la commune.")
	}
	return ls[0], nil
}

// SeancesPubliees returns the dates of the séances with a délibération or a PV online, newest first.
func (s *Store) SeancesPubliees(ctx context.Context, communeID string, now time.Time) ([]time.Time, error) {
	n := micros(now)
	scanJour := func(r scanner) (string, error) {
		var j string
		return j, r.Scan(&j)
	}
	jours, err := list(ctx, s, scanJour, "SELECT p.seance FROM publications p JOIN actes a ON a.commune_id = p.commune_id AND a.id = p.acte_id "+
		"WHERE p.commune_id = ? AND p.seance <> '' AND p.publie_le <= ? AND (p.retire_le IS NULL OR p.retire_le > ?) AND a.statut <> 'annule' "+
		"UNION SELECT seance FROM proces_verbaux WHERE commune_id = ? AND publie_le <= ?", communeID, n, n, communeID, n)
	if err != nil {
		return nil, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(jours)))
	out := make([]time.Time, 0, len(jours))
	for _, j := range jours {
		if d, err := xdemat.ParseJourSeance(j); err == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

func scanPV(r scanner) (*xdemat.ProcesVerbal, error) {
	var b []byte
	if err := r.Scan(&b); err != nil {
		return nil, err
	}
	pv := new(xdemat.ProcesVerbal)
	return pv, json.Unmarshal(b, pv)
}

// SeancePubliee returns what the séance of that date has online; ENOTFOUND when nothing.
func (s *Store) SeancePubliee(ctx context.Context, communeID string, date time.Time, now time.Time) (*central.SeancePublique, error) {
	n, jour := micros(now), xdemat.JourSeance(date)
	ds, err := list(ctx, s, scanActePublie, enLigne+" AND p.seance = ?", communeID, n, n, jour)
	if err != nil {
		return nil, err
	}
	// CM-28: the délibérations of a séance in the order of their numéros.
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Acte.NumeroInterne < ds[j].Acte.NumeroInterne })
	pvs, err := list(ctx, s, scanPV, "SELECT donnees FROM proces_verbaux WHERE commune_id = ? AND seance = ? AND publie_le <= ? ORDER BY publie_le DESC, id LIMIT 1", communeID, jour, n)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 && len(pvs) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Rien n'est publié pour la séance du %s.", date.In(xdemat.Paris).Format("02/01/2006"))
	}
	se := &central.SeancePublique{Date: date, Deliberations: ds}
	if len(pvs) > 0 {
		se.PV = pvs[0]
	}
	seances, err := s.seancesCommune(ctx, communeID)
	if err != nil {
		return nil, err
	}
	se.Examinees = seances[jour]
	return se, nil
}

// seancesCommune returns the commune's délibérations that are not
// cancelled, by séance (day of decision), each séance in the order of
// the numéros (CM-28). Until Xconvoc holds séances, the day of decision is
// the séance; actes carry their date in their JSON only, hence the decoding
// here (a commune records a few hundred délibérations in a mandate).
func (s *Store) seancesCommune(ctx context.Context, communeID string) (map[string][]*xdemat.Acte, error) {
	as, err := list(ctx, s, func(r scanner) (*xdemat.Acte, error) {
		var b []byte
		if err := r.Scan(&b); err != nil {
			return nil, err
		}
		a := new(xdemat.Acte)
		return a, json.Unmarshal(b, a)
	}, "SELECT donnees FROM actes WHERE commune_id = ? AND statut <> 'annule'", communeID)
	if err != nil {
		return nil, err
	}
	out := map[string][]*xdemat.Acte{}
	for _, a := range as {
		if a.Nature == xdemat.NatureDeliberation {
			j := xdemat.JourSeance(a.DateDecision)
			out[j] = append(out[j], a)
		}
	}
	for _, l := range out {
		sort.SliceStable(l, func(i, j int) bool { return l[i].NumeroInterne < l[j].NumeroInterne })
	}
	return out, nil
}

// ProcesVerbal returns the procès-verbal with that ID; ENOTFOUND.
func (s *Store) ProcesVerbal(ctx context.Context, communeID, id string, now time.Time) (*xdemat.ProcesVerbal, error) {
	pvs, err := list(ctx, s, scanPV, "SELECT donnees FROM proces_verbaux WHERE commune_id = ? AND id = ? AND publie_le <= ?", communeID, id, micros(now))
	if err != nil {
		return nil, err
	}
	if len(pvs) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce procès-verbal n'est pas publié par la commune.")
	}
	return pvs[0], nil
}

// --- the reminder (CM-25, CM-26) ---

// RappelerPublications raises one notification per séance whose deadline
// is two days away or less and whose liste des délibérations, or the PV of
// the séance before it (adopted at this one), is not online; see
// central.PublicationStore.
func (s *Store) RappelerPublications(ctx context.Context, now time.Time) (int, error) {
	now = ts(now)
	// A délibération decided at D was recorded, hence last changed, after D;
	// a séance due a reminder is at most DelaiPublicationSeance+1 days old.
	depuis := now.AddDate(0, 0, -(xdemat.DelaiPublicationSeance + 2))
	type seance struct{ communeID, jour string }
	type ligne struct {
		communeID string
		acte      *xdemat.Acte
	}
	ls, err := list(ctx, s, func(r scanner) (ligne, error) {
		var l ligne
		var b []byte
		if err := r.Scan(&l.communeID, &b); err != nil {
			return l, err
		}
		l.acte = new(xdemat.Acte)
		return l, json.Unmarshal(b, l.acte)
	}, "SELECT commune_id, donnees FROM actes WHERE modifie_le >= ? AND statut <> 'annule'", micros(depuis))
	if err != nil {
		return 0, err
	}
	deliberations := map[seance]bool{}
	for _, l := range ls {
		if l.acte.Nature != xdemat.NatureDeliberation || !xdemat.RappelPublicationDu(l.acte.DateDecision, now) {
			continue
		}
		k := seance{l.communeID, xdemat.JourSeance(l.acte.DateDecision)}
		deliberations[k] = true
	}
	keys := make([]seance, 0, len(deliberations))
	for k := range deliberations {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].communeID < keys[j].communeID || (keys[i].communeID == keys[j].communeID && keys[i].jour < keys[j].jour)
	})
	raised := 0
	for _, k := range keys {
		pu, err := s.publiciteDe(ctx, k.communeID)
		if err != nil {
			return raised, err
		}
		if !pu.EnLigne() {
			continue // the commune publishes on paper: nothing goes online
		}
		date, _ := xdemat.ParseJourSeance(k.jour)
		// CM-26: the liste des délibérations examinées is online once the
		// séance's page is, that is with one of its délibérations published.
		se, err := s.SeancePubliee(ctx, k.communeID, date, now)
		if err != nil && xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			return raised, err
		}
		liste := se != nil && len(se.Deliberations) > 0
		// CM-23, CM-25: this séance adopted the PV of the previous one,
		// which is due online within the same week.
		var pvDe time.Time
		seances, err := s.seancesCommune(ctx, k.communeID)
		if err != nil {
			return raised, err
		}
		precedente := ""
		for j := range seances {
			if j < k.jour && j > precedente {
				precedente = j
			}
		}
		if precedente != "" {
			p, _ := xdemat.ParseJourSeance(precedente)
			sp, err := s.SeancePubliee(ctx, k.communeID, p, now)
			if err != nil && xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
				return raised, err
			}
			if sp == nil || sp.PV == nil {
				pvDe = p
			}
		}
		if liste && pvDe.IsZero() {
			continue
		}
		n := rappelSeance(k.communeID, date, !liste, pvDe)
		var created bool
		err = s.write(ctx, func(t tx) error {
			a, err := t.appender(ctx, k.communeID)
			if err != nil {
				return err
			}
			n.CommuneID, n.CreeLe = a.communeID, now
			if err := normaliserNotification(n); err != nil {
				return t.s.errorf("reminder: %w", err)
			}
			if created, err = t.insertNotification(ctx, n, now); err != nil || !created {
				return err
			}
			return a.event(ctx, xdemat.OperationNotificationCreee, n.ID, "", n, now)
		})
		if err != nil {
			return raised, err
		}
		if created {
			raised++
		}
	}
	return raised, nil
}

// rappelSeance is the reminder of a séance: what is missing (its liste
// des délibérations; the PV of the séance of pvDe, adopted at this one), and
// until when.
func rappelSeance(communeID string, date time.Time, liste bool, pvDe time.Time) *xdemat.Notification {
	tn, _ := xdemat.TypeNotificationParCode(xdemat.NotificationPublicationSeance)
	jour := date.In(xdemat.Paris).Format("02/01/2006")
	echeance := xdemat.EcheancePublicationSeance(date)
	var manque []string
	if liste {
		manque = append(manque, "la liste des délibérations examinées (publiez au moins une délibération de la séance : la liste les nomme toutes)")
	}
	if !pvDe.IsZero() {
		manque = append(manque, "le procès-verbal de la séance du "+pvDe.In(xdemat.Paris).Format("02/01/2006")+", adopté à celle-ci")
	}
	texte := fmt.Sprintf("Pour la séance du %s, il reste à mettre en ligne %s avant le %s au soir (une semaine après la séance, articles L2121-15 et L2121-25 du CGCT). Publiez-les depuis la fiche des actes de la séance.",
		jour, joinEt(manque), echeance.Add(-time.Minute).Format("02/01/2006"))
	return &xdemat.Notification{
		// One per séance and deadline, however many passes see it.
		ID:   uuid.NewSHA1(uuid.NameSpaceOID, []byte("publication/seance/"+communeID+"/"+xdemat.JourSeance(date))).String(),
		Type: tn.Code, Severite: tn.Severite, Titre: "Séance du " + jour + " : publication à faire avant le " + echeance.Add(-time.Minute).Format("02/01/2006"),
		Texte: texte, Objet: xdemat.Lien{Ecran: "actes"}, Echeance: echeance,
	}
}

func joinEt(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return fmt.Sprint(s[0], " et ", s[1])
}
