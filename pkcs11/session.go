package pkcs11

import (
	"fmt"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// Compteurs counts the operations a Session asked of the token: C_Login
// calls and C_Sign calls (successful or not). A batch of n documents must
// show 1 connexion and n signatures.
type Compteurs struct {
	Connexions int
	Signatures int
}

// Session is a logged-in session on one token. PKCS#11 sessions must not
// be used by two threads at once, so every token call goes through mu: any
// number of goroutines may share a Session and its Signataires.
type Session struct {
	m      *Module
	jeton  Jeton
	h      p11.SessionHandle
	rendre func() error

	mu        sync.Mutex
	fermee    bool
	compteurs Compteurs
}

// connectes holds the tokens with a logged-in Session in this process. The
// PKCS#11 login state belongs to the application, not to a session: a
// second C_Login on the same token answers CKR_USER_ALREADY_LOGGED_IN
// without checking the PIN (measured with SoftHSM2), and the first
// C_Logout would log out both. So one Session per token at a time.
var connectes = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

func cleJeton(m *Module, slot uint) string { return fmt.Sprintf("%s#%d", m.cle, slot) }

// Connecter opens a session on the token and logs in with pin. The PIN is
// passed to the token and kept nowhere: not in the Session, not in any
// error or log. The caller should clear its slice afterwards (clear(pin)).
// On a reader with its own keypad (Jeton.ClavierSurLecteur) pin may be
// empty: the reader asks for it.
func (m *Module) Connecter(j Jeton, pin []byte) (*Session, error) {
	cle := cleJeton(m, j.Slot)
	connectes.Lock()
	if connectes.m[cle] {
		connectes.Unlock()
		return nil, &Erreur{Code: ErrDejaConnecte, EssaisRestants: -1, Message: "Une signature est déjà en cours avec cette clé : terminez-la (ou fermez-la), puis recommencez."}
	}
	connectes.m[cle] = true
	connectes.Unlock()
	liberer := func() {
		connectes.Lock()
		delete(connectes.m, cle)
		connectes.Unlock()
	}

	rendre, err := m.prendre()
	if err != nil {
		liberer()
		return nil, err
	}
	h, err := m.f.OpenSession(j.Slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		liberer()
		rendre()
		return nil, traduire(err, "ouvrir une session sur la clé")
	}
	s := &Session{m: m, jeton: j, h: h, rendre: rendre}
	s.compteurs.Connexions++
	if err := m.f.Login(h, p11.CKU_USER, string(pin)); err != nil {
		m.f.CloseSession(h)
		liberer()
		rendre()
		return nil, m.erreurConnexion(j.Slot, err)
	}
	return s, nil
}

// erreurConnexion translates a failed login and completes it with what the
// token says about the tries left.
func (m *Module) erreurConnexion(slot uint, err error) error {
	e, _ := traduire(err, "vérifier le PIN").(*Erreur)
	if e == nil || e.Code != ErrPINIncorrect {
		return e
	}
	j, ok := m.etat(slot)
	switch {
	case !ok:
	case j.PINBloque:
		e.Code, e.EssaisRestants, e.Message = ErrBloque, 0, messageBloque
	case j.PINDernierEssai:
		e.EssaisRestants = 1
		e.Message = "PIN incorrect : il ne reste qu'un essai avant le blocage de la clé. Vérifiez le PIN avant de le saisir à nouveau (attention aux majuscules)."
	case j.PINPeuDEssais:
		e.PeuDEssais = true
		e.Message = "PIN incorrect : il reste peu d'essais avant le blocage de la clé. Vérifiez le PIN avant de le saisir à nouveau (attention aux majuscules)."
	}
	return e
}

// Jeton is the token of the session.
func (s *Session) Jeton() Jeton { return s.jeton }

// Compteurs returns the token operations done so far.
func (s *Session) Compteurs() Compteurs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compteurs
}

// Certificats lists the certificates with ClePrivee set reliably (private
// keys are visible once logged in).
func (s *Session) Certificats() ([]Certificat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ouverte(); err != nil {
		return nil, err
	}
	return lireCertificats(s.m.f, s.h)
}

func (s *Session) ouverte() error {
	if s.fermee {
		return &Erreur{Code: ErrSessionFermee, EssaisRestants: -1, Message: "La session de signature est fermée : saisissez à nouveau le PIN pour signer."}
	}
	return nil
}

// Fermer logs out and closes the session (the PIN is needed again for the
// next batch), and gives the library back. Closing twice is harmless; a
// token already pulled out is not an error.
func (s *Session) Fermer() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fermee {
		return nil
	}
	s.fermee = true
	errLogout := s.m.f.Logout(s.h)
	errClose := s.m.f.CloseSession(s.h)
	connectes.Lock()
	delete(connectes.m, cleJeton(s.m, s.jeton.Slot))
	connectes.Unlock()
	errRendre := s.rendre()
	for _, err := range []error{errLogout, errClose} {
		if c, ok := codeP11(err); ok && (c == p11.CKR_SESSION_HANDLE_INVALID || c == p11.CKR_SESSION_CLOSED ||
			c == p11.CKR_DEVICE_REMOVED || c == p11.CKR_TOKEN_NOT_PRESENT || c == p11.CKR_USER_NOT_LOGGED_IN) {
			continue
		}
		if err != nil {
			return traduire(err, "fermer la session de signature")
		}
	}
	return errRendre
}
