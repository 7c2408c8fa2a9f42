package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/actes/registre"
)

// The registers, from the Actes page: the secretary chooses the register
// (délibérations or arrêtés), the year and the order, and saves the PDF the
// agent prints from the actes of the poste. The paper register must still
// be signed by hand once per séance (CGCT R2121-9): the dialog says so once
// the file is saved.

// Choices of the registers' dialog, as the secretary reads them.
const (
	choixDeliberations = "Registre des délibérations"
	choixArretes       = "Registre des arrêtés du maire"
	choixParDate       = "Par ordre de date (le registre à signer)"
	choixParMatiere    = "Par matière (aide à la recherche)"
)

// registres asks which register to print, then gets it from the agent and
// saves it where the secretary chooses.
func (u *UI) registres() {
	quel := widget.NewRadioGroup([]string{choixDeliberations, choixArretes}, nil)
	quel.SetSelected(choixDeliberations)
	an := u.maintenant().In(u.fuseau()).Year()
	var annees []string
	for i := range 6 {
		annees = append(annees, strconv.Itoa(an-i))
	}
	annee := widget.NewSelect(annees, nil)
	annee.SetSelectedIndex(0)
	ordre := widget.NewRadioGroup([]string{choixParDate, choixParMatiere}, nil)
	ordre.SetSelected(choixParDate)
	form := []*widget.FormItem{
		widget.NewFormItem("Registre", quel),
		widget.NewFormItem("Année", annee),
		widget.NewFormItem("Classement", ordre),
	}
	dlg := dialog.NewForm("Registres", "Enregistrer le PDF…", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		nature := xdemat.NatureDeliberation
		if quel.Selected == choixArretes {
			nature = xdemat.NatureActeReglementaire
		}
		o := registre.Chronologique
		if ordre.Selected == choixParMatiere {
			o = registre.ParMatiere
		}
		y, err := strconv.Atoi(annee.Selected)
		if err != nil {
			u.erreur(xdemat.Errorf(xdemat.EINVALID, "Choisissez l'année du registre."))
			return
		}
		u.enregistrerRegistre(nature, y, o)
	}, u.win)
	dlg.Resize(fyne.NewSize(520, 360))
	dlg.Show()
}

// enregistrerRegistre gets the register from the agent and saves it.
func (u *UI) enregistrerRegistre(nature xdemat.NatureActe, annee int, o registre.Ordre) {
	appeler(u, func(ctx context.Context) ([]byte, error) { return u.ag.Registre(ctx, nature, annee, o.String()) }, func(pdf []byte) {
		u.enregistrerFichier(registre.NomFichier(nature, annee, o), pdf, func(chemin string) {
			msg := "Registre enregistré : " + chemin + ".\n\nImprimez-le recto seul sur papier permanent, sans rien coller ; "
			if o == registre.ParMatiere {
				msg += "ce classement par matière aide aux recherches, mais c'est le registre par ordre de date qui se signe."
			} else if nature == xdemat.NatureDeliberation {
				msg += "le maire et le ou les secrétaires de séance signent à la main le feuillet de clôture de chaque séance, et le maire paraphe chaque feuillet."
			} else {
				msg += "le maire signe à la main la clôture de chaque mois et paraphe chaque feuillet."
			}
			dialog.ShowInformation("Registre enregistré", msg, u.win)
		})
	})
}
