package pkcs11

import (
	"fmt"
	"strings"

	p11 "github.com/miekg/pkcs11"
)

// Jeton is a token (USB key or smart card in its reader) seen in a slot.
type Jeton struct {
	Slot        uint
	Libelle     string
	Fabricant   string
	Modele      string
	NumeroSerie string

	// PIN state as the token reports it. Tokens do not give the exact
	// number of tries left: only "few", "last" and "locked".
	PINPeuDEssais   bool // CKF_USER_PIN_COUNT_LOW
	PINDernierEssai bool // CKF_USER_PIN_FINAL_TRY
	PINBloque       bool // CKF_USER_PIN_LOCKED
	PINAChanger     bool // CKF_USER_PIN_TO_BE_CHANGED
	// ClavierSurLecteur is true when the PIN is typed on the reader's own
	// keypad (CKF_PROTECTED_AUTHENTICATION_PATH): the app must not ask it.
	ClavierSurLecteur bool
	PINMin, PINMax    uint
}

func jetonDe(slot uint, ti p11.TokenInfo) Jeton {
	f := ti.Flags
	return Jeton{
		Slot:              slot,
		Libelle:           strings.TrimSpace(ti.Label),
		Fabricant:         strings.TrimSpace(ti.ManufacturerID),
		Modele:            strings.TrimSpace(ti.Model),
		NumeroSerie:       strings.TrimSpace(ti.SerialNumber),
		PINPeuDEssais:     f&p11.CKF_USER_PIN_COUNT_LOW != 0,
		PINDernierEssai:   f&p11.CKF_USER_PIN_FINAL_TRY != 0,
		PINBloque:         f&p11.CKF_USER_PIN_LOCKED != 0,
		PINAChanger:       f&p11.CKF_USER_PIN_TO_BE_CHANGED != 0,
		ClavierSurLecteur: f&p11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		PINMin:            ti.MinPinLen,
		PINMax:            ti.MaxPinLen,
	}
}

// Nom is how the app names the token: "Clé SafeNet eToken 5110 « Jean Dupont »".
func (j Jeton) Nom() string {
	m := strings.TrimSpace(j.Fabricant + " " + j.Modele)
	if m == "" {
		m = "de signature"
	}
	if j.Libelle == "" {
		return "Clé " + m
	}
	return fmt.Sprintf("Clé %s « %s »", m, j.Libelle)
}

// EtatPIN is one French line on the PIN state, empty when all is well.
func (j Jeton) EtatPIN() string {
	switch {
	case j.PINBloque:
		return messageBloque
	case j.PINDernierEssai:
		return "Attention : il ne reste qu'un essai avant le blocage de la clé."
	case j.PINPeuDEssais:
		return "Attention : plusieurs PIN incorrects ont été saisis, il reste peu d'essais avant le blocage de la clé."
	case j.PINAChanger:
		return "Le PIN de la clé doit être changé avant de signer : utilisez l'outil fourni avec la clé."
	}
	return ""
}

// Jetons lists the tokens present, in slot order.
func (m *Module) Jetons() ([]Jeton, error) {
	slots, err := m.f.GetSlotList(true)
	if err != nil {
		return nil, traduire(err, "lister les clés branchées")
	}
	out := make([]Jeton, 0, len(slots))
	for _, s := range slots {
		ti, err := m.f.GetTokenInfo(s)
		if err != nil {
			// A token pulled out between the two calls is simply not there.
			if c, ok := codeP11(err); ok && (c == p11.CKR_TOKEN_NOT_PRESENT || c == p11.CKR_DEVICE_REMOVED) {
				continue
			}
			return nil, traduire(err, "lire les informations de la clé")
		}
		// Readers with an uninitialised card show a token that cannot sign.
		if ti.Flags&p11.CKF_TOKEN_INITIALIZED == 0 {
			continue
		}
		out = append(out, jetonDe(s, ti))
	}
	return out, nil
}

// Jeton finds the token labelled libelle; with an empty label, the first
// token present.
func (m *Module) Jeton(libelle string) (Jeton, error) {
	js, err := m.Jetons()
	if err != nil {
		return Jeton{}, err
	}
	for _, j := range js {
		if libelle == "" || j.Libelle == libelle {
			return j, nil
		}
	}
	if libelle == "" {
		return Jeton{}, &Erreur{Code: ErrJetonAbsent, EssaisRestants: -1, Message: "Aucune clé de signature n'est branchée : branchez votre clé USB (ou insérez votre carte dans le lecteur), attendez quelques secondes et recommencez."}
	}
	return Jeton{}, &Erreur{Code: ErrJetonAbsent, EssaisRestants: -1, Message: fmt.Sprintf(
		"La clé de signature « %s » n'est pas branchée : branchez-la (ou insérez la carte dans le lecteur) et recommencez.", libelle)}
}

// etat re-reads the token's flags (after a wrong PIN, to tell how many
// tries are left).
func (m *Module) etat(slot uint) (Jeton, bool) {
	ti, err := m.f.GetTokenInfo(slot)
	if err != nil {
		return Jeton{}, false
	}
	return jetonDe(slot, ti), true
}
