package xades

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// mode says what to do with decoded character data: give it back as is, or
// escape it as Canonical XML wants in text or in an attribute value.
type mode uint8

const (
	mTexte        mode = iota // decode text content
	mAttribut                 // decode an attribute value (whitespace normalised)
	mTexteC14N                // decode then escape as canonical text
	mAttributC14N             // decode then escape as canonical attribute value
)

func (m mode) attribut() bool { return m == mAttribut || m == mAttributC14N }
func (m mode) c14n() bool     { return m == mTexteC14N || m == mAttributC14N }

// special marks bytes that need more than a copy; the table is filled for
// the strictest case and the loop decides per mode.
var special = func() (t [256]bool) {
	for _, c := range []byte{'&', '<', '>', '"', '\r', '\n', '\t'} {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return
}()

// ajouter decodes raw character data (entity and character references,
// line ends, ISO-8859-1 bytes when latin1) and appends it to dst, escaped
// per m. UTF-8 input is copied through unchanged.
func ajouter(dst, raw []byte, latin1 bool, m mode) ([]byte, error) {
	attr, c14n := m.attribut(), m.c14n()
	i := 0
	for i < len(raw) {
		// Copy the longest run of ordinary bytes at once.
		k := i
		for k < len(raw) && !special[raw[k]] {
			k++
		}
		dst = append(dst, raw[i:k]...)
		i = k
		if i >= len(raw) {
			break
		}
		c := raw[i]
		switch {
		case c >= 0x80:
			if latin1 {
				dst = append(dst, 0xC0|c>>6, 0x80|c&0x3F)
				i++
				continue
			}
			// UTF-8: copy the whole sequence.
			k = i + 1
			for k < len(raw) && raw[k] >= 0x80 && raw[k] < 0xC0 {
				k++
			}
			dst = append(dst, raw[i:k]...)
			i = k
			continue
		case c == '&':
			e := bytes.IndexByte(raw[i:], ';')
			if e < 0 {
				return dst, erreurXML(i, "« & » sans « ; »")
			}
			r, err := reference(raw[i+1 : i+e])
			if err != nil {
				return dst, err
			}
			i += e + 1
			dst = ecrireRune(dst, r, attr, c14n)
			continue
		case c == '\r':
			// Line ends are normalised to #xA before anything else.
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
			c = '\n'
		default:
			i++
		}
		// c is a literal '<', '>', '"', '\n' or '\t'.
		if attr && (c == '\n' || c == '\t') {
			c = ' '
		}
		dst = ecrireRune(dst, rune(c), attr, c14n)
	}
	return dst, nil
}

// ecrireRune appends one decoded character, escaped when c14n.
func ecrireRune(dst []byte, r rune, attr, c14n bool) []byte {
	if c14n {
		switch r {
		case '&':
			return append(dst, "&amp;"...)
		case '<':
			return append(dst, "&lt;"...)
		case '\r':
			return append(dst, "&#xD;"...)
		}
		if attr {
			switch r {
			case '"':
				return append(dst, "&quot;"...)
			case '\t':
				return append(dst, "&#x9;"...)
			case '\n':
				return append(dst, "&#xA;"...)
			}
		} else if r == '>' {
			return append(dst, "&gt;"...)
		}
	}
	return utf8.AppendRune(dst, r)
}

// reference resolves the name between & and ;. Only the predefined
// entities exist, since a PES has no DTD.
func reference(nom []byte) (rune, error) {
	switch string(nom) {
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "amp":
		return '&', nil
	case "quot":
		return '"', nil
	case "apos":
		return '\'', nil
	}
	if len(nom) > 1 && nom[0] == '#' {
		var v uint64
		var err error
		if nom[1] == 'x' {
			v, err = strconv.ParseUint(string(nom[2:]), 16, 32)
		} else {
			v, err = strconv.ParseUint(string(nom[1:]), 10, 32)
		}
		r := rune(v)
		if err == nil && (r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)) {
			return r, nil
		}
	}
	return 0, erreurXML(0, "référence &%s; inconnue", nom)
}

// decoder gives the decoded value of raw character data.
func decoder(raw []byte, latin1 bool, m mode) (string, error) {
	out, err := ajouter(make([]byte, 0, len(raw)), raw, latin1, m)
	return string(out), err
}
