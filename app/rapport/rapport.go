// Package rapport writes the installation report the SPL's technician
// prints and leaves at the mairie: what was installed on the poste and what
// was checked, step by step, with the result of each check.
package rapport

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// Constat is one check of the installation and its outcome.
type Constat struct {
	Etape    string // "Enrôlement", "Clé de signature"…
	Resultat string // French sentence
	OK       bool
}

// Rapport is what the report states.
type Rapport struct {
	Commune, SIREN     string
	Poste, PosteID     string // the PC's name and its identifier at the SPL
	Central, Empreinte string // central's address and its certificate's fingerprint
	Technicien         string
	Version            string
	Date               time.Time // in the commune's time zone
	Constats           []Constat
}

// PDF renders the report on A4 pages. The core Helvetica font with the
// Windows-1252 encoding renders every French character (é, œ, €, « ») and
// needs nothing embedded.
func (r *Rapport) PDF() ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.SetTitle(tr("Rapport d'installation xdemat — "+r.Commune), false)
	pdf.SetAuthor(tr(r.Technicien), false)
	pdf.SetCreator("xdemat "+r.Version, false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("xdemat %s — rapport d'installation — page %d", r.Version, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr("Rapport d'installation du poste xdemat"), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr(fmt.Sprintf("%s (SIREN %s) — le %s", r.Commune, r.SIREN, r.Date.Format("02/01/2006 à 15:04"))), "", "L", false)
	pdf.Ln(4)

	ligne := func(libelle, valeur string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(55, 6, tr(libelle), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 6, tr(valeur), "", "L", false)
	}
	ligne("Poste", r.Poste)
	ligne("Identifiant du poste", r.PosteID)
	ligne("Serveur de la SPL", r.Central)
	ligne("Empreinte du serveur", r.Empreinte)
	ligne("Technicien", r.Technicien)
	ligne("Version installée", r.Version)
	pdf.Ln(6)

	pdf.SetFont("Helvetica", "B", 13)
	pdf.MultiCell(0, 7, tr("Vérifications"), "", "L", false)
	pdf.Ln(1)
	for _, c := range r.Constats {
		etat, rouge, vert := "OK", 0, 120
		if !c.OK {
			etat, rouge, vert = "À REPRENDRE", 180, 0
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.SetTextColor(rouge, vert, 0)
		pdf.CellFormat(30, 6, tr(etat), "", 0, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.CellFormat(0, 6, tr(c.Etape), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.SetX(50)
		pdf.MultiCell(0, 5, tr(c.Resultat), "", "L", false)
		pdf.Ln(2)
	}
	pdf.Ln(10)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 6, tr("Signature du technicien :                                        Signature pour la commune :"), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("rapport d'installation : %w", err)
	}
	return b.Bytes(), nil
}
