package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// ouvrirDelegations lists the commune's delegations (who signs for whom,
// when) and lets the user at the keyboard delegate his own steps during an
// absence, or end a delegation.
func (u *UI) ouvrirDelegations() {
	liste := container.NewVBox()
	var dlg dialog.Dialog
	var recharger func()
	recharger = func() {
		appeler(u, u.ag.Delegations, func(ds []*xdemat.Delegation) {
			liste.RemoveAll()
			maintenant := u.maintenant()
			n := 0
			for _, d := range ds {
				if !d.RetireeLe.IsZero() || d.Au.Before(maintenant) {
					continue
				}
				n++
				texte := fmt.Sprintf("%s signe et vise pour %s du %s au %s", u.nomDe(d.Delegataire), u.nomDe(d.Delegant), u.jour(d.Du), u.jour(d.Au))
				if d.Motif != "" {
					texte += " (" + d.Motif + ")"
				}
				id := d.ID
				fin := widget.NewButtonWithIcon("Mettre fin", theme.CancelIcon(), func() {
					appeler(u, func(ctx context.Context) (*xdemat.Delegation, error) { return u.ag.RetirerDelegation(ctx, id) }, func(*xdemat.Delegation) { recharger() })
				})
				liste.Add(container.NewBorder(nil, nil, nil, fin, texteLong(texte)))
			}
			if n == 0 {
				liste.Add(texteLong("Aucune délégation en cours ou à venir."))
			}
			liste.Refresh()
		})
	}
	nouvelle := widget.NewButtonWithIcon("Déléguer pendant une absence…", theme.ContentAddIcon(), func() { u.nouvelleDelegation(recharger) })
	nouvelle.Importance = widget.HighImportance
	contenu := container.NewBorder(nil, container.NewHBox(nouvelle), nil, nil, container.NewVScroll(liste))
	dlg = dialog.NewCustom("Délégations de signature", "Fermer", contenu, u.win)
	dlg.Resize(fyne.NewSize(680, 420))
	dlg.Show()
	recharger()
}

// nouvelleDelegation asks for the delegate, the period and the reason; the
// user at the keyboard delegates his own steps.
func (u *UI) nouvelleDelegation(apres func()) {
	var noms []string
	var ids []string
	for _, q := range u.profils {
		if q.Actif && q.ID != u.profil.ID {
			noms = append(noms, q.NomComplet()+" ("+q.Role.Libelle()+")")
			ids = append(ids, q.ID)
		}
	}
	qui := widget.NewSelect(noms, nil)
	du := widget.NewEntry()
	du.SetText(u.maintenant().In(u.fuseau()).Format("02/01/2006"))
	au := widget.NewEntry()
	au.SetPlaceHolder("jj/mm/aaaa")
	motif := widget.NewEntry()
	motif.SetPlaceHolder("Ex. : congés d'été")
	form := []*widget.FormItem{
		widget.NewFormItem("Délégué à", qui),
		widget.NewFormItem("Du", du),
		widget.NewFormItem("Au (inclus)", au),
		widget.NewFormItem("Motif", motif),
	}
	dialog.ShowForm("Déléguer pendant une absence", "Déléguer", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		d, err := u.lireDelegation(ids, qui.SelectedIndex(), du.Text, au.Text, motif.Text)
		if err != nil {
			u.erreur(err)
			return
		}
		appeler(u, func(ctx context.Context) (*xdemat.Delegation, error) { return u.ag.EnregistrerDelegation(ctx, *d) }, func(*xdemat.Delegation) { apres() })
	}, u.win)
}

// lireDelegation reads the form: dates as the secretary types them, the
// last day included.
func (u *UI) lireDelegation(ids []string, i int, du, au, motif string) (*xdemat.Delegation, error) {
	if i < 0 || i >= len(ids) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Choisissez à qui vous déléguez.")
	}
	debut, err := time.ParseInLocation("02/01/2006", strings.TrimSpace(du), u.fuseau())
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "La date de début %q n'est pas lisible : écrivez-la jj/mm/aaaa.", du)
	}
	fin, err := time.ParseInLocation("02/01/2006", strings.TrimSpace(au), u.fuseau())
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "La date de fin %q n'est pas lisible : écrivez-la jj/mm/aaaa.", au)
	}
	return &xdemat.Delegation{Delegant: u.profil.ID, DelegantRole: u.profil.Role, Delegataire: ids[i],
		Du: debut, Au: fin.AddDate(0, 0, 1).Add(-time.Second), Motif: strings.TrimSpace(motif)}, nil
}
