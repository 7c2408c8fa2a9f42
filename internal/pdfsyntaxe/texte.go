package pdfsyntaxe

import (
	"unicode/utf16"
	"unicode/utf8"
)

// EncoderTexte encodes a PDF text string (a signer's name, a field name):
// PDFDocEncoding-compatible ASCII as is, anything else as UTF-16BE with a
// byte order mark.
func EncoderTexte(s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return []byte(s)
	}
	out := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// DecoderTexte reads a PDF text string: UTF-16BE with BOM, UTF-8 with BOM,
// or PDFDocEncoding, read as Latin-1 which matches it for letters.
func DecoderTexte(c []byte) string {
	switch {
	case len(c) >= 2 && c[0] == 0xfe && c[1] == 0xff:
		return string(utf16.Decode(MotsUTF16(c[2:])))
	case len(c) >= 3 && c[0] == 0xef && c[1] == 0xbb && c[2] == 0xbf && utf8.Valid(c[3:]):
		return string(c[3:])
	}
	r := make([]rune, len(c))
	for i, b := range c {
		r[i] = rune(b)
	}
	return string(r)
}

// MotsUTF16 cuts big-endian bytes into UTF-16 code units; an odd last
// byte is dropped.
func MotsUTF16(b []byte) []uint16 {
	m := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		m = append(m, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return m
}
