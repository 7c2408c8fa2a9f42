package xades

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// element is what one pass over the document keeps of an element: its
// offsets, its namespaces in scope and, inside a ds:Signature, a small tree
// with attributes and text. Ordinary PES content (pièces, lignes) is not
// kept at all, so a 20 MB file costs a few allocations.
type element struct {
	local, espace string
	qnom          string
	debut         int // '<' of the start tag
	finOuvrante   int // just after the start tag
	debutFermante int // '<' of the end tag (== finOuvrante for <a/>)
	fin           int // just after the end tag
	id            string
	prof          int
	ctx           []liaison // namespaces declared by the ancestors
	parent        *element  // nearest kept ancestor
	signe         bool      // has a ds:Signature child
	// Only inside a ds:Signature:
	attrs   map[string]string
	texte   []byte
	enfants []*element
	dansSig bool
}

// enfant gives the first child in namespace ns with local name local.
func (e *element) enfant(ns, local string) *element {
	if e == nil {
		return nil
	}
	for _, x := range e.enfants {
		if x.espace == ns && x.local == local {
			return x
		}
	}
	return nil
}

func (e *element) tous(ns, local string) []*element {
	var out []*element
	for _, x := range e.enfants {
		if x.espace == ns && x.local == local {
			out = append(out, x)
		}
	}
	return out
}

// chemin walks down first children by local names in namespace ns.
func (e *element) chemin(ns string, noms ...string) *element {
	for _, n := range noms {
		e = e.enfant(ns, n)
	}
	return e
}

func (e *element) valeur() string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(string(e.texte))
}

// document is a PES (or any XML) read once.
type document struct {
	b          []byte
	latin1     bool
	encodage   string // as declared, "" when no declaration
	racine     *element
	ids        map[string]*element
	doublons   map[string]bool
	bordereaux []*element // Bordereau elements, grand-children of the root
	signatures []*element // outermost ds:Signature elements, in document order
}

type cadre struct {
	qnom []byte
	el   *element
}

// analyser reads b once and keeps what signing and verifying need.
func analyser(b []byte) (*document, error) {
	d := &document{b: b, ids: map[string]*element{}, doublons: map[string]bool{}}
	debut := 0
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		debut = 3
	} else if bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) {
		return nil, fmt.Errorf("fichier en UTF-16 : un PES est en ISO-8859-1 ou en UTF-8, réenregistrez-le dans l'un de ces codages")
	}
	l := lecteur{b: b, i: debut, fin: len(b)}
	var (
		j      jeton
		pile   []cadre
		portee []liaisonProf
	)
	for {
		err := l.suivant(&j)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch j.genre {
		case gInstruction:
			if string(j.nom) == "xml" {
				if j.debut != debut {
					return nil, erreurXML(j.debut, "déclaration XML ailleurs qu'au début")
				}
				if err := d.lireDeclaration(j.contenu); err != nil {
					return nil, err
				}
			}
		case gTexte, gCDATA:
			if len(pile) == 0 {
				if j.genre == gCDATA || len(bytes.Trim(j.contenu, " \t\r\n")) > 0 {
					return nil, erreurXML(j.debut, "texte hors de l'élément racine")
				}
				continue
			}
			if haut := pile[len(pile)-1].el; haut != nil && haut.dansSig {
				if j.genre == gCDATA {
					haut.texte = append(haut.texte, j.contenu...)
				} else if haut.texte, err = ajouter(haut.texte, j.contenu, d.latin1, mTexte); err != nil {
					return nil, err
				}
			}
		case gDebut:
			if len(pile) == 0 && d.racine != nil {
				return nil, erreurXML(j.debut, "deux éléments racine")
			}
			prof := len(pile)
			nAvant := len(portee)
			for _, a := range j.attrs {
				if p, ok := declaration(a.nom); ok {
					uri, err := decoder(a.valeur, d.latin1, mAttribut)
					if err != nil {
						return nil, err
					}
					if p != "" && uri == "" {
						return nil, erreurXML(j.debut, "déclaration vide du préfixe %s", p)
					}
					portee = append(portee, liaisonProf{liaison{p, uri}, prof})
				}
			}
			pref, local := separer(j.nom)
			espace, ok := chercher(portee, pref)
			if !ok && len(pref) > 0 && string(pref) != "xml" {
				return nil, erreurXML(j.debut, "préfixe %s non déclaré", pref)
			}
			var parent *element
			if len(pile) > 0 {
				parent = pile[len(pile)-1].el
			}
			var id []byte
			for _, a := range j.attrs {
				if string(a.nom) == "Id" {
					id = a.valeur
				}
			}
			estSig := espace == nsDS && string(local) == "Signature"
			dansSig := estSig || (parent != nil && parent.dansSig)
			bord := prof == 2 && len(pref) == 0 && string(local) == "Bordereau"
			var el *element
			if prof == 0 || id != nil || dansSig || bord {
				el = &element{local: string(local), espace: espace, qnom: string(j.nom), debut: j.debut, finOuvrante: j.fin, prof: prof, parent: parent, dansSig: dansSig}
				el.ctx = make([]liaison, nAvant)
				for k := range nAvant {
					el.ctx[k] = portee[k].liaison
				}
				if id != nil {
					if el.id, err = decoder(id, d.latin1, mAttribut); err != nil {
						return nil, err
					}
					if d.ids[el.id] != nil {
						d.doublons[el.id] = true
					}
					d.ids[el.id] = el
				}
				if dansSig {
					el.attrs = map[string]string{}
					for _, a := range j.attrs {
						if bytes.IndexByte(a.nom, ':') < 0 && string(a.nom) != "xmlns" {
							if el.attrs[string(a.nom)], err = decoder(a.valeur, d.latin1, mAttribut); err != nil {
								return nil, err
							}
						}
					}
					if parent != nil && parent.dansSig {
						parent.enfants = append(parent.enfants, el)
					}
				}
				if estSig && !(parent != nil && parent.dansSig) {
					d.signatures = append(d.signatures, el)
				}
				if prof == 0 {
					d.racine = el
				}
				if bord {
					d.bordereaux = append(d.bordereaux, el)
				}
			}
			if estSig && len(pile) > 0 && pile[len(pile)-1].el != nil {
				pile[len(pile)-1].el.signe = true
			}
			if j.vide {
				if el != nil {
					el.debutFermante, el.fin = j.fin, j.fin
				}
				portee = portee[:nAvant]
				continue
			}
			pile = append(pile, cadre{qnom: j.nom, el: el})
		case gFin:
			if len(pile) == 0 || !bytes.Equal(pile[len(pile)-1].qnom, j.nom) {
				return nil, erreurXML(j.debut, "balise fermante </%s> inattendue", j.nom)
			}
			prof := len(pile) - 1
			if el := pile[prof].el; el != nil {
				el.debutFermante, el.fin = j.debut, j.fin
			}
			pile = pile[:prof]
			for len(portee) > 0 && portee[len(portee)-1].prof == prof {
				portee = portee[:len(portee)-1]
			}
		}
	}
	if len(pile) > 0 || d.racine == nil {
		return nil, erreurXML(len(b), "document incomplet")
	}
	return d, nil
}

// lireDeclaration reads the encoding of <?xml ...?>. PES files are
// ISO-8859-1 (all known samples), sometimes UTF-8.
func (d *document) lireDeclaration(corps []byte) error {
	k := bytes.Index(corps, []byte("encoding"))
	if k < 0 {
		return nil
	}
	r := bytes.TrimLeft(corps[k+len("encoding"):], " \t\r\n")
	if len(r) == 0 || r[0] != '=' {
		return erreurXML(0, "déclaration d'encodage illisible")
	}
	r = bytes.TrimLeft(r[1:], " \t\r\n")
	if len(r) < 2 || (r[0] != '"' && r[0] != '\'') {
		return erreurXML(0, "déclaration d'encodage illisible")
	}
	e := bytes.IndexByte(r[1:], r[0])
	if e < 0 {
		return erreurXML(0, "déclaration d'encodage illisible")
	}
	d.encodage = string(r[1 : 1+e])
	switch strings.ToLower(d.encodage) {
	case "utf-8", "utf8":
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii":
		d.latin1 = true
	default:
		return fmt.Errorf("encodage %q non pris en charge : un PES doit être en ISO-8859-1 ou en UTF-8, réenregistrez-le dans l'un de ces codages", d.encodage)
	}
	return nil
}
