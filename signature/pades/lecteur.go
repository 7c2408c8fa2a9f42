package pades

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// profondeurMax bounds nested arrays and dictionaries: a garbled file must
// give an error, not exhaust the stack.
const profondeurMax = 64

var errSyntaxe = errors.New("syntaxe PDF incorrecte")

// lecteur parses PDF objects from b, starting at pos.
type lecteur struct {
	b   []byte
	pos int
}

func estBlanc(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func estDelimiteur(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *lecteur) erreur(quoi string) error {
	return fmt.Errorf("%w à l'octet %d : %s", errSyntaxe, l.pos, quoi)
}

// blancs skips white space and comments.
func (l *lecteur) blancs() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case estBlanc(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// mot reads a run of regular characters (a keyword or a number).
func (l *lecteur) mot() []byte {
	debut := l.pos
	for l.pos < len(l.b) && !estBlanc(l.b[l.pos]) && !estDelimiteur(l.b[l.pos]) {
		l.pos++
	}
	return l.b[debut:l.pos]
}

func (l *lecteur) motSuivant() []byte {
	l.blancs()
	return l.mot()
}

// entierSuivant reads a non-negative integer token.
func (l *lecteur) entierSuivant() (int, bool) {
	l.blancs()
	debut := l.pos
	for l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '9' {
		l.pos++
	}
	if l.pos == debut || l.pos-debut > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(string(l.b[debut:l.pos]))
	return n, err == nil
}

func (l *lecteur) objet(profondeur int) (objet, error) {
	if profondeur > profondeurMax {
		return nil, l.erreur("imbrication trop profonde")
	}
	l.blancs()
	if l.pos >= len(l.b) {
		return nil, l.erreur("fin du fichier inattendue")
	}
	switch c := l.b[l.pos]; {
	case c == '/':
		l.pos++
		return l.nom()
	case c == '(':
		l.pos++
		return l.chaineLitterale()
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		return l.dictionnaire(profondeur)
	case c == '<':
		l.pos++
		return l.chaineHexa()
	case c == '[':
		l.pos++
		var t tableau
		for {
			l.blancs()
			if l.pos >= len(l.b) {
				return nil, l.erreur("tableau non fermé")
			}
			if l.b[l.pos] == ']' {
				l.pos++
				if t == nil {
					t = tableau{}
				}
				return t, nil
			}
			o, err := l.objet(profondeur + 1)
			if err != nil {
				return nil, err
			}
			t = append(t, o)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.nombreOuRef()
	default:
		m := l.mot()
		switch string(m) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if len(m) == 0 {
			l.pos++
		}
		return nil, l.erreur(fmt.Sprintf("élément inattendu %q", m))
	}
}

func (l *lecteur) nom() (objet, error) {
	m := l.mot()
	if bytes.IndexByte(m, '#') < 0 {
		return nom(m), nil
	}
	out := make([]byte, 0, len(m))
	for i := 0; i < len(m); i++ {
		if m[i] == '#' && i+2 < len(m) {
			if v, err := strconv.ParseUint(string(m[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, m[i])
	}
	return nom(out), nil
}

func (l *lecteur) nombreOuRef() (objet, error) {
	m := l.mot()
	if len(m) == 0 {
		l.pos++
		return nil, l.erreur("nombre attendu")
	}
	if _, err := strconv.ParseFloat(string(m), 64); err != nil {
		// Some writers emit "--1" or "1.2.3"; such numbers never matter
		// for the objects we rewrite, keep them as 0.
		return nombre("0"), nil
	}
	num, err := strconv.Atoi(string(m))
	if err != nil || num < 0 {
		return nombre(m), nil
	}
	// "num gen R" is a reference.
	sauve := l.pos
	gen, ok := l.entierSuivant()
	if ok {
		l.blancs()
		if l.pos < len(l.b) && l.b[l.pos] == 'R' && (l.pos+1 == len(l.b) || estBlanc(l.b[l.pos+1]) || estDelimiteur(l.b[l.pos+1])) {
			l.pos++
			return ref{num, gen}, nil
		}
	}
	l.pos = sauve
	return nombre(m), nil
}

func (l *lecteur) dictionnaire(profondeur int) (objet, error) {
	d := nouveauDict()
	for {
		l.blancs()
		if l.pos+1 < len(l.b) && l.b[l.pos] == '>' && l.b[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		if l.pos >= len(l.b) {
			return nil, l.erreur("dictionnaire non fermé")
		}
		if l.b[l.pos] != '/' {
			return nil, l.erreur("nom attendu dans un dictionnaire")
		}
		l.pos++
		k, _ := l.nom()
		v, err := l.objet(profondeur + 1)
		if err != nil {
			return nil, err
		}
		d.set(k.(nom), v)
	}
}

func (l *lecteur) chaineLitterale() (objet, error) {
	var out []byte
	niveau := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			niveau++
		case ')':
			niveau--
			if niveau == 0 {
				return chaine(out), nil
			}
		case '\\':
			if l.pos >= len(l.b) {
				return nil, l.erreur("chaîne non fermée")
			}
			e := l.b[l.pos]
			l.pos++
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
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; i++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, l.erreur("chaîne non fermée")
}

func (l *lecteur) chaineHexa() (objet, error) {
	out := make([]byte, 0, 64)
	var demi byte
	impair := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		var v byte
		switch {
		case c == '>':
			if impair {
				out = append(out, demi<<4)
			}
			return chaine(out), nil
		case estBlanc(c):
			continue
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, l.erreur("caractère invalide dans une chaîne hexadécimale")
		}
		if impair {
			out = append(out, demi<<4|v)
		} else {
			demi = v
		}
		impair = !impair
	}
	return nil, l.erreur("chaîne hexadécimale non fermée")
}
