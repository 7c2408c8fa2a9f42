package ui

import (
	"context"
	"encoding/json"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
	"xdemat/app/etat"
)

// barre is the status bar: connection, what waits to be sent, backup, and
// the last error of the agent when central refuses something.
type barre struct {
	u          *UI
	objet      fyne.CanvasObject
	icone      *widget.Icon
	connexion  *widget.Label
	envois     *widget.Label
	sauvegarde *widget.Label
	detail     *widget.Label
	qui        *widget.Label
}

func newBarre(u *UI) *barre {
	b := &barre{
		u:          u,
		icone:      widget.NewIcon(theme.NewDisabledResource(theme.RadioButtonCheckedIcon())),
		connexion:  widget.NewLabel("Connexion au service xdemat…"),
		envois:     widget.NewLabel(""),
		sauvegarde: widget.NewLabel("Sauvegarde : pas encore configurée"),
		detail:     widget.NewLabel(""),
		qui:        widget.NewLabel(""),
	}
	b.detail.Truncation = fyne.TextTruncateEllipsis
	b.detail.Importance = widget.DangerImportance
	gauche := container.NewHBox(b.icone, b.connexion, widget.NewSeparator(), b.envois, widget.NewSeparator(), b.sauvegarde, widget.NewSeparator())
	b.objet = container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, gauche, b.qui, b.detail))
	return b
}

// rafraichir asks the agent for its state.
func (b *barre) rafraichir() {
	b.u.enFond(func() {
		ctx, cancel := context.WithTimeout(b.u.ctx, delaiAppel)
		defer cancel()
		st, err := b.u.ag.Etat(ctx)
		b.u.surUI(func() {
			if err != nil {
				b.injoignable(err)
				return
			}
			b.afficher(st)
		})
		// An agent of an older version has no backup: the words stay.
		if e, err := b.u.ag.EtatSauvegarde(ctx); err == nil {
			b.u.surUI(func() { b.u.sauvegardeConnue(e) })
		}
	})
}

// afficherSauvegarde shows the words of the backup, coloured.
func (b *barre) afficherSauvegarde(e *agent.EtatSauvegarde) {
	texte, imp := b.u.resumeSauvegarde(e)
	b.sauvegarde.Text = texte
	b.sauvegarde.Importance = imp
	b.sauvegarde.Refresh()
}

// afficher shows st with the words of app/etat.
func (b *barre) afficher(st *agent.SyncState) {
	d := etat.Decrire(st, b.u.maintenant())
	b.connexion.SetText(d.Connexion)
	b.envois.SetText(d.Envois)
	b.detail.SetText(d.Detail)
	var res fyne.Resource
	switch d.Niveau {
	case etat.NiveauOK:
		res = theme.NewSuccessThemedResource(theme.RadioButtonCheckedIcon())
	case etat.NiveauAttention:
		res = theme.NewWarningThemedResource(theme.RadioButtonCheckedIcon())
	default:
		res = theme.NewErrorThemedResource(theme.RadioButtonCheckedIcon())
	}
	b.icone.SetResource(res)
	// "cette nuit" becomes "hier" as time passes.
	b.afficherSauvegarde(b.u.etatSauvegarde)
	// A refusal needs a person: show it; otherwise the detail is a hint.
	if d.Niveau == etat.NiveauErreur {
		b.detail.Importance = widget.DangerImportance
	} else {
		b.detail.Importance = widget.MediumImportance
	}
	b.detail.Refresh()
}

// afficherEvenement shows the state carried by an "etat" event.
func (b *barre) afficherEvenement(data any) {
	raw, err := json.Marshal(data) // json.RawMessage from the local API, a struct in process
	if err != nil {
		return
	}
	var st agent.SyncState
	if json.Unmarshal(raw, &st) == nil {
		b.afficher(&st)
	}
}

// injoignable says that the agent does not answer.
func (b *barre) injoignable(err error) {
	if b.u.ctx.Err() != nil {
		return // closing
	}
	b.connexion.SetText("Service xdemat injoignable")
	b.envois.SetText("")
	b.detail.SetText(xdemat.ErrorMessage(err))
	b.icone.SetResource(theme.NewErrorThemedResource(theme.RadioButtonCheckedIcon()))
}

func (b *barre) afficherProfil(p *agent.Profil) {
	b.qui.SetText("Session : " + p.NomComplet())
}
