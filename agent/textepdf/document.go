package textepdf

import (
	"bytes"
	"regexp"
	"strconv"

	"xdemat/internal/pdfsyntaxe"
)

// document holds the objects of a PDF found by scanning its bytes for
// "n g obj" rather than trusting the cross-reference table: a damaged or
// hostile table cannot send the reader anywhere, and the incremental
// updates (a later definition of the same object) win as they should.
type document struct {
	objets  map[int]any
	budget  *budget
	chiffre bool // /Encrypt seen: the text cannot be read
}

var debutObjet = regexp.MustCompile(`(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b`)

// lireDocument scans b. The budget bounds the work and the memory.
func lireDocument(b []byte, bu *budget) *document {
	d := &document{objets: map[int]any{}, budget: bu}
	for _, m := range debutObjet.FindAllSubmatchIndex(b, maxObjets) {
		if !bu.depenser(1) {
			break
		}
		num, err := strconv.Atoi(string(b[m[2]:m[3]]))
		if err != nil {
			continue
		}
		l := lire(b, m[1])
		o := l.objet(0)
		if di, ok := o.(dict); ok {
			l.Blancs()
			if bytes.HasPrefix(b[l.Pos:], []byte("stream")) {
				o = fluxApres(b, l.Pos+len("stream"), di)
			}
		}
		d.objets[num] = o
	}
	// Objects inside object streams (PDF 1.5), unless defined outside; in
	// the order of their numbers, so that the same file always gives the
	// same objects (and spends the same budget).
	for _, num := range d.numeros() {
		f, ok := d.objets[num].(flux)
		if !ok || f.d["Type"] != nom("ObjStm") {
			continue
		}
		d.lireFluxObjets(f)
	}
	// The trailers (classic, or the dictionary of a cross-reference stream)
	// say whether the file is encrypted.
	for _, i := range indexTous(b, []byte("trailer")) {
		l := lire(b, i+len("trailer"))
		if di, ok := l.objet(0).(dict); ok && di["Encrypt"] != nil {
			d.chiffre = true
		}
	}
	for _, o := range d.objets {
		if f, ok := o.(flux); ok && f.d["Type"] == nom("XRef") && f.d["Encrypt"] != nil {
			d.chiffre = true
		}
	}
	return d
}

// numeros returns the numbers of the objects read, in increasing order.
func (d *document) numeros() []int {
	nums := make([]int, 0, len(d.objets))
	for num := range d.objets {
		nums = append(nums, num)
	}
	sortInts(nums)
	return nums
}

func indexTous(b, s []byte) []int {
	var out []int
	for i := 0; len(out) < 1000; {
		j := bytes.Index(b[i:], s)
		if j < 0 {
			break
		}
		out = append(out, i+j)
		i += j + len(s)
	}
	return out
}

// fluxApres reads the data of a stream starting after the keyword: /Length
// when it is a plain number that lands on "endstream", else up to the next
// "endstream".
func fluxApres(b []byte, pos int, d dict) flux {
	if pos < len(b) && b[pos] == '\r' {
		pos++
	}
	if pos < len(b) && b[pos] == '\n' {
		pos++
	}
	if n, ok := d["Length"].(float64); ok && n >= 0 && pos+int(n) <= len(b) {
		fin := pos + int(n)
		suite := bytes.TrimLeft(b[fin:min(len(b), fin+32)], " \r\n\t")
		if bytes.HasPrefix(suite, []byte("endstream")) {
			return flux{d: d, donnees: b[pos:fin]}
		}
	}
	fin := bytes.Index(b[pos:], []byte("endstream"))
	if fin < 0 {
		return flux{d: d, donnees: b[pos:]}
	}
	return flux{d: d, donnees: bytes.TrimRight(b[pos:pos+fin], "\r\n")}
}

func (d *document) lireFluxObjets(f flux) {
	donnees := d.decoder(f)
	n, _ := f.d["N"].(float64)
	premier, _ := f.d["First"].(float64)
	if n <= 0 || premier <= 0 || int(premier) > len(donnees) {
		return
	}
	l := lire(donnees[:int(premier)], 0)
	for i := 0; i < int(min(n, maxObjets)); i++ {
		num, ok1 := l.objet(0).(float64)
		off, ok2 := l.objet(0).(float64)
		if !ok1 || !ok2 || !d.budget.depenser(1) {
			return
		}
		pos := int(premier) + int(off)
		if off < 0 || pos >= len(donnees) {
			continue
		}
		if _, deja := d.objets[int(num)]; deja {
			continue
		}
		o := lire(donnees, pos).objet(0)
		if _, imbrique := o.(flux); !imbrique {
			d.objets[int(num)] = o
		}
	}
}

// resoudre follows references (a bounded chain of them).
func (d *document) resoudre(o any) any {
	for i := 0; i < 8; i++ {
		r, ok := o.(ref)
		if !ok {
			return o
		}
		o = d.objets[r.num]
	}
	return nil
}

func (d *document) dict(o any) dict {
	switch v := d.resoudre(o).(type) {
	case dict:
		return v
	case flux:
		return v.d
	}
	return nil
}

// decoder returns the decoded data of a stream, empty when a filter is
// not one that text needs (images) or the data is broken beyond use.
func (d *document) decoder(f flux) []byte {
	donnees := f.donnees
	var filtres []any
	switch v := d.resoudre(f.d["Filter"]).(type) {
	case nom:
		filtres = []any{v}
	case []any:
		filtres = v
	}
	if len(filtres) > 4 {
		return nil
	}
	for _, fi := range filtres {
		reste := d.budget.resteDecompresse()
		if reste <= 0 {
			return nil
		}
		switch d.resoudre(fi) {
		case nom("FlateDecode"), nom("Fl"):
			// A truncated, damaged or too large stream still gives what
			// came before; data that is not zlib at all gives nothing.
			out, _ := pdfsyntaxe.Inflater(donnees, min(reste, maxFluxDecompresse))
			if out == nil {
				return nil
			}
			donnees = out
		case nom("ASCIIHexDecode"), nom("AHx"):
			donnees = pdfsyntaxe.DecoderASCIIHex(donnees)
		case nom("ASCII85Decode"), nom("A85"):
			donnees = pdfsyntaxe.DecoderASCII85(donnees)
		default:
			return nil
		}
		d.budget.decompresse(int64(len(donnees)))
	}
	return donnees
}

// pages returns the pages in order: the tree from the catalog, walked
// without recursion and each node once; when there is none, every object
// of type Page.
func (d *document) pages() []dict {
	// A file updated in increments may hold several catalogs: the one of
	// the highest number is the newest, and the choice stays the same from
	// one reading to the next.
	var racine any
	nums := d.numeros()
	for i := len(nums) - 1; i >= 0; i-- {
		if di := d.dict(d.objets[nums[i]]); di != nil && di["Type"] == nom("Catalog") {
			racine = di["Pages"]
			break
		}
	}
	var out []dict
	vus := map[any]bool{}
	pile := []any{racine}
	for len(pile) > 0 && len(out) < maxPages && d.budget.depenser(1) {
		o := pile[len(pile)-1]
		pile = pile[:len(pile)-1]
		if r, ok := o.(ref); ok {
			if vus[r] {
				continue
			}
			vus[r] = true
		}
		n := d.dict(o)
		if n == nil {
			continue
		}
		if kids, ok := d.resoudre(n["Kids"]).([]any); ok && n["Type"] != nom("Page") {
			for i := len(kids) - 1; i >= 0 && len(pile) < maxPages; i-- {
				pile = append(pile, kids[i])
			}
			continue
		}
		if n["Type"] == nom("Page") || n["Contents"] != nil {
			out = append(out, n)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, num := range nums {
		if di := d.dict(d.objets[num]); di != nil && di["Type"] == nom("Page") && len(out) < maxPages {
			out = append(out, di)
		}
	}
	return out
}

// herite returns the key of the page or of its ancestors.
func (d *document) herite(page dict, cle nom) any {
	n := page
	for i := 0; i < 32 && n != nil; i++ {
		if v, ok := n[cle]; ok {
			return v
		}
		n = d.dict(n["Parent"])
	}
	return nil
}

// contenu returns the decoded content streams of the page, joined.
func (d *document) contenu(page dict) []byte {
	var parts []any
	switch v := d.resoudre(page["Contents"]).(type) {
	case []any:
		parts = v
	default:
		parts = []any{page["Contents"]}
	}
	var out []byte
	for i, p := range parts {
		if i >= maxPages {
			break
		}
		if f, ok := d.resoudre(p).(flux); ok {
			out = append(out, d.decoder(f)...)
			out = append(out, '\n')
		}
	}
	return out
}
