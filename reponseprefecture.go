package xdemat

import (
	"strings"
	"time"
)

// The commune's answers to the préfecture's letters about an acte: the
// secretary answers a courrier simple, sends (or refuses to send) the pieces
// a demande asked for, answers (or rejects) a lettre d'observations. A déféré
// is a matter for the tribunal administratif: it is never answered over
// @CTES. A poste asks with acte.repondre; central builds the @CTES archive,
// posts it once, and relays each step as acte.reponse.
const (
	// OperationActeRepondre asks central to send an answer. Payload:
	// ReponsePrefecture in état demandée.
	OperationActeRepondre = "acte.repondre"
	// EvenementActeReponse tells the postes where an answer stands
	// (demandée, transmise, acquittée, refusée). Payload: ReponsePrefecture.
	EvenementActeReponse = "acte.reponse"
)

// TypeReponsePrefecture is the kind of answer. Persisted as text.
type TypeReponsePrefecture string

const (
	ReponseFavorable TypeReponsePrefecture = "reponse" // the pieces, or the answer to a courrier / to observations
	ReponseRefus     TypeReponsePrefecture = "refus"   // refusal to send the pieces asked for (3-3)
	ReponseRejet     TypeReponsePrefecture = "rejet"   // rejection of the observations (4-3)
)

// EtatReponsePrefecture is where an answer stands. Persisted as text.
type EtatReponsePrefecture string

const (
	ReponseDemandee  EtatReponsePrefecture = "demandee"  // asked on a poste, not yet taken by the platform
	ReponseTransmise EtatReponsePrefecture = "transmise" // the platform took the archive
	ReponseAcquittee EtatReponsePrefecture = "acquittee" // the préfecture acknowledged it (3-5, 4-5)
	ReponseRefusee   EtatReponsePrefecture = "refusee"   // the platform refused it: Anomalie says why
)

// Libelle returns the French label of the state.
func (e EtatReponsePrefecture) Libelle() string {
	switch e {
	case ReponseDemandee:
		return "En attente d'envoi"
	case ReponseTransmise:
		return "Transmise"
	case ReponseAcquittee:
		return "Reçue par la préfecture"
	case ReponseRefusee:
		return "Refusée"
	}
	return string(e)
}

// Valid reports whether e is a known state.
func (e EtatReponsePrefecture) Valid() bool { return e.Libelle() != string(e) }

// rang orders the states: a relayed state never moves an answer back.
func (e EtatReponsePrefecture) rang() int {
	switch e {
	case ReponseDemandee:
		return 1
	case ReponseTransmise:
		return 2
	case ReponseAcquittee, ReponseRefusee:
		return 3
	}
	return 0
}

// Avance reports whether moving from e to t is progress (a replay or an
// older state relayed late is not).
func (e EtatReponsePrefecture) Avance(t EtatReponsePrefecture) bool { return t.rang() > e.rang() }

// ReponsePrefecture is an answer of the commune to a message of the
// préfecture, and where it stands.
type ReponsePrefecture struct {
	ID        string                `json:"id"`
	ActeID    string                `json:"acteId"`
	MessageID string                `json:"messageId"`
	Type      TypeReponsePrefecture `json:"type"`
	// Lettre is the commune's letter (PDF); required but for the pieces
	// sent in answer to a demande, where it is an optional covering letter.
	Lettre *PieceActe            `json:"lettre,omitempty"`
	Pieces []PieceActe           `json:"pieces,omitempty"` // the pieces asked for (PDF)
	Par    string                `json:"par,omitempty"`
	Le     time.Time             `json:"le"` // when the secretary answered
	Etat   EtatReponsePrefecture `json:"etat"`

	NomArchive  string    `json:"nomArchive,omitempty"` // @CTES archive that carried it
	TransmiseLe time.Time `json:"transmiseLe,omitzero"`
	AcquitteeLe time.Time `json:"acquitteeLe,omitzero"`
	Anomalie    string    `json:"anomalie,omitempty"` // in plain French
}

// Documents returns the letter (if any) then the pieces.
func (r *ReponsePrefecture) Documents() []PieceActe {
	var out []PieceActe
	if r.Lettre != nil {
		out = append(out, *r.Lettre)
	}
	return append(out, r.Pieces...)
}

// Libelle says in French what the answer is, for the fiche and the journal.
func (r *ReponsePrefecture) Libelle() string {
	switch {
	case r.Type == ReponseRefus:
		return "Refus d'envoyer les pièces demandées"
	case r.Type == ReponseRejet:
		return "Rejet des observations"
	case len(r.Pieces) > 0:
		return "Envoi des pièces complémentaires"
	}
	return "Réponse de la commune"
}

func validerPieceReponse(p *PieceActe, role string) error {
	nom := strings.ToValidUTF8(p.Nom, "?")
	switch {
	case !ValidSHA256(p.SHA256):
		return Errorf(EINVALID, "%s « %s » n'a pas d'empreinte valide : déposez-la de nouveau.", role, nom)
	case strings.ContainsAny(p.Nom, "/\\") || !texteValide(p.Nom, 255) || strings.TrimSpace(p.Nom) == "":
		return Errorf(EINVALID, "Le nom de fichier « %s » contient un caractère interdit : renommez le fichier (lettres, chiffres, espaces, tirets).", nom)
	case p.Taille <= 0:
		return Errorf(EINVALID, "%s « %s » est vide : déposez le bon fichier.", role, nom)
	case p.Format() != FormatPDF:
		return Errorf(EINVALID, "%s « %s » n'est pas un PDF : la préfecture ne reçoit les réponses qu'en PDF ; enregistrez-la en PDF (Fichier > Exporter en PDF) puis déposez-la de nouveau.", role, nom)
	case p.TypePiece != "" && !ValidTypePiece(p.TypePiece):
		return Errorf(EINVALID, "Le type de pièce « %s » de « %s » n'existe pas : choisissez-le dans la liste de la préfecture.", strings.ToValidUTF8(p.TypePiece, "?"), nom)
	}
	return nil
}

// Validate checks the shape of an answer. What depends on the message
// answered is checked by ValiderPour.
func (r *ReponsePrefecture) Validate() error {
	if !ValidUUID(r.ID) || !ValidUUID(r.ActeID) || !ValidUUID(r.MessageID) {
		return Errorf(EINVALID, "Identifiant de réponse, d'acte ou de message invalide.")
	}
	switch r.Type {
	case ReponseFavorable, ReponseRefus, ReponseRejet:
	default:
		return Errorf(EINVALID, "Choisissez comment répondre : réponse, refus d'envoyer les pièces ou rejet des observations.")
	}
	if r.Etat != "" && !r.Etat.Valid() {
		return Errorf(EINVALID, "État de réponse inconnu : « %s ».", strings.ToValidUTF8(string(r.Etat), "?"))
	}
	if r.Lettre != nil {
		if err := validerPieceReponse(r.Lettre, "La lettre"); err != nil {
			return err
		}
	}
	if len(r.Pieces) > 50 {
		return Errorf(EINVALID, "Joignez au plus 50 pièces à une réponse : regroupez-les en un seul PDF.")
	}
	total := int64(0)
	for i := range r.Pieces {
		if err := validerPieceReponse(&r.Pieces[i], "La pièce"); err != nil {
			return err
		}
		total += r.Pieces[i].Taille
	}
	if r.Lettre != nil {
		total += r.Lettre.Taille
	}
	if total > TailleMaxActe {
		return Errorf(ETOOLARGE, "La réponse pèse %s : la préfecture en accepte %s au plus ; compressez les PDF ou retirez des pièces.", Octets(total), Octets(TailleMaxActe))
	}
	if !texteValide(r.Par, 128) || !texteValide(r.NomArchive, 128) || !texteValideMultiligne(r.Anomalie, 4000) {
		return Errorf(EINVALID, "La réponse contient des caractères illisibles.")
	}
	if r.Le.IsZero() {
		return Errorf(EINVALID, "La date de la réponse est absente.")
	}
	return nil
}

// ValiderPour checks that r answers m as @CTES allows: a déféré is not
// answered here, each kind of letter has its kinds of answer and what they
// carry.
func (r *ReponsePrefecture) ValiderPour(m *MessagePrefecture) error {
	if m.ID != r.MessageID || m.ActeID != r.ActeID {
		return Errorf(EINVALID, "Cette réponse ne correspond pas au message de la préfecture : répondez depuis le message.")
	}
	switch m.Type {
	case MessageDefere:
		return Errorf(EINVALID, "Un déféré au tribunal administratif ne se répond pas par @CTES : votre réponse (mémoire en défense) s'adresse au tribunal administratif, par son application Télérecours citoyens ou par courrier.")
	case MessageDemandePieces:
		switch r.Type {
		case ReponseFavorable:
			if len(r.Pieces) == 0 {
				return Errorf(EINVALID, "Joignez les pièces demandées par la préfecture (en PDF), ou choisissez de refuser de les envoyer.")
			}
		case ReponseRefus:
			if r.Lettre == nil {
				return Errorf(EINVALID, "Joignez la lettre (PDF) qui explique pourquoi la commune n'envoie pas les pièces.")
			}
			if len(r.Pieces) > 0 {
				return Errorf(EINVALID, "Un refus d'envoyer les pièces ne porte que la lettre : retirez les pièces, ou choisissez de les envoyer.")
			}
		default:
			return Errorf(EINVALID, "À une demande de pièces, on répond en envoyant les pièces ou en refusant par une lettre.")
		}
	case MessageLettreObservations:
		if r.Type != ReponseFavorable && r.Type != ReponseRejet {
			return Errorf(EINVALID, "À une lettre d'observations, on répond ou on rejette les observations, par une lettre.")
		}
		if r.Lettre == nil {
			return Errorf(EINVALID, "Joignez la lettre de réponse de la commune (PDF).")
		}
		if len(r.Pieces) > 0 {
			return Errorf(EINVALID, "La réponse à une lettre d'observations ne porte que la lettre : regroupez les pièces dans le PDF de la lettre.")
		}
	case MessageCourrierSimple:
		if r.Type != ReponseFavorable {
			return Errorf(EINVALID, "À un courrier simple, on répond par une lettre.")
		}
		if r.Lettre == nil {
			return Errorf(EINVALID, "Joignez la lettre de réponse de la commune (PDF).")
		}
		if len(r.Pieces) > 0 {
			return Errorf(EINVALID, "La réponse à un courrier ne porte que la lettre : regroupez les pièces dans le PDF de la lettre.")
		}
	default:
		return Errorf(EINVALID, "Ce message de la préfecture ne peut pas recevoir de réponse.")
	}
	return nil
}

// Repondable reports whether the commune may answer m over @CTES.
func (m *MessagePrefecture) Repondable() bool {
	switch m.Type {
	case MessageCourrierSimple, MessageDemandePieces, MessageLettreObservations:
		return true
	}
	return false
}

// DejaRepondu is the refusal of a second answer to the same message.
func DejaRepondu(r *ReponsePrefecture) error {
	le := r.Le
	if !r.TransmiseLe.IsZero() {
		le = r.TransmiseLe
	}
	return Errorf(ECONFLICT, "La commune a déjà répondu à ce message le %s (%s) : la préfecture n'attend qu'une réponse.",
		le.In(Paris).Format("02/01/2006 à 15:04"), strings.ToLower(r.Etat.Libelle()))
}
