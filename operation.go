package xdemat

import (
	"encoding/json"
	"regexp"
	"time"
)

// Operation is a change made on a poste, committed locally first and then sent
// to central. Its ID, made by the poste, is the idempotency key; Seq orders the
// operations of one poste without gaps, so that central can acknowledge "up to
// Seq n" and ignore replays.
type Operation struct {
	ID        string          `json:"id"`               // UUID made by the poste
	Seq       int64           `json:"seq"`              // 1, 2, 3… per poste
	Type      string          `json:"type"`             // "document.ajoute", "acte.cree"…
	Auteur    string          `json:"auteur,omitempty"` // Utilisateur.ID
	Payload   json.RawMessage `json:"payload,omitempty"`
	Documents []string        `json:"documents,omitempty"` // SHA-256 of the documents it refers to
	CreeLe    time.Time       `json:"creeLe"`
}

// TailleMaxPayload bounds an operation's payload; documents travel apart.
const TailleMaxPayload = 256 << 10

var typeOperationRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Validate checks an operation before it is queued or accepted.
func (o *Operation) Validate() error {
	if !ValidUUID(o.ID) {
		return Errorf(EINVALID, "Identifiant d'opération invalide.")
	}
	if o.Seq < 1 {
		return Errorf(EINVALID, "Numéro de séquence d'opération invalide (%d).", o.Seq)
	}
	if !typeOperationRE.MatchString(o.Type) {
		return Errorf(EINVALID, "Type d'opération invalide : %q.", o.Type)
	}
	if !texteValide(o.Auteur, 128) {
		return Errorf(EINVALID, "L'auteur de l'opération %s contient des caractères illisibles.", o.ID)
	}
	if len(o.Payload) > TailleMaxPayload {
		return Errorf(ETOOLARGE, "Le contenu de l'opération dépasse %d Ko ; joignez les fichiers comme documents.", TailleMaxPayload>>10)
	}
	if len(o.Payload) > 0 && !json.Valid(o.Payload) {
		return Errorf(EINVALID, "Le contenu de l'opération n'est pas du JSON valide.")
	}
	for _, h := range o.Documents {
		if !ValidSHA256(h) {
			return Errorf(EINVALID, "Empreinte de document invalide dans l'opération %s.", o.ID)
		}
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidUUID reports whether s is a lowercase canonical UUID.
func ValidUUID(s string) bool { return uuidRE.MatchString(s) }
