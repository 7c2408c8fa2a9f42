package xdemat

import (
	"errors"
	"fmt"
)

// Error codes. They are persisted and sent over the wire, so they are strings
// and never change meaning.
const (
	ECONFLICT     = "conflit"
	EINTERNAL     = "interne"
	EINVALID      = "invalide"
	ENOTFOUND     = "introuvable"
	EUNAUTHORIZED = "non_authentifie"
	EFORBIDDEN    = "interdit"
	ETOOLARGE     = "trop_volumineux"
	EUNAVAILABLE  = "indisponible"
)

// Error is a domain error: a code for programs and a French message for people.
// The message says what happened and, where possible, what to do next.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("xdemat: code=%s message=%s", e.Code, e.Message) }

// Errorf returns a domain error with a formatted French message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the domain error wrapped in err, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the French message of the domain error wrapped in err.
// Internal errors are never shown as they are: their detail goes to the logs.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Erreur interne. Réessayez dans quelques minutes ; si cela persiste, contactez le support de la SPL."
}
