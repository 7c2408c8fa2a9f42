package agent

import (
	"context"
	"time"

	"xdemat"
)

// Xactes on the poste: the secretary creates actes offline, sends them
// (directly, or through the parapheur for the signature) and follows what
// the préfecture answers, relayed by central.

// EvenementActes is the bus event published when an acte changed, here or
// through central (Data: the acte ID).
const EvenementActes = "actes"

// FiltreActes selects actes for the app's lists.
type FiltreActes struct {
	Nature xdemat.NatureActe `json:"nature,omitempty"` // 0: all
	Annee  int               `json:"annee,omitempty"`  // year of the decision; 0: all
	Statut xdemat.StatutActe `json:"statut,omitempty"` // "": all
	Limite int               `json:"limite,omitempty"` // 0: no cap
}

// EntreeActe is one line of an acte's history, as the follow-up screen shows it.
type EntreeActe struct {
	Le      time.Time         `json:"le"`
	Action  string            `json:"action"` // an operation or event type ("acte.enregistre", "acte.statut"…)
	Statut  xdemat.StatutActe `json:"statut"` // after the action
	Par     string            `json:"par,omitempty"`
	Details string            `json:"details,omitempty"` // in French
}

// FicheActe is an acte with its history and the préfecture's messages.
type FicheActe struct {
	Acte       *xdemat.Acte                `json:"acte"`
	DossierID  string                      `json:"dossierId,omitempty"` // the parapheur dossier signing it
	EnvoyeLe   time.Time                   `json:"envoyeLe,omitzero"`   // when its transmission was asked
	Historique []EntreeActe                `json:"historique"`
	Messages   []*xdemat.MessagePrefecture `json:"messages"`
	// Reponses are the commune's answers to the messages (reponseprefecture.go).
	Reponses []*xdemat.ReponsePrefecture `json:"reponses,omitempty"`
}

// DemandeEnvoiActes asks to send a batch of actes: directly when they are
// already signed, otherwise through the parapheur with the circuit of the
// nature (Etapes empty: the model circuit).
type DemandeEnvoiActes struct {
	Actes        []string       `json:"actes"`
	ViaParapheur bool           `json:"viaParapheur"`
	Etapes       []xdemat.Etape `json:"etapes,omitempty"`
}

// ResultatEnvoiActe is the outcome of sending one acte of a batch.
type ResultatEnvoiActe struct {
	ActeID    string       `json:"acteId"`
	Acte      *xdemat.Acte `json:"acte,omitempty"`
	DossierID string       `json:"dossierId,omitempty"`
	Erreur    string       `json:"erreur,omitempty"` // in French
}

// MaxLotActes bounds a batch of actes sent at once.
const MaxLotActes = 200

// ActesStore is the Xactes part of the agent's database. Each change is one
// transaction with its operation for central and its journal entry.
type ActesStore interface {
	// ProposerNumeroActe proposes the next free numéro interne of the
	// register of the nature, for the year: "DE2026_004", "AR2026_012"…
	ProposerNumeroActe(ctx context.Context, nature xdemat.NatureActe, annee int) (string, error)
	// CreerActe validates and records a new acte (ID assigned when empty,
	// status en attente d'envoi); its documents must have been added.
	// ECONFLICT, in French, for a numéro already used in the commune.
	CreerActe(ctx context.Context, a *xdemat.Acte, auteur string, now time.Time) error
	// Actes returns what f selects, newest decision first.
	Actes(ctx context.Context, f FiltreActes) ([]*xdemat.Acte, error)
	// FicheActe returns the acte with its history; ENOTFOUND.
	FicheActe(ctx context.Context, id string) (*FicheActe, error)
	// EnvoyerActe sends an acte: directly (the operation acte.transmettre is
	// queued), or through the parapheur (a dossier is deposited; the
	// transmission is queued once the dossier is signed, with the signed
	// document as main document). Returns the acte and the dossier ID.
	EnvoyerActe(ctx context.Context, id, par string, viaParapheur bool, etapes []xdemat.Etape, now time.Time) (*xdemat.Acte, string, error)
	// AnnulerActe asks for the cancellation of an acknowledged acte, or
	// withdraws one never sent.
	AnnulerActe(ctx context.Context, id, par, motif string, now time.Time) (*xdemat.Acte, error)
}
