package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
)

// EncoderICO writes images into one .ico file, each stored as PNG (accepted
// by Windows since Vista, and far smaller than BMP at 256 pixels).
func EncoderICO(images []*image.NRGBA) ([]byte, error) {
	if len(images) == 0 {
		return nil, errors.New("aucune image à mettre dans l'icône")
	}
	pngs := make([][]byte, len(images))
	for i, img := range images {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, err
		}
		pngs[i] = b.Bytes()
	}
	var out bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), count.
	binary.Write(&out, binary.LittleEndian, [3]uint16{0, 1, uint16(len(images))})
	offset := 6 + 16*len(images)
	for i, img := range images {
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if w > 256 || h > 256 {
			return nil, fmt.Errorf("image de %d×%d : le format .ico s'arrête à 256×256", w, h)
		}
		// ICONDIRENTRY: width and height (0 means 256), colours, reserved,
		// planes, bits per pixel, size, offset.
		binary.Write(&out, binary.LittleEndian, struct {
			W, H, Colors, Reserved uint8
			Planes, BitCount       uint16
			Size, Offset           uint32
		}{uint8(w % 256), uint8(h % 256), 0, 0, 1, 32, uint32(len(pngs[i])), uint32(offset)})
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		out.Write(p)
	}
	return out.Bytes(), nil
}
