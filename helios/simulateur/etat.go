package simulateur

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"xdemat/pes"
)

// fichierEtat is the simulator's state file in Options.Dossier.
const fichierEtat = "etat.json"

// etat is what the simulator keeps across a restart: what it received
// (so that the same file sent again gets the same acquit) and the replies
// not fetched yet, as the DGFiP's server does.
type etat struct {
	Depots     map[string]*etatDepot   `json:"depots"`
	Reponses   map[string]*etatReponse `json:"reponses"`
	Ordre      []string                `json:"ordre"`
	Bordereaux map[string]bool         `json:"bordereaux"`
	PJ         map[string]bool         `json:"pj"`
	EnAttente  []etatBordereau         `json:"en_attente"`
	Compteurs  map[string]int          `json:"compteurs"`
}

type etatDepot struct {
	Empreinte string       `json:"empreinte"`
	Reponse   *etatReponse `json:"reponse"`
}

type etatReponse struct {
	Reponse
	Contenu []byte `json:"contenu"`
}

type etatBordereau struct {
	EnTete    pes.EnTete    `json:"en_tete"`
	Domaine   pes.Domaine   `json:"domaine"`
	Bordereau pes.Bordereau `json:"bordereau"`
}

func versEtat(r *Reponse) *etatReponse {
	if r == nil {
		return nil
	}
	return &etatReponse{Reponse: *r, Contenu: r.contenu}
}

func depuisEtat(e *etatReponse) *Reponse {
	if e == nil {
		return nil
	}
	r := e.Reponse
	r.contenu = e.Contenu
	return &r
}

// charger reads the state file of the folder, if any (mu not needed: called
// before the simulator is shared).
func (s *Simulateur) charger() error {
	b, err := os.ReadFile(filepath.Join(s.opts.Dossier, fichierEtat))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("état du simulateur Hélios illisible : %w", err)
	}
	var e etat
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("état du simulateur Hélios (%s) illisible : %w ; supprimez le fichier pour repartir de zéro", filepath.Join(s.opts.Dossier, fichierEtat), err)
	}
	for k, d := range e.Depots {
		s.depots[k] = &depot{empreinte: d.Empreinte, reponse: depuisEtat(d.Reponse)}
	}
	for k, r := range e.Reponses {
		s.reponses[k] = depuisEtat(r)
	}
	s.ordre = e.Ordre
	for k, v := range e.Bordereaux {
		s.bordereaux[k] = v
	}
	for k, v := range e.PJ {
		s.pj[k] = v
	}
	for _, b := range e.EnAttente {
		s.enAttente = append(s.enAttente, bordereauAccepte{entete: b.EnTete, domaine: b.Domaine, b: b.Bordereau})
	}
	for k, v := range e.Compteurs {
		s.compteurs[k] = v
	}
	return nil
}

// sauver writes the whole state to a temporary file, syncs it and renames
// it over the previous one, so that a crash leaves either state, never half
// of one (mu held). Without a folder the state lives in memory only.
func (s *Simulateur) sauver() error {
	if s.opts.Dossier == "" {
		return nil
	}
	e := etat{Depots: map[string]*etatDepot{}, Reponses: map[string]*etatReponse{}, Ordre: s.ordre,
		Bordereaux: s.bordereaux, PJ: s.pj, Compteurs: s.compteurs}
	for k, d := range s.depots {
		e.Depots[k] = &etatDepot{Empreinte: d.empreinte, Reponse: versEtat(d.reponse)}
	}
	for k, r := range s.reponses {
		e.Reponses[k] = versEtat(r)
	}
	for _, b := range s.enAttente {
		e.EnAttente = append(e.EnAttente, etatBordereau{EnTete: b.entete, Domaine: b.domaine, Bordereau: b.b})
	}
	b, err := json.Marshal(&e)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.opts.Dossier, fichierEtat+".*")
	if err != nil {
		return fmt.Errorf("état du simulateur Hélios : %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("état du simulateur Hélios : %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("état du simulateur Hélios : %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("état du simulateur Hélios : %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.opts.Dossier, fichierEtat)); err != nil {
		return fmt.Errorf("état du simulateur Hélios : %w", err)
	}
	if d, err := os.Open(s.opts.Dossier); err == nil {
		_ = d.Sync() // the rename itself survives a power cut
		d.Close()
	}
	return nil
}
