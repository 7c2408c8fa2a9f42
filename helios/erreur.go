package helios

import "errors"

// Sentinel errors, for errors.Is. The error actually returned is an *Erreur
// whose Message is the French sentence to show.
var (
	ErrXML         = errors.New("XML incorrect")
	ErrEncodage    = errors.New("encodage incorrect")
	ErrTypeMessage = errors.New("type de message inattendu")
	ErrStructure   = errors.New("structure incorrecte")
	ErrTaille      = errors.New("fichier trop volumineux")
	ErrNomFichier  = errors.New("nom de fichier incorrect")
)

// Erreur says in French what is wrong with a message received from Hélios
// (or with a value given to a builder) and what to do.
type Erreur struct {
	Code    error
	Message string
	Cause   error
}

func (e *Erreur) Error() string { return e.Message }

// Is matches the sentinel, so errors.Is(err, ErrXML) works.
func (e *Erreur) Is(cible error) bool { return cible == e.Code }

func (e *Erreur) Unwrap() error { return e.Cause }

func erreur(code error, cause error, message string) *Erreur {
	return &Erreur{Code: code, Message: message, Cause: cause}
}
