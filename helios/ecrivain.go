package helios

import (
	"bytes"
	"fmt"
	"strings"
)

// ecrivain writes a PES message the way the DGFiP does: ISO-8859-1, one
// element per line, values in V attributes. Characters outside ISO-8859-1
// (€, œ…) become numeric references, which any XML reader turns back.
type ecrivain struct {
	b      bytes.Buffer
	niveau int
}

func nouvelEcrivain(racine, namespace string) *ecrivain {
	w := &ecrivain{}
	w.b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n")
	fmt.Fprintf(&w.b, "<n:%s xmlns:n=\"%s\">\n", racine, namespace)
	w.niveau = 1
	return w
}

func (w *ecrivain) indenter() {
	for i := 0; i < w.niveau; i++ {
		w.b.WriteByte('\t')
	}
}

func (w *ecrivain) ouvrir(nom string) {
	w.indenter()
	w.b.WriteString("<" + nom + ">\n")
	w.niveau++
}

func (w *ecrivain) fermer(nom string) {
	w.niveau--
	w.indenter()
	w.b.WriteString("</" + nom + ">\n")
}

// valeur writes <nom V="val"/>, even when val is empty (a required element).
func (w *ecrivain) valeur(nom, val string) {
	w.indenter()
	w.b.WriteString("<" + nom + ` V="`)
	ecrireAttributLatin1(&w.b, val)
	w.b.WriteString("\"/>\n")
}

// valeurOption leaves optional elements out when empty.
func (w *ecrivain) valeurOption(nom, val string) {
	if val != "" {
		w.valeur(nom, val)
	}
}

func (w *ecrivain) terminer(racine string) []byte {
	fmt.Fprintf(&w.b, "</n:%s>\n", racine)
	return w.b.Bytes()
}

// ecrireAttributLatin1 escapes s for a double-quoted attribute and encodes it
// in ISO-8859-1.
func ecrireAttributLatin1(b *bytes.Buffer, s string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r':
			fmt.Fprintf(b, "&#%d;", r)
		case r < 0x20 || (r >= 0x7F && r < 0xA0):
			// Not allowed in XML 1.0 (controls) or meaningless in a PES value.
			b.WriteByte(' ')
		case r < 0x100:
			b.WriteByte(byte(r))
		default:
			fmt.Fprintf(b, "&#x%X;", r)
		}
	}
}
