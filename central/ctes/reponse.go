package ctes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"xdemat"
	"xdemat/actes"
	"xdemat/central"
)

// The commune's answers to the préfecture's letters: each is built into an
// archive (2-2, 3-3, 3-4, 4-3 or 4-4) recorded before it is posted, posted,
// and acknowledged by the préfecture (3-5, 4-5). The store must also be a
// central.ReponsesActesStore; otherwise answers wait.

func (c *Connecteur) reponses() central.ReponsesActesStore {
	rs, _ := c.Store.(central.ReponsesActesStore)
	return rs
}

// tourReponses posts the answer archives recorded and not yet taken, then
// builds and posts the answers waiting.
func (c *Connecteur) tourReponses(ctx context.Context) error {
	rs := c.reponses()
	if rs == nil {
		return nil
	}
	envois, err := rs.ReponsesEnAttente(ctx)
	if err != nil {
		return err
	}
	for _, e := range envois {
		if err := c.posterReponse(ctx, rs, e); err != nil {
			return err
		}
	}
	todo, err := rs.ReponsesATransmettre(ctx, 50)
	if err != nil {
		return err
	}
	for _, t := range todo {
		e, err := rs.EnregistrerIntentionReponse(ctx, t.Commune.ID, t.Reponse.ID, t.Commune.SIREN, c.construireReponse(t), c.now())
		if err != nil {
			if xdemat.ErrorCode(err) != xdemat.EINTERNAL {
				c.logger().Info("réponse non transmise : elle est à refaire", "reponse", t.Reponse.ID, "motif", xdemat.ErrorMessage(err))
				continue
			}
			return err
		}
		if e == nil {
			continue
		}
		if c.ApresIntention != nil {
			if err := c.ApresIntention(ctx, e.Nom); err != nil {
				return ErrInterrompu
			}
		}
		if err := c.posterReponse(ctx, rs, e); err != nil {
			return err
		}
	}
	return nil
}

// construireReponse returns the builder of t's archive for a series number.
func (c *Connecteur) construireReponse(t central.ReponseATransmettre) func(serie int) (*central.EnvoiReponse, error) {
	return func(serie int) (*central.EnvoiReponse, error) {
		adresse := c.AdresseRetour
		if adresse == "" {
			adresse = AdresseRetourParDefaut
		}
		e := actes.EmetteurCommune(t.Commune, 0, adresse)
		o := actes.Options{Trigramme: c.Trigramme, Date: c.now(), Serie: serie}
		r, m := t.Reponse, t.Message
		if err := r.ValiderPour(m); err != nil {
			return nil, err
		}
		date := m.DateCourrier
		if date.IsZero() {
			date = m.RecuLe
		}
		cp := actes.CourrierPref{IDActe: t.Acte.IdentifiantUnique, DateCourrierPref: actes.Jour(date)}
		for _, p := range r.Documents() {
			if _, err := c.taille(p.SHA256); err != nil {
				return nil, err
			}
		}
		var lettre xdemat.PieceActe
		if r.Lettre != nil {
			lettre = *r.Lettre
		}
		var ar *actes.Archive
		var err error
		switch {
		case m.Type == xdemat.MessageDemandePieces && r.Type == xdemat.ReponseRefus:
			ar, err = actes.ConstruireRefusPieces(cp, lettre, e, o, c.source)
		case m.Type == xdemat.MessageDemandePieces:
			// The covering letter, if any, goes first among the pieces.
			ar, err = actes.ConstruireReponsePieces(cp, r.Documents(), e, o, c.source)
		case m.Type == xdemat.MessageLettreObservations && r.Type == xdemat.ReponseRejet:
			ar, err = actes.ConstruireRejetObservations(cp, lettre, e, o, c.source)
		case m.Type == xdemat.MessageLettreObservations:
			ar, err = actes.ConstruireReponseObservations(cp, lettre, e, o, c.source)
		default:
			ar, err = actes.ConstruireReponseCourrier(cp, lettre, e, o, c.source)
		}
		if err != nil {
			return nil, erreurConstruction(err)
		}
		return &central.EnvoiReponse{Nom: ar.Nom, Octets: ar.Octets}, nil
	}
}

// posterArchive posts an archive to the platform: its HTTP status and the
// start of its answer.
func (c *Connecteur) posterArchive(ctx context.Context, nom string, octets []byte) (int, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(nom, nom)
	if err != nil {
		return 0, "", err
	}
	if _, err := fw.Write(octets); err != nil {
		return 0, "", err
	}
	if err := mw.Close(); err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/actesPost", &body)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.Operateur != "" {
		req.Header.Set("X-Certificat-Client", c.Operateur)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("ctes: envoi de %s : %w", nom, err)
	}
	defer resp.Body.Close()
	texte, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, strings.TrimSpace(string(texte)), nil
}

// posterReponse posts a recorded answer archive (again, after a crash: the
// platform is idempotent on the name).
func (c *Connecteur) posterReponse(ctx context.Context, rs central.ReponsesActesStore, e *central.EnvoiReponse) error {
	code, texte, err := c.posterArchive(ctx, e.Nom, e.Octets)
	if err != nil {
		return err
	}
	switch {
	case code == http.StatusOK:
		c.logger().Info("réponse transmise à la préfecture", "archive", e.Nom, "reponse", e.ReponseID)
		return rs.MarquerReponseEnvoyee(ctx, e.Nom, c.now())
	case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
		motif := "La plateforme de la préfecture a refusé la réponse : " + texte
		c.logger().Warn("réponse refusée par la plateforme", "archive", e.Nom, "statut", code, "motif", motif)
		return rs.MarquerReponseRefusee(ctx, e.Nom, motif, c.now())
	}
	return fmt.Errorf("ctes: envoi de %s : HTTP %d %s", e.Nom, code, texte)
}

// retourDeReponse applies an anomaly about an archive that carried an
// answer; it reports whether info was one (then the acte is untouched).
func (c *Connecteur) retourDeReponse(ctx context.Context, info infoRetour, r *actes.Retour, now time.Time) (bool, error) {
	rs := c.reponses()
	if rs == nil || info.Archive == "" {
		return false, nil
	}
	var texte string
	switch {
	case r.AnomalieEnveloppe != nil:
		texte = actes.Explication(r.AnomalieEnveloppe)
	default:
		for _, m := range r.Messages {
			if a, ok := m.Message.(*actes.AnomalieActe); ok {
				texte = actes.Explication(a)
				break
			}
		}
	}
	if texte == "" {
		return false, nil
	}
	err := rs.RefuserReponse(ctx, info.Archive, texte, now)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// acquitterReponse applies the préfecture's acknowledgement of an answer.
func (c *Connecteur) acquitterReponse(ctx context.Context, info infoRetour, ar actes.ARReponse) error {
	rs := c.reponses()
	if rs == nil {
		return nil
	}
	err := rs.AcquitterReponse(ctx, ar.InfosCourrierPref.IDActe, ar.InfosCourrierPref.DateCourrierPref.Time, ar.DateReception.Time)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		c.logger().Warn("accusé de réception d'une réponse inconnue, ignoré", "retour", info.Nom, "acte", ar.InfosCourrierPref.IDActe)
		return nil
	}
	return err
}

// dateCourrier is the date the préfecture gave its letter.
func dateCourrier(m actes.Message) time.Time {
	switch v := m.(type) {
	case *actes.CourrierSimple:
		return v.DateCourrierPref.Time
	case *actes.DemandePieceComplementaire:
		return v.DateCourrierPref.Time
	case *actes.LettreObservations:
		return v.DateCourrierPref.Time
	case *actes.DefereTA:
		return v.DateDepot.Time
	}
	return time.Time{}
}
