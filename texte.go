package xdemat

import (
	"unicode"
	"unicode/utf8"
)

// texteValide reports whether s is text a person could have typed: valid
// UTF-8, no control character, at most max bytes. Everything stored as text
// goes through it, so that neither a database (PostgreSQL refuses NUL bytes)
// nor a screen receives garbage from a damaged or hostile request.
func texteValide(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// texteValideMultiligne is texteValide for text of several lines: line feeds
// and tabs are allowed, other control characters are not.
func texteValideMultiligne(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

// TexteLisible is texteValide for the other packages that store outside
// text (central's projection of what postes send).
func TexteLisible(s string, max int) bool { return texteValide(s, max) }
