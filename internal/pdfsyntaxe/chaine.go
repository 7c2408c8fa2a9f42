package pdfsyntaxe

import (
	"bytes"
	"errors"
)

// The lexical errors of a hexadecimal string; their text is the end of
// the signer's French error messages.
var (
	ErrCaractereHexa = errors.New("caractère invalide dans une chaîne hexadécimale")
	ErrHexaNonFermee = errors.New("chaîne hexadécimale non fermée")
)

// ValeurHexa gives the value of a hexadecimal digit.
func ValeurHexa(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Nom reads a name after its '/', its #xx escapes undone.
func (l *Lecteur) Nom() []byte { return DecoderNom(l.Mot()) }

// DecoderNom undoes the #xx escapes of a name; a '#' not followed by two
// hexadecimal digits is kept as is.
func DecoderNom(m []byte) []byte {
	if bytes.IndexByte(m, '#') < 0 {
		return m
	}
	out := make([]byte, 0, len(m))
	for i := 0; i < len(m); i++ {
		if m[i] == '#' && i+2 < len(m) {
			h, ok1 := ValeurHexa(m[i+1])
			b, ok2 := ValeurHexa(m[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|b)
				i += 2
				continue
			}
		}
		out = append(out, m[i])
	}
	return out
}

// ChaineLitterale reads a literal string after its '(' and undoes its
// escapes. ferme is false when the data ends before the closing ')': the
// bytes read so far are returned all the same.
func (l *Lecteur) ChaineLitterale() (s []byte, ferme bool) {
	var out []byte
	niveau := 1
	for l.Pos < len(l.B) {
		c := l.B[l.Pos]
		l.Pos++
		switch c {
		case '(':
			niveau++
		case ')':
			niveau--
			if niveau == 0 {
				return out, true
			}
		case '\\':
			if l.Pos >= len(l.B) {
				return out, false
			}
			e := l.B[l.Pos]
			l.Pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.Pos < len(l.B) && l.B[l.Pos] == '\n' {
					l.Pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.Pos < len(l.B) && l.B[l.Pos] >= '0' && l.B[l.Pos] <= '7'; i++ {
						v = v*8 + int(l.B[l.Pos]-'0')
						l.Pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return out, false
}

// ChaineHexa reads a hexadecimal string after its '<'; an odd last digit
// stands for its high half. Strict, a character other than a digit or
// white space gives ErrCaractereHexa (Pos just after it) and a missing '>'
// ErrHexaNonFermee; tolerant, both are passed over and no error comes back.
func (l *Lecteur) ChaineHexa(strict bool) ([]byte, error) {
	var out []byte
	var demi byte
	impair, ferme := false, false
	for l.Pos < len(l.B) {
		c := l.B[l.Pos]
		l.Pos++
		if c == '>' {
			ferme = true
			break
		}
		v, ok := ValeurHexa(c)
		if !ok {
			if strict && !EstBlanc(c) {
				return nil, ErrCaractereHexa
			}
			continue
		}
		if impair {
			out = append(out, demi<<4|v)
		} else {
			demi = v
		}
		impair = !impair
	}
	if strict && !ferme {
		return nil, ErrHexaNonFermee
	}
	if impair {
		out = append(out, demi<<4)
	}
	return out, nil
}
