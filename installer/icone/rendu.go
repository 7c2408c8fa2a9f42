package main

import (
	"fmt"
	"image"
	"io"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// Tailles are the square sizes Windows picks from: 16 and 32 for lists and the
// Start menu, 48 for large icons, 256 for the tile and high-DPI screens.
var Tailles = []int{16, 32, 48, 256}

// Rendre draws the SVG read from r once per size, on a transparent background.
func Rendre(r io.Reader, tailles []int) ([]*image.NRGBA, error) {
	icon, err := oksvg.ReadIconStream(r, oksvg.StrictErrorMode)
	if err != nil {
		return nil, fmt.Errorf("icône SVG illisible : %w", err)
	}
	// The rasterizer takes stroke widths in pixels, untouched by the target
	// transform: scale them by hand, or the 16-pixel cross is a red block.
	largeurs := make([]float64, len(icon.SVGPaths))
	for i := range icon.SVGPaths {
		largeurs[i] = icon.SVGPaths[i].LineWidth
	}
	images := make([]*image.NRGBA, 0, len(tailles))
	for _, n := range tailles {
		if n < 1 || n > 256 {
			return nil, fmt.Errorf("taille d'icône %d hors de 1 à 256 (limite du format .ico)", n)
		}
		img := image.NewNRGBA(image.Rect(0, 0, n, n))
		icon.SetTarget(0, 0, float64(n), float64(n))
		for i := range icon.SVGPaths {
			icon.SVGPaths[i].LineWidth = largeurs[i] * float64(n) / icon.ViewBox.W
		}
		scanner := rasterx.NewScannerGV(n, n, img, img.Bounds())
		icon.Draw(rasterx.NewDasher(n, n, scanner), 1)
		images = append(images, img)
	}
	return images, nil
}
