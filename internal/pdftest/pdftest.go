// Package pdftest writes small, valid one-page PDF files for tests that
// need a real PDF to sign (PAdES) or to show, without a PDF library. It is
// only imported by tests.
package pdftest

import (
	"bytes"
	"fmt"
	"strings"
)

// Minimal returns a one-page A4 PDF showing lines of text (Helvetica; the
// text is written in WinAnsi, characters outside it become '?').
func Minimal(lignes ...string) []byte {
	var contenu strings.Builder
	contenu.WriteString("BT /F1 12 Tf 72 770 Td 16 TL\n")
	for _, l := range lignes {
		contenu.WriteString("(" + echapper(l) + ") Tj T*\n")
	}
	contenu.WriteString("ET\n")
	objets := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", contenu.Len(), contenu.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objets))
	for i, o := range objets {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objets)+1, xref)
	return b.Bytes()
}

// echapper writes s as the bytes of a PDF literal string in WinAnsi.
func echapper(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff: // Latin-1 letters are WinAnsi too
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
