package xdemat

import (
	"strings"
	"time"
)

// The synchronisation of Xactes. A poste creates an acte offline and asks
// for its transmission with operations; central alone talks to the
// préfecture (@CTES) and relays what happens to the acte as events to every
// poste of the commune.
const (
	// OperationActeCree records a new acte on a poste. Payload: Acte, in
	// status en attente d'envoi. ("acte.cree", the name first thought of,
	// serves as a free-form operation in the sync tests: not this one.)
	OperationActeCree = "acte.enregistre"
	// OperationActeTransmettre asks central to transmit the acte, with its
	// main document as it stands (signed). Payload: TransmissionActe.
	// Central transmits an acte once whatever the number of requests.
	OperationActeTransmettre = "acte.transmettre"
	// OperationActeAnnuler asks central to cancel a transmitted acte (or to
	// withdraw one never sent). Payload: AnnulationActe.
	OperationActeAnnuler = "acte.annuler"

	// EvenementActeStatut tells the postes that an acte changed status
	// (transmis, acquitté, en erreur, annulé). Payload: StatutActeChange.
	EvenementActeStatut = "acte.statut"
	// EvenementActeMessage brings a message of the préfecture about an acte
	// (courrier, demande de pièces, lettre d'observations, déféré).
	// Payload: MessagePrefecture.
	EvenementActeMessage = "acte.message"
)

// EstOperationActe reports whether typ is one of the acte operations.
func EstOperationActe(typ string) bool {
	switch typ {
	case OperationActeCree, OperationActeTransmettre, OperationActeAnnuler:
		return true
	}
	return false
}

// TransmissionActe asks for the transmission of an acte.
type TransmissionActe struct {
	ActeID            string    `json:"acteId"`
	DocumentPrincipal PieceActe `json:"documentPrincipal"`   // the (signed) main document to send
	DossierID         string    `json:"dossierId,omitempty"` // the parapheur dossier that signed it, if any
	Le                time.Time `json:"le"`
}

// Validate checks a transmission request.
func (t *TransmissionActe) Validate() error {
	if !ValidUUID(t.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if t.DossierID != "" && !texteValide(t.DossierID, 64) {
		return Errorf(EINVALID, "Identifiant de dossier du parapheur invalide.")
	}
	if t.Le.IsZero() {
		return Errorf(EINVALID, "La date de la demande de transmission est absente.")
	}
	return t.DocumentPrincipal.validate("Le document principal")
}

// AnnulationActe asks for the cancellation of an acte.
type AnnulationActe struct {
	ActeID string    `json:"acteId"`
	Motif  string    `json:"motif,omitempty"`
	Le     time.Time `json:"le"`
}

// Validate checks a cancellation request.
func (a *AnnulationActe) Validate() error {
	if !ValidUUID(a.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if !texteValide(a.Motif, 1000) {
		return Errorf(EINVALID, "Le motif de l'annulation contient des caractères interdits : retapez-le.")
	}
	if a.Le.IsZero() {
		return Errorf(EINVALID, "La date de la demande d'annulation est absente.")
	}
	return nil
}

// StatutActeChange is what central tells the postes when an acte moves:
// the new status and what comes with it.
type StatutActeChange struct {
	ActeID            string     `json:"acteId"`
	Statut            StatutActe `json:"statut"`
	NomArchive        string     `json:"nomArchive,omitempty"`
	TransmisLe        time.Time  `json:"transmisLe,omitzero"`
	IdentifiantUnique string     `json:"identifiantUnique,omitempty"`
	DateAR            time.Time  `json:"dateAR,omitzero"`
	// DocumentAR is the SHA-256 of the AR file, when central kept it.
	DocumentAR string    `json:"documentAR,omitempty"`
	Anomalie   string    `json:"anomalie,omitempty"` // in plain French
	AnnuleLe   time.Time `json:"annuleLe,omitzero"`
	Le         time.Time `json:"le"`
}

// Validate checks a status change.
func (c *StatutActeChange) Validate() error {
	if !ValidUUID(c.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if !c.Statut.Valid() {
		return Errorf(EINVALID, "Le statut « %s » de l'acte est inconnu.", strings.ToValidUTF8(string(c.Statut), "?"))
	}
	if c.Statut == ActeAcquitte && !ValidIdentifiantActe(c.IdentifiantUnique) {
		return Errorf(EINVALID, "L'accusé de réception n'a pas d'identifiant unique valide.")
	}
	if c.DocumentAR != "" && !ValidSHA256(c.DocumentAR) {
		return Errorf(EINVALID, "L'empreinte du fichier de l'accusé de réception est invalide.")
	}
	if !texteValide(c.NomArchive, 128) || !texteValideMultiligne(c.Anomalie, 4000) {
		return Errorf(EINVALID, "Le changement de statut de l'acte contient des caractères illisibles.")
	}
	if c.Le.IsZero() {
		return Errorf(EINVALID, "La date du changement de statut est absente.")
	}
	return nil
}

// Appliquer moves a to the status c says, with its details. The transitions
// are those of StatutActe.PeutPasserA; a change that brings nothing new (a
// replay) is accepted and changes nothing.
func (c *StatutActeChange) Appliquer(a *Acte) error {
	if a.Statut == c.Statut {
		switch c.Statut {
		case ActeAcquitte:
			a.IdentifiantUnique, a.DateAR = c.IdentifiantUnique, c.DateAR
			if c.DocumentAR != "" {
				a.DocumentAR = c.DocumentAR
			}
		case ActeEnErreur:
			a.Anomalie = c.Anomalie
		}
		return nil
	}
	switch c.Statut {
	case ActeTransmis:
		return a.MarquerTransmis(c.NomArchive, c.TransmisLe)
	case ActeAcquitte:
		if a.Statut == ActeEnAttenteEnvoi {
			// The AR overtook the "transmis" event: both are true.
			if err := a.MarquerTransmis(c.NomArchive, c.TransmisLe); err != nil {
				return err
			}
		}
		if err := a.Acquitter(c.IdentifiantUnique, c.DateAR); err != nil {
			return err
		}
		a.DocumentAR = c.DocumentAR
		return nil
	case ActeEnErreur:
		return a.MettreEnErreur(c.Anomalie)
	case ActeEnAttenteEnvoi:
		return a.Reprendre()
	case ActeAnnulationTransmise:
		return a.DemanderAnnulation()
	case ActeAnnule:
		return a.Annuler(c.AnnuleLe)
	}
	return Errorf(EINVALID, "Le statut « %s » de l'acte est inconnu.", c.Statut)
}

// TypeMessagePrefecture is the kind of a message of the préfecture about an acte.
type TypeMessagePrefecture string

const (
	MessageCourrierSimple     TypeMessagePrefecture = "courrier_simple"     // 2-x
	MessageDemandePieces      TypeMessagePrefecture = "demande_pieces"      // 3-x
	MessageLettreObservations TypeMessagePrefecture = "lettre_observations" // 4-x
	MessageDefere             TypeMessagePrefecture = "defere"              // 5-x
)

// Libelle returns the French name of the kind of message.
func (t TypeMessagePrefecture) Libelle() string {
	switch t {
	case MessageCourrierSimple:
		return "Courrier simple"
	case MessageDemandePieces:
		return "Demande de pièces complémentaires"
	case MessageLettreObservations:
		return "Lettre d'observations"
	case MessageDefere:
		return "Déféré au tribunal administratif"
	}
	return string(t)
}

// Valid reports whether t is a known kind of message.
func (t TypeMessagePrefecture) Valid() bool { return t.Libelle() != string(t) }

// MessagePrefecture is a message of the préfecture about an acte.
type MessagePrefecture struct {
	ID     string                `json:"id"` // made by central, stable (a replay changes nothing)
	ActeID string                `json:"acteId"`
	Type   TypeMessagePrefecture `json:"type"`
	Code   string                `json:"code,omitempty"` // @CTES message code, "2-1"…
	Texte  string                `json:"texte"`          // in plain French
	// Documents are the SHA-256 of the files it came with (the courrier as PDF…).
	Documents []string  `json:"documents,omitempty"`
	RecuLe    time.Time `json:"recuLe"`
	// DateCourrier is the date the préfecture gave its letter
	// (DateCourrierPref): an answer must repeat it.
	DateCourrier time.Time `json:"dateCourrier,omitzero"`
}

// Validate checks a message.
func (m *MessagePrefecture) Validate() error {
	if !ValidUUID(m.ID) || !ValidUUID(m.ActeID) {
		return Errorf(EINVALID, "Identifiant de message ou d'acte invalide.")
	}
	if !m.Type.Valid() {
		return Errorf(EINVALID, "Type de message de la préfecture inconnu : « %s ».", strings.ToValidUTF8(string(m.Type), "?"))
	}
	if !texteValide(m.Code, 8) || !texteValideMultiligne(m.Texte, 20000) {
		return Errorf(EINVALID, "Le message de la préfecture contient des caractères illisibles.")
	}
	for _, h := range m.Documents {
		if !ValidSHA256(h) {
			return Errorf(EINVALID, "Empreinte de document invalide dans le message de la préfecture.")
		}
	}
	if m.RecuLe.IsZero() {
		return Errorf(EINVALID, "La date de réception du message est absente.")
	}
	return nil
}
