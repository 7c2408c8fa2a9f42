package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// vueNotification is the detail of one notification: the screen of the
// deep link xdemat://notification/<id>, and of links to screens this
// version does not have.
type vueNotification struct {
	u        *UI
	objet    fyne.CanvasObject
	id       string
	n        *xdemat.Notification
	icone    *widget.Icon
	gravite  *widget.Label
	titre    *widget.Label
	service  *widget.Label
	dates    *widget.Label
	echeance *widget.Label
	texte    *widget.Label
	traiter  *widget.Button
}

func newVueNotification(u *UI) *vueNotification {
	d := &vueNotification{
		u:        u,
		icone:    widget.NewIcon(theme.InfoIcon()),
		gravite:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		titre:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		service:  widget.NewLabel(""),
		dates:    widget.NewLabel(""),
		echeance: widget.NewLabel(""),
		texte:    widget.NewLabel(""),
	}
	d.titre.Wrapping = fyne.TextWrapWord
	d.titre.SizeName = theme.SizeNameSubHeadingText
	d.texte.Wrapping = fyne.TextWrapWord
	d.service.TextStyle.Italic = true
	d.dates.TextStyle.Italic = true
	d.traiter = widget.NewButtonWithIcon("Marquer comme traité", theme.ConfirmIcon(), func() {
		if d.n != nil {
			u.afaire.marquerFaite(d.n)
		}
	})
	d.traiter.Importance = widget.HighImportance
	retour := widget.NewButtonWithIcon("Retour à la liste", theme.NavigateBackIcon(), func() { u.afficher(EcranAFaire) })
	haut := container.NewVBox(
		container.NewHBox(retour),
		container.NewBorder(nil, nil, container.NewHBox(d.icone, d.gravite), nil, d.service),
		d.titre,
		d.dates,
		d.echeance,
		widget.NewSeparator(),
	)
	d.objet = container.NewBorder(haut, container.NewHBox(d.traiter), nil, nil, container.NewVScroll(d.texte))
	return d
}

// montrer shows n.
func (d *vueNotification) montrer(n *xdemat.Notification) {
	d.id, d.n = n.ID, n
	d.remplir()
	d.u.afficher(EcranNotification)
}

// ouvrirParID shows the notification with that ID, once the agent gave it.
func (d *vueNotification) ouvrirParID(id string) {
	d.id, d.n = id, nil
	d.remplir()
	d.u.afficher(EcranNotification)
}

// recharger asks the agent for the notification again.
func (d *vueNotification) recharger() {
	u := d.u
	if u.profil == nil || d.id == "" {
		return
	}
	id, pour := d.id, u.profil.ID
	appeler(u, func(ctx context.Context) (*xdemat.Notification, error) {
		ns, err := u.ag.Notifications(ctx, agent.FiltreNotifications{Pour: pour, AvecFaites: true})
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.ID == id {
				return n, nil
			}
		}
		return nil, nil
	}, func(n *xdemat.Notification) {
		if d.id != id {
			return // another one was opened meanwhile
		}
		d.n = n
		d.remplir()
		if n != nil && !n.Lue() {
			n.LuLe = u.maintenant()
			appeler(u, sansValeur(func(ctx context.Context) error { return u.ag.MarquerLue(ctx, id) }), func(struct{}) {})
		}
	})
}

// remplir shows d.n, or why there is none.
func (d *vueNotification) remplir() {
	n := d.n
	if n == nil {
		d.icone.SetResource(theme.NewDisabledResource(theme.InfoIcon()))
		d.gravite.SetText("")
		d.service.SetText("")
		d.titre.SetText("Notification introuvable")
		d.dates.SetText("")
		d.echeance.SetText("")
		d.texte.SetText("Cette notification n'existe pas sur ce poste ou ne vous est pas destinée. Elle arrivera peut-être avec la prochaine synchronisation : revenez à la liste « À faire ».")
		d.traiter.Hide()
		return
	}
	d.icone.SetResource(iconeGravite(n.Severite))
	d.gravite.Importance = importanceGravite(n.Severite)
	d.gravite.SetText(n.Severite.Libelle())
	d.service.SetText("· " + xdemat.LibelleService(n.Service()))
	d.titre.SetText(n.Titre)
	dates := "Créée " + d.u.moment(n.CreeLe)
	if n.Lue() {
		dates += ", lue " + d.u.moment(n.LuLe)
	}
	d.dates.SetText(dates)
	texte, imp := echeance(d.u, n)
	texte = strings.TrimPrefix(texte, "· ") // alone on its line
	d.echeance.Importance = imp
	d.echeance.SetText(capitale(texte))
	d.texte.SetText(n.Texte)
	if n.Faite() {
		d.traiter.Hide()
	} else {
		d.traiter.Show()
	}
}

// capitale puts the first letter of s in upper case.
func capitale(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
