package pes

import "errors"

// Sentinel errors, for errors.Is. The error actually returned is an *Erreur
// whose Message is the French sentence to show.
var (
	ErrPasPESAller = errors.New("pas un PES Aller")
	ErrXML         = errors.New("XML incorrect")
	ErrEncodage    = errors.New("encodage inconnu")
	ErrValeur      = errors.New("valeur incorrecte")
)

// Erreur is what Lire returns: the sentinel it matches, a French message that
// says what is wrong and what to do, and the cause for the logs.
type Erreur struct {
	Code    error
	Message string
	Cause   error
}

func (e *Erreur) Error() string { return e.Message }

// Is matches the sentinel, so errors.Is(err, ErrPasPESAller) works.
func (e *Erreur) Is(cible error) bool { return cible == e.Code }

func (e *Erreur) Unwrap() error { return e.Cause }
