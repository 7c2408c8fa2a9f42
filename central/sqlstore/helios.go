package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"xdemat"
	"xdemat/helios"
)

// Xfluco (Hélios). A poste hands over a signed PES with helios.transmettre;
// central records it (unique per commune on NomFic and CodCol), relays it to
// the commune's other postes, and its connector (central/helios) sends it
// to the DGFiP: the transport name is chosen and recorded before the upload
// (HeliosIntention), so that a crash never makes a second file; the answers
// are applied with HeliosReponse and relayed as helios.statut events.

// Sending states of a transmission (column envoi).
const (
	envoiAEnvoyer  = "a_envoyer"
	envoiIntention = "intention"
	envoiEnvoye    = "envoye"
	envoiRepondu   = "repondu"
)

// decodeHelios checks the payload of helios.transmettre; nil, nil for another type.
func decodeHelios(op *xdemat.Operation, communeID string) (*xdemat.TransmissionPES, error) {
	if op.Type != xdemat.OperationHeliosTransmettre {
		return nil, nil
	}
	var t xdemat.TransmissionPES
	if len(op.Payload) == 0 || json.Unmarshal(op.Payload, &t) != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "contenu illisible.")
	}
	t.CommuneID = communeID
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.Statut != xdemat.HeliosSigne || t.Document == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Seul un PES signé peut être transmis à la trésorerie.")
	}
	if !slices.Contains(op.Documents, t.Document) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le PES signé n'est pas joint à l'opération.")
	}
	t.NomTransport = "" // chosen by central
	t.ImporteLe, t.SigneLe = ts(t.ImporteLe), ts(t.SigneLe)
	return &t, nil
}

// projectHelios records a transmission handed over by p and relays it. The
// same transmission again changes nothing; another one with the same NomFic
// and CodCol is not sent (Hélios would refuse it) and the postes are told so.
func (t tx) projectHelios(ctx context.Context, a *appender, p *xdemat.Poste, op *xdemat.Operation, tr *xdemat.TransmissionPES, now time.Time) error {
	var id string
	err := t.queryRow(ctx, "SELECT id FROM helios_transmissions WHERE commune_id = ? AND (id = ? OR cle = ? OR dossier_id = ?)",
		p.CommuneID, tr.ID, tr.Cle(), tr.DossierID).Scan(&id)
	switch {
	case err == nil && id == tr.ID:
		return nil
	case err == nil:
		st := &xdemat.StatutTransmissionPES{TransmissionID: tr.ID, DossierID: tr.DossierID, NomFic: tr.NomFic, CodCol: tr.CodCol,
			Statut: xdemat.HeliosRefuse, Le: now, Explications: []string{fmt.Sprintf(
				"Le PES %s (collectivité %s) a déjà été confié à la SPL pour la trésorerie : il n'est pas envoyé une seconde fois. Pour un nouvel envoi, faites produire un nouveau fichier par le logiciel de comptabilité.", tr.NomFic, tr.CodCol)}}
		return a.event(ctx, xdemat.EvenementHeliosStatut, tr.ID, p.ID, st, now)
	case !notFound(err):
		return t.s.errorf("find helios transmission: %w", err)
	}
	tr.CommuneID = p.CommuneID
	b, err := t.marshal(tr)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, "INSERT INTO helios_transmissions (commune_id, id, cle, dossier_id, nom_fic, statut, envoi, modifie_le, donnees) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		p.CommuneID, tr.ID, tr.Cle(), tr.DossierID, tr.NomFic, string(tr.Statut), envoiAEnvoyer, micros(now), b); err != nil {
		return t.s.errorf("insert helios transmission: %w", err)
	}
	if err := a.journal(ctx, &xdemat.Journal{Date: now, Acteur: p.ID, Action: xdemat.OperationHeliosTransmettre, Objet: tr.Document,
		Details: fmt.Sprintf("PES %s (collectivité %s, %d bordereau(x)) reçu pour la trésorerie", tr.NomFic, tr.CodCol, len(tr.Bordereaux))}); err != nil {
		return err
	}
	return a.event(ctx, op.Type, tr.ID, p.ID, tr, now)
}

func (t tx) loadTransmissionPES(ctx context.Context, communeID, id string) (*xdemat.TransmissionPES, string, error) {
	var b []byte
	var envoi string
	err := t.queryRow(ctx, "SELECT donnees, envoi FROM helios_transmissions WHERE commune_id = ? AND id = ?", communeID, id).Scan(&b, &envoi)
	if notFound(err) {
		return nil, "", xdemat.Errorf(xdemat.ENOTFOUND, "Transmission PES inconnue.")
	} else if err != nil {
		return nil, "", t.s.errorf("load helios transmission: %w", err)
	}
	var tr xdemat.TransmissionPES
	if err := json.Unmarshal(b, &tr); err != nil {
		return nil, "", t.s.errorf("load helios transmission: %w", err)
	}
	tr.CommuneID = communeID
	return &tr, envoi, nil
}

func (t tx) saveTransmissionPES(ctx context.Context, tr *xdemat.TransmissionPES, envoi string, now time.Time) error {
	b, err := t.marshal(tr)
	if err != nil {
		return err
	}
	var nom any
	if tr.NomTransport != "" {
		nom = tr.NomTransport
	}
	_, err = t.exec(ctx, "UPDATE helios_transmissions SET statut = ?, envoi = ?, nom_transport = ?, modifie_le = ?, donnees = ? WHERE commune_id = ? AND id = ?",
		string(tr.Statut), envoi, nom, micros(now), b, tr.CommuneID, tr.ID)
	if err != nil {
		return t.s.errorf("save helios transmission: %w", err)
	}
	return nil
}

func scanTransmissionPES(r scanner) (*xdemat.TransmissionPES, error) {
	var b []byte
	var communeID string
	if err := r.Scan(&communeID, &b); err != nil {
		return nil, err
	}
	tr := new(xdemat.TransmissionPES)
	if err := json.Unmarshal(b, tr); err != nil {
		return nil, err
	}
	tr.CommuneID = communeID
	return tr, nil
}

// HeliosAEnvoyer returns, over every commune, the transmissions to upload
// (recorded, or whose upload was not confirmed) whose next attempt is due.
func (s *Store) HeliosAEnvoyer(ctx context.Context, now time.Time, limite int) ([]*xdemat.TransmissionPES, error) {
	return list(ctx, s, scanTransmissionPES, "SELECT commune_id, donnees FROM helios_transmissions WHERE envoi IN (?, ?) AND prochain_essai <= ? ORDER BY modifie_le, id LIMIT ?",
		envoiAEnvoyer, envoiIntention, micros(now), limite)
}

// HeliosEnAttente returns the transmissions uploaded and not yet answered
// whose NomFic is nomFic (an acquit names the PES_Aller it answers by it).
func (s *Store) HeliosEnAttente(ctx context.Context, nomFic string) ([]*xdemat.TransmissionPES, error) {
	return list(ctx, s, scanTransmissionPES, "SELECT commune_id, donnees FROM helios_transmissions WHERE nom_fic = ? AND envoi IN (?, ?) ORDER BY modifie_le",
		nomFic, envoiIntention, envoiEnvoye)
}

// HeliosTransmission returns one transmission of a commune (ENOTFOUND).
func (s *Store) HeliosTransmission(ctx context.Context, communeID, id string) (*xdemat.TransmissionPES, error) {
	var out *xdemat.TransmissionPES
	err := s.write(ctx, func(t tx) error {
		var err error
		out, _, err = t.loadTransmissionPES(ctx, communeID, id)
		return err
	})
	return out, err
}

// HeliosIntention records the intent to upload: the transport name is
// chosen once (next free number of the SIRET's series that day) and kept,
// so that an upload retried after a crash carries the same name.
func (s *Store) HeliosIntention(ctx context.Context, communeID, id string, now time.Time) (*xdemat.TransmissionPES, error) {
	now = ts(now)
	var out *xdemat.TransmissionPES
	err := s.write(ctx, func(t tx) error {
		tr, envoi, err := t.loadTransmissionPES(ctx, communeID, id)
		if err != nil {
			return err
		}
		out = tr
		if tr.NomTransport != "" || (envoi != envoiAEnvoyer && envoi != envoiIntention) {
			return nil
		}
		jour := now.In(xdemat.Paris).Format("060102")
		serie := tr.IdColl + "_" + jour
		var derniere int64
		err = t.queryRow(ctx, "SELECT derniere FROM helios_series WHERE serie = ?", serie).Scan(&derniere)
		if err != nil && !notFound(err) {
			return t.s.errorf("helios series: %w", err)
		}
		nom, err := helios.NouveauNomFichier(tr.IdColl, now.In(xdemat.Paris), int(derniere+1))
		if err != nil {
			return xdemat.Errorf(xdemat.EINVALID, "Le PES %s ne peut pas être nommé pour la trésorerie : %v. Vérifiez le SIRET (IdColl) dans le logiciel de comptabilité.", tr.NomFic, err)
		}
		_, err = t.exec(ctx, "INSERT INTO helios_series (serie, derniere) VALUES (?, ?) ON CONFLICT (serie) DO UPDATE SET derniere = excluded.derniere", serie, derniere+1)
		if err != nil {
			return t.s.errorf("helios series: %w", err)
		}
		tr.NomTransport = nom.String()
		return t.saveTransmissionPES(ctx, tr, envoiIntention, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HeliosEnvoye records a confirmed upload and tells the commune's postes.
func (s *Store) HeliosEnvoye(ctx context.Context, communeID, id string, now time.Time) error {
	now = ts(now)
	return s.write(ctx, func(t tx) error {
		tr, envoi, err := t.loadTransmissionPES(ctx, communeID, id)
		if err != nil || envoi != envoiIntention {
			return err
		}
		st := &xdemat.StatutTransmissionPES{TransmissionID: tr.ID, DossierID: tr.DossierID, NomFic: tr.NomFic, CodCol: tr.CodCol,
			NomTransport: tr.NomTransport, Statut: xdemat.HeliosTransmis, Le: now}
		if _, err := tr.Appliquer(st); err != nil {
			return err
		}
		if err := t.saveTransmissionPES(ctx, tr, envoiEnvoye, now); err != nil {
			return err
		}
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		if err := a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: "helios.envoye", Objet: tr.Document,
			Details: fmt.Sprintf("PES %s déposé à la DGFiP sous le nom %s", tr.NomFic, tr.NomTransport)}); err != nil {
			return err
		}
		return a.event(ctx, xdemat.EvenementHeliosStatut, tr.ID, "", st, now)
	})
}

// HeliosEchec records a failed upload attempt; the next one is at prochain.
func (s *Store) HeliosEchec(ctx context.Context, communeID, id, motif string, prochain time.Time) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "UPDATE helios_transmissions SET tentatives = tentatives + 1, prochain_essai = ?, derniere_erreur = ? WHERE commune_id = ? AND id = ?",
			micros(prochain), motif, communeID, id)
		if err != nil {
			return t.s.errorf("helios failure: %w", err)
		}
		return nil
	})
}

// HeliosReponse applies the DGFiP's answer (acquit, non-acquit, or a refusal
// before sending) and tells the commune's postes. An answer already applied
// changes nothing.
func (s *Store) HeliosReponse(ctx context.Context, communeID string, st *xdemat.StatutTransmissionPES, now time.Time) error {
	now = ts(now)
	return s.write(ctx, func(t tx) error {
		tr, _, err := t.loadTransmissionPES(ctx, communeID, st.TransmissionID)
		if err != nil {
			return err
		}
		change, err := tr.Appliquer(st)
		if err != nil || !change {
			return err
		}
		if err := t.saveTransmissionPES(ctx, tr, envoiRepondu, now); err != nil {
			return err
		}
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		if err := a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementHeliosStatut, Objet: tr.Document,
			Details: fmt.Sprintf("PES %s : %s", tr.NomFic, tr.Statut.Libelle())}); err != nil {
			return err
		}
		return a.event(ctx, xdemat.EvenementHeliosStatut, tr.ID, "", st, now)
	})
}

// HeliosRepondues returns the answered transmissions of the collectivité
// idColl (SIRET) and codCol: a PES_Retour names its bordereaux by
// collectivité, budget, exercice and number, not by file.
// TODO: filtered in Go over the answered rows; an indexed id_coll column
// will be needed when communes have years of history.
func (s *Store) HeliosRepondues(ctx context.Context, idColl, codCol string) ([]*xdemat.TransmissionPES, error) {
	ts, err := list(ctx, s, scanTransmissionPES, "SELECT commune_id, donnees FROM helios_transmissions WHERE envoi = ? ORDER BY modifie_le, id", envoiRepondu)
	if err != nil {
		return nil, err
	}
	out := ts[:0]
	for _, t := range ts {
		if (idColl == "" || t.IdColl == idColl) && (codCol == "" || t.CodCol == codCol) {
			out = append(out, t)
		}
	}
	return out, nil
}

// HeliosRetour records the pièce states of a PES_Retour on a transmission
// and tells the commune's postes. A retour already applied changes nothing.
func (s *Store) HeliosRetour(ctx context.Context, communeID string, r *xdemat.RetourPES, now time.Time) error {
	now = ts(now)
	return s.write(ctx, func(t tx) error {
		tr, envoi, err := t.loadTransmissionPES(ctx, communeID, r.TransmissionID)
		if err != nil {
			return err
		}
		bouge, err := tr.AppliquerRetour(r)
		if err != nil || len(bouge) == 0 {
			return err
		}
		if err := t.saveTransmissionPES(ctx, tr, envoi, now); err != nil {
			return err
		}
		a, err := t.appender(ctx, communeID)
		if err != nil {
			return err
		}
		if err := a.journal(ctx, &xdemat.Journal{Date: now, Acteur: "central", Action: xdemat.EvenementHeliosRetour, Objet: tr.Document,
			Details: fmt.Sprintf("PES %s : retour %s de la trésorerie sur %d pièce(s)", tr.NomFic, r.NomRetour, len(bouge))}); err != nil {
			return err
		}
		return a.event(ctx, xdemat.EvenementHeliosRetour, tr.ID, "", r, now)
	})
}

// HeliosSansReponse returns, over every commune, the transmissions uploaded
// before avant and still unanswered whose next check is due: the DGFiP may
// have lost them (or its simulator restarted without its state), so the
// connector uploads them again under the same name.
func (s *Store) HeliosSansReponse(ctx context.Context, avant, now time.Time, limite int) ([]*xdemat.TransmissionPES, error) {
	return list(ctx, s, scanTransmissionPES, "SELECT commune_id, donnees FROM helios_transmissions WHERE envoi = ? AND modifie_le <= ? AND prochain_essai <= ? ORDER BY modifie_le, id LIMIT ?",
		envoiEnvoye, micros(avant), micros(now), limite)
}

// HeliosRelance records that an unanswered transmission was uploaded again;
// the next check is at prochain.
func (s *Store) HeliosRelance(ctx context.Context, communeID, id string, prochain time.Time) error {
	return s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, "UPDATE helios_transmissions SET tentatives = tentatives + 1, prochain_essai = ? WHERE commune_id = ? AND id = ? AND envoi = ?",
			micros(prochain), communeID, id, envoiEnvoye)
		if err != nil {
			return t.s.errorf("helios relance: %w", err)
		}
		return nil
	})
}
