package ui

import "fyne.io/fyne/v2"

// largeur lays out one wrapped text at a fixed width: a wrapping label alone
// asks for almost no width, and a dialog would then show one word a line.
type largeur float32

// largeurFixe returns o in a container of width w and the height o needs at
// that width.
func largeurFixe(w float32, o fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: largeur(w), Objects: []fyne.CanvasObject{o}}
}

func (l largeur) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l largeur) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(float32(l), 0)
	for _, o := range objs {
		// A wrapped text knows its height once it knows its width.
		o.Resize(fyne.NewSize(float32(l), o.MinSize().Height))
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}
