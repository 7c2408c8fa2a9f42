package textepdf

import (
	"strconv"

	"xdemat/internal/pdfsyntaxe"
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
const profondeurMax = pdfsyntaxe.ProfondeurMax

// lecteur reads objects tolerantly with the shared lexical rules of
// pdfsyntaxe: what it cannot read is skipped, never an error, since the
// extractor keeps whatever text it can find.
type lecteur struct {
	pdfsyntaxe.Lecteur
}

func lire(b []byte, pos int) *lecteur {
	return &lecteur{pdfsyntaxe.Lecteur{B: b, Pos: pos}}
}

// objet reads the next object; nil at the end or on what it cannot read
// (one byte is then consumed). A keyword that is not a value comes back
// as an operateur. Inside objects, "n g R" becomes a ref.
func (l *lecteur) objet(profondeur int) any {
	l.Blancs()
	if l.Pos >= len(l.B) {
		return nil
	}
	if profondeur > profondeurMax {
		l.Pos = len(l.B)
		return nil
	}
	c := l.B[l.Pos]
	switch {
	case c == '/':
		l.Pos++
		return nom(l.Nom())
	case c == '(':
		l.Pos++
		s, _ := l.ChaineLitterale()
		return s
	case c == '<' && l.Pos+1 < len(l.B) && l.B[l.Pos+1] == '<':
		l.Pos += 2
		return l.dictionnaire(profondeur + 1)
	case c == '<':
		l.Pos++
		s, _ := l.ChaineHexa(false)
		return s
	case c == '[':
		l.Pos++
		var t []any
		for {
			l.Blancs()
			if l.Pos >= len(l.B) {
				return t
			}
			if l.B[l.Pos] == ']' {
				l.Pos++
				return t
			}
			t = l.refSiEntiers(t, l.suivant(profondeur+1))
		}
	case pdfsyntaxe.EstDelimiteur(c):
		l.Pos++
		return nil
	}
	m := l.Mot()
	if len(m) == 0 {
		l.Pos++
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

// suivant reads the next object and consumes at least one byte, so that
// the loops over hostile data always move on.
func (l *lecteur) suivant(profondeur int) any {
	avant := l.Pos
	o := l.objet(profondeur)
	if l.Pos == avant {
		l.Pos++
	}
	return o
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
		l.Blancs()
		if l.Pos >= len(l.B) {
			fin()
			return d
		}
		if l.B[l.Pos] == '>' {
			l.Pos++
			if l.Pos < len(l.B) && l.B[l.Pos] == '>' {
				l.Pos++
			}
			fin()
			return d
		}
		o := l.suivant(profondeur)
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
