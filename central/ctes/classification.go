package ctes

import (
	"context"
	"net/http"
	"time"

	"xdemat"
	"xdemat/actes"
	"xdemat/central"
)

// The préfecture's classification: the connector asks for it (7-1) for each
// commune that has none and then once a day, saying which version it holds;
// the platform answers with the classification (7-2) or that it did not
// change (7-3). The store must also be a central.ClassificationsStore.

// IntervalleClassification is how often a commune's classification is asked for again.
const IntervalleClassification = 24 * time.Hour

// TourClassifications asks for the classification of the communes due. A
// failed request is asked again at the next pass.
func (c *Connecteur) TourClassifications(ctx context.Context) error {
	cs, ok := c.Store.(central.ClassificationsStore)
	if !ok {
		return nil
	}
	communes, err := cs.ClassificationsADemander(ctx, c.now().Add(-IntervalleClassification), 20)
	if err != nil {
		return err
	}
	adresse := c.AdresseRetour
	if adresse == "" {
		adresse = AdresseRetourParDefaut
	}
	for _, commune := range communes {
		var enCours time.Time
		if k, err := cs.ClassificationCommune(ctx, commune.ID); err == nil {
			enCours = k.Date
		} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			return err
		}
		serie, err := cs.NumeroSerieActes(ctx, commune.SIREN)
		if err != nil {
			return err
		}
		ar, err := actes.ConstruireDemandeClassification(enCours, actes.EmetteurCommune(commune, 0, adresse), actes.Options{Trigramme: c.Trigramme, Date: c.now(), Serie: serie})
		if err != nil {
			c.logger().Warn("demande de classification impossible à construire", "commune", commune.ID, "err", err)
			continue
		}
		code, texte, err := c.posterArchive(ctx, ar.Nom, ar.Octets)
		if err != nil {
			return err
		}
		switch {
		case code == http.StatusOK:
			c.logger().Info("classification demandée à la préfecture", "commune", commune.ID, "archive", ar.Nom)
		case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
			// Asked again tomorrow, not at every pass.
			c.logger().Warn("demande de classification refusée par la plateforme", "commune", commune.ID, "statut", code, "motif", texte)
		default:
			c.logger().Warn("plateforme indisponible pour la classification", "commune", commune.ID, "statut", code)
			continue
		}
		if err := cs.ClassificationDemandee(ctx, commune.ID, c.now()); err != nil {
			return err
		}
	}
	return nil
}

// enregistrerClassification records a classification (7-2) for the commune
// of the SIREN the answer is addressed to.
func (c *Connecteur) enregistrerClassification(ctx context.Context, info infoRetour, r *actes.RetourClassification, now time.Time) error {
	cs, ok := c.Store.(central.ClassificationsStore)
	if !ok {
		return nil
	}
	k := ClassificationDomaine(r)
	if err := k.Validate(); err != nil {
		c.logger().Warn("classification de la préfecture illisible, ignorée", "retour", info.Nom, "err", err)
		return nil
	}
	err := cs.EnregistrerClassification(ctx, info.SIREN, k, now)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		c.logger().Warn("classification pour un SIREN inconnu, ignorée", "retour", info.Nom, "siren", info.SIREN)
		return nil
	}
	return err
}

// ClassificationDomaine converts the 7-2 message into what the postes use.
func ClassificationDomaine(r *actes.RetourClassification) *xdemat.ClassificationPrefecture {
	k := &xdemat.ClassificationPrefecture{Date: r.DateClassification.Time}
	for _, n := range r.NaturesActes {
		nc := xdemat.NatureClassification{Code: xdemat.NatureActe(n.CodeNatureActe), Libelle: n.Libelle}
		for _, t := range n.TypesPJ {
			nc.TypesPieces = append(nc.TypesPieces, xdemat.TypePieceClassification{Code: t.CodeTypePJ, Libelle: t.Libelle})
		}
		k.Natures = append(k.Natures, nc)
	}
	var matieres func(ms []actes.Matiere) []xdemat.MatiereClassification
	matieres = func(ms []actes.Matiere) []xdemat.MatiereClassification {
		var out []xdemat.MatiereClassification
		for i := range ms {
			out = append(out, xdemat.MatiereClassification{Code: ms[i].CodeMatiere, Libelle: ms[i].Libelle, SousMatieres: matieres(ms[i].SousMatieres())})
		}
		return out
	}
	k.Matieres = matieres(r.Matieres)
	return k
}
