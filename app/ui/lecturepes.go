package ui

import (
	"bytes"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/pes"
)

// montrerPES shows a PES_Aller as the élu reads it before signing: the
// header, each bordereau with its total, and its pièces (object, tiers,
// amount, imputation, attached invoices), plus what does not add up.
func (v *vueLecture) montrerPES(f *pes.Fichier, brut []byte) {
	v.image.Hide()
	v.page.SetText("")
	v.prec.Hide()
	v.suiv.Hide()
	l := container.NewVBox()
	e := f.EnTete
	coll := e.LibelleColBud
	if coll == "" {
		coll = e.IdColl
	}
	l.Add(texteLong(fmt.Sprintf("Fichier %s · collectivité %s (budget %s) · poste comptable %s", f.NomFic, coll, e.CodBud, e.IdPost)))
	for _, d := range []pes.Domaine{pes.Depense, pes.Recette} {
		t := f.Totaux(d)
		if t.NbBordereaux == 0 {
			continue
		}
		l.Add(widget.NewLabelWithStyle(fmt.Sprintf("%s : %s, %s, %s TTC", capitale(strings.ToLower(d.String())+"s"),
			pluriel(int64(t.NbBordereaux), "bordereau", "bordereaux"), pluriel(int64(t.NbPieces), "pièce", "pièces"), t.MtTTC), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for _, a := range f.Anomalies {
		x := texteLong("À vérifier : " + a)
		x.Importance = widget.WarningImportance
		l.Add(x)
	}
	for _, b := range f.Bordereaux() {
		pieces := container.NewVBox()
		for _, p := range b.Pieces {
			var tiers []string
			for _, t := range p.Tiers() {
				tiers = append(tiers, t.NomComplet())
			}
			texte := fmt.Sprintf("Pièce %s · %s · %s — %s TTC", p.IdPce, p.LibelleTypPce(b.Domaine), p.Obj, p.MtTTC())
			if len(tiers) > 0 {
				texte += " · " + strings.Join(tiers, ", ")
			}
			var imputations []string
			for _, li := range p.Lignes {
				imputations = append(imputations, li.Imputation())
			}
			if len(imputations) > 0 {
				texte += " · imputation " + strings.Join(imputations, ", ")
			}
			pieces.Add(texteLong(texte))
			for _, ref := range p.PJRef {
				if pj, ok := f.PJParId(ref.IdUnique); ok {
					id := pj.IdUnique
					pieces.Add(container.NewHBox(widget.NewButtonWithIcon("Voir la pièce jointe « "+pj.NomPJ+" »", theme.VisibilityIcon(), func() { v.voirPJ(brut, id) })))
				}
			}
		}
		titreB := fmt.Sprintf("Bordereau %s n° %s (%s) — %s TTC, %s", strings.ToLower(b.Domaine.String()), b.IdBord, b.LibelleTypBord(), b.MtBordTTC(), pluriel(int64(len(b.Pieces)), "pièce", "pièces"))
		if b.Signe {
			titreB += " · déjà signé"
		}
		l.Add(container.NewVBox(widget.NewSeparator(), widget.NewLabelWithStyle(titreB, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), pieces))
	}
	v.pes.Objects = []fyne.CanvasObject{l}
	v.pes.Show()
	v.pes.Refresh()
	v.dire("")
}

// voirPJ shows an attachment of the PES (an invoice, as a PDF) in place of
// the bordereaux.
func (v *vueLecture) voirPJ(brut []byte, id string) {
	u := v.u
	u.enFond(func() {
		pj, contenu, err := pes.ExtrairePJ(bytes.NewReader(brut), id)
		u.surUI(func() {
			if err != nil {
				v.dire(xdemat.ErrorMessage(err))
				return
			}
			v.titre.SetText(pj.NomPJ)
			v.pes.Hide()
			v.image.Show()
			v.prec.Show()
			v.suiv.Show()
			v.montrer(pj.NomPJ, contenu)
		})
	})
}

// lirePES reads b as a PES_Aller; nil when it is not one.
func lirePES(b []byte) *pes.Fichier {
	if !bytes.Contains(b[:min(len(b), 4096)], []byte("PES_Aller")) {
		return nil
	}
	f, err := pes.Lire(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	return f
}
