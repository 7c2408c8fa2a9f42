package registre

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"xdemat"
)

// Page layout, in millimetres (A4 portrait).
const (
	marge      = 18.0
	margeHaut  = 14.0
	margeBas   = 20.0 // room for the footer: sheet number and the maire's initials
	interligne = 5.0
)

// feuillets writes the sheets of one register.
type feuillets struct {
	pdf     *fpdf.Fpdf
	tr      func(string) string
	r       *Registre
	largeur float64 // between the margins
	hauteur float64 // of the page
	// seance is the date printed in the header of each sheet of a séance
	// (CM-29: each sheet bears the date of the séance); "" elsewhere.
	seance string
}

// imprimer writes the register's sheets: the cover, the entries in the
// ordering asked, then the tables of dates and subjects.
func imprimer(r *Registre, es []*entree) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	f := &feuillets{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("cp1252"), r: r}
	w, h := pdf.GetPageSize()
	f.largeur, f.hauteur = w-2*marge, h
	titre := Titre(r.Nature)
	pdf.SetTitle(f.tr(fmt.Sprintf("%s — %s — %d", titre, r.Commune, r.Annee)), false)
	pdf.SetAuthor(f.tr(r.Commune), false)
	pdf.SetCreator("xdemat "+xdemat.Version, false)
	pdf.SetCreationDate(r.Edite)
	pdf.SetModificationDate(r.Edite)
	pdf.SetMargins(marge, margeHaut, marge)
	pdf.SetAutoPageBreak(true, margeBas)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(f.entete)
	pdf.SetFooterFunc(f.pied)

	f.couverture(es)
	if r.Ordre == ParMatiere {
		f.parMatiere(es)
	} else if estDeliberations(r.Nature) {
		f.deliberations(es)
	} else {
		f.arretes(es)
	}
	f.tables(es)

	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("registre : %w", err)
	}
	return b.Bytes(), nil
}

// entete prints, on every sheet, the commune's name, the year and the
// register's title (CM-29, PUB-20), and the date of the séance on the
// sheets of a séance.
func (f *feuillets) entete() {
	p := f.pdf
	p.SetFont("Helvetica", "B", 10)
	p.CellFormat(f.largeur*0.75, interligne, f.tr(f.r.Commune), "", 0, "L", false, 0, "")
	p.CellFormat(0, interligne, f.tr(fmt.Sprintf("Année %d", f.r.Annee)), "", 1, "R", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	t := Titre(f.r.Nature)
	if f.r.Ordre == ParMatiere {
		t += " — classement par matière"
	}
	if f.seance != "" {
		t += " — séance du " + f.seance
	}
	p.CellFormat(0, interligne, f.tr(t), "", 1, "L", false, 0, "")
	y := p.GetY() + 1
	p.Line(marge, y, marge+f.largeur, y)
	p.SetY(y + 4)
}

// pied prints the sheet's number out of the total and room for the
// maire's initials: the register is numbered and initialled (CM-29).
func (f *feuillets) pied() {
	p := f.pdf
	p.SetY(-margeBas + 6)
	p.SetFont("Helvetica", "", 8)
	tiers := f.largeur / 3
	p.CellFormat(tiers, 6, f.tr("Édité par xdemat le "+date(f.r.Edite)), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "B", 9)
	p.CellFormat(tiers, 6, fmt.Sprintf("Feuillet %d / {nb}", p.PageNo()), "", 0, "C", false, 0, "")
	p.SetFont("Helvetica", "", 8)
	p.CellFormat(tiers, 6, f.tr("Paraphe du maire : ________"), "", 0, "R", false, 0, "")
}

// place starts a new sheet unless h millimetres are left on this one.
func (f *feuillets) place(h float64) {
	if f.pdf.GetY()+h > f.hauteur-margeBas {
		f.pdf.AddPage()
	}
}

// lignes splits s into the lines it takes over width w in the current font.
func (f *feuillets) lignes(s string, w float64) int {
	n := len(f.pdf.SplitLines([]byte(f.tr(s)), w))
	if n == 0 {
		return 1
	}
	return n
}

// texte prints a paragraph over the whole width.
func (f *feuillets) texte(style string, taille, h float64, s string) {
	f.pdf.SetFont("Helvetica", style, taille)
	f.pdf.MultiCell(0, h, f.tr(s), "", "L", false)
}

// tronquer shortens s to fit w millimetres in the current font, with an
// ellipsis.
func (f *feuillets) tronquer(s string, w float64) string {
	t := f.tr(s)
	if f.pdf.GetStringWidth(t) <= w {
		return t
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		m := (lo + hi + 1) / 2
		if f.pdf.GetStringWidth(f.tr(strings.TrimSpace(string(rs[:m]))+"…")) <= w {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return f.tr(strings.TrimSpace(string(rs[:lo])) + "…")
}

// couverture is the first sheet: what the register is, how many sheets and
// actes it holds, how to print and bind it, and room for the maire to
// certify it.
func (f *feuillets) couverture(es []*entree) {
	p, r := f.pdf, f.r
	p.AddPage()
	p.Ln(20)
	p.SetFont("Helvetica", "B", 20)
	p.MultiCell(0, 10, f.tr(Titre(r.Nature)), "", "C", false)
	p.Ln(4)
	p.SetFont("Helvetica", "B", 16)
	p.MultiCell(0, 8, f.tr(r.Commune), "", "C", false)
	p.SetFont("Helvetica", "", 14)
	p.MultiCell(0, 8, f.tr(fmt.Sprintf("Année %d", r.Annee)), "", "C", false)
	if r.Ordre == ParMatiere {
		p.MultiCell(0, 8, f.tr("Classement par matière"), "", "C", false)
	}
	p.Ln(14)

	premier, dernier := es[0], es[len(es)-1]
	quoi := "délibérations"
	if !estDeliberations(r.Nature) {
		quoi = "arrêtés"
	}
	lignes := []string{
		fmt.Sprintf("Le présent registre comporte {nb} feuillets, numérotés de 1 à {nb}. Il inscrit %d %s, du n° %s (%s) au n° %s (%s).",
			len(es), quoi, premier.acte.NumeroInterne, date(premier.jour), dernier.acte.NumeroInterne, date(dernier.jour)),
	}
	if estDeliberations(r.Nature) {
		ss := seances(es)
		lignes = append(lignes, fmt.Sprintf("Les délibérations sont inscrites par ordre de date, séance par séance (%d séances), avec leur numéro d'ordre dans la séance ; chaque séance se termine par un feuillet de clôture que le maire et le ou les secrétaires de séance signent à la main (article R2121-9 du code général des collectivités territoriales).", len(ss)))
	} else {
		lignes = append(lignes, "Les arrêtés du maire sont inscrits par ordre de date avec la nature de chacun ; le registre est tenu dans les mêmes conditions que celui des délibérations (article R2122-7 du code général des collectivités territoriales) : il est clos et signé à la main par le maire à la fin de chaque mois.")
	}
	if r.Ordre == ParMatiere {
		lignes = append(lignes, "Ce classement par matière est une aide à la recherche : il ne remplace pas le registre tenu par ordre de date, seul signé à chaque séance.")
	}
	lignes = append(lignes,
		"À imprimer recto seul sur papier permanent, avec une encre stable et neutre ; aucune feuille ne doit être collée. Les feuillets sont reliés au plus tard à la fin de l'année (tous les cinq ans dans les communes de moins de 1 000 habitants), avec la table chronologique et la table des matières qui terminent ce registre.",
		"Chaque feuillet est paraphé par le maire en bas de page.")
	for _, l := range lignes {
		f.texte("", 11, 6, l)
		p.Ln(3)
	}
	p.Ln(8)
	f.place(45)
	f.texte("", 11, 6, "Le présent registre a été coté et paraphé par le maire.")
	p.Ln(2)
	f.cadreSignature(marge+f.largeur/2, p.GetY(), f.largeur/2, 35, "Le maire (date, signature et cachet)")
}

// cadreSignature draws a box with its label, for a handwritten signature.
func (f *feuillets) cadreSignature(x, y, w, h float64, libelle string) {
	p := f.pdf
	p.Rect(x, y, w, h, "D")
	p.SetXY(x+2, y+1)
	p.SetFont("Helvetica", "B", 9)
	p.CellFormat(w-4, interligne, f.tr(libelle), "", 2, "L", false, 0, "")
	p.SetFont("Helvetica", "", 8)
	p.SetXY(x+2, y+h-interligne-1)
	p.CellFormat(w-4, interligne, f.tr("Nom :"), "", 0, "L", false, 0, "")
}

// acte prints one entry, whole on its sheet: its numbers, the objet, the
// matière and the transmission to the préfecture.
func (f *feuillets) acte(e *entree) {
	p, a := f.pdf, e.acte
	var tete []string
	switch {
	case f.r.Ordre == Chronologique && e.ordre > 0:
		tete = append(tete, fmt.Sprintf("N° d'ordre %d", e.ordre), a.NumeroInterne)
	case e.ordre > 0:
		tete = append(tete, a.NumeroInterne, fmt.Sprintf("séance du %s, n° d'ordre %d", date(e.jour), e.ordre))
	default:
		tete = append(tete, a.NumeroInterne, "décision du "+date(e.jour))
	}
	if a.Nature != xdemat.NatureDeliberation {
		// PUB-20: the nature of each act; a budget among délibérations.
		tete = append(tete, a.Nature.Libelle())
	}
	if a.Statut == xdemat.ActeAnnule {
		tete = append(tete, "ANNULÉ")
	}
	entete := strings.Join(tete, " — ")
	objet := strings.TrimSpace(a.Objet)
	if objet == "" {
		objet = "(objet non renseigné)"
	}
	matiere := "Matière : " + f.r.matiere(a.Classification)
	trans := "Transmission : " + transmission(a)
	publie := f.publication(a)

	p.SetFont("Helvetica", "", 10)
	h := interligne * float64(f.lignes(objet, f.largeur))
	p.SetFont("Helvetica", "", 8.5)
	h += 4 * float64(f.lignes(matiere, f.largeur)+f.lignes(trans, f.largeur))
	if publie != "" {
		h += 4 * float64(f.lignes(publie, f.largeur))
	}
	f.place(interligne + h + 4)

	e.feuillet = p.PageNo()
	f.texte("B", 10, interligne, entete)
	f.texte("", 10, interligne, objet)
	p.SetTextColor(60, 60, 60)
	f.texte("", 8.5, 4, matiere)
	f.texte("", 8.5, 4, trans)
	if publie != "" {
		f.texte("", 8.5, 4, publie)
	}
	p.SetTextColor(0, 0, 0)
	y := p.GetY() + 1.5
	p.SetDrawColor(180, 180, 180)
	p.Line(marge, y, marge+f.largeur, y)
	p.SetDrawColor(0, 0, 0)
	p.SetY(y + 2.5)
}

// publication says when the acte was put online. For an arrêté whose
// publication xdemat does not know (posted at the mairie, notified to its
// recipient), a line is left to fill in by hand: the register of the
// maire's acts records their publication and notification (PUB-20).
func (f *feuillets) publication(a *xdemat.Acte) string {
	if le, ok := f.r.Publications[a.ID]; ok && !le.IsZero() {
		return "Publication : mis en ligne sur le site de la commune le " + date(le)
	}
	if !estDeliberations(f.r.Nature) {
		return "Publication ou notification : le ……………………… (à compléter à la main)"
	}
	return ""
}

// deliberations prints the séances in date order, each on its own sheets
// (their header bears the séance's date), each followed by its closing
// sheet.
func (f *feuillets) deliberations(es []*entree) {
	for _, s := range seances(es) {
		f.seance = date(s.jour)
		f.pdf.AddPage()
		f.texte("B", 13, 7, "Séance du "+dateLongue(s.jour))
		f.pdf.Ln(2)
		for _, e := range s.entrees {
			f.acte(e)
		}
		f.cloture(s)
	}
	f.seance = ""
}

// cloture prints the sheet that closes a séance (CM-28, CM-30): the order
// numbers of the délibérations taken, lines for the members present, and
// the boxes for the handwritten signatures of the maire and the
// secrétaire(s) de séance.
func (f *feuillets) cloture(s *seance) {
	p := f.pdf
	p.AddPage()
	f.texte("B", 13, 7, "Clôture de la séance du "+dateLongue(s.jour))
	p.Ln(2)
	premier, dernier := s.entrees[0].ordre, s.entrees[len(s.entrees)-1].ordre
	n := fmt.Sprintf("%d délibérations ont été prises au cours de cette séance, numéros d'ordre %d à %d :", len(s.entrees), premier, dernier)
	if len(s.entrees) == 1 {
		n = "Une délibération a été prise au cours de cette séance, numéro d'ordre 1 :"
	}
	f.texte("", 10, interligne, n)
	p.SetFont("Helvetica", "", 9)
	for _, e := range s.entrees {
		f.place(4.5)
		p.CellFormat(0, 4.5, f.tronquer(fmt.Sprintf("n° %d — %s — %s", e.ordre, e.acte.NumeroInterne, e.acte.Objet), f.largeur), "", 1, "L", false, 0, "")
	}
	p.Ln(4)

	// Members present: two columns of lines, enough for a conseil of up
	// to 24 members (communes under 3 500 inhabitants have 7 to 23).
	const rangs = 12
	f.place(8 + rangs*7)
	f.texte("B", 10, interligne, "Membres présents :")
	y := p.GetY() + 1
	p.SetDrawColor(120, 120, 120)
	colonne := f.largeur/2 - 4
	for i := 0; i < rangs; i++ {
		yy := y + float64(i+1)*7
		p.Line(marge, yy, marge+colonne, yy)
		p.Line(marge+colonne+8, yy, marge+f.largeur, yy)
	}
	p.SetDrawColor(0, 0, 0)
	p.SetY(y + rangs*7 + 5)

	f.place(16 + 45)
	f.texte("", 9, 4.5, "Les délibérations de cette séance ont pu être signées électroniquement ; le registre papier reste signé à la main, une fois par séance, par le maire et le ou les secrétaires de séance (article R2121-9 du code général des collectivités territoriales).")
	p.Ln(4)
	y = p.GetY()
	w := f.largeur/2 - 3
	f.cadreSignature(marge, y, w, 40, "Signature du maire")
	f.cadreSignature(marge+w+6, y, w, 40, "Signature du ou des secrétaires de séance")
	p.SetY(y + 42)
}

// arretes prints the arrêtés in date order, month after month, each month
// closed by a box for the maire's signature.
//
// R2122-7 keeps the register of the maire's acts "under the same
// conditions" as the délibérations', which are signed once per séance
// (SIG-03). Arrêtés have no séance, and each is already signed by the maire
// on its own: a signature per day of arrêtés would mean many boxes for
// nothing the law asks. We close the register once a month instead: the
// maire signs what was entered since the previous box, which keeps the
// paper register signed regularly without a box per acte.
func (f *feuillets) arretes(es []*entree) {
	p := f.pdf
	p.AddPage()
	for _, m := range parMois(es) {
		f.place(12 + 30)
		f.texte("B", 13, 7, "Mois de "+mois(m[0].jour))
		p.Ln(2)
		for _, e := range m {
			f.acte(e)
		}
		f.clotureMois(m)
	}
}

// clotureMois prints the box that closes a month of arrêtés.
func (f *feuillets) clotureMois(m []*entree) {
	p := f.pdf
	s := fmt.Sprintf("Clôture du mois de %s : %d arrêtés inscrits, du n° %s au n° %s.", mois(m[0].jour), len(m), m[0].acte.NumeroInterne, m[len(m)-1].acte.NumeroInterne)
	if len(m) == 1 {
		s = fmt.Sprintf("Clôture du mois de %s : un arrêté inscrit, n° %s.", mois(m[0].jour), m[0].acte.NumeroInterne)
	}
	f.place(12 + 36)
	f.texte("B", 10, interligne, s)
	f.texte("", 8.5, 4, "Registre tenu dans les mêmes conditions que celui des délibérations (article R2122-7 du code général des collectivités territoriales) : le maire le signe à la main à la fin de chaque mois.")
	p.Ln(1)
	y := p.GetY()
	f.cadreSignature(marge+f.largeur/2, y, f.largeur/2, 28, "Signature du maire")
	p.SetY(y + 34)
}

// parMatiere prints the entries under their matière: a heading per matière
// of the first level, a sub-heading per classification, chronological
// inside.
func (f *feuillets) parMatiere(es []*entree) {
	p := f.pdf
	p.AddPage()
	niveau := "-"
	for _, g := range parMatiere(es) {
		if c := codePremierNiveau(g.classification); c != niveau {
			niveau = c
			f.place(12 + 10 + 25)
			p.Ln(2)
			f.texte("B", 13, 7, f.r.premierNiveau(g.classification))
		}
		f.place(8 + 25)
		p.SetFillColor(235, 235, 235)
		p.SetFont("Helvetica", "B", 10)
		p.MultiCell(0, 6, f.tr(f.r.matiere(g.classification)), "", "L", true)
		p.Ln(1)
		for _, e := range g.entrees {
			f.acte(e)
		}
	}
}
