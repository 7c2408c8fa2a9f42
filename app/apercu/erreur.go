package apercu

import (
	"errors"
	"fmt"

	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
)

// Sentinel errors, for errors.Is. The error actually returned is an *Erreur
// whose Message is the French sentence to show to the élu.
var (
	ErrProtege         = errors.New("PDF protégé par un mot de passe")
	ErrChiffrement     = errors.New("chiffrement PDF non pris en charge")
	ErrIllisible       = errors.New("PDF illisible")
	ErrPageInexistante = errors.New("page inexistante")
	ErrLargeur         = errors.New("largeur d'affichage invalide")
	ErrFerme           = errors.New("document ou moteur fermé")
	ErrOccupe          = errors.New("trop de documents ouverts")
	ErrRendu           = errors.New("page impossible à afficher")
	ErrMoteur          = errors.New("moteur d'aperçu indisponible")
)

// Erreur is what this package returns: the sentinel it matches, a French
// message that says what happened and what to do, and the cause for the logs.
type Erreur struct {
	Code    error
	Message string
	Cause   error
}

func (e *Erreur) Error() string { return e.Message }

// Is matches the sentinel, so errors.Is(err, ErrProtege) works.
func (e *Erreur) Is(cible error) bool { return cible == e.Code }

func (e *Erreur) Unwrap() error { return e.Cause }

const (
	messageProtege     = "Ce PDF est protégé par un mot de passe : demandez une version sans protection."
	messageChiffrement = "Ce PDF est chiffré d'une façon que l'aperçu ne sait pas lire : demandez une version sans protection."
	messageIllisible   = "Ce fichier n'est pas un PDF lisible (abîmé, incomplet ou d'un autre format) : demandez à l'expéditeur de le renvoyer."
	messageFerme       = "Ce document a été fermé : rouvrez-le pour l'afficher."
	messageOccupe      = "Trop de documents sont ouverts en même temps : fermez-en un puis réessayez."
)

// ouverture translates what PDFium says when a document does not open.
func ouverture(err error) error {
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return &Erreur{Code: ErrProtege, Message: messageProtege, Cause: err}
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return &Erreur{Code: ErrChiffrement, Message: messageChiffrement, Cause: err}
	default:
		return &Erreur{Code: ErrIllisible, Message: messageIllisible, Cause: err}
	}
}

func erreurRendu(page int, err error) error {
	return &Erreur{Code: ErrRendu, Cause: err, Message: fmt.Sprintf(
		"La page %d n'a pas pu être affichée (elle est peut-être abîmée) : les autres pages restent lisibles ; demandez une nouvelle version du document si besoin.", page+1)}
}

func erreurMoteur(err error) error {
	return &Erreur{Code: ErrMoteur, Cause: err, Message: "L'aperçu des PDF n'a pas pu démarrer : redémarrez l'application ; si cela persiste, contactez le support de la SPL."}
}

func erreurMoteurFerme() error {
	return &Erreur{Code: ErrFerme, Message: "L'aperçu des PDF est arrêté : redémarrez l'application."}
}
