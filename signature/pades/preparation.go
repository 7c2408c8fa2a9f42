// Package pades signs PDF documents in PAdES baseline B-B (ETSI EN 319 142-1)
// in the two steps of package signature: Preparer appends to the PDF an
// incremental update holding the signature dictionary, its field and widget
// (invisible, or a visible block with the signer's name and quality) and
// returns the digest of the signed byte ranges; Assembler places the CAdES
// signature (package cades, without signing-time: the time is in /M) into
// the room left for it. The original bytes are never rewritten, so earlier
// signatures stay valid.
package pades

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"xdemat/signature"
	"xdemat/signature/cades"
)

// Bloc places a visible signature on a page, in PDF points (1/72 inch) from
// the bottom-left corner of the page.
type Bloc struct {
	Page       int // 1 for the first page
	X, Y, W, H float64
}

// Options describes the signature.
type Options struct {
	Nom     string // signer's name as shown ("Jean Dupont"); the certificate's when empty
	Qualite string // "Maire", "Première adjointe"
	Motif   string // /Reason: "Approbation de la délibération"
	Lieu    string // /Location: the commune
	Contact string // /ContactInfo
	// ParDelegation adds "Pour le maire et par délégation" to the visible
	// block, when the signer signs for the maire.
	ParDelegation bool
	// Visible draws a signature block; nil gives an invisible signature.
	Visible *Bloc
	// Heure is the signing time written in /M; now when zero.
	Heure time.Time
	// PSS asks for RSASSA-PSS with an RSA key.
	PSS bool
}

// Preparation is what the agent keeps between the two steps: the prepared
// PDF (with room for the signature) and the CMS preparation. It is plain
// JSON; the agent may keep it on disk while the app asks the token.
type Preparation struct {
	PDF []byte `json:"pdf"`
	// Contenu holds the offsets of '<' and just after '>' of /Contents.
	Contenu [2]int `json:"contenu"`
	// Empreinte is the SHA-256 of the signed byte ranges, checked again
	// before assembling in case the prepared PDF was altered on disk.
	Empreinte []byte             `json:"empreinte_document"`
	CMS       *cades.Preparation `json:"cms"`
}

// illisible is the error for a file that cannot be read as a PDF. It is
// shown as is to the user, hence the capital letter.
func illisible(err error) error {
	//lint:ignore ST1005 full sentence displayed by the app
	return fmt.Errorf("Ce fichier n'est pas un PDF lisible : %v", err)
}

// marge is added to the computed size of the CMS so that the room never
// depends on the exact length of the signature value.
const marge = 64

// Preparer prepares the signature of pdf by cert (the token's certificate;
// chaine holds its issuing authorities).
func Preparer(pdf []byte, cert *x509.Certificate, chaine []*x509.Certificate, o Options) (*Preparation, signature.Empreinte, error) {
	var rien signature.Empreinte
	if cert == nil {
		return nil, rien, errors.New("aucun certificat de signataire : choisissez le certificat du jeton avant de signer")
	}
	d, err := ouvrir(pdf)
	if err != nil {
		return nil, rien, illisible(err)
	}
	pages, err := d.pages()
	if err != nil {
		return nil, rien, illisible(err)
	}
	numPage := 1
	if o.Visible != nil {
		numPage = o.Visible.Page
		if numPage < 1 || numPage > len(pages) {
			return nil, rien, fmt.Errorf("page %d demandée pour le bloc de signature, mais le document a %d page(s) : choisissez une page existante", numPage, len(pages))
		}
		if o.Visible.W <= 0 || o.Visible.H <= 0 {
			return nil, rien, errors.New("bloc de signature de taille nulle : donnez une largeur et une hauteur")
		}
	}
	if o.Heure.IsZero() {
		o.Heure = time.Now()
	}
	if o.Nom == "" {
		o.Nom = cert.Subject.CommonName
	}
	libelle := "Document PDF"
	if o.Motif != "" {
		libelle = o.Motif
	}

	// The room for the CMS only depends on the certificates and key size:
	// measure it on a preparation of a dummy digest.
	essai, _, err := cades.PreparerEmpreinte(make([]byte, sha256.Size), cert, chaine, cades.Options{SansSigningTime: true, PSS: o.PSS})
	if err != nil {
		return nil, rien, err
	}
	taille, err := essai.TailleMax()
	if err != nil {
		return nil, rien, err
	}

	m, err := nouvelleMiseAJour(d, pages[numPage-1])
	if err != nil {
		return nil, rien, illisible(err)
	}
	prep, err := m.ecrire(o, taille+marge)
	if err != nil {
		return nil, rien, err
	}
	cms, e, err := cades.PreparerEmpreinte(prep.Empreinte, cert, chaine, cades.Options{SansSigningTime: true, PSS: o.PSS, Libelle: libelle})
	if err != nil {
		return nil, rien, err
	}
	prep.CMS = cms
	return prep, e, nil
}

// Assembler checks the token's signature value, builds the CMS and returns
// the signed PDF.
func (p *Preparation) Assembler(valeur []byte) ([]byte, error) {
	if p == nil || p.CMS == nil || p.Contenu[0] <= 0 || p.Contenu[1] > len(p.PDF) || p.Contenu[0] >= p.Contenu[1] {
		return nil, errors.New("préparation de signature vide ou abîmée : préparez de nouveau le document")
	}
	if !bytes.Equal(empreintePlages(p.PDF, p.Contenu[0], p.Contenu[1]), p.Empreinte) {
		return nil, errors.New("le PDF préparé a été modifié depuis la préparation : préparez de nouveau le document")
	}
	der, err := p.CMS.Assembler(valeur)
	if err != nil {
		return nil, err
	}
	place := p.Contenu[1] - p.Contenu[0] - 2
	if 2*len(der) > place {
		return nil, fmt.Errorf("signature de %d octets trop grande pour la place réservée (%d) : préparez de nouveau le document", len(der), place/2)
	}
	out := bytes.Clone(p.PDF)
	hex.Encode(out[p.Contenu[0]+1:], der)
	return out, nil
}

func empreintePlages(pdf []byte, a, b int) []byte {
	h := sha256.New()
	h.Write(pdf[:a])
	h.Write(pdf[b:])
	return h.Sum(nil)
}

// miseAJour builds the incremental update.
type miseAJour struct {
	d         *document
	page      ref
	prochain  int // next free object number
	buf       bytes.Buffer
	positions map[int]int
	gens      map[int]int
}

func nouvelleMiseAJour(d *document, page ref) (*miseAJour, error) {
	prochain := d.taille
	for num := range d.xref {
		prochain = max(prochain, num+1)
	}
	return &miseAJour{d: d, page: page, prochain: prochain, positions: map[int]int{}, gens: map[int]int{}}, nil
}

func (m *miseAJour) nouveau() int {
	m.prochain++
	return m.prochain - 1
}

func (m *miseAJour) debutObjet(num, gen int) {
	m.positions[num] = m.buf.Len()
	m.gens[num] = gen
	m.buf.WriteString(strconv.Itoa(num))
	m.buf.WriteByte(' ')
	m.buf.WriteString(strconv.Itoa(gen))
	m.buf.WriteString(" obj\n")
}

func (m *miseAJour) objet(num, gen int, o objet) {
	m.debutObjet(num, gen)
	ecrire(&m.buf, o)
	m.buf.WriteString("\nendobj\n")
}

// genDe is the generation of an object being rewritten.
func (m *miseAJour) genDe(r ref) int {
	if e, ok := m.d.xref[r.num]; ok && e.typ == 1 {
		return e.gen
	}
	return 0
}

func (m *miseAJour) ecrire(o Options, tailleCMS int) (*Preparation, error) {
	d := m.d
	catRef := d.trailer.get("Root").(ref)
	cat, err := d.dictDe(catRef)
	if err != nil || cat == nil {
		return nil, illisible(errors.New("catalogue illisible"))
	}
	pageDict, err := d.dictDe(m.page)
	if err != nil || pageDict == nil {
		return nil, illisible(errors.New("page illisible"))
	}

	// The existing form, its fields and their names.
	formRef, formIndirect := cat.get("AcroForm").(ref)
	form, err := d.dictDe(cat.get("AcroForm"))
	if err != nil {
		return nil, illisible(err)
	}
	if form == nil {
		form = nouveauDict()
	} else {
		form = form.copie()
	}
	champs, err := d.tableauDe(form.get("Fields"))
	if err != nil {
		return nil, illisible(err)
	}
	noms := map[string]bool{}
	d.nomsDeChamps(champs, "", noms, 0)
	nomChamp := ""
	for i := 1; ; i++ {
		nomChamp = "Signature" + strconv.Itoa(i)
		if !noms[nomChamp] {
			break
		}
	}

	m.buf.Grow(len(d.b) + 2*tailleCMS + 8192)
	m.buf.Write(d.b)
	if n := len(d.b); n > 0 && d.b[n-1] != '\n' && d.b[n-1] != '\r' {
		m.buf.WriteByte('\n')
	}

	// Signature dictionary, written by hand to know where /ByteRange and
	// /Contents are.
	sigNum := m.nouveau()
	m.debutObjet(sigNum, 0)
	m.buf.WriteString("<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange [")
	posPlages := m.buf.Len()
	m.buf.WriteString(strings.Repeat(" ", 3*11+1))
	m.buf.WriteString("]/Contents <")
	posContenu := m.buf.Len() - 1
	m.buf.Write(bytes.Repeat([]byte{'0'}, 2*tailleCMS))
	m.buf.WriteString(">")
	finContenu := m.buf.Len()
	sig := nouveauDict()
	sig.set("M", chaine(datePDF(o.Heure)))
	sig.set("Name", texte(o.Nom))
	if o.Motif != "" {
		sig.set("Reason", texte(o.Motif))
	}
	if o.Lieu != "" {
		sig.set("Location", texte(o.Lieu))
	}
	if o.Contact != "" {
		sig.set("ContactInfo", texte(o.Contact))
	}
	for _, k := range sig.cles {
		ecrireNom(&m.buf, k)
		m.buf.WriteByte(' ')
		ecrire(&m.buf, sig.vals[k])
	}
	m.buf.WriteString(">>\nendobj\n")

	// Field and widget merged in one dictionary.
	widgetNum := m.nouveau()
	widget := nouveauDict()
	widget.set("Type", nom("Annot"))
	widget.set("Subtype", nom("Widget"))
	widget.set("FT", nom("Sig"))
	widget.set("T", texte(nomChamp))
	widget.set("V", ref{sigNum, 0})
	widget.set("F", nombre("132")) // print + locked
	widget.set("P", m.page)
	rect := tableau{nombre("0"), nombre("0"), nombre("0"), nombre("0")}
	if b := o.Visible; b != nil {
		rect = tableau{reel(b.X), reel(b.Y), reel(b.X + b.W), reel(b.Y + b.H)}
		apNum := m.nouveau()
		m.objet(apNum, 0, apparence(o, b.W, b.H))
		ap := nouveauDict()
		ap.set("N", ref{apNum, 0})
		widget.set("AP", ap)
	}
	widget.set("Rect", rect)
	m.objet(widgetNum, 0, widget)

	// The page gets the widget in /Annots.
	annots, err := d.tableauDe(pageDict.get("Annots"))
	if err != nil {
		return nil, illisible(err)
	}
	annots = append(append(tableau{}, annots...), ref{widgetNum, 0})
	if r, ok := pageDict.get("Annots").(ref); ok {
		m.objet(r.num, m.genDe(r), annots)
	} else {
		p := pageDict.copie()
		p.set("Annots", annots)
		m.objet(m.page.num, m.genDe(m.page), p)
	}

	// The form lists the new field; SigFlags 3: signatures exist, append only.
	form.set("Fields", append(append(tableau{}, champs...), ref{widgetNum, 0}))
	form.set("SigFlags", nombre("3"))
	if formIndirect {
		m.objet(formRef.num, m.genDe(formRef), form)
	} else {
		c := cat.copie()
		c.set("AcroForm", form)
		m.objet(catRef.num, m.genDe(catRef), c)
	}

	m.ecrireXref()

	out := m.buf.Bytes()
	plages := fmt.Sprintf("0 %d %d %d", posContenu, finContenu, len(out)-finContenu)
	if len(plages) > 3*11+1 {
		return nil, errors.New("document trop grand pour être signé")
	}
	copy(out[posPlages:], plages)
	return &Preparation{PDF: out, Contenu: [2]int{posContenu, finContenu}, Empreinte: empreintePlages(out, posContenu, finContenu)}, nil
}

// ecrireXref ends the update with a cross-reference section of the same
// kind as the original's newest one, chained to it by /Prev.
func (m *miseAJour) ecrireXref() {
	d := m.d
	trailer := nouveauDict()
	for _, k := range []nom{"Root", "Info", "ID"} {
		if v := d.trailer.get(k); v != nil {
			trailer.set(k, v)
		}
	}
	trailer.set("Prev", nombreDe(d.startxref))
	var xrefNum int
	if d.xrefEnFlux {
		xrefNum = m.nouveau()
	}
	trailer.set("Size", nombreDe(m.prochain))
	debutXref := m.buf.Len()
	if d.xrefEnFlux {
		m.positions[xrefNum] = debutXref
		m.gens[xrefNum] = 0
	}
	nums := make([]int, 0, len(m.positions))
	for n := range m.positions {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	// Consecutive numbers share a subsection.
	var groupes [][]int
	for _, n := range nums {
		if k := len(groupes); k > 0 && groupes[k-1][len(groupes[k-1])-1] == n-1 {
			groupes[k-1] = append(groupes[k-1], n)
		} else {
			groupes = append(groupes, []int{n})
		}
	}
	if !d.xrefEnFlux {
		m.buf.WriteString("xref\n")
		for _, g := range groupes {
			fmt.Fprintf(&m.buf, "%d %d\n", g[0], len(g))
			for _, n := range g {
				fmt.Fprintf(&m.buf, "%010d %05d n\r\n", m.positions[n], m.gens[n])
			}
		}
		m.buf.WriteString("trailer\n")
		ecrire(&m.buf, trailer)
		fmt.Fprintf(&m.buf, "\nstartxref\n%d\n%%%%EOF\n", debutXref)
		return
	}
	index := tableau{}
	var donnees []byte
	for _, g := range groupes {
		index = append(index, nombreDe(g[0]), nombreDe(len(g)))
		for _, n := range g {
			p := m.positions[n]
			donnees = append(donnees, 1, byte(p>>32), byte(p>>24), byte(p>>16), byte(p>>8), byte(p), byte(m.gens[n]>>8), byte(m.gens[n]))
		}
	}
	trailer.set("Type", nom("XRef"))
	trailer.set("W", tableau{nombre("1"), nombre("5"), nombre("2")})
	trailer.set("Index", index)
	m.objet(xrefNum, 0, &flux{dict: trailer, donnees: donnees})
	m.positions[xrefNum] = debutXref
	fmt.Fprintf(&m.buf, "startxref\n%d\n%%%%EOF\n", debutXref)
}

// nomsDeChamps collects the fully qualified names of existing fields.
func (d *document) nomsDeChamps(champs tableau, prefixe string, noms map[string]bool, profondeur int) {
	if profondeur > 16 {
		return
	}
	for _, c := range champs {
		cd, err := d.dictDe(c)
		if err != nil || cd == nil {
			continue
		}
		n := prefixe
		if t, ok := cd.get("T").(chaine); ok {
			if n != "" {
				n += "."
			}
			n += decoderTexte(t)
			noms[n] = true
		}
		if kids, err := d.tableauDe(cd.get("Kids")); err == nil {
			d.nomsDeChamps(kids, n, noms, profondeur+1)
		}
	}
}

func reel(f float64) nombre {
	return nombre(strconv.FormatFloat(f, 'f', -1, 64))
}

// datePDF writes a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func datePDF(t time.Time) string {
	_, off := t.Zone()
	signe := '+'
	if off < 0 {
		signe, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), signe, off/3600, off%3600/60)
}
