package xades

import (
	"bytes"
	"io"
)

const nsXML = "http://www.w3.org/XML/1998/namespace"

// liaison is a namespace declaration in scope: prefix ("" for the default
// namespace) and URI.
type liaison struct {
	Prefixe string `json:"p"`
	URI     string `json:"u"`
}

type liaisonProf struct {
	liaison
	prof int
}

// canonique is one run of Exclusive XML Canonicalization 1.0 without
// comments (http://www.w3.org/2001/10/xml-exc-c14n#) over an element of the
// document, written straight into w (a hash) with no tree built.
type canonique struct {
	l       lecteur
	latin1  bool
	portee  []liaisonProf // declarations in scope, ancestors' first
	rendu   []liaisonProf // declarations already output by output ancestors
	inclus  []string      // InclusiveNamespaces PrefixList
	out     []byte
	w       io.Writer
	prof    int
	nsTmp   []liaison
	attrTmp []attrC14N
}

type attrC14N struct {
	uri, local  string
	nom, valeur []byte
}

// canoniser writes the canonical form of b[debut:fin] (one element, or a
// fragment of our own) into w. ctx holds the namespaces declared by the
// ancestors; the element exclu (the enclosing signature, for the
// enveloped-signature transform) is left out when it lies inside.
func canoniser(w io.Writer, b []byte, latin1 bool, debut, fin int, ctx []liaison, exclu *element, inclus []string) error {
	c := &canonique{l: lecteur{b: b, i: debut, fin: fin}, latin1: latin1, w: w, inclus: inclus, out: make([]byte, 0, 64<<10)}
	for _, x := range ctx {
		c.portee = append(c.portee, liaisonProf{x, -1})
	}
	if exclu != nil && exclu.debut <= debut && fin <= exclu.fin {
		// The referenced element lies inside the signature itself (a
		// SignedProperties reference with an enveloped-signature transform,
		// as the DGCP's 2015 tool wrote). Read literally the transform
		// would leave nothing to digest and the properties unsigned; like
		// Apache Santuario, which produced those files, we remove nothing.
		exclu = nil
	}
	var j jeton
	for {
		err := c.l.suivant(&j)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch j.genre {
		case gDebut:
			if exclu != nil && j.debut == exclu.debut {
				c.l.i = exclu.fin
				continue
			}
			if err := c.debut(&j); err != nil {
				return err
			}
		case gFin:
			c.fermer(j.nom)
		case gTexte:
			if c.prof > 0 {
				if c.out, err = ajouter(c.out, j.contenu, c.latin1, mTexteC14N); err != nil {
					return err
				}
			}
		case gCDATA:
			if c.prof > 0 {
				c.out = litteral(c.out, j.contenu, c.latin1)
			}
		case gInstruction:
			if c.prof > 0 {
				c.out = append(c.out, "<?"...)
				c.out = append(c.out, j.nom...)
				if len(j.contenu) > 0 {
					c.out = append(c.out, ' ')
					c.out = litteralBrut(c.out, j.contenu, c.latin1)
				}
				c.out = append(c.out, "?>"...)
			}
		}
		if len(c.out) > 48<<10 {
			if _, err := c.w.Write(c.out); err != nil {
				return err
			}
			c.out = c.out[:0]
		}
	}
	if c.prof != 0 {
		return erreurXML(fin, "élément non refermé")
	}
	_, err := c.w.Write(c.out)
	return err
}

func chercher(ls []liaisonProf, p []byte) (string, bool) {
	for k := len(ls) - 1; k >= 0; k-- {
		if ls[k].Prefixe == string(p) {
			return ls[k].URI, true
		}
	}
	return "", false
}

func (c *canonique) debut(j *jeton) error {
	c.prof++
	// Namespace declarations of this element come into scope first.
	for _, a := range j.attrs {
		if p, ok := declaration(a.nom); ok {
			uri, err := decoder(a.valeur, c.latin1, mAttribut)
			if err != nil {
				return err
			}
			c.portee = append(c.portee, liaisonProf{liaison{p, uri}, c.prof})
		}
	}
	// Visibly utilised prefixes: the element's, its attributes', plus the
	// InclusiveNamespaces list.
	pref, _ := separer(j.nom)
	ns := c.nsTmp[:0]
	if err := c.utiliser(&ns, pref, true); err != nil {
		return err
	}
	attrs := c.attrTmp[:0]
	for _, a := range j.attrs {
		if _, ok := declaration(a.nom); ok {
			continue
		}
		p, local := separer(a.nom)
		x := attrC14N{local: string(local), nom: a.nom, valeur: a.valeur}
		if p != nil {
			if string(p) == "xml" {
				x.uri = nsXML
			} else {
				uri, ok := chercher(c.portee, p)
				if !ok || uri == "" {
					return erreurXML(j.debut, "préfixe %s non déclaré", p)
				}
				x.uri = uri
				if err := c.utiliser(&ns, p, false); err != nil {
					return err
				}
			}
		}
		attrs = append(attrs, x)
	}
	for _, p := range c.inclus {
		if _, ok := chercher(c.portee, []byte(p)); ok {
			if err := c.utiliser(&ns, []byte(p), false); err != nil {
				return err
			}
		}
	}
	// Sort namespaces by prefix, attributes by (namespace URI, local name);
	// there are rarely more than two, so insertion sort.
	for a := 1; a < len(ns); a++ {
		for b := a; b > 0 && ns[b].Prefixe < ns[b-1].Prefixe; b-- {
			ns[b], ns[b-1] = ns[b-1], ns[b]
		}
	}
	for a := 1; a < len(attrs); a++ {
		for b := a; b > 0 && (attrs[b].uri < attrs[b-1].uri || attrs[b].uri == attrs[b-1].uri && attrs[b].local < attrs[b-1].local); b-- {
			attrs[b], attrs[b-1] = attrs[b-1], attrs[b]
		}
	}
	c.out = append(c.out, '<')
	c.out = append(c.out, j.nom...)
	for _, x := range ns {
		c.rendu = append(c.rendu, liaisonProf{x, c.prof})
		if x.Prefixe == "" {
			c.out = append(c.out, " xmlns=\""...)
		} else {
			c.out = append(c.out, " xmlns:"...)
			c.out = append(c.out, x.Prefixe...)
			c.out = append(c.out, "=\""...)
		}
		c.out, _ = ajouter(c.out, []byte(x.URI), false, mAttributC14N)
		c.out = append(c.out, '"')
	}
	var err error
	for _, x := range attrs {
		c.out = append(c.out, ' ')
		c.out = append(c.out, x.nom...)
		c.out = append(c.out, "=\""...)
		if c.out, err = ajouter(c.out, x.valeur, c.latin1, mAttributC14N); err != nil {
			return err
		}
		c.out = append(c.out, '"')
	}
	c.out = append(c.out, '>')
	c.nsTmp, c.attrTmp = ns[:0], attrs[:0]
	if j.vide {
		c.fermer(j.nom)
	}
	return nil
}

// utiliser adds prefix p to the declarations to output on this element when
// an output ancestor has not already output the same binding.
func (c *canonique) utiliser(ns *[]liaison, p []byte, element bool) error {
	if string(p) == "xml" {
		return nil
	}
	for _, x := range *ns {
		if x.Prefixe == string(p) {
			return nil
		}
	}
	uri, _ := chercher(c.portee, p)
	rendu, ok := chercher(c.rendu, p)
	if len(p) == 0 {
		// xmlns="" is output only to undo a default namespace an output
		// ancestor declared.
		if uri == "" && (!ok || rendu == "") {
			return nil
		}
		if !element && uri == "" {
			return nil
		}
	} else if uri == "" {
		return erreurXML(0, "préfixe %s non déclaré", p)
	}
	if ok && rendu == uri {
		return nil
	}
	*ns = append(*ns, liaison{string(p), uri})
	return nil
}

func (c *canonique) fermer(nom []byte) {
	c.out = append(c.out, "</"...)
	c.out = append(c.out, nom...)
	c.out = append(c.out, '>')
	for len(c.portee) > 0 && c.portee[len(c.portee)-1].prof == c.prof {
		c.portee = c.portee[:len(c.portee)-1]
	}
	for len(c.rendu) > 0 && c.rendu[len(c.rendu)-1].prof == c.prof {
		c.rendu = c.rendu[:len(c.rendu)-1]
	}
	c.prof--
}

// declaration tells whether an attribute name declares a namespace, and
// which prefix.
func declaration(nom []byte) (string, bool) {
	if string(nom) == "xmlns" {
		return "", true
	}
	if bytes.HasPrefix(nom, []byte("xmlns:")) {
		return string(nom[6:]), true
	}
	return "", false
}

// litteral escapes CDATA content as canonical text: no reference is
// expanded there.
func litteral(dst, raw []byte, latin1 bool) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				continue
			}
			dst = append(dst, '\n')
		case c >= 0x80 && latin1:
			dst = append(dst, 0xC0|c>>6, 0x80|c&0x3F)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// litteralBrut copies processing-instruction data, only converting the
// encoding and line ends.
func litteralBrut(dst, raw []byte, latin1 bool) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				continue
			}
			dst = append(dst, '\n')
		case c >= 0x80 && latin1:
			dst = append(dst, 0xC0|c>>6, 0x80|c&0x3F)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
