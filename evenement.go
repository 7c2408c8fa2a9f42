package xdemat

import (
	"encoding/json"
	"time"
)

// Evenement is something central tells the postes of a commune: an operation
// received from another poste, a poste enrolled, and later an acknowledgement
// from the Préfecture or the DGFiP. Postes pull them in Curseur order.
type Evenement struct {
	Curseur   int64           `json:"curseur"` // increasing, assigned by central
	CommuneID string          `json:"-"`
	Type      string          `json:"type"`              // "operation.recue", "poste.enrole"…
	Objet     string          `json:"objet"`             // the ID or hash the event is about
	PosteID   string          `json:"posteId,omitempty"` // the poste that caused it, if any
	Payload   json.RawMessage `json:"payload,omitempty"`
	CreeLe    time.Time       `json:"creeLe"`
}

// Event types emitted by the platform.
const (
	EvenementOperationRecue = "operation.recue"
	EvenementDocumentRecu   = "document.recu"
	EvenementPosteEnrole    = "poste.enrole"
	EvenementPosteRevoque   = "poste.revoque"
)
