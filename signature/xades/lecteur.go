package xades

import (
	"bytes"
	"fmt"
	"io"
)

// genre is the kind of a token read from the XML bytes.
type genre uint8

const (
	gDebut       genre = iota + 1 // start tag (or empty-element tag)
	gFin                          // end tag
	gTexte                        // character data between tags
	gCommentaire                  // <!-- -->
	gInstruction                  // <? ?>, the XML declaration included
	gCDATA                        // <![CDATA[ ]]>
)

// attribut is one attribute as written: raw name and raw value (entities
// not expanded), so that nothing is decoded unless someone needs it.
type attribut struct {
	nom, valeur []byte
}

// jeton is one token. Slices point into the document: they are only valid
// until the next call to suivant, and must not be modified.
type jeton struct {
	genre   genre
	nom     []byte // qualified name of a tag, target of a processing instruction
	attrs   []attribut
	vide    bool   // empty-element tag <a/>
	contenu []byte // raw text, comment, CDATA content or PI data
	debut   int    // offset of the first byte of the token
	fin     int    // offset just after the token
}

// lecteur is a small non-validating XML tokenizer working on offsets of a
// byte slice. A PES is mostly tags with one attribute: walking the bytes
// ourselves, without building a tree or decoding, is what lets a 20 MB file
// be signed faster than xmlsec1 does it.
type lecteur struct {
	b   []byte
	i   int
	fin int // stop reading here (exclusive)
}

func erreurXML(pos int, format string, args ...any) error {
	return fmt.Errorf("XML mal formé à l'octet %d : %s ; le fichier PES doit être un XML valide, régénérez-le depuis le logiciel de comptabilité", pos, fmt.Sprintf(format, args...))
}

func estEspace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// suivant reads the next token into j; io.EOF at the end.
func (l *lecteur) suivant(j *jeton) error {
	if l.i >= l.fin {
		return io.EOF
	}
	b := l.b[:l.fin]
	j.debut = l.i
	if b[l.i] != '<' {
		k := bytes.IndexByte(b[l.i:], '<')
		if k < 0 {
			k = len(b) - l.i
		}
		j.genre, j.contenu = gTexte, b[l.i:l.i+k]
		l.i += k
		j.fin = l.i
		return nil
	}
	if l.i+1 >= len(b) {
		return erreurXML(l.i, "balise interrompue")
	}
	switch b[l.i+1] {
	case '/':
		p := l.i + 2
		n := p
		for n < len(b) && !estEspace(b[n]) && b[n] != '>' {
			n++
		}
		j.nom = b[p:n]
		for n < len(b) && estEspace(b[n]) {
			n++
		}
		if n >= len(b) || b[n] != '>' || len(j.nom) == 0 {
			return erreurXML(l.i, "balise fermante incorrecte")
		}
		j.genre = gFin
		l.i = n + 1
		j.fin = l.i
		return nil
	case '?':
		k := bytes.Index(b[l.i+2:], []byte("?>"))
		if k < 0 {
			return erreurXML(l.i, "instruction de traitement non terminée")
		}
		corps := b[l.i+2 : l.i+2+k]
		n := 0
		for n < len(corps) && !estEspace(corps[n]) {
			n++
		}
		j.genre, j.nom = gInstruction, corps[:n]
		for n < len(corps) && estEspace(corps[n]) {
			n++
		}
		j.contenu = corps[n:]
		l.i += 2 + k + 2
		j.fin = l.i
		return nil
	case '!':
		r := b[l.i:]
		switch {
		case bytes.HasPrefix(r, []byte("<!--")):
			k := bytes.Index(r[4:], []byte("-->"))
			if k < 0 {
				return erreurXML(l.i, "commentaire non terminé")
			}
			j.genre, j.contenu = gCommentaire, r[4:4+k]
			l.i += 4 + k + 3
		case bytes.HasPrefix(r, []byte("<![CDATA[")):
			k := bytes.Index(r[9:], []byte("]]>"))
			if k < 0 {
				return erreurXML(l.i, "section CDATA non terminée")
			}
			j.genre, j.contenu = gCDATA, r[9:9+k]
			l.i += 9 + k + 3
		default:
			// A DTD could declare entities or default attributes that change
			// what is signed; a PES never has one, so it is refused.
			return erreurXML(l.i, "déclaration <! (DTD) non acceptée dans un PES")
		}
		j.fin = l.i
		return nil
	}
	return l.baliseOuvrante(j)
}

func (l *lecteur) baliseOuvrante(j *jeton) error {
	b := l.b[:l.fin]
	p := l.i + 1
	n := p
	for n < len(b) && !estEspace(b[n]) && b[n] != '>' && b[n] != '/' {
		n++
	}
	if n == p {
		return erreurXML(l.i, "nom de balise vide")
	}
	j.genre, j.nom, j.attrs, j.vide = gDebut, b[p:n], j.attrs[:0], false
	for {
		sep := n
		for n < len(b) && estEspace(b[n]) {
			n++
		}
		if n >= len(b) {
			return erreurXML(l.i, "balise non terminée")
		}
		if b[n] == '>' {
			n++
			break
		}
		if b[n] == '/' {
			if n+1 >= len(b) || b[n+1] != '>' {
				return erreurXML(n, "« / » inattendu")
			}
			j.vide = true
			n += 2
			break
		}
		if sep == n {
			return erreurXML(n, "espace manquant entre deux attributs")
		}
		a := n
		for n < len(b) && !estEspace(b[n]) && b[n] != '=' && b[n] != '>' && b[n] != '/' {
			n++
		}
		nom := b[a:n]
		for n < len(b) && estEspace(b[n]) {
			n++
		}
		if len(nom) == 0 || n >= len(b) || b[n] != '=' {
			return erreurXML(a, "attribut sans valeur")
		}
		n++
		for n < len(b) && estEspace(b[n]) {
			n++
		}
		if n >= len(b) || (b[n] != '"' && b[n] != '\'') {
			return erreurXML(n, "valeur d'attribut sans guillemets")
		}
		q := b[n]
		k := bytes.IndexByte(b[n+1:], q)
		if k < 0 {
			return erreurXML(n, "valeur d'attribut non terminée")
		}
		v := b[n+1 : n+1+k]
		if bytes.IndexByte(v, '<') >= 0 {
			return erreurXML(n, "« < » dans une valeur d'attribut")
		}
		for _, x := range j.attrs {
			if bytes.Equal(x.nom, nom) {
				return erreurXML(a, "attribut %s en double", nom)
			}
		}
		j.attrs = append(j.attrs, attribut{nom: nom, valeur: v})
		n += k + 2
	}
	l.i = n
	j.fin = n
	return nil
}

// separer splits a qualified name into prefix and local name.
func separer(q []byte) (prefixe, local []byte) {
	if k := bytes.IndexByte(q, ':'); k >= 0 {
		return q[:k], q[k+1:]
	}
	return nil, q
}
