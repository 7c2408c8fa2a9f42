package actes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xdemat"
)

// Namespaces of the @CTES schema (actesv1_1.xsd) and of the INSEE types it imports.
const (
	NamespaceActes = "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
	NamespaceInsee = "http://xml.insee.fr/schema"
	namespaceXSI   = "http://www.w3.org/2001/XMLSchema-instance"
)

// noeud is an element to write. We write the XML ourselves rather than with
// encoding/xml: the schema qualifies every attribute (actes:Date…), which
// encoding/xml cannot prefix, and the platform expects ISO-8859-1 as S²LOW
// sends it.
type noeud struct {
	nom     string // with its prefix: "actes:Acte"
	attrs   []string
	texte   string
	enfants []*noeud
}

// el returns an element with attributes given as name, value pairs; pairs
// whose value is empty are left out (they are all optional where we do that).
func el(nom string, attrs ...string) *noeud {
	n := &noeud{nom: "actes:" + nom}
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			n.attrs = append(n.attrs, attrs[i], attrs[i+1])
		}
	}
	return n
}

func (n *noeud) add(enfants ...*noeud) *noeud {
	for _, e := range enfants {
		if e != nil {
			n.enfants = append(n.enfants, e)
		}
	}
	return n
}

func (n *noeud) text(s string) *noeud { n.texte = s; return n }

// texte returns a child element holding text.
func texte(nom, s string) *noeud { return el(nom).text(s) }

// document writes a whole message in ISO-8859-1 with the declarations S²LOW
// writes, so the file reads the same as those the platform already receives.
func document(racine *noeud) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n")
	racine.attrs = append([]string{"xmlns:actes", NamespaceActes, "xmlns:insee", NamespaceInsee,
		"xmlns:xsi", namespaceXSI, "xsi:schemaLocation", NamespaceActes + " actesv1_1.xsd"}, racine.attrs...)
	racine.ecrire(&b, 0)
	return b.Bytes()
}

func (n *noeud) ecrire(b *bytes.Buffer, niveau int) {
	indent := strings.Repeat("  ", niveau)
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(n.nom)
	for i := 0; i < len(n.attrs); i += 2 {
		b.WriteByte(' ')
		b.WriteString(n.attrs[i])
		b.WriteString(`="`)
		latin1(b, n.attrs[i+1], true)
		b.WriteByte('"')
	}
	switch {
	case len(n.enfants) > 0:
		b.WriteString(">\n")
		for _, e := range n.enfants {
			e.ecrire(b, niveau+1)
		}
		b.WriteString(indent)
	case n.texte != "":
		b.WriteByte('>')
		latin1(b, n.texte, false)
	default:
		b.WriteString("/>\n")
		return
	}
	b.WriteString("</")
	b.WriteString(n.nom)
	b.WriteString(">\n")
}

// latin1 writes s escaped for XML in ISO-8859-1: characters beyond Latin-1
// (œ, ’, €…, common in French objets) become character references, as the
// préfecture's own classification files write them.
func latin1(b *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"' && attr:
			b.WriteString("&quot;")
		case (r == '\n' || r == '\t' || r == '\r') && attr, r == '\r':
			fmt.Fprintf(b, "&#%d;", r)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == utf8.RuneError || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF:
			// Not allowed in XML 1.0: validation refuses such text before we
			// get here; never write a file the platform cannot read.
			b.WriteString("&#65533;")
		case r < 0x80:
			b.WriteByte(byte(r))
		case r <= 0xFF:
			b.WriteByte(byte(r))
		default:
			fmt.Fprintf(b, "&#%d;", r)
		}
	}
}

// lecteurCharset is the xml.Decoder's CharsetReader: ISO-8859-1 is what the
// platform declares. S²LOW notes that the ministry's Java simulator declares
// ISO-8859-1 but sends UTF-8; such bytes are valid UTF-8 (Latin-1 text with
// accents almost never is), so they are read as UTF-8.
func lecteurCharset(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso_8859-1", "l1":
	case "us-ascii", "ascii":
	case "windows-1252", "cp1252":
		// A superset of Latin-1 for the printable range; close enough for text.
	default:
		return nil, fmt.Errorf("encodage %q non pris en charge", charset)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if utf8.Valid(data) {
		return bytes.NewReader(data), nil
	}
	var b strings.Builder
	b.Grow(len(data) * 2)
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return strings.NewReader(b.String()), nil
}

// Date is a calendar date of the schema (xsd:date), read and written as
// 2006-01-02. It embeds a time at midnight UTC.
type Date struct{ time.Time }

// Jour returns the date of t as the commune sees it (in Paris).
func Jour(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.In(xdemat.Paris).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// String returns the date as the schema writes it, "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}

// compact returns the date as file names write it: 20060102.
func (d Date) compact() string { return d.Format("20060102") }

// UnmarshalText reads an xsd:date, with or without a time zone suffix.
func (d *Date) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > 10 {
		s = s[:10] // "2017-07-01Z", "2017-07-01+02:00": the day is what counts
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return errors.New("date " + strconv.Quote(string(b)) + " mal formée (AAAA-MM-JJ attendu)")
	}
	*d = Date{t}
	return nil
}

// MarshalText writes the date as the schema does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
