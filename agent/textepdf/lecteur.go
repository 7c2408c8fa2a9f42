package textepdf

import (
	"bytes"
	"strconv"
)

// The objects of a PDF, as the lexer reads them. Every step consumes at
// least one byte or stops, and nesting is bounded: a hostile file can make
// it read garbage, never loop or overflow the stack.

type (
	nom  string
	ref  struct{ num, gen int }
	dict map[nom]any
	flux struct {
		d       dict
		donnees []byte // raw, still encoded
	}
	operateur string // a bare keyword of a content stream (Tj, BT…)
)

// profondeurMax bounds the nesting of arrays and dictionaries.
const profondeurMax = 64

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

// mot reads a run of regular characters.
func (l *lecteur) mot() []byte {
	d := l.pos
	for l.pos < len(l.b) && !estBlanc(l.b[l.pos]) && !estDelimiteur(l.b[l.pos]) {
		l.pos++
	}
	return l.b[d:l.pos]
}

// objet reads the next object; nil at the end or on what it cannot read
// (one byte is then consumed). A keyword that is not a value comes back
// as an operateur. Inside objects, "n g R" becomes a ref.
func (l *lecteur) objet(profondeur int) any {
	l.blancs()
	if l.pos >= len(l.b) {
		return nil
	}
	if profondeur > profondeurMax {
		l.pos = len(l.b)
		return nil
	}
	c := l.b[l.pos]
	switch {
	case c == '/':
		l.pos++
		return nom(decoderNom(l.mot()))
	case c == '(':
		l.pos++
		return l.chaineLitterale()
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		return l.dictionnaire(profondeur + 1)
	case c == '<':
		l.pos++
		return l.chaineHexa()
	case c == '[':
		l.pos++
		var t []any
		for {
			l.blancs()
			if l.pos >= len(l.b) {
				return t
			}
			if l.b[l.pos] == ']' {
				l.pos++
				return t
			}
			avant := l.pos
			o := l.objet(profondeur + 1)
			if l.pos == avant {
				l.pos++
			}
			t = l.refSiEntiers(t, o)
		}
	case estDelimiteur(c):
		l.pos++
		return nil
	}
	m := l.mot()
	if len(m) == 0 {
		l.pos++
		return nil
	}
	switch string(m) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if (m[0] >= '0' && m[0] <= '9') || m[0] == '-' || m[0] == '+' || m[0] == '.' {
		if f, err := strconv.ParseFloat(string(m), 64); err == nil {
			return f
		}
	}
	return operateur(m)
}

// refSiEntiers appends o to t, folding "n g R" into a ref.
func (l *lecteur) refSiEntiers(t []any, o any) []any {
	if op, ok := o.(operateur); ok && op == "R" && len(t) >= 2 {
		n, ok1 := t[len(t)-2].(float64)
		g, ok2 := t[len(t)-1].(float64)
		if ok1 && ok2 && n >= 0 && g >= 0 && n < 1<<31 {
			return append(t[:len(t)-2], ref{int(n), int(g)})
		}
	}
	return append(t, o)
}

func (l *lecteur) dictionnaire(profondeur int) dict {
	d := dict{}
	var cle nom
	var valeurs []any
	fin := func() {
		if cle != "" && len(valeurs) > 0 {
			d[cle] = valeurs[len(valeurs)-1]
		}
	}
	for {
		l.blancs()
		if l.pos >= len(l.b) {
			fin()
			return d
		}
		if l.b[l.pos] == '>' {
			l.pos++
			if l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
			}
			fin()
			return d
		}
		avant := l.pos
		o := l.objet(profondeur)
		if l.pos == avant {
			l.pos++
		}
		if n, ok := o.(nom); ok && (cle == "" || len(valeurs) > 0) {
			fin()
			cle, valeurs = n, nil
			continue
		}
		valeurs = l.refSiEntiers(valeurs, o)
		if len(valeurs) > 3 {
			valeurs = valeurs[len(valeurs)-3:]
		}
	}
}

func (l *lecteur) chaineLitterale() []byte {
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
				return out
			}
		case '\\':
			if l.pos >= len(l.b) {
				return out
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
	return out
}

func valeurHexa(c byte) (byte, bool) {
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

func (l *lecteur) chaineHexa() []byte {
	var out []byte
	var demi byte
	impair := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		v, ok := valeurHexa(c)
		if !ok {
			continue
		}
		if impair {
			out = append(out, demi<<4|v)
		} else {
			demi = v
		}
		impair = !impair
	}
	if impair {
		out = append(out, demi<<4)
	}
	return out
}

// decoderNom undoes the #xx escapes of a name.
func decoderNom(m []byte) string {
	if bytes.IndexByte(m, '#') < 0 {
		return string(m)
	}
	var out []byte
	for i := 0; i < len(m); i++ {
		if m[i] == '#' && i+2 < len(m) {
			h, ok1 := valeurHexa(m[i+1])
			b, ok2 := valeurHexa(m[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|b)
				i += 2
				continue
			}
		}
		out = append(out, m[i])
	}
	return string(out)
}
