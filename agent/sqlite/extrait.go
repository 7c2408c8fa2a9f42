package sqlite

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"xdemat/agent"
)

// The extract of a search result, made here rather than by FTS5's
// snippet(): snippet() needs the MATCH again, and a prefix makes FTS5
// gather its whole doclist once more — the dearest part of a search.
// The words are compared as the index compares them: case and accents
// ignored, each word typed also as the beginning of a longer one.

// plier lowercases s and removes its accents ("Délibération" → "deliberation").
func plier(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func estCaractereDeMot(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// motsCherches are the folded words of what the secretary typed.
func motsCherches(q string) []string {
	mots := strings.FieldsFunc(strings.ToValidUTF8(q, " "), func(r rune) bool { return !estCaractereDeMot(r) })
	if len(mots) > maxTermesRecherche {
		mots = mots[:maxTermesRecherche]
	}
	for i, m := range mots {
		mots[i] = plier(m)
	}
	return mots
}

type motDuTexte struct{ debut, fin int } // byte offsets

// decouper returns the words of s.
func decouper(s string) []motDuTexte {
	var out []motDuTexte
	debut := -1
	for i, r := range s {
		if estCaractereDeMot(r) {
			if debut < 0 {
				debut = i
			}
			continue
		}
		if debut >= 0 {
			out = append(out, motDuTexte{debut, i})
			debut = -1
		}
	}
	if debut >= 0 {
		out = append(out, motDuTexte{debut, len(s)})
	}
	return out
}

// extrait returns a few words of the first of colonnes where a word typed
// is found, those words marked with agent.DebutSurligne/FinSurligne; ""
// when none is found.
func extrait(colonnes []string, mots []string) string {
	if len(mots) == 0 {
		return ""
	}
	trouve := func(m string) bool {
		p := plier(m)
		for _, c := range mots {
			if strings.HasPrefix(p, c) {
				return true
			}
		}
		return false
	}
	for _, col := range colonnes {
		col = strings.ToValidUTF8(col, " ")
		ms := decouper(col)
		premier := -1
		for i, m := range ms {
			if trouve(col[m.debut:m.fin]) {
				premier = i
				break
			}
		}
		if premier < 0 {
			continue
		}
		de := max(0, premier-motsAutourDeLExtrait/3)
		a := min(len(ms), de+motsAutourDeLExtrait)
		var b strings.Builder
		if de > 0 {
			b.WriteString("…")
		}
		pos := ms[de].debut
		for _, m := range ms[de:a] {
			b.WriteString(espaces(col[pos:m.debut]))
			if trouve(col[m.debut:m.fin]) {
				b.WriteString(agent.DebutSurligne + col[m.debut:m.fin] + agent.FinSurligne)
			} else {
				b.WriteString(col[m.debut:m.fin])
			}
			pos = m.fin
		}
		if a < len(ms) {
			b.WriteString("…")
		}
		return strings.TrimSpace(b.String())
	}
	return ""
}

// espaces keeps the punctuation between two words, on one line.
func espaces(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") && utf8.RuneCountInString(s) <= 8 {
		return s
	}
	return strings.Join(strings.Fields(s), " ") + " "
}
