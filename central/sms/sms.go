// Package sms sends text messages to the mobiles of the communes' people:
// a Provider interface, which the SMS issue will implement for real
// providers, and a Simulateur that records what it is given.
package sms

import (
	"context"
	"regexp"

	"xdemat"
)

// Message is a text to one mobile number.
type Message struct {
	// ID is the sender's reference (central's envoi), given back in reports.
	ID   string
	To   string // E.164: +33612345678
	Text string // at most one SMS: see Texte
}

// States a provider reports.
const (
	EtatEnvoye = "envoye" // accepted by the operator
	EtatLivre  = "livre"  // delivered to the phone
	EtatEchec  = "echec"  // will not be delivered; Rapport.Erreur says why
)

// Rapport is a delivery report of a message, received after Send returned.
type Rapport struct {
	ID        string // Message.ID
	Reference string // the provider's reference, as Send returned it
	Etat      string // Etat* constants
	Erreur    string // French, for EtatEchec
}

// Provider sends text messages.
type Provider interface {
	// Send hands m to the provider and returns its reference. An error
	// with code xdemat.EINVALID will never succeed (bad number); any other
	// may on a later attempt.
	Send(ctx context.Context, m Message) (reference string, err error)
	// OnRapport sets the function the provider calls, from any goroutine,
	// with the delivery reports of the messages sent.
	OnRapport(fn func(Rapport))
}

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkNumber refuses what is not an E.164 number.
func checkNumber(to string) error {
	if !e164RE.MatchString(to) {
		return xdemat.Errorf(xdemat.EINVALID, "Le numéro %q n'est pas un numéro de mobile au format international : corrigez-le dans la fiche de l'utilisateur.", to)
	}
	return nil
}
