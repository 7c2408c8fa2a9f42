package agent

import (
	"time"

	"xdemat"
)

// ConfigSauvegarde is what the secretary (or the technician) chose for the
// nightly backup of this poste.
type ConfigSauvegarde struct {
	Active bool `json:"active"`
	// Dossiers are absolute paths of folders to back up. The agent's own
	// store is always added (as a consistent copy, never the live file).
	Dossiers []string `json:"dossiers"`
	// Heure is the hour of the nightly run, local time, 0 to 23.
	Heure int `json:"heure"`
}

// TypeRestauration is the ProgressionSauvegarde.Type of a restore: it runs
// beside a backup and is not one (no report, no "en cours" state).
const TypeRestauration = "restauration"

// ProgressionSauvegarde is the progress of the run in progress, from
// restic's --json status lines; published on the bus as "sauvegarde".
type ProgressionSauvegarde struct {
	Type           string    `json:"type"` // xdemat.TypeSauvegarde or TypeExercice, or TypeRestauration
	Debut          time.Time `json:"debut"`
	Fraction       float64   `json:"fraction"` // 0 to 1
	FichiersFaits  int64     `json:"fichiersFaits"`
	FichiersTotal  int64     `json:"fichiersTotal"`
	OctetsFaits    int64     `json:"octetsFaits"`
	OctetsTotal    int64     `json:"octetsTotal"`
	FichierCourant string    `json:"fichierCourant,omitempty"`
}

// EtatSauvegarde is what the app's "Sauvegarde" page and status bar show.
type EtatSauvegarde struct {
	Config ConfigSauvegarde `json:"config"`
	// Propositions are folders found on this PC worth backing up
	// (Documents, the accounting software's data), for the first setup.
	Propositions    []string               `json:"propositions,omitempty"`
	EnCours         *ProgressionSauvegarde `json:"enCours,omitempty"`
	Derniere        *xdemat.Sauvegarde     `json:"derniere,omitempty"`
	DerniereReussie *xdemat.Sauvegarde     `json:"derniereReussie,omitempty"`
	Prochaine       time.Time              `json:"prochaine,omitzero"`
	Quota           int64                  `json:"quota"`   // bytes, 0 when not known yet
	Utilise         int64                  `json:"utilise"` // bytes
	// Probleme is a French sentence when backups cannot run at all (restic
	// missing, poste not enrolled…), "" otherwise.
	Probleme string `json:"probleme,omitempty"`
}

// Instantane is one backup of the repository, as the restore dialog lists them.
type Instantane struct {
	ID      string    `json:"id"`
	Date    time.Time `json:"date"`
	Poste   string    `json:"poste"` // restic's --host
	Chemins []string  `json:"chemins"`
}

// EntreeInstantane is a file or folder inside an Instantane.
type EntreeInstantane struct {
	Chemin    string    `json:"chemin"` // absolute path, as backed up
	Nom       string    `json:"nom"`
	Dossier   bool      `json:"dossier"`
	Taille    int64     `json:"taille"`
	ModifieLe time.Time `json:"modifieLe"`
}

// DemandeRestauration asks to restore files or folders of an Instantane.
type DemandeRestauration struct {
	Instantane string   `json:"instantane"`
	Chemins    []string `json:"chemins"` // absolute paths inside the snapshot; empty: everything
	// Cible is the folder to restore into; "" puts files back at their place
	// (the current versions are kept aside, never silently overwritten).
	Cible string `json:"cible,omitempty"`
}

// ResultatRestauration says what a restore did.
type ResultatRestauration struct {
	Fichiers int64  `json:"fichiers"`
	Octets   int64  `json:"octets"`
	Cible    string `json:"cible"`
}
