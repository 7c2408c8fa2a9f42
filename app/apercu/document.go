package apercu

import (
	"fmt"
	"image"
	"runtime/debug"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// LargeurMax is the widest rendering asked for, in pixels: 8000 px is more
// than any screen and keeps one page image under about 1 GB in the worst case.
const LargeurMax = 8000

// rapportMax bounds height/width of a rendered page: a PDF page 1 pt wide
// and 14 400 pt high must not become a 14-million-pixel-high image. Pages
// taller than that come out narrower than asked.
const rapportMax = 4

// Document is one open PDF. Its methods are safe for concurrent use; they
// run one at a time, since a PDFium instance is single-threaded. Fermer gives
// its memory back.
type Document struct {
	moteur *Moteur

	mu     sync.Mutex
	inst   pdfium.Pdfium // nil once closed or stopped by the watchdog
	doc    references.FPDF_DOCUMENT
	nb     int
	taille []Taille
}

// Taille is a page size in PDF points (1/72 inch), after the page's rotation.
type Taille struct {
	Largeur, Hauteur float64
}

// Ouvrir opens a PDF held in memory. The bytes are copied into PDFium: the
// caller may reuse pdf afterwards. A PDF protected by a password, damaged or
// not a PDF at all gives an *Erreur (ErrProtege, ErrChiffrement,
// ErrIllisible), never a panic.
func (m *Moteur) Ouvrir(pdf []byte) (*Document, error) {
	if len(pdf) == 0 {
		return nil, ouverture(fmt.Errorf("fichier vide"))
	}
	inst, err := m.instance()
	if err != nil {
		return nil, err
	}
	d := &Document{moteur: m, inst: inst}
	err = d.surveiller(ouverture, func() error {
		ouvert, err := inst.OpenDocument(&requests.OpenDocument{File: &pdf})
		if err != nil {
			return ouverture(err)
		}
		d.doc = ouvert.Document
		nb, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: d.doc})
		if err != nil {
			return ouverture(err)
		}
		if nb.PageCount <= 0 {
			return ouverture(fmt.Errorf("aucune page"))
		}
		d.nb = nb.PageCount
		// Sizes are read now: the app lays out every page (scroll bar,
		// placeholders) before rendering any of them.
		d.taille = make([]Taille, d.nb)
		for i := range d.taille {
			t, err := inst.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: d.doc, Index: i})
			if err != nil {
				return ouverture(err)
			}
			d.taille[i] = Taille{Largeur: t.Width, Hauteur: t.Height}
		}
		return nil
	})
	if err != nil {
		d.liberer()
		return nil, err
	}
	return d, nil
}

// NbPages returns the number of pages (at least 1).
func (d *Document) NbPages() int { return d.nb }

// TaillePage returns the size of page i (0-based) in points.
func (d *Document) TaillePage(i int) (Taille, error) {
	if i < 0 || i >= d.nb {
		return Taille{}, d.horsDocument(i)
	}
	return d.taille[i], nil
}

// Page renders page i (0-based) largeurPx pixels wide, height following the
// page's proportions (pages taller than 4 times their width come out
// narrower). The image is an *image.RGBA on a white background, owned by the
// caller; annotations (visible signature blocks) are drawn.
func (d *Document) Page(i int, largeurPx int) (image.Image, error) {
	if i < 0 || i >= d.nb {
		return nil, d.horsDocument(i)
	}
	if largeurPx < 1 || largeurPx > LargeurMax {
		return nil, &Erreur{Code: ErrLargeur, Message: fmt.Sprintf(
			"Largeur d'affichage de %d pixels impossible : elle doit être comprise entre 1 et %d.", largeurPx, LargeurMax)}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inst == nil {
		return nil, &Erreur{Code: ErrFerme, Message: messageFerme}
	}
	var img *image.RGBA
	err := d.surveiller(func(err error) error { return erreurRendu(i, err) }, func() error {
		rendu, err := d.inst.RenderPageInPixels(&requests.RenderPageInPixels{
			Page:        requests.Page{ByIndex: &requests.PageByIndex{Document: d.doc, Index: i}},
			Width:       largeurPx,
			Height:      largeurPx * rapportMax,
			RenderFlags: enums.FPDF_RENDER_FLAG_ANNOT,
			ImageFormat: requests.RenderImageFormatRGBA,
		})
		if err != nil {
			return erreurRendu(i, err)
		}
		// The pixels live in the WebAssembly memory until Cleanup: copy
		// them out so that the image outlives the next rendering.
		img = copieRGBA(rendu.Result.RenderedImage)
		rendu.Cleanup()
		if img == nil {
			return erreurRendu(i, fmt.Errorf("image de type %T", rendu.Result.RenderedImage))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

// Fermer closes the document and gives its memory back. Calling it twice is
// harmless.
func (d *Document) Fermer() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.liberer()
	return nil
}

// liberer drops the instance (with the document in it) and hands the
// WebAssembly memory back to the OS: otherwise the app keeps the peak of
// every document it ever showed. Caller holds d.mu or owns d alone.
func (d *Document) liberer() {
	if d.inst == nil {
		return
	}
	inst := d.inst
	d.inst = nil
	defer d.moteur.rendre()
	// Closing the instance destroys its whole memory, document included,
	// so FPDF_CloseDocument would be wasted work; errors here mean the
	// instance is already gone (watchdog, engine closed).
	func() {
		defer func() { _ = recover() }()
		_ = inst.Close()
	}()
	debug.FreeOSMemory()
}

// surveiller runs f, turning a panic inside go-pdfium into an error and
// stopping the instance when f takes longer than the engine's DelaiMax.
// panique turns the panic into the error to return (opening or rendering).
func (d *Document) surveiller(panique func(error) error, f func() error) (err error) {
	inst := d.inst
	arrete := make(chan struct{})
	minuteur := time.AfterFunc(d.moteur.delaiMax, func() {
		close(arrete)
		_ = inst.Kill()
	})
	defer func() {
		if r := recover(); r != nil {
			err = panique(fmt.Errorf("panique dans PDFium : %v", r))
		}
		if !minuteur.Stop() {
			<-arrete
			if d.inst != nil { // Kill already gave the instance to the pool
				d.inst = nil
				d.moteur.rendre()
			}
			err = &Erreur{Code: ErrRendu, Cause: err, Message: fmt.Sprintf(
				"Ce PDF a mis plus de %s à s'afficher et a été abandonné : demandez une version plus simple du document.", d.moteur.delaiMax)}
		}
	}()
	return f()
}

func (d *Document) horsDocument(i int) error {
	return &Erreur{Code: ErrPageInexistante, Message: fmt.Sprintf(
		"La page %d n'existe pas : ce document compte %d page(s).", i+1, d.nb)}
}

// copieRGBA copies an *image.RGBA (what RenderImageFormatRGBA gives) into
// Go memory; nil for any other image type.
func copieRGBA(src image.Image) *image.RGBA {
	s, ok := src.(*image.RGBA)
	if !ok || s == nil {
		return nil
	}
	dst := image.NewRGBA(image.Rect(0, 0, s.Rect.Dx(), s.Rect.Dy()))
	ligne := 4 * s.Rect.Dx()
	for y := 0; y < s.Rect.Dy(); y++ {
		o := s.PixOffset(s.Rect.Min.X, s.Rect.Min.Y+y)
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+ligne], s.Pix[o:o+ligne])
	}
	return dst
}
