package xdemat

import "time"

// StatutSauvegarde is how a backup run ended. Persisted as text.
type StatutSauvegarde string

// Outcomes of a run, mapped from restic's exit codes by the agent.
const (
	SauvegardeReussie StatutSauvegarde = "reussie" // exit 0
	// SauvegardePartielle: some files could not be read (exit 3); the
	// snapshot was made without them.
	SauvegardePartielle StatutSauvegarde = "partielle"
	SauvegardeEchouee   StatutSauvegarde = "echouee" // any other code, or restic missing
	SauvegardeAnnulee   StatutSauvegarde = "annulee" // stopped by the user or the PC shutting down
	SauvegardeRefusee   StatutSauvegarde = "refusee" // central refused: quota reached
)

// Libelle returns the French word of the history.
func (s StatutSauvegarde) Libelle() string {
	switch s {
	case SauvegardeReussie:
		return "Réussie"
	case SauvegardePartielle:
		return "Réussie, avec des fichiers illisibles"
	case SauvegardeEchouee:
		return "Échouée"
	case SauvegardeAnnulee:
		return "Annulée"
	case SauvegardeRefusee:
		return "Refusée : espace plein"
	}
	return string(s)
}

// Reussie reports whether the run left a usable snapshot.
func (s StatutSauvegarde) Reussie() bool {
	return s == SauvegardeReussie || s == SauvegardePartielle
}

// Sauvegarde is the report of one run (backup, or monthly restore drill),
// recorded on the poste and sent to central as a "sauvegarde.terminee"
// operation for the SPL's console.
type Sauvegarde struct {
	ID      string           `json:"id"`   // UUID made by the poste
	Type    string           `json:"type"` // "sauvegarde" or "exercice" (restore drill)
	PosteID string           `json:"posteId,omitempty"`
	Debut   time.Time        `json:"debut"`
	Fin     time.Time        `json:"fin"`
	Statut  StatutSauvegarde `json:"statut"`
	// Erreur is the French reason of a failure, "" otherwise.
	Erreur string `json:"erreur,omitempty"`
	// From restic's summary.
	Instantane         string `json:"instantane,omitempty"` // snapshot ID
	FichiersNouveaux   int64  `json:"fichiersNouveaux"`
	FichiersModifies   int64  `json:"fichiersModifies"`
	FichiersInchanges  int64  `json:"fichiersInchanges"`
	OctetsAjoutes      int64  `json:"octetsAjoutes"`      // data added to the repository (packed)
	OctetsTraites      int64  `json:"octetsTraites"`      // size of what was backed up
	FichiersIllisibles int64  `json:"fichiersIllisibles"` // files restic could not read
}

// Types of Sauvegarde.
const (
	TypeSauvegarde = "sauvegarde"
	TypeExercice   = "exercice"
)

// Duree returns how long the run took.
func (s *Sauvegarde) Duree() time.Duration { return s.Fin.Sub(s.Debut) }

// Validate checks a report before it is recorded.
func (s *Sauvegarde) Validate() error {
	if !ValidUUID(s.ID) {
		return Errorf(EINVALID, "Identifiant de sauvegarde invalide.")
	}
	if s.Type != TypeSauvegarde && s.Type != TypeExercice {
		return Errorf(EINVALID, "Type de sauvegarde inconnu : %q.", s.Type)
	}
	switch s.Statut {
	case SauvegardeReussie, SauvegardePartielle, SauvegardeEchouee, SauvegardeAnnulee, SauvegardeRefusee:
	default:
		return Errorf(EINVALID, "État de sauvegarde inconnu : %q.", s.Statut)
	}
	if s.Debut.IsZero() || s.Fin.Before(s.Debut) {
		return Errorf(EINVALID, "Dates de sauvegarde incohérentes.")
	}
	if !texteValideMultiligne(s.Erreur, 2000) || !texteValide(s.Instantane, 64) {
		return Errorf(EINVALID, "Rapport de sauvegarde illisible.")
	}
	if s.FichiersNouveaux < 0 || s.FichiersModifies < 0 || s.FichiersInchanges < 0 || s.OctetsAjoutes < 0 || s.OctetsTraites < 0 || s.FichiersIllisibles < 0 {
		return Errorf(EINVALID, "Compteurs de sauvegarde négatifs.")
	}
	return nil
}

// OperationSauvegardeTerminee reports a run to central (payload: Sauvegarde).
const OperationSauvegardeTerminee = "sauvegarde.terminee"

// QuotaSauvegardeDefaut is the space of the SPL's backup offer (50 Go).
const QuotaSauvegardeDefaut = 50 << 30

// Retention of the offer: 3 months of history, applied by central.
const RetentionSauvegarde = "3m" // restic's --keep-within
