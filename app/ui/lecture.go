package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/app/apercu"
)

// largeurLecture is the width pages are rendered at: readable on a 1366 px
// laptop screen without keeping big images in memory.
const largeurLecture = 1000

// vueLecture shows a document of the parapheur before the élu signs it:
// PDF pages rendered in the app (PDFium in WebAssembly), a PES as its
// bordereaux and pièces; other documents open in the PC's usual program.
type vueLecture struct {
	u     *UI
	objet fyne.CanvasObject

	titre   *widget.Label
	image   *canvas.Image
	page    *widget.Label
	prec    *widget.Button
	suiv    *widget.Button
	message *widget.Label
	pes     *fyne.Container // a PES_Aller as bordereaux and pièces

	doc     *apercu.Document
	courant int
	retour  string // dossier to go back to
}

func newVueLecture(u *UI) *vueLecture {
	v := &vueLecture{u: u}
	v.titre = titre("")
	v.image = canvas.NewImageFromImage(nil)
	v.image.FillMode = canvas.ImageFillContain
	v.image.SetMinSize(fyne.NewSize(600, 700))
	v.page = widget.NewLabel("")
	v.prec = widget.NewButtonWithIcon("Page précédente", theme.NavigateBackIcon(), func() { v.aller(v.courant - 1) })
	v.suiv = widget.NewButtonWithIcon("Page suivante", theme.NavigateNextIcon(), func() { v.aller(v.courant + 1) })
	v.message = texteLong("")
	v.message.Hide() // shown when it has something to say
	v.pes = container.NewVBox()
	retour := widget.NewButtonWithIcon("Retour au dossier", theme.NavigateBackIcon(), func() { v.fermer(); u.dossier.ouvrir(v.retour) })
	retour.Importance = widget.LowImportance
	v.objet = container.NewBorder(container.NewVBox(container.NewHBox(retour), v.titre, v.message),
		container.NewHBox(v.prec, v.page, v.suiv), nil, nil, container.NewScroll(container.NewStack(v.image, v.pes)))
	return v
}

// lireDocument shows the document sha of the dossier shown.
func (u *UI) lireDocument(titreDossier, sha string) {
	v := u.lecture
	v.fermer()
	v.retour = ""
	if u.dossier.d != nil {
		v.retour = u.dossier.d.ID
	}
	v.titre.SetText(titreDossier)
	v.dire("Ouverture du document…")
	v.image.Image = nil
	v.image.Refresh()
	v.page.SetText("")
	v.prec.Disable()
	v.suiv.Disable()
	v.image.Show()
	v.prec.Show()
	v.suiv.Show()
	v.pes.Hide()
	u.corps.Objects = []fyne.CanvasObject{v.objet}
	u.corps.Refresh()
	appeler(u, func(ctx context.Context) ([]byte, error) {
		r, err := u.ag.LireDocument(ctx, sha)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(io.LimitReader(r, xdemat.TailleMaxDocument))
	}, func(b []byte) { v.montrer(sha[:16], b) })
}

// montrer renders a PDF, or hands another document, saved as nom, to the
// PC's program.
func (v *vueLecture) montrer(nom string, b []byte) {
	u := v.u
	if !bytes.HasPrefix(bytes.TrimLeft(b[:min(len(b), 1024)], "\xef\xbb\xbf \r\n\t"), []byte("%PDF")) {
		if f := lirePES(b); f != nil {
			v.montrerPES(f, b)
			return
		}
		v.ouvrirAilleurs(nom, b)
		return
	}
	u.enFond(func() {
		m, err := u.moteurApercu()
		var doc *apercu.Document
		if err == nil {
			doc, err = m.Ouvrir(b)
		}
		u.surUI(func() {
			if err != nil {
				v.dire(xdemat.ErrorMessage(err))
				return
			}
			v.doc = doc
			v.dire("")
			v.aller(0)
		})
	})
}

// aller shows page i (from 0).
func (v *vueLecture) aller(i int) {
	u := v.u
	doc := v.doc
	if doc == nil || i < 0 || i >= doc.NbPages() {
		return
	}
	v.courant = i
	v.page.SetText(fmt.Sprintf("Page %d sur %d", i+1, doc.NbPages()))
	v.prec.Disable()
	v.suiv.Disable()
	u.enFond(func() {
		img, err := doc.Page(i, largeurLecture)
		u.surUI(func() {
			if v.doc != doc {
				return // another document was opened meanwhile
			}
			if err != nil {
				v.dire(xdemat.ErrorMessage(err))
			} else {
				v.image.Image = img
				v.image.Refresh()
			}
			if i > 0 {
				v.prec.Enable()
			}
			if i+1 < doc.NbPages() {
				v.suiv.Enable()
			}
			v.objet.(*fyne.Container).Refresh() // the page label grew
		})
	})
}

// ouvrirAilleurs writes the document to a temporary file and opens it with
// the PC's program for its type (an XML bordereau, an image…).
func (v *vueLecture) ouvrirAilleurs(nom string, b []byte) {
	dir := filepath.Join(os.TempDir(), "xdemat-lecture")
	p := filepath.Join(dir, filepath.Base(nom))
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		err = os.WriteFile(p, b, 0o600)
	}
	if err != nil {
		v.dire("Le document ne peut pas être ouvert : " + err.Error())
		return
	}
	v.dire("Ce document n'est pas un PDF : il s'ouvre dans le programme habituel du poste.")
	if lien, err := url.Parse(storage.NewFileURI(p).String()); err == nil && fyne.CurrentApp() != nil {
		_ = fyne.CurrentApp().OpenURL(lien)
	}
}

func (v *vueLecture) fermer() {
	if v.doc != nil {
		v.doc.Fermer()
		v.doc = nil
	}
}

// moteurApercu starts the PDF renderer on first use (its WebAssembly
// module takes a moment to compile; most sessions never read a PDF).
func (u *UI) moteurApercu() (*apercu.Moteur, error) {
	u.apercuMu.Lock()
	defer u.apercuMu.Unlock()
	if u.apercu == nil {
		m, err := apercu.Demarrer(apercu.Options{}) // cache in the user's cache folder
		if err != nil {
			return nil, err
		}
		u.apercu = m
	}
	return u.apercu, nil
}

// dire shows a sentence above the document ("" hides it).
func (v *vueLecture) dire(s string) {
	v.message.SetText(s)
	v.message.Hidden = s == ""
	v.objet.(*fyne.Container).Refresh()
}
