package pdfsyntaxe

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"io"
)

// Errors of stream decoding (French: the signer shows them).
var (
	ErrFluxTropGrand = errors.New("flux compressé trop grand")
	ErrPredicteur    = errors.New("paramètres de prédicteur invalides")
)

// Inflater undoes FlateDecode, producing at most limite bytes: a small
// crafted stream cannot exhaust memory. Beyond limite it returns the first
// limite bytes and ErrFluxTropGrand. A damaged or truncated stream gives
// what came before the damage with the reading error (io.ErrUnexpectedEOF
// for a mere truncation). The result is nil only when the data does not
// even start as a zlib stream.
func Inflater(donnees []byte, limite int64) ([]byte, error) {
	z, err := zlib.NewReader(bytes.NewReader(donnees))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(z, limite+1))
	if err != nil {
		return out, err
	}
	if int64(len(out)) > limite {
		return out[:limite], ErrFluxTropGrand
	}
	return out, nil
}

// DecoderASCIIHex undoes ASCIIHexDecode: digits up to '>', anything else
// passed over, an odd last digit standing for its high half.
func DecoderASCIIHex(donnees []byte) []byte {
	out, _ := (&Lecteur{B: append(bytes.TrimSpace(donnees), '>')}).ChaineHexa(false)
	return out
}

// DecoderASCII85 undoes ASCII85Decode between the optional "<~" and the
// "~>" end mark. Its output is bounded by 5/4 of the input: a run of "z"
// (four zero bytes each) is cut there; a character outside the alphabet
// gives nothing.
func DecoderASCII85(donnees []byte) []byte {
	s := bytes.TrimPrefix(bytes.TrimSpace(donnees), []byte("<~"))
	if i := bytes.Index(s, []byte("~>")); i >= 0 {
		s = s[:i]
	}
	out := make([]byte, len(s)*5/4+4)
	n, _, _ := ascii85.Decode(out, s, true)
	return out[:n]
}

// Predicteur undoes the PNG row predictors (/Predictor 10 to 15) that
// writers put on cross-reference streams; predicteur ≤ 1 means none.
// Errors (French): TIFF predictor, invalid parameters, unknown row type.
func Predicteur(b []byte, predicteur, colonnes, couleurs, bits int64) ([]byte, error) {
	if predicteur <= 1 {
		return b, nil
	}
	if predicteur < 10 {
		return nil, errors.New("prédicteur TIFF non pris en charge")
	}
	if colonnes <= 0 || colonnes > 1<<20 || couleurs <= 0 || couleurs > 32 || bits <= 0 || bits > 16 {
		return nil, ErrPredicteur
	}
	bpp := int(max((couleurs*bits+7)/8, 1))
	largeur := int((colonnes*couleurs*bits + 7) / 8)
	out := make([]byte, 0, len(b))
	prec := make([]byte, largeur)
	for pos := 0; pos+1+largeur <= len(b); pos += 1 + largeur {
		typ := b[pos]
		ligne := append([]byte{}, b[pos+1:pos+1+largeur]...)
		for i := range ligne {
			var a, c byte
			if i >= bpp {
				a = ligne[i-bpp]
				c = prec[i-bpp]
			}
			h := prec[i]
			switch typ {
			case 0:
			case 1:
				ligne[i] += a
			case 2:
				ligne[i] += h
			case 3:
				ligne[i] += byte((int(a) + int(h)) / 2)
			case 4:
				ligne[i] += paeth(a, h, c)
			default:
				return nil, errors.New("prédicteur PNG inconnu")
			}
		}
		out = append(out, ligne...)
		prec = ligne
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
