package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/internal/pdftest"
)

// acteDemo is an acte of the demonstration and what becomes of it.
type acteDemo struct {
	nature         xdemat.NatureActe
	objet          string
	classification xdemat.Classification
	ilYA           int  // days since the decision
	envoyer        bool // sent to the préfecture (simulated) as already signed
	publier        bool // and, once acknowledged, put online
}

// actesDemo are those of a small commune's last séance and of its maire.
var actesDemo = []acteDemo{
	{xdemat.NatureDeliberation, "Vote des taux d'imposition des taxes foncières pour 2027", "7.2.1", 12, true, true},
	{xdemat.NatureDeliberation, "Révision du plan local d'urbanisme : prescription et modalités de la concertation", "2.1", 12, true, false},
	{xdemat.NatureDeliberation, "Tarifs de la salle des fêtes au 1er janvier 2027", "7.2.1", 12, false, false},
	{xdemat.NatureActeReglementaire, "Circulation et stationnement rue de l'Église pendant le marché de Noël", "7.2.1", 2, false, false},
}

// remplirActes records the demonstration's actes on the poste in dir, once:
// as the secretary, through the local API like the app; sends those meant
// to be sent, waits for the préfecture's acknowledgement (the simulator
// answers at once) and publishes the one meant to be online.
func remplirActes(dir string) error {
	if dir == "" {
		return xdemat.Errorf(xdemat.EINVALID, "Indiquez le dossier de l'agent : -data DOSSIER.")
	}
	c, err := localapi.Dial(dir)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	// The commune's users come from central after the enrollment: give the
	// first sync a moment.
	var secretaire string
	for fin := time.Now().Add(30 * time.Second); secretaire == "" && time.Now().Before(fin); time.Sleep(300 * time.Millisecond) {
		ps, err := c.Utilisateurs(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Role == xdemat.RoleSecretaire {
				secretaire = p.ID
			}
		}
	}
	if secretaire == "" {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Pas de secrétaire dans la commune du poste : créez-la d'abord sur central.")
	}
	if _, err := c.OuvrirSession(ctx, secretaire, ""); err != nil {
		return err
	}
	if deja, err := c.Actes(ctx, agent.FiltreActes{Limite: 1}); err != nil {
		return err
	} else if len(deja) > 0 {
		return nil
	}
	version := time.Date(2025, 1, 1, 0, 0, 0, 0, xdemat.Paris) // the simulator's, until the préfecture's arrives
	if cl, err := c.ClassificationActes(ctx); err == nil {
		version = cl.Date
	}
	var envoyes []string
	publier := map[string]bool{}
	for _, d := range actesDemo {
		pdf := pdftest.Minimal(d.nature.Libelle(), d.objet, "Le maire, Jacques Bertin")
		doc, err := c.AjouterDocument(ctx, "acte.pdf", "application/pdf", bytes.NewReader(pdf))
		if err != nil {
			return err
		}
		a, err := c.CreerActe(ctx, &xdemat.Acte{Nature: d.nature, DateDecision: time.Now().AddDate(0, 0, -d.ilYA), Objet: d.objet,
			Classification: d.classification, DateClassification: version,
			DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "acte.pdf", Taille: doc.Taille, TypeMedia: "application/pdf", TypePiece: d.nature.TypePieceParDefaut()}})
		if err != nil {
			return fmt.Errorf("acte « %s » : %w", d.objet, err)
		}
		if d.envoyer {
			envoyes = append(envoyes, a.ID)
		}
		publier[a.ID] = d.publier
	}
	if _, err := c.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: envoyes}); err != nil {
		return err
	}
	for _, id := range envoyes {
		if !publier[id] {
			continue
		}
		if err := attendreAR(ctx, c, id); err != nil {
			return err
		}
		e, err := c.EtatPublicationActe(ctx, id)
		if err != nil {
			return err
		}
		if _, err := c.PublierActe(ctx, id, e.AuteurPropose); err != nil {
			return err
		}
	}
	fmt.Printf("%d actes de démonstration enregistrés, %d transmis à la préfecture simulée\n", len(actesDemo), len(envoyes))
	return nil
}

// attendreAR waits, a minute at most, for the préfecture's acknowledgement.
func attendreAR(ctx context.Context, c *localapi.Client, id string) error {
	for fin := time.Now().Add(time.Minute); time.Now().Before(fin); time.Sleep(500 * time.Millisecond) {
		f, err := c.FicheActe(ctx, id)
		if err != nil {
			return err
		}
		if f.Acte.Statut == xdemat.ActeAcquitte {
			return nil
		}
	}
	return xdemat.Errorf(xdemat.EUNAVAILABLE, "La préfecture simulée n'a pas accusé réception de l'acte en une minute : voyez le journal de central.")
}
