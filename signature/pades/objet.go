package pades

import (
	"bytes"
	"encoding/hex"
	"strconv"

	"xdemat/internal/pdfsyntaxe"
)

// The PDF object model, just enough to copy the catalog, a page and the
// form dictionary into an incremental update without losing any entry.
// Numbers keep their source text so that they are written back unchanged.
type (
	objet   any // nil (null), bool, nombre, nom, chaine, ref, tableau, *dict, *flux
	nombre  string
	nom     string
	chaine  []byte
	tableau []objet
	ref     struct{ num, gen int }
	flux    struct {
		dict    *dict
		donnees []byte // still encoded
	}
)

// dict keeps the order of its keys so that rewritten objects stay close to
// the original and the output is deterministic.
type dict struct {
	cles []nom
	vals map[nom]objet
}

func nouveauDict() *dict { return &dict{vals: map[nom]objet{}} }

func (d *dict) get(k nom) objet {
	if d == nil {
		return nil
	}
	return d.vals[k]
}

func (d *dict) set(k nom, v objet) {
	if _, ok := d.vals[k]; !ok {
		d.cles = append(d.cles, k)
	}
	d.vals[k] = v
}

func (d *dict) copie() *dict {
	c := &dict{cles: append([]nom{}, d.cles...), vals: make(map[nom]objet, len(d.vals))}
	for k, v := range d.vals {
		c.vals[k] = v
	}
	return c
}

func (n nombre) entier() (int64, bool) {
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || f != float64(int64(f)) {
			return 0, false
		}
		return int64(f), true
	}
	return i, true
}

func entierDe(o objet) (int64, bool) {
	if n, ok := o.(nombre); ok {
		return n.entier()
	}
	return 0, false
}

func nombreDe(i int) nombre { return nombre(strconv.Itoa(i)) }

// texte encodes a PDF text string (see pdfsyntaxe.EncoderTexte).
func texte(s string) chaine { return pdfsyntaxe.EncoderTexte(s) }

// decoderTexte reads a PDF text string (see pdfsyntaxe.DecoderTexte).
func decoderTexte(c chaine) string { return pdfsyntaxe.DecoderTexte(c) }

// ecrire serialises o in PDF syntax.
func ecrire(buf *bytes.Buffer, o objet) {
	switch v := o.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if v {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case nombre:
		buf.WriteString(string(v))
	case nom:
		ecrireNom(buf, v)
	case chaine:
		ecrireChaine(buf, v)
	case ref:
		buf.WriteString(strconv.Itoa(v.num))
		buf.WriteByte(' ')
		buf.WriteString(strconv.Itoa(v.gen))
		buf.WriteString(" R")
	case tableau:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(' ')
			}
			ecrire(buf, e)
		}
		buf.WriteByte(']')
	case *dict:
		buf.WriteString("<<")
		for _, k := range v.cles {
			ecrireNom(buf, k)
			buf.WriteByte(' ')
			ecrire(buf, v.vals[k])
		}
		buf.WriteString(">>")
	case *flux:
		d := v.dict.copie()
		d.set("Length", nombreDe(len(v.donnees)))
		ecrire(buf, d)
		buf.WriteString("\nstream\n")
		buf.Write(v.donnees)
		buf.WriteString("\nendstream")
	}
}

func ecrireNom(buf *bytes.Buffer, n nom) {
	buf.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c <= ' ' || c >= 0x7f || c == '#' || pdfsyntaxe.EstDelimiteur(c) {
			buf.WriteByte('#')
			buf.WriteString(hex.EncodeToString([]byte{c}))
			continue
		}
		buf.WriteByte(c)
	}
}

func ecrireChaine(buf *bytes.Buffer, c chaine) {
	lisible := true
	for _, b := range c {
		if b < ' ' || b >= 0x7f {
			lisible = false
			break
		}
	}
	if !lisible {
		buf.WriteByte('<')
		buf.WriteString(hex.EncodeToString(c))
		buf.WriteByte('>')
		return
	}
	buf.WriteByte('(')
	for _, b := range c {
		if b == '(' || b == ')' || b == '\\' {
			buf.WriteByte('\\')
		}
		buf.WriteByte(b)
	}
	buf.WriteByte(')')
}
