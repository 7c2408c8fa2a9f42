package agent

import "time"

// Diagnostic is what the app's "À propos / diagnostic" page shows of the agent.
type Diagnostic struct {
	Version        string    `json:"version"`
	DossierDonnees string    `json:"dossierDonnees"`
	DemarreLe      time.Time `json:"demarreLe"`
	Systeme        string    `json:"systeme"`            // GOOS/GOARCH
	Identite       *Identity `json:"identite,omitempty"` // nil before enrollment
	Etat           SyncState `json:"etat"`
	// Boucles is the state of each background loop (outbox, inbox…) by name:
	// "" when it works, else its last French error.
	Boucles map[string]string `json:"boucles,omitempty"`
}
