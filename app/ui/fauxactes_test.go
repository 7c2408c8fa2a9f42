package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/actes/registre"
	"xdemat/agent"
	"xdemat/agent/localapi"
)

// The fake agent's actes: the domain's validation on actes held in memory.

func (f *fauxAgent) ProposerNumeroActe(ctx context.Context, n xdemat.NatureActe, annee int) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("%s%d_%03d", n.Abrege(), annee, len(f.actes)+1), nil
}

func (f *fauxAgent) CreerActe(ctx context.Context, a *xdemat.Acte) (*xdemat.Acte, error) {
	if err := f.note("CreerActe " + a.NumeroInterne); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := *a
	v.ID, v.CommuneID, v.Statut, v.CreeLe = uuid.NewString(), "c-1", xdemat.ActeEnAttenteEnvoi, maintenantTest
	if err := v.Validate(); err != nil {
		return nil, err
	}
	for _, x := range f.actes {
		if x.NumeroInterne == v.NumeroInterne {
			return nil, xdemat.Errorf(xdemat.ECONFLICT, "Le numéro %s est déjà pris dans la commune.", v.NumeroInterne)
		}
	}
	f.actes = append(f.actes, &v)
	c := v
	return &c, nil
}

func (f *fauxAgent) Actes(ctx context.Context, fl agent.FiltreActes) ([]*xdemat.Acte, error) {
	if err := f.note("Actes"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*xdemat.Acte
	for _, a := range f.actes {
		if (fl.Nature == 0 || a.Nature == fl.Nature) && (fl.Statut == "" || a.Statut == fl.Statut) && (fl.Annee == 0 || a.DateDecision.Year() == fl.Annee) {
			c := *a
			out = append(out, &c)
		}
	}
	return out, nil
}

func (f *fauxAgent) FicheActe(ctx context.Context, id string) (*agent.FicheActe, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.actes {
		if a.ID == id {
			c := *a
			return &agent.FicheActe{Acte: &c, Historique: []agent.EntreeActe{{Le: a.CreeLe, Action: "acte.cree", Statut: xdemat.ActeEnAttenteEnvoi}}}, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Acte introuvable.")
}

func (f *fauxAgent) EnvoyerActes(ctx context.Context, req agent.DemandeEnvoiActes) ([]agent.ResultatEnvoiActe, error) {
	if err := f.note(fmt.Sprintf("EnvoyerActes %d parapheur=%v", len(req.Actes), req.ViaParapheur)); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []agent.ResultatEnvoiActe
	for _, id := range req.Actes {
		i := slices.IndexFunc(f.actes, func(a *xdemat.Acte) bool { return a.ID == id })
		if i < 0 {
			out = append(out, agent.ResultatEnvoiActe{ActeID: id, Erreur: "Acte introuvable."})
			continue
		}
		r := agent.ResultatEnvoiActe{ActeID: id}
		if req.ViaParapheur {
			r.DossierID = uuid.NewString()
		} else {
			f.actes[i].Statut = xdemat.ActeTransmis
		}
		out = append(out, r)
	}
	return out, nil
}

func (f *fauxAgent) AnnulerActe(ctx context.Context, id, motif string) (*xdemat.Acte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.actes {
		if a.ID == id {
			a.Statut = xdemat.ActeAnnulationTransmise
			c := *a
			return &c, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Acte introuvable.")
}

// Registre prints the register as the agent does, from the actes in memory.
func (f *fauxAgent) Registre(ctx context.Context, n xdemat.NatureActe, annee int, ordre string) ([]byte, error) {
	if err := f.note(fmt.Sprintf("Registre %s %d %s", n.Abrege(), annee, ordre)); err != nil {
		return nil, err
	}
	o, err := registre.LireOrdre(ordre)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return registre.Construire(registre.Registre{Commune: f.identite.Commune.Nom, Annee: annee, Nature: n, Ordre: o, Actes: f.actes, Edite: maintenantTest})
}

// RechercherActes: the fake searches the numéro and the objet (case
// ignored), every word required, and marks the first word in the extract.
func (f *fauxAgent) RechercherActes(ctx context.Context, r agent.RechercheActes) (*agent.ResultatRecherche, error) {
	if err := f.note("RechercherActes " + r.Q); err != nil {
		return nil, err
	}
	if err := r.Normaliser(); err != nil {
		return nil, err
	}
	l, err := f.Actes(ctx, agent.FiltreActes{Nature: r.Nature, Annee: r.Annee, Statut: r.Statut})
	if err != nil {
		return nil, err
	}
	mots := strings.Fields(strings.ToLower(r.Q))
	out := &agent.ResultatRecherche{Actes: []agent.ActeTrouve{}}
	for _, a := range l {
		texte := strings.ToLower(a.NumeroInterne + " " + a.Objet)
		if !slices.ContainsFunc(mots, func(m string) bool { return !strings.Contains(texte, m) }) {
			x := ""
			if len(mots) > 0 {
				if i := strings.Index(strings.ToLower(a.Objet), mots[0]); i >= 0 {
					x = a.Objet[:i] + agent.DebutSurligne + a.Objet[i:i+len(mots[0])] + agent.FinSurligne + a.Objet[i+len(mots[0]):]
				}
			}
			out.Actes = append(out.Actes, agent.ActeTrouve{Acte: a, Matiere: string(a.Classification), Extrait: x})
		}
	}
	out.Total = len(out.Actes)
	return out, nil
}

// ExporterActesCSV writes what RechercherActes finds, as the agent does.
func (f *fauxAgent) ExporterActesCSV(ctx context.Context, r agent.RechercheActes, w io.Writer) (int64, error) {
	if err := f.note("ExporterActesCSV " + r.Q); err != nil {
		return 0, err
	}
	res, err := f.RechercherActes(ctx, r)
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	err = localapi.EcrireCSVActes(&b, func(ecrire func(*agent.ActeTrouve) error) error {
		for i := range res.Actes {
			if err := ecrire(&res.Actes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return io.Copy(w, &b)
}
