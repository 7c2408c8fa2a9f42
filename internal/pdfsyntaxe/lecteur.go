// Package pdfsyntaxe holds the PDF syntax that the signer (signature/pades)
// and the text extractor (agent/textepdf) both read: the lexical rules of
// PDF (white space, delimiters, comments, keywords, integers, names,
// literal and hexadecimal strings) and the decoding of compressed streams.
//
// Each step of the lexer consumes bytes of Lecteur.B from Lecteur.Pos and
// never reads past its end, whatever the input: callers parse hostile
// files with it. What a value means (the object model, how strict to be,
// exact offsets or scanning) stays with the callers.
package pdfsyntaxe

import "strconv"

// ProfondeurMax bounds nested arrays and dictionaries: a garbled or
// hostile file must give an error or garbage, never exhaust the stack.
const ProfondeurMax = 64

// Lecteur reads PDF tokens from B, starting at Pos. Callers move Pos
// themselves where the syntax is theirs (stream data, inline images).
type Lecteur struct {
	B   []byte
	Pos int
}

// EstBlanc tells the PDF white-space characters.
func EstBlanc(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// EstDelimiteur tells the characters that end a keyword or a number.
func EstDelimiteur(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Blancs skips white space and comments.
func (l *Lecteur) Blancs() {
	for l.Pos < len(l.B) {
		c := l.B[l.Pos]
		switch {
		case EstBlanc(c):
			l.Pos++
		case c == '%':
			for l.Pos < len(l.B) && l.B[l.Pos] != '\n' && l.B[l.Pos] != '\r' {
				l.Pos++
			}
		default:
			return
		}
	}
}

// Mot reads a run of regular characters (a keyword or a number), possibly
// empty when Pos stands on a delimiter or white space.
func (l *Lecteur) Mot() []byte {
	debut := l.Pos
	for l.Pos < len(l.B) && !EstBlanc(l.B[l.Pos]) && !EstDelimiteur(l.B[l.Pos]) {
		l.Pos++
	}
	return l.B[debut:l.Pos]
}

// MotSuivant skips white space and comments, then reads a word.
func (l *Lecteur) MotSuivant() []byte {
	l.Blancs()
	return l.Mot()
}

// EntierSuivant reads a non-negative integer token of at most ten digits
// (offsets, object numbers, counts of a cross-reference table).
func (l *Lecteur) EntierSuivant() (int, bool) {
	l.Blancs()
	debut := l.Pos
	for l.Pos < len(l.B) && l.B[l.Pos] >= '0' && l.B[l.Pos] <= '9' {
		l.Pos++
	}
	if l.Pos == debut || l.Pos-debut > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(string(l.B[debut:l.Pos]))
	return n, err == nil
}

// FinDeMot tells whether Pos is past the end of a word: at the end of the
// data, on white space or on a delimiter ("R" of "1 0 R" must stand alone).
func (l *Lecteur) FinDeMot(pos int) bool {
	return pos >= len(l.B) || EstBlanc(l.B[pos]) || EstDelimiteur(l.B[pos])
}
