package sms

import "strings"

// LongueurMax is what one SMS holds in the GSM 7-bit alphabet. A single
// character outside it makes the whole message UCS-2, where one SMS holds
// LongueurMaxUCS2.
const (
	LongueurMax     = 160
	LongueurMaxUCS2 = 70
)

// gsm7 is the GSM 03.38 basic alphabet; gsm7Ext the extension table, whose
// characters count twice.
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// translit replaces French characters missing from GSM-7 by the nearest
// ones, so that a French text keeps 160 characters rather than 70.
var translit = strings.NewReplacer(
	"â", "a", "ê", "e", "î", "i", "ô", "o", "û", "u", "ë", "e", "ï", "i", "ÿ", "y", "ç", "c",
	"À", "A", "Â", "A", "È", "E", "Ê", "E", "Ë", "E", "Î", "I", "Ï", "I", "Ô", "O", "Ù", "U", "Û", "U",
	"œ", "oe", "Œ", "OE", "æ", "ae", "’", "'", "‘", "'", "«\u00a0", "\"", "\u00a0»", "\"", "« ", "\"", " »", "\"", "«", "\"", "»", "\"",
	"“", "\"", "”", "\"", "–", "-", "—", "-", "\u00a0", " ", "\u202f", " ", "…", "...",
)

// septets returns how many GSM-7 septets s takes, or -1 when s needs UCS-2.
func septets(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7, r):
			n++
		case strings.ContainsRune(gsm7Ext, r):
			n += 2
		default:
			return -1
		}
	}
	return n
}

// Texte returns s as one SMS: French characters missing from GSM-7
// replaced, and when still too long, cut at a word boundary and ended with
// "..." in GSM-7 (the character "…" alone would turn the message into UCS-2
// and cut it to 70 characters) or "…" when the text is UCS-2 anyway.
func Texte(s string) string {
	s = strings.Join(strings.Fields(translit.Replace(s)), " ")
	if n := septets(s); n >= 0 {
		if n <= LongueurMax {
			return s
		}
		return cut(s, func(t string) bool { return septets(t) <= LongueurMax }, "...")
	}
	if r := []rune(s); len(r) <= LongueurMaxUCS2 {
		return s
	}
	return cut(s, func(t string) bool { return len([]rune(t)) <= LongueurMaxUCS2 }, "…")
}

// cut returns the longest prefix of s, at a word boundary when one is near,
// that fits with ellipsis appended.
func cut(s string, fits func(string) bool, ellipsis string) string {
	r := []rune(s)
	k := len(r)
	for k > 0 && !fits(string(r[:k])+ellipsis) {
		k--
	}
	// Back to the last space (Texte leaves single spaces only), unless
	// that loses more than a third of the text.
	if k < len(r) && r[k] != ' ' {
		for j := k - 1; j > k*2/3; j-- {
			if r[j] == ' ' {
				k = j
				break
			}
		}
	}
	return strings.TrimRight(string(r[:k]), " ,;:.-") + ellipsis
}
