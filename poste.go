package xdemat

import "time"

// PosteStatut is the state of an enrolled device. Persisted as text.
type PosteStatut string

// States of a poste.
const (
	PosteActif   PosteStatut = "actif"
	PosteRevoque PosteStatut = "revoque"
)

// Poste is a device (a mairie PC, a laptop) enrolled for one commune. It
// authenticates every request to central with its own Ed25519 key, whose
// private half never leaves the device.
type Poste struct {
	ID          string      `json:"id"`
	CommuneID   string      `json:"communeId"`
	Nom         string      `json:"nom"`         // host name given at enrollment
	ClePublique []byte      `json:"clePublique"` // Ed25519 public key
	Statut      PosteStatut `json:"statut"`
	EnrolleLe   time.Time   `json:"enrolleLe"`
	RevoqueLe   time.Time   `json:"revoqueLe,omitzero"`
	VuLe        time.Time   `json:"vuLe,omitzero"` // last authenticated request
	Version     string      `json:"version"`       // agent version last reported
	DernierSeq  int64       `json:"dernierSeq"`    // highest operation sequence acknowledged
	EnAttente   int64       `json:"enAttente"`     // operations the agent last reported as pending
}

// ValidateNom checks the name a poste gives itself at enrollment (its host name).
func (p *Poste) ValidateNom() error {
	if p.Nom == "" || !texteValide(p.Nom, 100) {
		return Errorf(EINVALID, "Le nom du poste est vide ou contient des caractères interdits : relancez l'enrôlement avec -nom suivi d'un nom simple (par exemple PC-MAIRIE).")
	}
	return nil
}

// CodeEnrolement is a one-time code that the SPL issues for a commune, and that
// a technician types on the mairie PC to enroll it.
type CodeEnrolement struct {
	Code      string    `json:"code"`
	CommuneID string    `json:"communeId"`
	CreeLe    time.Time `json:"creeLe"`
	ExpireLe  time.Time `json:"expireLe"`
	UtiliseLe time.Time `json:"utiliseLe,omitzero"`
	PosteID   string    `json:"posteId,omitempty"` // the poste it enrolled
	RevoqueLe time.Time `json:"revoqueLe,omitzero"`
}

// DureeCodeEnrolement is how long an enrollment code stays valid.
const DureeCodeEnrolement = 48 * time.Hour

// Utilisable returns nil when the code may enroll a poste at now, or a French
// error saying why not and what to do.
func (c *CodeEnrolement) Utilisable(now time.Time) error {
	switch {
	case !c.RevoqueLe.IsZero():
		return Errorf(EFORBIDDEN, "Ce code d'enrôlement a été annulé par la SPL. Demandez un nouveau code à votre administrateur.")
	case !c.UtiliseLe.IsZero():
		return Errorf(EFORBIDDEN, "Ce code d'enrôlement a déjà servi le %s. Chaque code ne sert qu'une fois : demandez-en un nouveau à la SPL.", c.UtiliseLe.Local().Format("02/01/2006 à 15:04"))
	case !now.Before(c.ExpireLe):
		return Errorf(EFORBIDDEN, "Ce code d'enrôlement a expiré le %s (validité 48 heures). Demandez un nouveau code à la SPL.", c.ExpireLe.Local().Format("02/01/2006 à 15:04"))
	}
	return nil
}
