package main

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"os"
	"testing"
)

// The shipped icon becomes an .ico Windows can show at every size it asks for.
func TestIconeDuPaquet(t *testing.T) {
	f, err := os.Open("../../assets/icons/xdemat.svg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	images, err := Rendre(f, Tailles)
	if err != nil {
		t.Fatal(err)
	}
	ico, err := EncoderICO(images)
	if err != nil {
		t.Fatal(err)
	}

	var dir [3]uint16
	binary.Read(bytes.NewReader(ico), binary.LittleEndian, &dir)
	if dir != [3]uint16{0, 1, uint16(len(Tailles))} {
		t.Fatalf("en-tête ICONDIR %v", dir)
	}
	for i, n := range Tailles {
		e := ico[6+16*i : 6+16*(i+1)]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256 // the format writes 256 as 0
		}
		if h == 0 {
			h = 256
		}
		size := binary.LittleEndian.Uint32(e[8:])
		off := binary.LittleEndian.Uint32(e[12:])
		if w != n || h != n {
			t.Errorf("entrée %d : %d×%d, attendu %d×%d", i, w, h, n, n)
		}
		img, err := png.Decode(bytes.NewReader(ico[off : off+size]))
		if err != nil {
			t.Fatalf("image %d×%d illisible : %v", n, n, err)
		}
		// The blue tile at the left, the white page above the red cross.
		if _, _, _, a := img.At(n/8, n/2).RGBA(); a == 0 {
			t.Errorf("icône %d×%d vide à gauche", n, n)
		}
		if r, g, b, _ := img.At(n*28/64, n*20/64).RGBA(); r < 0xe000 || g < 0xe000 || b < 0xe000 {
			t.Errorf("icône %d×%d : le document blanc manque en haut (%x %x %x)", n, n, r, g, b)
		}
	}
}

func TestTaillesRefusees(t *testing.T) {
	for _, n := range []int{0, 257} {
		if _, err := Rendre(bytes.NewReader([]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>`)), []int{n}); err == nil {
			t.Errorf("taille %d acceptée", n)
		}
	}
	if _, err := EncoderICO(nil); err == nil {
		t.Error("icône sans image acceptée")
	}
}
