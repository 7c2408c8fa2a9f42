package pades

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Coin is the corner of the page, as the reader sees it (rotation
// included), where a stamp is drawn.
type Coin int

const (
	CoinHautDroit Coin = iota // the default: where S²LOW stamps
	CoinHautGauche
	CoinBasDroit
	CoinBasGauche
)

// Tampon is a visible stamp: lines of text in a framed box, drawn over a
// page. Text is written in Helvetica with WinAnsiEncoding, so French
// accents render without embedding a font; characters outside WinAnsi
// become '?'.
type Tampon struct {
	Lignes []string
	Page   int     // 1 for the first page (the default)
	Coin   Coin    // CoinHautDroit by default
	Marge  float64 // distance to the visible edges of the page, in points; 0: 18
	Taille float64 // font size in points; 0: 9 (smaller when the page is narrow)
}

// Tamponner returns pdf with the stamp t drawn over one of its pages. The
// stamp is an incremental update appended to the original bytes, which are
// never rewritten: earlier signatures stay valid for their revision (they
// no longer cover the whole document, as with any later addition).
func Tamponner(pdf []byte, t Tampon) ([]byte, error) {
	var lignes []string
	for _, l := range t.Lignes {
		if l = strings.TrimSpace(l); l != "" {
			lignes = append(lignes, l)
		}
	}
	if len(lignes) == 0 {
		return nil, errors.New("tampon vide : indiquez au moins une ligne de texte")
	}
	if t.Page == 0 {
		t.Page = 1
	}
	d, err := ouvrir(pdf)
	if errors.Is(err, errChiffre) {
		//lint:ignore ST1005 full sentence displayed by the app
		return nil, errors.New("Ce PDF est protégé par un mot de passe (chiffré) : le tampon ne peut pas y être apposé ; enregistrez-le sans protection puis déposez-le de nouveau.")
	}
	if err != nil {
		return nil, illisibleTampon(err)
	}
	pages, err := d.pages()
	if err != nil {
		return nil, illisibleTampon(err)
	}
	if t.Page < 1 || t.Page > len(pages) {
		return nil, fmt.Errorf("page %d demandée pour le tampon, mais le document a %d page(s) : choisissez une page existante", t.Page, len(pages))
	}
	pageRef := pages[t.Page-1]
	page, err := d.dictDe(pageRef)
	if err != nil || page == nil {
		return nil, illisibleTampon(errors.New("page illisible"))
	}
	herite, err := d.herites(page)
	if err != nil {
		return nil, illisibleTampon(err)
	}

	m, err := nouvelleMiseAJour(d, pageRef)
	if err != nil {
		return nil, illisibleTampon(err)
	}
	m.buf.Grow(len(d.b) + 4096)
	m.buf.Write(d.b)
	if n := len(d.b); n > 0 && d.b[n-1] != '\n' && d.b[n-1] != '\r' {
		m.buf.WriteByte('\n')
	}

	// The font, under a name no resource of the page uses.
	ressources := nouveauDict()
	if herite.ressources != nil {
		ressources = herite.ressources.copie()
	}
	polices, err := d.dictDe(ressources.get("Font"))
	if err != nil {
		return nil, illisibleTampon(err)
	}
	if polices == nil {
		polices = nouveauDict()
	} else {
		polices = polices.copie()
	}
	nomPolice := nom("XdmTampon")
	for i := 2; polices.get(nomPolice) != nil; i++ {
		nomPolice = nom("XdmTampon" + strconv.Itoa(i))
	}
	policeNum := m.nouveau()
	police := nouveauDict()
	police.set("Type", nom("Font"))
	police.set("Subtype", nom("Type1"))
	police.set("BaseFont", nom("Helvetica"))
	police.set("Encoding", nom("WinAnsiEncoding"))
	m.objet(policeNum, 0, police)
	polices.set(nomPolice, ref{policeNum, 0})
	ressources.set("Font", polices)

	// The page's content is wrapped in q … Q so that whatever graphics
	// state it leaves behind (a scale, a clip, a colour) does not reach the
	// stamp.
	avantNum := m.nouveau()
	m.objet(avantNum, 0, &flux{dict: nouveauDict(), donnees: []byte("q")})
	tamponNum := m.nouveau()
	m.objet(tamponNum, 0, &flux{dict: nouveauDict(), donnees: dessinTampon(lignes, t, herite, nomPolice)})
	contenus := tableau{ref{avantNum, 0}}
	switch c := page.get("Contents").(type) {
	case nil:
	case tableau:
		contenus = append(contenus, c...)
	case ref:
		// A reference to an array of streams, or to one stream.
		o, err := d.resoudre(c)
		if err != nil {
			return nil, illisibleTampon(err)
		}
		if t, ok := o.(tableau); ok {
			contenus = append(contenus, t...)
		} else if o != nil {
			contenus = append(contenus, c)
		}
	default:
		return nil, illisibleTampon(errors.New("contenu de la page invalide"))
	}
	contenus = append(contenus, ref{tamponNum, 0})

	p := page.copie()
	p.set("Contents", contenus)
	p.set("Resources", ressources)
	m.objet(pageRef.num, m.genDe(pageRef), p)
	m.ecrireXref()
	return m.buf.Bytes(), nil
}

func illisibleTampon(err error) error {
	//lint:ignore ST1005 full sentence displayed by the app
	return fmt.Errorf("Ce fichier n'est pas un PDF lisible, le tampon ne peut pas y être apposé : %v", err)
}

// attributsHerites are the page attributes a page may inherit from its
// ancestors in the page tree.
type attributsHerites struct {
	ressources *dict
	mediaBox   [4]float64
	cropBox    *[4]float64
	rotation   int // 0, 90, 180 or 270
}

// herites reads the page's inheritable attributes, walking up /Parent.
func (d *document) herites(page *dict) (*attributsHerites, error) {
	a := &attributsHerites{mediaBox: [4]float64{0, 0, 612, 792}}
	var res, media, crop, rot objet
	n := page
	for i := 0; n != nil && i < profondeurMax; i++ {
		if res == nil {
			res = n.get("Resources")
		}
		if media == nil {
			media = n.get("MediaBox")
		}
		if crop == nil {
			crop = n.get("CropBox")
		}
		if rot == nil {
			rot = n.get("Rotate")
		}
		parent := n.get("Parent")
		if parent == nil {
			break
		}
		var err error
		if n, err = d.dictDe(parent); err != nil {
			return nil, err
		}
	}
	var err error
	if a.ressources, err = d.dictDe(res); err != nil {
		return nil, err
	}
	if r, ok := d.rectangle(media); ok {
		a.mediaBox = r
	}
	if r, ok := d.rectangle(crop); ok {
		// The visible area is the crop box within the media box.
		r = [4]float64{max(r[0], a.mediaBox[0]), max(r[1], a.mediaBox[1]), min(r[2], a.mediaBox[2]), min(r[3], a.mediaBox[3])}
		if r[2] > r[0] && r[3] > r[1] {
			a.cropBox = &r
		}
	}
	if o, err := d.resoudre(rot); err == nil {
		if v, ok := entierDe(o); ok && v%90 == 0 {
			a.rotation = int((v%360 + 360) % 360)
		}
	}
	return a, nil
}

// rectangle reads a normalised rectangle [llx lly urx ury].
func (d *document) rectangle(o objet) ([4]float64, bool) {
	var r [4]float64
	t, err := d.tableauDe(o)
	if err != nil || len(t) != 4 {
		return r, false
	}
	for i, e := range t {
		e, err := d.resoudre(e)
		if err != nil {
			return r, false
		}
		n, ok := e.(nombre)
		if !ok {
			return r, false
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
			return r, false
		}
		r[i] = f
	}
	r = [4]float64{min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])}
	return r, r[2]-r[0] >= 1 && r[3]-r[1] >= 1
}

// dessinTampon is the stamp's content stream. It first closes the q that
// wraps the page's content, then draws in "reader space": the visible box
// as the reader sees it, rotation undone, origin at its bottom-left.
func dessinTampon(lignes []string, t Tampon, h *attributsHerites, police nom) []byte {
	b := h.mediaBox
	if h.cropBox != nil {
		b = *h.cropBox
	}
	w, ht := b[2]-b[0], b[3]-b[1]
	// The matrix from reader space to the page's user space.
	var cm [6]float64
	largeur, hauteur := w, ht
	switch h.rotation {
	case 90:
		cm, largeur, hauteur = [6]float64{0, 1, -1, 0, b[2], b[1]}, ht, w
	case 180:
		cm = [6]float64{-1, 0, 0, -1, b[2], b[3]}
	case 270:
		cm, largeur, hauteur = [6]float64{0, -1, 1, 0, b[0], b[3]}, ht, w
	default:
		cm = [6]float64{1, 0, 0, 1, b[0], b[1]}
	}

	marge := t.Marge
	if marge <= 0 {
		marge = 18
	}
	marge = min(marge, largeur/4, hauteur/4)
	taille := t.Taille
	if taille <= 0 {
		taille = 9
	}
	textes := make([][]byte, len(lignes))
	plusLongue := 0.0
	for i, l := range lignes {
		textes[i] = winAnsi(l)
		plusLongue = max(plusLongue, largeurHelvetica(textes[i]))
	}
	const interligne, interieur = 1.3, 0.6 // in em
	// Smaller when the box would not fit the page.
	if plusLongue > 0 {
		taille = min(taille, (largeur-2*marge)/(plusLongue+2*interieur))
	}
	taille = min(taille, (hauteur-2*marge)/(interligne*float64(len(lignes))+2*interieur))
	taille = max(taille, 1)
	bw := (plusLongue + 2*interieur) * taille
	bh := (interligne*float64(len(lignes)) + 2*interieur - (interligne - 1)) * taille
	x, y := largeur-marge-bw, hauteur-marge-bh
	switch t.Coin {
	case CoinHautGauche:
		x = marge
	case CoinBasDroit:
		y = marge
	case CoinBasGauche:
		x, y = marge, marge
	}

	var c bytes.Buffer
	c.WriteString("\nQ\nq\n")
	for _, v := range cm {
		c.WriteString(f2(v))
		c.WriteByte(' ')
	}
	c.WriteString("cm\n")
	fmt.Fprintf(&c, "1 1 1 rg 0.12 0.23 0.54 RG 1 w %s %s %s %s re B\n", f2(x), f2(y), f2(bw), f2(bh))
	c.WriteString("BT 0.12 0.23 0.54 rg\n")
	ecrireNom(&c, police)
	fmt.Fprintf(&c, " %s Tf\n", f2(taille))
	ligneY := y + bh - interieur*taille - 0.8*taille // baseline: ascender ≈ 0.8 em
	for _, l := range textes {
		fmt.Fprintf(&c, "1 0 0 1 %s %s Tm (", f2(x+interieur*taille), f2(ligneY))
		for _, o := range l {
			if o == '(' || o == ')' || o == '\\' {
				c.WriteByte('\\')
			}
			c.WriteByte(o)
		}
		c.WriteString(") Tj\n")
		ligneY -= interligne * taille
	}
	c.WriteString("ET\nQ\n")
	return c.Bytes()
}

// largeurHelvetica is the advance of a WinAnsi string in Helvetica, in em.
func largeurHelvetica(s []byte) float64 {
	total := 0
	for _, o := range s {
		switch {
		case o >= 32 && o < 127:
			total += int(largeursHelvetica[o-32])
		case o == 0xa0: // no-break space
			total += 278
		case o == 0xe7: // ç
			total += 500
		case o >= 0xec && o <= 0xef: // ì í î ï
			total += 278
		case o >= 0xc0 && o <= 0xc6, o >= 0xc8 && o <= 0xcb: // capitals like A and E
			total += 667
		default:
			// Accented lower-case letters are as wide as e or u; other
			// symbols are at most this wide but for a few.
			total += 611
		}
	}
	return float64(total) / 1000
}

// largeursHelvetica are the advances of Helvetica (its AFM, in 1/1000 em)
// for the printable ASCII characters, from the space to the tilde.
var largeursHelvetica = [95]uint16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 … ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ … O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P … _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` … o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p … ~
}
