package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"xdemat"
	"xdemat/agent"
)

// sauvegardeFausse is the backup side of fauxAgent: what the app sends lands
// here, what it answers is what this holds. Guarded by fauxAgent.mu.
type sauvegardeFausse struct {
	etat          agent.EtatSauvegarde
	historique    []*xdemat.Sauvegarde // newest first
	instantanes   []agent.Instantane   // oldest first, as restic lists them
	contenus      map[string][]agent.EntreeInstantane
	configs       []agent.ConfigSauvegarde
	lancees       int
	annulees      int
	restaurations []agent.DemandeRestauration
}

// Dates of the backups of the tests: last night at 02:14 (UTC, the tests' zone).
var (
	cetteNuit = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	idNuit    = "00000000-0000-4000-8000-0000000000a1"
	idEchec   = "00000000-0000-4000-8000-0000000000a2"
	idEssai   = "00000000-0000-4000-8000-0000000000a3"
)

// avecSauvegardes gives the poste an active nightly backup: a success last
// night, a failure the night before, a restore drill, three snapshots.
func (f *fauxAgent) avecSauvegardes() *fauxAgent {
	nuit := &xdemat.Sauvegarde{ID: idNuit, Type: xdemat.TypeSauvegarde, Debut: cetteNuit, Fin: cetteNuit.Add(14*time.Minute + 5*time.Second),
		Statut: xdemat.SauvegardeReussie, Instantane: "a1b2c3d4", FichiersNouveaux: 12, FichiersModifies: 3, FichiersInchanges: 4812,
		OctetsAjoutes: 48 << 20, OctetsTraites: 12 << 30}
	echec := &xdemat.Sauvegarde{ID: idEchec, Type: xdemat.TypeSauvegarde, Debut: cetteNuit.AddDate(0, 0, -1), Fin: cetteNuit.AddDate(0, 0, -1).Add(time.Minute),
		Statut: xdemat.SauvegardeEchouee, Erreur: "La SPL ne répond pas : la sauvegarde sera refaite la nuit prochaine."}
	essai := &xdemat.Sauvegarde{ID: idEssai, Type: xdemat.TypeExercice, Debut: cetteNuit.AddDate(0, 0, -2).Add(time.Hour), Fin: cetteNuit.AddDate(0, 0, -2).Add(time.Hour + 3*time.Minute),
		Statut: xdemat.SauvegardeReussie}
	f.sauvegarde.etat = agent.EtatSauvegarde{
		Config:          agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{"/home/marie/Documents", "/srv/compta"}},
		Derniere:        nuit,
		DerniereReussie: nuit,
		Prochaine:       cetteNuit.AddDate(0, 0, 1),
		Quota:           xdemat.QuotaSauvegardeDefaut,
		Utilise:         20 << 30,
	}
	f.sauvegarde.historique = []*xdemat.Sauvegarde{nuit, echec, essai}
	f.sauvegarde.instantanes = []agent.Instantane{
		{ID: "0a0a0a0a", Date: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), Poste: "poste-1", Chemins: []string{"/home/marie/Documents"}},
		{ID: "b1b1b1b1", Date: time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), Poste: "poste-1", Chemins: []string{"/home/marie/Documents"}},
		{ID: "a1b2c3d4", Date: time.Date(2026, 11, 25, 2, 14, 0, 0, time.UTC), Poste: "poste-1", Chemins: []string{"/home/marie/Documents"}},
	}
	f.sauvegarde.contenus = map[string][]agent.EntreeInstantane{
		"b1b1b1b1 ": {{Chemin: "/home/marie/Documents", Nom: "Documents", Dossier: true}},
		"b1b1b1b1 /home/marie/Documents": {
			{Chemin: "/home/marie/Documents/Budget", Nom: "Budget", Dossier: true},
			{Chemin: "/home/marie/Documents/courrier.odt", Nom: "courrier.odt", Taille: 24_576, ModifieLe: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)},
		},
		"b1b1b1b1 /home/marie/Documents/Budget": {
			{Chemin: "/home/marie/Documents/Budget/budget-2026.ods", Nom: "budget-2026.ods", Taille: 1_300_000, ModifieLe: time.Date(2026, 11, 23, 17, 5, 0, 0, time.UTC)},
		},
	}
	return f
}

func (f *fauxAgent) EtatSauvegarde(ctx context.Context) (*agent.EtatSauvegarde, error) {
	if err := f.note("EtatSauvegarde"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.sauvegarde.etat
	e.Config.Dossiers = slices.Clone(e.Config.Dossiers)
	return &e, nil
}

func (f *fauxAgent) ConfigurerSauvegarde(ctx context.Context, c agent.ConfigSauvegarde) error {
	if err := f.note("ConfigurerSauvegarde"); err != nil {
		return err
	}
	if c.Heure < 0 || c.Heure > 23 {
		return xdemat.Errorf(xdemat.EINVALID, "Heure de sauvegarde invalide : choisissez entre 0 h et 23 h.")
	}
	if c.Active && len(c.Dossiers) == 0 {
		return xdemat.Errorf(xdemat.EINVALID, "Aucun dossier à sauvegarder : ajoutez au moins un dossier.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c.Dossiers = slices.Clone(c.Dossiers)
	f.sauvegarde.configs = append(f.sauvegarde.configs, c)
	f.sauvegarde.etat.Config = c
	return nil
}

func (f *fauxAgent) LancerSauvegarde(ctx context.Context) error {
	if err := f.note("LancerSauvegarde"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sauvegarde.etat.EnCours != nil {
		return xdemat.Errorf(xdemat.ECONFLICT, "Une sauvegarde est déjà en cours.")
	}
	f.sauvegarde.lancees++
	f.sauvegarde.etat.EnCours = &agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde, Debut: maintenantTest}
	return nil
}

func (f *fauxAgent) AnnulerSauvegarde(ctx context.Context) error {
	if err := f.note("AnnulerSauvegarde"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sauvegarde.annulees++
	return nil
}

func (f *fauxAgent) HistoriqueSauvegardes(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error) {
	if err := f.note("HistoriqueSauvegardes"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.sauvegarde.historique
	if limite > 0 && len(h) > limite {
		h = h[:limite]
	}
	return slices.Clone(h), nil
}

func (f *fauxAgent) Instantanes(ctx context.Context) ([]agent.Instantane, error) {
	if err := f.note("Instantanes"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sauvegarde.instantanes), nil
}

func (f *fauxAgent) ContenuInstantane(ctx context.Context, instantane, chemin string) ([]agent.EntreeInstantane, error) {
	if err := f.note("ContenuInstantane " + instantane + " " + chemin); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	es, ok := f.sauvegarde.contenus[instantane+" "+chemin]
	if !ok {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Dossier absent de cette sauvegarde.")
	}
	return slices.Clone(es), nil
}

func (f *fauxAgent) Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error) {
	if err := f.note("Restaurer " + d.Instantane + " " + strings.Join(d.Chemins, ",") + " → " + d.Cible); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sauvegarde.restaurations = append(f.sauvegarde.restaurations, d)
	cible := d.Cible
	if cible == "" {
		cible = "/home/marie/Documents"
	}
	return &agent.ResultatRestauration{Fichiers: 1, Octets: 1_300_000, Cible: cible}, nil
}
