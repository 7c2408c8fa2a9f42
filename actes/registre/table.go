package registre

import (
	"fmt"
	"strconv"
)

// The tables that end the register: when the sheets are bound, the register
// gets a table of dates and a table of subjects (CM-29). Each line sends to
// the sheet where the acte is entered.

const hauteurLigne = 4.5

// colonne is one column of a table.
type colonne struct {
	titre   string
	largeur float64 // 0: what is left
	align   string
}

// table prints rows under a header repeated on each new sheet.
type table struct {
	f    *feuillets
	cols []colonne
}

func (f *feuillets) nouvelleTable(cols ...colonne) *table {
	reste := f.largeur
	for _, c := range cols {
		reste -= c.largeur
	}
	for i := range cols {
		if cols[i].largeur == 0 {
			cols[i].largeur = reste
		}
	}
	t := &table{f: f, cols: cols}
	t.entete()
	return t
}

func (t *table) entete() {
	p := t.f.pdf
	p.SetFont("Helvetica", "B", 8.5)
	p.SetFillColor(225, 225, 225)
	for _, c := range t.cols {
		p.CellFormat(c.largeur, hauteurLigne+1, t.f.tr(c.titre), "B", 0, c.align, true, 0, "")
	}
	p.Ln(-1)
}

// ligne prints one row; each value is cut to its column.
func (t *table) ligne(vals ...string) {
	p := t.f.pdf
	page := p.PageNo()
	t.f.place(hauteurLigne)
	if p.PageNo() != page {
		t.entete()
	}
	p.SetFont("Helvetica", "", 8.5)
	for i, c := range t.cols {
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		p.CellFormat(c.largeur, hauteurLigne, t.f.tronquer(v, c.largeur-1), "", 0, c.align, false, 0, "")
	}
	p.Ln(-1)
}

// intertitre prints a row over the whole width: the matière of the rows
// under it.
func (t *table) intertitre(s string) {
	p := t.f.pdf
	page := p.PageNo()
	t.f.place(2 * hauteurLigne)
	if p.PageNo() != page {
		t.entete()
	}
	p.SetFont("Helvetica", "B", 8.5)
	p.CellFormat(0, hauteurLigne+1, t.f.tronquer(s, t.f.largeur-1), "", 1, "L", false, 0, "")
}

// titreTable starts a table on a new sheet.
func (f *feuillets) titreTable(titre, explication string) {
	f.pdf.AddPage()
	f.texte("B", 13, 7, titre)
	f.texte("", 8.5, 4, explication)
	f.pdf.Ln(2)
}

// tables prints the table of dates, then the table of subjects.
func (f *feuillets) tables(es []*entree) {
	deliberations := estDeliberations(f.r.Nature)
	second := colonne{"Nature", 12, "C"}
	if deliberations {
		second = colonne{"N° d'ordre", 16, "C"}
	}
	f.titreTable("Table chronologique", "Les actes de l'année par date de décision, avec le feuillet où chacun est inscrit.")
	t := f.nouvelleTable(colonne{"Date", 22, "L"}, second, colonne{"Numéro", 30, "L"}, colonne{"Objet", 0, "L"}, colonne{"Feuillet", 15, "R"})
	var jour string
	for _, e := range es {
		d := date(e.jour)
		if d == jour {
			d = ""
		} else {
			jour = d
		}
		deux := e.acte.Nature.Abrege()
		if deliberations {
			deux = strconv.Itoa(e.ordre)
		}
		t.ligne(d, deux, e.acte.NumeroInterne, e.acte.Objet, strconv.Itoa(e.feuillet))
	}

	f.titreTable("Table des matières", "Les actes de l'année par matière de la classification de la préfecture, puis par date, avec le feuillet où chacun est inscrit.")
	t = f.nouvelleTable(colonne{"Numéro", 30, "L"}, colonne{"Date", 22, "L"}, colonne{"Objet", 0, "L"}, colonne{"Feuillet", 15, "R"})
	for _, g := range parMatiere(es) {
		t.intertitre(f.r.matiere(g.classification))
		for _, e := range g.entrees {
			t.ligne(e.acte.NumeroInterne, date(e.jour), e.acte.Objet, strconv.Itoa(e.feuillet))
		}
	}
	f.pdf.Ln(3)
	f.texte("", 8.5, 4, fmt.Sprintf("Fin du registre : %d actes inscrits.", len(es)))
}
