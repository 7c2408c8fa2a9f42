package pkcs11

import (
	"sync"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// Hooks for the external tests (package pkcs11_test), which may import
// jetontest where this package's own tests may not (import cycle).

var (
	Connus  = connus
	Trouver = trouver
)

type Connu = connu

func (c Connu) Chemin() string { return c.chemin }

// FixerHorloge makes the signer see another "now", to test a certificate
// that expires in the middle of a batch.
func (k *Signataire) FixerHorloge(maintenant func() time.Time) { k.maintenant = maintenant }

// CarteSimulee wraps a real token (SoftHSM2, which never locks its PIN)
// and behaves like a smart card with Max tries: flags COUNT_LOW after a
// wrong PIN, FINAL_TRY when one try is left, LOCKED and CKR_PIN_LOCKED at
// zero; a right PIN resets the counter. ErreurSignature, when set, is what
// C_Sign returns (a token pulled out: CKR_DEVICE_REMOVED).
type CarteSimulee struct {
	PIN             string
	Max             int
	ErreurSignature error
	// SansCalcul makes C_Sign answer at once with 256 zero bytes, to
	// measure what this package costs around the token.
	SansCalcul bool

	mu       sync.Mutex
	restants int
	fonctions
}

// OuvrirCarteSimulee opens the library at chemin behind a CarteSimulee.
func OuvrirCarteSimulee(chemin string, c *CarteSimulee) (*Module, error) {
	m, err := Ouvrir(chemin)
	if err != nil {
		return nil, err
	}
	c.fonctions, c.restants = m.f, c.Max
	m.f = c
	return m, nil
}

func (c *CarteSimulee) Login(sh p11.SessionHandle, u uint, pin string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.restants == 0 {
		return p11.Error(p11.CKR_PIN_LOCKED)
	}
	if pin != c.PIN {
		c.restants--
		return p11.Error(p11.CKR_PIN_INCORRECT)
	}
	c.restants = c.Max
	return c.fonctions.Login(sh, u, pin)
}

func (c *CarteSimulee) GetTokenInfo(slot uint) (p11.TokenInfo, error) {
	ti, err := c.fonctions.GetTokenInfo(slot)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.restants == 0:
		ti.Flags |= p11.CKF_USER_PIN_LOCKED
	case c.restants == 1:
		ti.Flags |= p11.CKF_USER_PIN_FINAL_TRY | p11.CKF_USER_PIN_COUNT_LOW
	case c.restants < c.Max:
		ti.Flags |= p11.CKF_USER_PIN_COUNT_LOW
	}
	return ti, err
}

func (c *CarteSimulee) Sign(sh p11.SessionHandle, m []byte) ([]byte, error) {
	c.mu.Lock()
	e, vide := c.ErreurSignature, c.SansCalcul
	c.mu.Unlock()
	if e != nil {
		return nil, e
	}
	if vide {
		return make([]byte, 256), nil
	}
	return c.fonctions.Sign(sh, m)
}

func (c *CarteSimulee) SignInit(sh p11.SessionHandle, m []*p11.Mechanism, o p11.ObjectHandle) error {
	c.mu.Lock()
	vide := c.SansCalcul
	c.mu.Unlock()
	if vide {
		return nil
	}
	return c.fonctions.SignInit(sh, m, o)
}
