package pkcs11

import (
	"errors"
	"io"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"
)

func TestTraduireLesErreursDuJeton(t *testing.T) {
	cas := []struct {
		nom     string
		err     error
		code    error
		message string
	}{
		{"PIN incorrect", p11.Error(p11.CKR_PIN_INCORRECT), ErrPINIncorrect, "PIN incorrect"},
		{"PIN bloqué", p11.Error(p11.CKR_PIN_LOCKED), ErrBloque, "code PUK"},
		{"PIN expiré", p11.Error(p11.CKR_PIN_EXPIRED), ErrPINExpire, "doit être changé"},
		{"PIN trop court", p11.Error(p11.CKR_PIN_LEN_RANGE), ErrPINInvalide, "longueur"},
		{"clé retirée", p11.Error(p11.CKR_DEVICE_REMOVED), ErrJetonAbsent, "rebranchez-la"},
		{"clé absente", p11.Error(p11.CKR_TOKEN_NOT_PRESENT), ErrJetonAbsent, "rebranchez-la"},
		{"session perdue", p11.Error(p11.CKR_SESSION_HANDLE_INVALID), ErrJetonAbsent, "le PIN sera redemandé"},
		{"PIN demandé à chaque signature", p11.Error(p11.CKR_USER_NOT_LOGGED_IN), ErrNonConnecte, "demande à nouveau le PIN"},
		{"saisie annulée sur le lecteur", p11.Error(p11.CKR_FUNCTION_CANCELED), ErrAnnule, "annulée"},
		{"mécanisme refusé", p11.Error(p11.CKR_MECHANISM_INVALID), ErrNonPrisEnCharge, "refuse de signer"},
		{"panne du jeton", p11.Error(p11.CKR_DEVICE_ERROR), ErrJeton, "autorité de certification"},
		{"code inattendu", p11.Error(p11.CKR_DATA_LEN_RANGE), ErrJeton, "CKR_DATA_LEN_RANGE"},
		{"erreur hors PKCS#11", io.ErrUnexpectedEOF, ErrJeton, "rebranchez-la"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			err := traduire(c.err, "signer")
			if !errors.Is(err, c.code) || !errors.Is(err, c.err) {
				t.Fatalf("%v : code ou cause perdus", err)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("message %q sans %q", err, c.message)
			}
			if strings.Contains(err.Error(), "pkcs11:") {
				t.Errorf("message technique anglais montré à l'élu : %q", err)
			}
		})
	}
	if traduire(nil, "signer") != nil {
		t.Error("nil doit rester nil")
	}
	deja := &Erreur{Code: ErrBloque, Message: "déjà traduite"}
	if traduire(deja, "signer") != error(deja) {
		t.Error("une erreur déjà traduite est rendue telle quelle")
	}
}
