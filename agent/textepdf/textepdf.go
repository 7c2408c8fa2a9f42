// Package textepdf reads the text of a PDF, in Go: the agent indexes the
// actes' documents for the search on the mairie's Windows PC, where no
// poppler is installed. It reads what search needs — the words, in reading
// order within a page — not the layout.
//
// The documents come from anywhere (scans, exports of any word processor,
// files received from the préfecture): the reader never panics, never
// loops, and bounds its memory and its work; a file it cannot read gives
// the text it could read, possibly none.
package textepdf

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"xdemat"
	"xdemat/internal/pdfsyntaxe"
)

// Limits of one extraction.
const (
	TailleMax          = 64 << 20  // bytes of PDF read
	TexteMax           = 1 << 20   // bytes of text returned
	maxObjets          = 500_000   // objects scanned
	maxPages           = 5_000     // pages read
	maxFluxDecompresse = 32 << 20  // bytes out of one stream
	maxDecompresse     = 128 << 20 // bytes out of all streams
	maxOperations      = 50_000_000
	profondeurFormes   = 4 // form XObjects within form XObjects
)

// budget counts the work done; once spent, every loop stops.
type budget struct {
	ctx        context.Context
	operations int64
	decompr    int64
	epuise     bool
}

func (b *budget) depenser(n int64) bool {
	if b.epuise {
		return false
	}
	b.operations += n
	if b.operations > maxOperations {
		b.epuise = true
		return false
	}
	if b.operations&0xfff == 0 && b.ctx.Err() != nil {
		b.epuise = true
		return false
	}
	return true
}

func (b *budget) resteDecompresse() int64 { return maxDecompresse - b.decompr }
func (b *budget) decompresse(n int64)     { b.decompr += n }

// Extraire returns the text of the PDF pdf, pages in order. It stops when
// ctx ends, returning what it read so far. Errors (in French): a file too
// big, not a PDF, or encrypted.
func Extraire(ctx context.Context, pdf []byte) (texte string, err error) {
	if len(pdf) > TailleMax {
		return "", xdemat.Errorf(xdemat.ETOOLARGE, "Le PDF pèse %s : au-delà de %s, son texte n'est pas lu pour la recherche.", xdemat.Octets(int64(len(pdf))), xdemat.Octets(TailleMax))
	}
	if !strings.HasPrefix(string(pdf[:min(len(pdf), 1024)]), "%PDF") && !strings.Contains(string(pdf[:min(len(pdf), 1024)]), "%PDF-") {
		return "", xdemat.Errorf(xdemat.EINVALID, "Le fichier n'est pas un PDF : son texte ne peut pas être lu.")
	}
	var e ecrivain
	defer func() {
		// Never expected, but a reader of hostile files does not take the
		// agent down: what was read is kept.
		if r := recover(); r != nil {
			texte, err = e.texte(), xdemat.Errorf(xdemat.EINVALID, "Le PDF est abîmé : une partie de son texte seulement a été lue (%v).", fmt.Sprint(r))
		}
	}()
	bu := &budget{ctx: ctx}
	d := lireDocument(pdf, bu)
	if d.chiffre {
		return "", xdemat.Errorf(xdemat.EINVALID, "Le PDF est protégé par un mot de passe ou chiffré : son texte ne peut pas être lu pour la recherche.")
	}
	for _, p := range d.pages() {
		if !bu.depenser(1) || e.plein() {
			break
		}
		res := d.dict(d.herite(p, "Resources"))
		i := &interprete{d: d, e: &e, budget: bu}
		i.executer(d.contenu(p), res, 0, map[ref]bool{})
		e.finDePage()
	}
	return e.texte(), nil
}

// ecrivain gathers the text, with at most one blank between words.
type ecrivain struct {
	b strings.Builder
	// attente is the separator owed before the next character: ' ', '\n' or 0.
	attente byte
}

func (e *ecrivain) plein() bool { return e.b.Len() >= TexteMax }

func (e *ecrivain) separer(c byte) {
	if e.b.Len() == 0 {
		return
	}
	if c == '\n' || e.attente == 0 {
		e.attente = c
	}
}

func (e *ecrivain) ecrire(s string) {
	for _, r := range s {
		if e.plein() {
			return
		}
		switch {
		case r == utf8.RuneError, unicode.IsControl(r) && r != '\n' && r != '\t':
			continue
		case unicode.IsSpace(r):
			e.separer(' ')
			continue
		}
		if e.attente != 0 {
			e.b.WriteByte(e.attente)
			e.attente = 0
		}
		e.b.WriteRune(r)
	}
}

func (e *ecrivain) finDePage() { e.separer('\n') }

func (e *ecrivain) texte() string { return e.b.String() }

// interprete runs a content stream for its text operators.
type interprete struct {
	d       *document
	e       *ecrivain
	budget  *budget
	police  *police
	polices map[string]*police
	dernY   float64
	yConnu  bool
}

func (i *interprete) executer(contenu []byte, res dict, profondeur int, formes map[ref]bool) {
	l := lire(contenu, 0)
	var pile []any
	for l.Pos < len(l.B) && i.budget.depenser(1) && !i.e.plein() {
		o := l.suivant(0)
		op, ok := o.(operateur)
		if !ok {
			if len(pile) < 64 {
				pile = append(pile, o)
			}
			continue
		}
		switch op {
		case "BT":
			i.e.separer(' ')
		case "Tf":
			if len(pile) >= 2 {
				if n, ok := pile[len(pile)-2].(nom); ok {
					i.police = i.policeDe(res, string(n))
				}
			}
		case "Td", "TD":
			if len(pile) >= 2 {
				if ty, _ := pile[len(pile)-1].(float64); ty != 0 {
					i.e.separer('\n')
				} else if tx, _ := pile[len(pile)-2].(float64); tx != 0 {
					i.e.separer(' ')
				}
			}
		case "Tm":
			if len(pile) >= 6 {
				y, _ := pile[len(pile)-1].(float64)
				if i.yConnu && y != i.dernY {
					i.e.separer('\n')
				} else {
					i.e.separer(' ')
				}
				i.dernY, i.yConnu = y, true
			}
		case "T*":
			i.e.separer('\n')
		case "Tj":
			if len(pile) >= 1 {
				i.montrer(pile[len(pile)-1])
			}
		case "'", "\"":
			i.e.separer('\n')
			if len(pile) >= 1 {
				i.montrer(pile[len(pile)-1])
			}
		case "TJ":
			if len(pile) >= 1 {
				t, _ := pile[len(pile)-1].([]any)
				for _, x := range t {
					if n, ok := x.(float64); ok {
						if n < -200 {
							i.e.separer(' ')
						}
						continue
					}
					i.montrer(x)
				}
			}
		case "Do":
			if len(pile) >= 1 && profondeur < profondeurFormes {
				i.forme(res, pile[len(pile)-1], profondeur, formes)
			}
		case "ID":
			// Inline image: its bytes are not operators.
			if j := indexEI(l.B[l.Pos:]); j >= 0 {
				l.Pos += j
			} else {
				l.Pos = len(l.B)
			}
		}
		pile = pile[:0]
	}
}

// indexEI finds the end of inline image data: "EI" between blanks.
func indexEI(b []byte) int {
	for j := 0; j+2 <= len(b); j++ {
		if b[j] == 'E' && b[j+1] == 'I' && (j == 0 || pdfsyntaxe.EstBlanc(b[j-1])) && (j+2 == len(b) || pdfsyntaxe.EstBlanc(b[j+2])) {
			return j + 2
		}
	}
	return -1
}

func (i *interprete) forme(res dict, o any, profondeur int, formes map[ref]bool) {
	n, ok := o.(nom)
	if !ok {
		return
	}
	xo := i.d.dict(res["XObject"])
	r, ok := xo[n].(ref)
	if !ok || formes[r] {
		return
	}
	f, ok := i.d.resoudre(r).(flux)
	if !ok || f.d["Subtype"] != nom("Form") {
		return
	}
	formes[r] = true
	sous := i.d.dict(f.d["Resources"])
	if sous == nil {
		sous = res
	}
	fille := &interprete{d: i.d, e: i.e, budget: i.budget}
	fille.executer(i.d.decoder(f), sous, profondeur+1, formes)
}

func (i *interprete) montrer(o any) {
	s, ok := o.([]byte)
	if !ok {
		return
	}
	if i.police == nil {
		i.police = policeParDefaut
	}
	i.e.ecrire(i.police.decoder(s))
}

func (i *interprete) policeDe(res dict, n string) *police {
	if p, ok := i.polices[n]; ok {
		return p
	}
	if i.polices == nil {
		i.polices = map[string]*police{}
	}
	fd := i.d.dict(i.d.dict(res["Font"])[nom(n)])
	p := nouvellePolice(i.d, fd)
	i.polices[n] = p
	return p
}

func sortInts(s []int) { slices.Sort(s) }
