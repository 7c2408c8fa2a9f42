package helios

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Hélios files are ISO-8859-1 in every sample; some software writes UTF-8
// or Windows-1252. encoding/xml only reads UTF-8, so the other single-byte
// encodings are converted here rather than pulling in golang.org/x/text.

// windows1252 gives the characters of 0x80–0x9F in Windows-1252 (the rest is
// ISO-8859-1). Unassigned bytes keep their C1 code point.
var windows1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// latin9 gives the eight positions where ISO-8859-15 differs from ISO-8859-1.
var latin9 = map[byte]rune{0xA4: '€', 0xA6: 'Š', 0xA8: 'š', 0xB4: 'Ž', 0xB8: 'ž', 0xBC: 'Œ', 0xBD: 'œ', 0xBE: 'Ÿ'}

// octetsVersUTF8 converts a single-byte encoding to UTF-8 as it is read.
type octetsVersUTF8 struct {
	src     *bufio.Reader
	table   func(byte) rune
	attente []byte
}

func (l *octetsVersUTF8) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.attente) > 0 {
			c := copy(p[n:], l.attente)
			l.attente = l.attente[c:]
			n += c
			continue
		}
		b, err := l.src.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < 0x80 {
			p[n] = b
			n++
			continue
		}
		var tmp [utf8.UTFMax]byte
		k := utf8.EncodeRune(tmp[:], l.table(b))
		l.attente = append(l.attente[:0], tmp[:k]...)
	}
	return n, nil
}

// lecteurCharset is the CharsetReader given to encoding/xml.
func lecteurCharset(label string, r io.Reader) (io.Reader, error) {
	var table func(byte) rune
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819":
		table = func(b byte) rune { return rune(b) }
	case "windows-1252", "cp1252", "x-cp1252":
		table = func(b byte) rune {
			if b >= 0x80 && b <= 0x9F {
				return windows1252[b-0x80]
			}
			return rune(b)
		}
	case "iso-8859-15", "iso8859-15", "latin9", "latin-9":
		table = func(b byte) rune {
			if r, ok := latin9[b]; ok {
				return r
			}
			return rune(b)
		}
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	default:
		return nil, fmt.Errorf("encodage %q non pris en charge", label)
	}
	return &octetsVersUTF8{src: bufio.NewReader(r), table: table}, nil
}

// nouveauDecodeur reads b whatever its declared encoding; a UTF-8 byte order
// mark is skipped.
func nouveauDecodeur(b []byte) *xml.Decoder {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = lecteurCharset
	return d
}

// erreurLecture turns an encoding/xml error into a French one: a file whose
// bytes do not match its declared encoding is a frequent export mistake and
// gets its own message.
func erreurLecture(quoi string, err error) *Erreur {
	msg := err.Error()
	if strings.Contains(msg, "UTF-8") || strings.Contains(msg, "encodage") || strings.Contains(msg, "charset") {
		return erreur(ErrEncodage, err, fmt.Sprintf("Le %s n'est pas dans l'encodage qu'il annonce (ISO-8859-1 ou UTF-8 attendu) : il a sans doute été modifié ou mal enregistré. Récupérez le fichier d'origine ; s'il vient de la DGFiP, prévenez le support de la SPL.", quoi))
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF || strings.Contains(msg, "unexpected EOF") {
		return erreur(ErrXML, err, fmt.Sprintf("Le %s est incomplet (coupé avant la fin) : il faut le récupérer de nouveau.", quoi))
	}
	return erreur(ErrXML, err, fmt.Sprintf("Le %s n'est pas un XML lisible (%s) : il faut le récupérer de nouveau ; si cela se répète, prévenez le support de la SPL.", quoi, msg))
}
