package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Progression is the dialog of a long task: what it does, how far it is,
// and "Annuler", which cancels the task's context. Create it on the UI
// thread, give its Context to the task, and call Avancer and Terminer
// through fyne.Do.
type Progression struct {
	d       *dialog.CustomDialog
	message *widget.Label
	barre   *widget.ProgressBar
	infinie *widget.ProgressBarInfinite
	annuler *widget.Button
	ctx     context.Context
	cancel  context.CancelFunc
}

// NewProgression shows the dialog over w; the task's context derives from parent.
func NewProgression(parent context.Context, w fyne.Window, titre, message string) *Progression {
	p := &Progression{message: widget.NewLabel(message), barre: widget.NewProgressBar(), infinie: widget.NewProgressBarInfinite()}
	p.ctx, p.cancel = context.WithCancel(parent)
	p.message.Wrapping = fyne.TextWrapWord
	p.barre.Hide()
	p.annuler = widget.NewButton("Annuler", func() {
		p.cancel()
		p.annuler.Disable()
		p.message.SetText("Annulation…")
	})
	p.d = dialog.NewCustomWithoutButtons(titre, largeurFixe(380, container.NewVBox(p.message, p.infinie, p.barre)), w)
	p.d.SetButtons([]fyne.CanvasObject{p.annuler})
	p.d.Show()
	return p
}

// Context is cancelled by "Annuler".
func (p *Progression) Context() context.Context { return p.ctx }

// Avancer shows a new message and a fraction done (negative: unknown).
func (p *Progression) Avancer(message string, fait float64) {
	if p.ctx.Err() != nil {
		return // "Annulation…" stays
	}
	p.message.SetText(message)
	if fait < 0 {
		return
	}
	p.infinie.Stop()
	p.infinie.Hide()
	p.barre.Show()
	p.barre.SetValue(fait)
}

// Terminer closes the dialog.
func (p *Progression) Terminer() {
	p.infinie.Stop()
	p.cancel()
	p.d.Hide()
}
