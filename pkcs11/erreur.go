package pkcs11

import (
	"errors"
	"fmt"

	p11 "github.com/miekg/pkcs11"
)

// Sentinel errors, for errors.Is. The error actually returned is an *Erreur
// whose Message is the French text to show.
var (
	ErrAucunModule            = errors.New("aucun pilote de clé de signature")
	ErrJetonAbsent            = errors.New("clé de signature absente ou retirée")
	ErrPINIncorrect           = errors.New("PIN incorrect")
	ErrBloque                 = errors.New("clé bloquée")
	ErrPINExpire              = errors.New("PIN à changer")
	ErrPINInvalide            = errors.New("PIN de longueur invalide")
	ErrDejaConnecte           = errors.New("une session est déjà ouverte sur cette clé")
	ErrSessionFermee          = errors.New("session fermée")
	ErrNonConnecte            = errors.New("session sans PIN")
	ErrCleIntrouvable         = errors.New("clé ou certificat introuvable")
	ErrCertificatExpire       = errors.New("certificat expiré")
	ErrCertificatPasEncoreVal = errors.New("certificat pas encore valide")
	ErrNonPrisEnCharge        = errors.New("opération non prise en charge")
	ErrAnnule                 = errors.New("opération annulée")
	ErrJeton                  = errors.New("erreur de la clé de signature")
)

// Erreur is what this package returns: a French message that says what
// happened and what to do, the sentinel it matches, and the PKCS#11 cause.
// No Erreur ever holds a PIN.
type Erreur struct {
	Code    error  // one of the Err… sentinels
	Message string // French, for the app
	// EssaisRestants is what the token tells after a wrong PIN: 1 when it
	// is the last try, 0 when blocked, -1 when the token does not say (most
	// tokens only tell "few tries left", see PeuDEssais).
	EssaisRestants int
	PeuDEssais     bool
	Cause          error // the PKCS#11 error (CKR_…), for the logs
}

func (e *Erreur) Error() string { return e.Message }

// Is matches the sentinel, so errors.Is(err, ErrPINIncorrect) works.
func (e *Erreur) Is(cible error) bool { return cible == e.Code }

func (e *Erreur) Unwrap() error { return e.Cause }

// codeP11 returns the CKR_ value of a PKCS#11 error.
func codeP11(err error) (uint, bool) {
	var e p11.Error
	if errors.As(err, &e) {
		return uint(e), true
	}
	return 0, false
}

// traduire turns a PKCS#11 error into an *Erreur. quoi says what we were
// doing ("signer", "lire la clé"), for errors without a specific text.
func traduire(err error, quoi string) error {
	if err == nil {
		return nil
	}
	var deja *Erreur
	if errors.As(err, &deja) {
		return err
	}
	code, ok := codeP11(err)
	if !ok {
		return &Erreur{Code: ErrJeton, Cause: err, EssaisRestants: -1, Message: fmt.Sprintf(
			"Impossible de %s avec la clé de signature : retirez-la, rebranchez-la et recommencez.", quoi)}
	}
	e := &Erreur{Cause: err, EssaisRestants: -1}
	switch code {
	case p11.CKR_PIN_INCORRECT:
		e.Code, e.Message = ErrPINIncorrect, "PIN incorrect : vérifiez-le et recommencez (attention aux majuscules)."
	case p11.CKR_PIN_LOCKED:
		e.Code, e.EssaisRestants, e.Message = ErrBloque, 0, messageBloque
	case p11.CKR_PIN_EXPIRED:
		e.Code, e.Message = ErrPINExpire, "Le PIN de la clé doit être changé avant de signer : changez-le avec l'outil fourni avec la clé (SafeNet, IDPrime…), puis recommencez."
	case p11.CKR_PIN_LEN_RANGE, p11.CKR_PIN_INVALID:
		e.Code, e.Message = ErrPINInvalide, "Ce PIN n'a pas la bonne longueur ou contient des caractères refusés par la clé : vérifiez-le et recommencez."
	case p11.CKR_TOKEN_NOT_PRESENT, p11.CKR_DEVICE_REMOVED, p11.CKR_SLOT_ID_INVALID,
		p11.CKR_SESSION_HANDLE_INVALID, p11.CKR_SESSION_CLOSED, p11.CKR_TOKEN_NOT_RECOGNIZED:
		e.Code, e.Message = ErrJetonAbsent, "La clé de signature a été retirée ou n'est plus reconnue : rebranchez-la, puis recommencez (le PIN sera redemandé)."
	case p11.CKR_USER_NOT_LOGGED_IN:
		e.Code, e.Message = ErrNonConnecte, "La clé demande à nouveau le PIN (elle a peut-être été retirée, ou elle exige le PIN à chaque signature) : recommencez la signature."
	case p11.CKR_USER_ALREADY_LOGGED_IN, p11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
		e.Code, e.Message = ErrDejaConnecte, "Une autre signature est déjà en cours avec cette clé : terminez-la, puis recommencez."
	case p11.CKR_FUNCTION_CANCELED:
		e.Code, e.Message = ErrAnnule, "Saisie du PIN annulée sur le lecteur : recommencez quand vous êtes prêt."
	case p11.CKR_MECHANISM_INVALID, p11.CKR_MECHANISM_PARAM_INVALID, p11.CKR_KEY_TYPE_INCONSISTENT,
		p11.CKR_KEY_FUNCTION_NOT_PERMITTED, p11.CKR_FUNCTION_NOT_SUPPORTED:
		e.Code, e.Message = ErrNonPrisEnCharge, fmt.Sprintf(
			"Cette clé refuse de %s avec cet algorithme : choisissez un autre certificat, ou signalez-le à la SPL avec le modèle de votre clé.", quoi)
	case p11.CKR_DEVICE_ERROR, p11.CKR_DEVICE_MEMORY, p11.CKR_GENERAL_ERROR:
		e.Code, e.Message = ErrJeton, fmt.Sprintf(
			"La clé de signature ne répond pas correctement (impossible de %s) : retirez-la, rebranchez-la et recommencez ; si cela se répète, contactez votre autorité de certification.", quoi)
	default:
		e.Code, e.Message = ErrJeton, fmt.Sprintf(
			"Impossible de %s avec la clé de signature (%s) : retirez-la, rebranchez-la et recommencez.", quoi, nomCKR(code))
	}
	return e
}

const messageBloque = "Clé bloquée : trop de PIN incorrects. Débloquez-la avec le code PUK et l'outil fourni avec la clé (SafeNet, IDPrime…), ou contactez votre autorité de certification pour la faire débloquer."

// nomCKR names a PKCS#11 return value for messages and logs.
func nomCKR(code uint) string {
	s := p11.Error(code).Error() // "pkcs11: 0xA0: CKR_PIN_INCORRECT"
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			if nom := s[i+1:]; nom != "" {
				return nom
			}
			break
		}
	}
	return fmt.Sprintf("0x%X", code)
}
