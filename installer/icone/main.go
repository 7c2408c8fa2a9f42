// Command icone turns the xdemat SVG icon into the Windows .ico the MSI shows
// on its Start-menu shortcut and in "Programs and Features":
//
//	go run ./installer/icone -o bin/packages/xdemat.ico assets/icons/xdemat.svg
//
// ImageMagick cannot read SVG without an rsvg or inkscape delegate, which a
// plain build machine lacks; this renders with the SVG rasterizer Fyne
// already brings, so the build needs nothing more.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "xdemat.ico", "fichier .ico à écrire")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage : go run ./installer/icone [-o FICHIER.ico] ICONE.svg")
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "icone :", err)
		os.Exit(1)
	}
}

func run(svgPath, icoPath string) error {
	f, err := os.Open(svgPath)
	if err != nil {
		return fmt.Errorf("icône SVG illisible : %w", err)
	}
	defer f.Close()
	images, err := Rendre(f, Tailles)
	if err != nil {
		return err
	}
	ico, err := EncoderICO(images)
	if err != nil {
		return err
	}
	if err := os.WriteFile(icoPath, ico, 0o644); err != nil {
		return fmt.Errorf("écriture de %s impossible : %w", icoPath, err)
	}
	return nil
}
