package pades

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"xdemat/internal/pdfsyntaxe"
)

// tailleDecompresseeMax bounds what one stream may inflate to, so that a
// crafted file cannot exhaust the agent's memory.
const tailleDecompresseeMax = 256 << 20

// errChiffre tells an encrypted PDF apart from an unreadable one, so that
// each caller can say what to do in its own words.
var errChiffre = errors.New("le PDF est chiffré ou protégé par un mot de passe")

// entree is one cross-reference entry: an object at an offset (type 1) or
// the index-th object of an object stream (type 2).
type entree struct {
	typ    byte
	offset int
	gen    int
	flux   int
	index  int
}

// document is a parsed PDF: its cross-reference sections (newest first
// wins), the newest trailer, and objects loaded on demand.
type document struct {
	b          []byte
	xref       map[int]entree
	trailer    *dict
	startxref  int  // offset of the newest cross-reference section
	xrefEnFlux bool // newest section is a cross-reference stream
	taille     int  // /Size of the newest trailer
	cache      map[int]objet
	enCours    map[int]bool
	fluxObjets map[int]*fluxObjets
}

type fluxObjets struct {
	donnees []byte
	offsets map[int]int
}

// ouvrir reads the cross-reference sections of b.
func ouvrir(b []byte) (*document, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(b[:min(len(b), 1024)], "\x00\t\n\r\f "), []byte("%PDF-")) {
		return nil, errors.New("en-tête %PDF- absent")
	}
	d := &document{b: b, xref: map[int]entree{}, cache: map[int]objet{}, enCours: map[int]bool{}, fluxObjets: map[int]*fluxObjets{}}
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return nil, errors.New("mot-clé startxref absent : fichier tronqué ?")
	}
	l := lire(b, i+len("startxref"))
	off, ok := l.EntierSuivant()
	if !ok || off >= len(b) {
		return nil, errors.New("position de la table des références (startxref) invalide")
	}
	d.startxref = off
	vus := map[int]bool{}
	premier := true
	for off >= 0 {
		if vus[off] || len(vus) > 1000 {
			return nil, errors.New("boucle dans les tables de références (/Prev)")
		}
		vus[off] = true
		if off >= len(b) {
			return nil, errors.New("table de références (/Prev) hors du fichier")
		}
		trailer, enFlux, err := d.lireSection(off)
		if err != nil {
			return nil, err
		}
		if premier {
			d.trailer, d.xrefEnFlux, premier = trailer, enFlux, false
			n, _ := entierDe(trailer.get("Size"))
			if n <= 0 || n > 10_000_000 {
				return nil, errors.New("/Size du trailer absent ou invalide")
			}
			d.taille = int(n)
		}
		// A hybrid file also lists objects in a stream (/XRefStm).
		if x, ok := entierDe(trailer.get("XRefStm")); ok && !enFlux && x >= 0 && int(x) < len(b) && !vus[int(x)] {
			vus[int(x)] = true
			if _, _, err := d.lireSection(int(x)); err != nil {
				return nil, err
			}
		}
		p, ok := entierDe(trailer.get("Prev"))
		if !ok {
			break
		}
		off = int(p)
		if p < 0 || p >= int64(len(b)) {
			return nil, errors.New("table de références (/Prev) hors du fichier")
		}
	}
	if _, ok := d.trailer.get("Root").(ref); !ok {
		return nil, errors.New("catalogue (/Root) absent du trailer")
	}
	if d.trailer.get("Encrypt") != nil {
		return nil, fmt.Errorf("%w : enregistrez-le sans protection avant de le signer", errChiffre)
	}
	return d, nil
}

// lireSection reads one classic table with its trailer, or one
// cross-reference stream, and records entries not already known.
func (d *document) lireSection(off int) (*dict, bool, error) {
	l := lire(d.b, off)
	l.Blancs()
	if bytes.HasPrefix(d.b[l.Pos:], []byte("xref")) {
		l.Pos += 4
		for {
			l.Blancs()
			if bytes.HasPrefix(d.b[l.Pos:], []byte("trailer")) {
				l.Pos += len("trailer")
				o, err := l.objet(0)
				if err != nil {
					return nil, false, err
				}
				t, ok := o.(*dict)
				if !ok {
					return nil, false, errors.New("trailer invalide")
				}
				return t, false, nil
			}
			debut, ok1 := l.EntierSuivant()
			nb, ok2 := l.EntierSuivant()
			if !ok1 || !ok2 || nb > len(d.b)/18+1 {
				return nil, false, errors.New("table des références croisées illisible")
			}
			for k := 0; k < nb; k++ {
				o, ok1 := l.EntierSuivant()
				g, ok2 := l.EntierSuivant()
				t := l.MotSuivant()
				if !ok1 || !ok2 || len(t) != 1 {
					return nil, false, errors.New("entrée de la table des références croisées illisible")
				}
				num := debut + k
				if _, deja := d.xref[num]; deja {
					continue
				}
				switch t[0] {
				case 'n':
					d.xref[num] = entree{typ: 1, offset: o, gen: g}
				case 'f':
					d.xref[num] = entree{typ: 0}
				default:
					return nil, false, errors.New("entrée de la table des références croisées illisible")
				}
			}
		}
	}
	o, err := d.objetA(off, -1)
	if err != nil {
		return nil, false, fmt.Errorf("table des références croisées introuvable à la position indiquée : %w", err)
	}
	f, ok := o.(*flux)
	if !ok || f.dict.get("Type") != nom("XRef") {
		return nil, false, errors.New("table des références croisées introuvable à la position indiquée")
	}
	if err := d.lireFluxXref(f); err != nil {
		return nil, false, err
	}
	return f.dict, true, nil
}

func (d *document) lireFluxXref(f *flux) error {
	donnees, err := d.decoder(f)
	if err != nil {
		return err
	}
	w, ok := f.dict.get("W").(tableau)
	if !ok || len(w) != 3 {
		return errors.New("flux de références croisées sans /W valide")
	}
	var largeurs [3]int
	ligne := 0
	for i, e := range w {
		n, ok := entierDe(e)
		if !ok || n < 0 || n > 8 {
			return errors.New("flux de références croisées sans /W valide")
		}
		largeurs[i] = int(n)
		ligne += int(n)
	}
	if ligne == 0 {
		return errors.New("flux de références croisées sans /W valide")
	}
	taille, _ := entierDe(f.dict.get("Size"))
	index := tableau{nombre("0"), nombreDe(int(taille))}
	if t, ok := f.dict.get("Index").(tableau); ok {
		index = t
	}
	pos := 0
	champ := func(k int, defaut int) int {
		if largeurs[k] == 0 {
			return defaut
		}
		v := 0
		for i := 0; i < largeurs[k]; i++ {
			v = v<<8 | int(donnees[pos])
			pos++
		}
		return v
	}
	for i := 0; i+1 < len(index); i += 2 {
		debut, ok1 := entierDe(index[i])
		nb, ok2 := entierDe(index[i+1])
		if !ok1 || !ok2 || debut < 0 || nb < 0 || debut > 10_000_000 {
			return errors.New("flux de références croisées sans /Index valide")
		}
		for k := 0; k < int(nb); k++ {
			if pos+ligne > len(donnees) {
				return errors.New("flux de références croisées tronqué")
			}
			t := champ(0, 1)
			c2 := champ(1, 0)
			c3 := champ(2, 0)
			num := int(debut) + k
			if _, deja := d.xref[num]; deja {
				continue
			}
			switch t {
			case 0:
				d.xref[num] = entree{typ: 0}
			case 1:
				d.xref[num] = entree{typ: 1, offset: c2, gen: c3}
			case 2:
				d.xref[num] = entree{typ: 2, flux: c2, index: c3}
			}
		}
	}
	return nil
}

// objetA parses the indirect object "num gen obj … endobj" at off.
func (d *document) objetA(off, attendu int) (objet, error) {
	if off < 0 || off >= len(d.b) {
		return nil, errors.New("objet hors du fichier")
	}
	l := lire(d.b, off)
	num, ok1 := l.EntierSuivant()
	_, ok2 := l.EntierSuivant()
	if !ok1 || !ok2 || string(l.MotSuivant()) != "obj" {
		return nil, fmt.Errorf("objet %d introuvable à la position %d", attendu, off)
	}
	if attendu >= 0 && num != attendu {
		return nil, fmt.Errorf("objet %d attendu à la position %d, objet %d trouvé", attendu, off, num)
	}
	o, err := l.objet(0)
	if err != nil {
		return nil, err
	}
	dc, ok := o.(*dict)
	if !ok {
		return o, nil
	}
	l.Blancs()
	if !bytes.HasPrefix(d.b[l.Pos:], []byte("stream")) {
		return o, nil
	}
	l.Pos += len("stream")
	if l.Pos < len(d.b) && d.b[l.Pos] == '\r' {
		l.Pos++
	}
	if l.Pos < len(d.b) && d.b[l.Pos] == '\n' {
		l.Pos++
	}
	debut := l.Pos
	fin := -1
	lo, err := d.resoudre(dc.get("Length"))
	if err == nil {
		if n, ok := entierDe(lo); ok && n >= 0 && debut+int(n) <= len(d.b) {
			apres := lire(d.b, debut+int(n))
			apres.Blancs()
			if bytes.HasPrefix(d.b[apres.Pos:], []byte("endstream")) {
				fin = debut + int(n)
			}
		}
	}
	if fin < 0 {
		// Wrong /Length: many writers get it wrong, find endstream.
		i := bytes.Index(d.b[debut:], []byte("endstream"))
		if i < 0 {
			return nil, errors.New("flux sans endstream")
		}
		fin = debut + i
		if fin > debut && d.b[fin-1] == '\n' {
			fin--
		}
		if fin > debut && d.b[fin-1] == '\r' {
			fin--
		}
	}
	return &flux{dict: dc, donnees: d.b[debut:fin]}, nil
}

// charger returns object num, from the file or an object stream.
func (d *document) charger(num int) (objet, error) {
	if o, ok := d.cache[num]; ok {
		return o, nil
	}
	if d.enCours[num] {
		return nil, fmt.Errorf("l'objet %d se contient lui-même", num)
	}
	d.enCours[num] = true
	defer delete(d.enCours, num)
	e, ok := d.xref[num]
	var o objet
	var err error
	switch {
	case !ok || e.typ == 0:
		return nil, nil // a missing object is null
	case e.typ == 1:
		o, err = d.objetA(e.offset, num)
	default:
		o, err = d.dansFluxObjets(e, num)
	}
	if err != nil {
		return nil, err
	}
	d.cache[num] = o
	return o, nil
}

func (d *document) dansFluxObjets(e entree, num int) (objet, error) {
	fo, ok := d.fluxObjets[e.flux]
	if !ok {
		if ent, ok := d.xref[e.flux]; !ok || ent.typ != 1 {
			return nil, fmt.Errorf("flux d'objets %d introuvable", e.flux)
		}
		o, err := d.charger(e.flux)
		if err != nil {
			return nil, err
		}
		f, ok := o.(*flux)
		if !ok {
			return nil, fmt.Errorf("l'objet %d n'est pas un flux d'objets", e.flux)
		}
		donnees, err := d.decoder(f)
		if err != nil {
			return nil, err
		}
		n, ok1 := entierDe(f.dict.get("N"))
		premier, ok2 := entierDe(f.dict.get("First"))
		if !ok1 || !ok2 || n < 0 || premier < 0 || int(premier) > len(donnees) || n > int64(len(donnees)) {
			return nil, fmt.Errorf("flux d'objets %d invalide", e.flux)
		}
		fo = &fluxObjets{donnees: donnees[premier:], offsets: map[int]int{}}
		l := lire(donnees[:premier], 0)
		for i := 0; i < int(n); i++ {
			k, ok1 := l.EntierSuivant()
			off, ok2 := l.EntierSuivant()
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("en-tête du flux d'objets %d invalide", e.flux)
			}
			if _, deja := fo.offsets[k]; !deja {
				fo.offsets[k] = off
			}
		}
		d.fluxObjets[e.flux] = fo
	}
	off, ok := fo.offsets[num]
	if !ok || off > len(fo.donnees) {
		return nil, fmt.Errorf("objet %d absent du flux d'objets %d", num, e.flux)
	}
	l := lire(fo.donnees, off)
	return l.objet(0)
}

// resoudre follows references until a direct object.
func (d *document) resoudre(o objet) (objet, error) {
	for i := 0; i < 32; i++ {
		r, ok := o.(ref)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = d.charger(r.num); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("chaîne de références trop longue")
}

func (d *document) dictDe(o objet) (*dict, error) {
	o, err := d.resoudre(o)
	if err != nil {
		return nil, err
	}
	switch v := o.(type) {
	case *dict:
		return v, nil
	case *flux:
		return v.dict, nil
	}
	return nil, nil
}

func (d *document) tableauDe(o objet) (tableau, error) {
	o, err := d.resoudre(o)
	if err != nil {
		return nil, err
	}
	t, _ := o.(tableau)
	return t, nil
}

// decoder undoes the stream's filters: only FlateDecode (with PNG
// predictors), the one PDF writers use for cross-reference and object
// streams.
func (d *document) decoder(f *flux) ([]byte, error) {
	filtres := tableau{}
	switch v := f.dict.get("Filter").(type) {
	case nom:
		filtres = tableau{v}
	case tableau:
		filtres = v
	}
	params := tableau{}
	switch v := f.dict.get("DecodeParms").(type) {
	case *dict:
		params = tableau{v}
	case tableau:
		params = v
	}
	donnees := f.donnees
	for i, fi := range filtres {
		if fi != nom("FlateDecode") && fi != nom("Fl") {
			return nil, fmt.Errorf("filtre %v non pris en charge", fi)
		}
		out, err := pdfsyntaxe.Inflater(donnees, tailleDecompresseeMax)
		if errors.Is(err, pdfsyntaxe.ErrFluxTropGrand) {
			return nil, err
		}
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("flux compressé illisible : %v", err)
		}
		donnees = out
		if i < len(params) {
			p, _ := params[i].(*dict)
			if donnees, err = predicteur(donnees, p); err != nil {
				return nil, err
			}
		}
	}
	return donnees, nil
}

// predicteur reads the parameters of a PNG row predictor; the shared
// decoder undoes it.
func predicteur(b []byte, p *dict) ([]byte, error) {
	pr, _ := entierDe(p.get("Predictor"))
	colonnes, couleurs, bits := int64(1), int64(1), int64(8)
	if v, ok := entierDe(p.get("Columns")); ok {
		colonnes = v
	}
	if v, ok := entierDe(p.get("Colors")); ok {
		couleurs = v
	}
	if v, ok := entierDe(p.get("BitsPerComponent")); ok {
		bits = v
	}
	return pdfsyntaxe.Predicteur(b, pr, colonnes, couleurs, bits)
}

// pages lists the page objects in order, walking the page tree.
func (d *document) pages() ([]ref, error) {
	cat, err := d.dictDe(d.trailer.get("Root"))
	if err != nil || cat == nil {
		return nil, errors.New("catalogue du document illisible")
	}
	var out []ref
	vus := map[int]bool{}
	var parcourir func(o objet, profondeur int) error
	parcourir = func(o objet, profondeur int) error {
		r, ok := o.(ref)
		if !ok || vus[r.num] || profondeur > profondeurMax {
			return errors.New("arbre des pages invalide")
		}
		vus[r.num] = true
		n, err := d.dictDe(r)
		if err != nil {
			return err
		}
		if n == nil {
			return errors.New("arbre des pages invalide")
		}
		if n.get("Type") == nom("Page") || (n.get("Kids") == nil && n.get("Type") != nom("Pages")) {
			out = append(out, r)
			return nil
		}
		kids, err := d.tableauDe(n.get("Kids"))
		if err != nil {
			return err
		}
		for _, k := range kids {
			if err := parcourir(k, profondeur+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := parcourir(cat.get("Pages"), 0); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("le document n'a aucune page")
	}
	return out, nil
}
