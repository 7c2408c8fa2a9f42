package xades

import (
	"fmt"
	"time"
)

// Parametres are the signed properties chosen by the signer.
type Parametres struct {
	// DateSignature is written as SigningTime (UTC, milliseconds); now when zero.
	DateSignature time.Time `json:"date_signature"`
	// Role is the ClaimedRole: "Ordonnateur", "Maire", "Adjoint par délégation"…
	Role string `json:"role"`
	// Lieu is the SignatureProductionPlace; left out when empty.
	Lieu Lieu `json:"lieu"`
	// Politique defaults to PolitiqueHelios.
	Politique *Politique `json:"politique,omitempty"`
	// Global signs the whole PES_Aller once instead of each Bordereau.
	Global bool `json:"global"`
}

// Lieu is where the signature was made.
type Lieu struct {
	Ville      string `json:"ville"`
	CodePostal string `json:"code_postal"`
	Pays       string `json:"pays"`
}

func (l Lieu) vide() bool { return l.Ville == "" && l.CodePostal == "" && l.Pays == "" }

func (p Parametres) verifier() error {
	if p.Role == "" {
		return fmt.Errorf("rôle du signataire manquant : indiquez sa qualité (Ordonnateur, Maire, Adjoint par délégation…)")
	}
	pol := p.politique()
	if pol.Identifiant == "" || pol.Empreinte == "" {
		return fmt.Errorf("politique de signature incomplète : il faut son identifiant et son empreinte")
	}
	return nil
}

func (p Parametres) politique() Politique {
	if p.Politique != nil {
		return *p.Politique
	}
	return PolitiqueHelios
}
