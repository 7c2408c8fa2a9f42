package textepdf

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"xdemat/internal/pdfsyntaxe"
)

// police turns the bytes of a shown string into text: through the font's
// ToUnicode CMap when it has one (what word processors write, for composite
// fonts in particular), else through its simple encoding.
type police struct {
	// cmap: code → text, codes of the lengths in longueurs (bytes).
	cmap      map[uint32]string
	plages    []plage // sorted by bas
	longueurs []int
	// simple fonts: one byte → one rune.
	simple *[256]rune
	// composite font without ToUnicode: its codes say nothing readable.
	muette bool
}

var policeParDefaut = &police{simple: tableDe(charmap.Windows1252)}

func tableDe(c *charmap.Charmap) *[256]rune {
	var t [256]rune
	for i := range 256 {
		t[i] = c.DecodeByte(byte(i))
	}
	return &t
}

// plage maps the codes bas…haut to consecutive characters from debut, or
// to the strings of liste.
type plage struct {
	bas, haut uint32
	debut     []rune
	liste     []string
}

var (
	winAnsi   = tableDe(charmap.Windows1252)
	macRoman  = tableDe(charmap.Macintosh)
	maxCodes  = 65536 // entries of one CMap
	maxPlages = 10000 // bfrange lines of one CMap
)

func nouvellePolice(d *document, fd dict) *police {
	if fd == nil {
		return policeParDefaut
	}
	if f, ok := d.resoudre(fd["ToUnicode"]).(flux); ok {
		if p := lireCMap(d.decoder(f)); p != nil {
			return p
		}
	}
	if fd["Subtype"] == nom("Type0") {
		return &police{muette: true}
	}
	base := winAnsi
	var differences []any
	switch e := d.resoudre(fd["Encoding"]).(type) {
	case nom:
		if e == "MacRomanEncoding" {
			base = macRoman
		}
	case dict:
		if e["BaseEncoding"] == nom("MacRomanEncoding") {
			base = macRoman
		}
		differences, _ = d.resoudre(e["Differences"]).([]any)
	}
	t := *base
	code := -1
	for _, x := range differences {
		switch v := x.(type) {
		case float64:
			code = int(v)
		case nom:
			if code >= 0 && code < 256 {
				if r, ok := runeDeGlyphe(string(v)); ok {
					t[code] = r
				}
				code++
			}
		}
	}
	return &police{simple: &t}
}

func (p *police) decoder(s []byte) string {
	switch {
	case p.muette:
		return ""
	case p.cmap != nil:
		var b strings.Builder
		for i := 0; i < len(s); {
			trouve := false
			for _, n := range p.longueurs {
				if i+n > len(s) {
					continue
				}
				var c uint32
				for _, x := range s[i : i+n] {
					c = c<<8 | uint32(x)
				}
				if t, ok := p.lookup(c); ok {
					b.WriteString(t)
					i += n
					trouve = true
					break
				}
			}
			if !trouve {
				i += p.longueurs[0]
			}
		}
		return b.String()
	}
	r := make([]rune, len(s))
	for i, c := range s {
		r[i] = p.simple[c]
	}
	return string(r)
}

// lireCMap reads the bfchar and bfrange mappings of a ToUnicode CMap; nil
// when it maps nothing.
func lireCMap(b []byte) *police {
	p := &police{cmap: map[uint32]string{}}
	longueurs := map[int]bool{}
	l := lire(b, 0)
	var pile []any
	mode := ""
	for l.Pos < len(l.B) && len(p.cmap) < maxCodes {
		o := l.suivant(0)
		op, ok := o.(operateur)
		if !ok {
			if mode != "" && len(pile) < 3 {
				pile = append(pile, o)
			}
			if mode == "bfchar" && len(pile) == 2 {
				if src, ok := pile[0].([]byte); ok && len(src) >= 1 && len(src) <= 4 {
					p.cmap[code(src)] = utf16BE(pile[1])
					longueurs[len(src)] = true
				}
				pile = pile[:0]
			}
			if mode == "bfrange" && len(pile) == 3 {
				p.plage(pile, longueurs)
				pile = pile[:0]
			}
			continue
		}
		switch op {
		case "beginbfchar":
			mode = "bfchar"
		case "beginbfrange":
			mode = "bfrange"
		case "endbfchar", "endbfrange":
			mode = ""
		}
		pile = pile[:0]
	}
	if len(p.cmap) == 0 && len(p.plages) == 0 {
		return nil
	}
	slices.SortFunc(p.plages, func(a, b plage) int { return cmp.Compare(a.bas, b.bas) })
	for n := 4; n >= 1; n-- {
		if longueurs[n] {
			p.longueurs = append(p.longueurs, n)
		}
	}
	return p
}

func (p *police) plage(t []any, longueurs map[int]bool) {
	bas, ok1 := t[0].([]byte)
	haut, ok2 := t[1].([]byte)
	if !ok1 || !ok2 || len(bas) != len(haut) || len(bas) < 1 || len(bas) > 4 || len(p.plages) >= maxPlages {
		return
	}
	pl := plage{bas: code(bas), haut: code(haut)}
	if pl.haut < pl.bas {
		return
	}
	switch dst := t[2].(type) {
	case []byte:
		pl.debut = utf16.Decode(pdfsyntaxe.MotsUTF16(dst))
		if len(pl.debut) == 0 {
			return
		}
	case []any:
		for _, x := range dst[:min(len(dst), maxCodes)] {
			pl.liste = append(pl.liste, utf16BE(x))
		}
	default:
		return
	}
	longueurs[len(bas)] = true
	p.plages = append(p.plages, pl)
}

// lookup maps a code: bfchar first, then the range that starts last at or
// before it.
func (p *police) lookup(c uint32) (string, bool) {
	if t, ok := p.cmap[c]; ok {
		return t, true
	}
	i, _ := slices.BinarySearchFunc(p.plages, c, func(pl plage, c uint32) int { return cmp.Compare(pl.bas, c+1) })
	if i == 0 {
		return "", false
	}
	pl := p.plages[i-1]
	if c > pl.haut {
		return "", false
	}
	if pl.liste != nil {
		if int(c-pl.bas) < len(pl.liste) {
			return pl.liste[c-pl.bas], true
		}
		return "", false
	}
	v := slices.Clone(pl.debut)
	v[len(v)-1] += rune(c - pl.bas)
	return string(v), true
}

func code(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 | uint32(x)
	}
	return c
}

func utf16BE(o any) string {
	b, ok := o.([]byte)
	if !ok {
		return ""
	}
	return string(utf16.Decode(pdfsyntaxe.MotsUTF16(b)))
}

// glyphes maps the glyph names of a /Differences array that matter for
// French text to their character; single letters and digits are handled
// apart, "uniXXXX" and "uXXXX" too.
var glyphes = map[string]rune{
	"space": ' ', "exclam": '!', "quotedbl": '"', "numbersign": '#', "dollar": '$', "percent": '%', "ampersand": '&',
	"quotesingle": '\'', "quoteright": '’', "quoteleft": '‘', "parenleft": '(', "parenright": ')', "asterisk": '*',
	"plus": '+', "comma": ',', "hyphen": '-', "period": '.', "slash": '/', "colon": ':', "semicolon": ';', "less": '<',
	"equal": '=', "greater": '>', "question": '?', "at": '@', "bracketleft": '[', "backslash": '\\', "bracketright": ']',
	"underscore": '_', "endash": '–', "emdash": '—', "guillemotleft": '«', "guillemotright": '»', "euro": '€',
	"ellipsis": '…', "quotedblleft": '“', "quotedblright": '”', "degree": '°', "bullet": '•', "section": '§',
	"zero": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
	"agrave": 'à', "acircumflex": 'â', "adieresis": 'ä', "ccedilla": 'ç', "eacute": 'é', "egrave": 'è', "ecircumflex": 'ê',
	"edieresis": 'ë', "icircumflex": 'î', "idieresis": 'ï', "ocircumflex": 'ô', "odieresis": 'ö', "ugrave": 'ù',
	"ucircumflex": 'û', "udieresis": 'ü', "ydieresis": 'ÿ', "oe": 'œ', "ae": 'æ', "Agrave": 'À', "Acircumflex": 'Â',
	"Ccedilla": 'Ç', "Eacute": 'É', "Egrave": 'È', "Ecircumflex": 'Ê', "Edieresis": 'Ë', "Icircumflex": 'Î',
	"Idieresis": 'Ï', "Ocircumflex": 'Ô', "Ugrave": 'Ù', "Ucircumflex": 'Û', "Udieresis": 'Ü', "OE": 'Œ', "AE": 'Æ',
	"fi": 'ﬁ', "fl": 'ﬂ', "nbspace": ' ', "uni00A0": ' ',
}

func runeDeGlyphe(n string) (rune, bool) {
	if len(n) == 1 && (n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') {
		return rune(n[0]), true
	}
	if r, ok := glyphes[n]; ok {
		return r, true
	}
	if h, ok := strings.CutPrefix(n, "uni"); ok && len(h) >= 4 {
		if v, err := strconv.ParseUint(h[:4], 16, 32); err == nil && (v < 0xd800 || v > 0xdfff) {
			return rune(v), true
		}
	}
	if h, ok := strings.CutPrefix(n, "u"); ok && len(h) >= 4 && len(h) <= 6 {
		if v, err := strconv.ParseUint(h, 16, 32); err == nil && v < 0x110000 && (v < 0xd800 || v > 0xdfff) {
			return rune(v), true
		}
	}
	return 0, false
}
