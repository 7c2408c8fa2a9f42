package pades

import (
	"errors"
	"fmt"
	"strconv"

	"xdemat/internal/pdfsyntaxe"
)

// profondeurMax bounds nested arrays, dictionaries and the page tree.
const profondeurMax = pdfsyntaxe.ProfondeurMax

var errSyntaxe = errors.New("syntaxe PDF incorrecte")

// lecteur parses PDF objects strictly: the signer rewrites what it reads,
// so a garbled object is an error, never a guess. The lexical rules are
// the shared ones of pdfsyntaxe.
type lecteur struct {
	pdfsyntaxe.Lecteur
}

func lire(b []byte, pos int) *lecteur {
	return &lecteur{pdfsyntaxe.Lecteur{B: b, Pos: pos}}
}

func (l *lecteur) erreur(quoi string) error {
	return fmt.Errorf("%w à l'octet %d : %s", errSyntaxe, l.Pos, quoi)
}

func (l *lecteur) objet(profondeur int) (objet, error) {
	if profondeur > profondeurMax {
		return nil, l.erreur("imbrication trop profonde")
	}
	l.Blancs()
	if l.Pos >= len(l.B) {
		return nil, l.erreur("fin du fichier inattendue")
	}
	switch c := l.B[l.Pos]; {
	case c == '/':
		l.Pos++
		return nom(l.Nom()), nil
	case c == '(':
		l.Pos++
		s, ferme := l.ChaineLitterale()
		if !ferme {
			return nil, l.erreur("chaîne non fermée")
		}
		return chaine(s), nil
	case c == '<' && l.Pos+1 < len(l.B) && l.B[l.Pos+1] == '<':
		l.Pos += 2
		return l.dictionnaire(profondeur)
	case c == '<':
		l.Pos++
		s, err := l.ChaineHexa(true)
		if err != nil {
			return nil, l.erreur(err.Error())
		}
		return chaine(s), nil
	case c == '[':
		l.Pos++
		return l.tableau(profondeur)
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.nombreOuRef()
	default:
		m := l.Mot()
		switch string(m) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if len(m) == 0 {
			l.Pos++
		}
		return nil, l.erreur(fmt.Sprintf("élément inattendu %q", m))
	}
}

func (l *lecteur) tableau(profondeur int) (objet, error) {
	var t tableau
	for {
		l.Blancs()
		if l.Pos >= len(l.B) {
			return nil, l.erreur("tableau non fermé")
		}
		if l.B[l.Pos] == ']' {
			l.Pos++
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
}

// nombreOuRef keeps the number's source text, so that it is written back
// unchanged, and folds "num gen R" into a reference.
func (l *lecteur) nombreOuRef() (objet, error) {
	m := l.Mot()
	if len(m) == 0 {
		l.Pos++
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
	sauve := l.Pos
	gen, ok := l.EntierSuivant()
	if ok {
		l.Blancs()
		if l.Pos < len(l.B) && l.B[l.Pos] == 'R' && l.FinDeMot(l.Pos+1) {
			l.Pos++
			return ref{num, gen}, nil
		}
	}
	l.Pos = sauve
	return nombre(m), nil
}

func (l *lecteur) dictionnaire(profondeur int) (objet, error) {
	d := nouveauDict()
	for {
		l.Blancs()
		if l.Pos+1 < len(l.B) && l.B[l.Pos] == '>' && l.B[l.Pos+1] == '>' {
			l.Pos += 2
			return d, nil
		}
		if l.Pos >= len(l.B) {
			return nil, l.erreur("dictionnaire non fermé")
		}
		if l.B[l.Pos] != '/' {
			return nil, l.erreur("nom attendu dans un dictionnaire")
		}
		l.Pos++
		k := nom(l.Nom())
		v, err := l.objet(profondeur + 1)
		if err != nil {
			return nil, err
		}
		d.set(k, v)
	}
}
