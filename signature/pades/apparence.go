package pades

import (
	"bytes"
	"fmt"
	"strconv"
)

// MentionDelegation is written in the visible block when the signer signs
// for the maire.
const MentionDelegation = "Pour le maire et par délégation"

// apparence draws the visible signature block as a form XObject of w×h
// points: the optional delegation mention, the signer's name in bold, the
// quality and the date. It uses the standard Helvetica fonts with
// WinAnsiEncoding, so accents render without embedding a font.
func apparence(o Options, w, h float64) *flux {
	type ligne struct {
		texte string
		gras  bool
	}
	var lignes []ligne
	if o.ParDelegation {
		lignes = append(lignes, ligne{MentionDelegation, false})
	}
	lignes = append(lignes, ligne{o.Nom, true})
	if o.Qualite != "" {
		lignes = append(lignes, ligne{o.Qualite, false})
	}
	lignes = append(lignes, ligne{"Signé électroniquement le " + o.Heure.Format("02/01/2006 à 15:04"), false})

	// Font size: as large as 10 pt while every line fits, using an average
	// Helvetica advance of 0.55 em (a safe bound for French text).
	marge := 4.0
	taille := 10.0
	taille = min(taille, (h-2*marge)/(1.2*float64(len(lignes))))
	for _, l := range lignes {
		n := float64(len([]rune(l.texte)))
		if n > 0 {
			taille = min(taille, (w-2*marge)/(0.55*n))
		}
	}
	taille = max(taille, 1)

	var c bytes.Buffer
	fmt.Fprintf(&c, "q 0.96 0.97 1 rg 0 0 %s %s re f Q\n", f2(w), f2(h))
	fmt.Fprintf(&c, "q 0.2 0.3 0.6 RG 1 w 0.5 0.5 %s %s re S Q\n", f2(w-1), f2(h-1))
	c.WriteString("BT 0 0 0 rg\n")
	y := h - marge - taille
	for _, l := range lignes {
		police := "/F1"
		if l.gras {
			police = "/F2"
		}
		fmt.Fprintf(&c, "%s %s Tf 1 0 0 1 %s %s Tm (", police, f2(taille), f2(marge), f2(y))
		for _, b := range winAnsi(l.texte) {
			if b == '(' || b == ')' || b == '\\' {
				c.WriteByte('\\')
			}
			c.WriteByte(b)
		}
		c.WriteString(") Tj\n")
		y -= 1.2 * taille
	}
	c.WriteString("ET\n")

	police := func(base string) *dict {
		p := nouveauDict()
		p.set("Type", nom("Font"))
		p.set("Subtype", nom("Type1"))
		p.set("BaseFont", nom(base))
		p.set("Encoding", nom("WinAnsiEncoding"))
		return p
	}
	polices := nouveauDict()
	polices.set("F1", police("Helvetica"))
	polices.set("F2", police("Helvetica-Bold"))
	ressources := nouveauDict()
	ressources.set("Font", polices)
	ressources.set("ProcSet", tableau{nom("PDF"), nom("Text")})
	d := nouveauDict()
	d.set("Type", nom("XObject"))
	d.set("Subtype", nom("Form"))
	d.set("BBox", tableau{nombre("0"), nombre("0"), reel(w), reel(h)})
	d.set("Resources", ressources)
	return &flux{dict: d, donnees: c.Bytes()}
}

func f2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// winAnsi encodes s in Windows-1252 (PDF's WinAnsiEncoding); characters
// outside it become '?'.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			out = append(out, byte(r))
		default:
			if b, ok := cp1252[r]; ok {
				out = append(out, b)
			} else {
				out = append(out, '?')
			}
		}
	}
	return out
}

// cp1252 holds the characters of Windows-1252 in 0x80–0x9F.
var cp1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
	'‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93,
	'”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b,
	'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}
