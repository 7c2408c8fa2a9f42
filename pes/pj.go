package pes

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// TailleMaxPJ bounds one attachment once decoded: invoices are a few
// hundred kilobytes; a PES is at most 128 MiB in all.
const TailleMaxPJ = 64 << 20

// ExtrairePJ returns the attachment of PES_PJ whose IdUnique is id, decoded
// (base64, then gunzip when it is compressed, as the PES V2 rules ask), so
// that the élu can read the invoice before signing the bordereau.
func ExtrairePJ(r io.Reader, id string) (PJ, []byte, error) {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	var (
		dansPJ   bool
		pj       PJ
		contenu  bytes.Buffer
		dansFich bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return PJ{}, nil, &Erreur{Code: ErrXML, Message: fmt.Sprintf("Le fichier PES est illisible (%v) : la pièce jointe ne peut pas en être tirée.", err), Cause: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "PJ":
				dansPJ, pj = true, PJ{}
				contenu.Reset()
			case "Fichier":
				if dansPJ {
					dansFich = true
					pj.MIMEType = attribut(t, "MIMEType")
				}
			case "IdUnique", "NomPJ", "TypePJ", "Description":
				if dansPJ {
					v := attribut(t, "V")
					switch t.Name.Local {
					case "IdUnique":
						pj.IdUnique = v
					case "NomPJ":
						pj.NomPJ = v
					case "TypePJ":
						pj.TypePJ = v
					case "Description":
						pj.Description = v
					}
				}
			}
		case xml.CharData:
			if dansFich {
				if contenu.Len()+len(t) > TailleMaxPJ*4/3+1024 {
					return PJ{}, nil, &Erreur{Code: ErrValeur, Message: "Une pièce jointe du PES dépasse 64 Mo : elle ne peut pas être affichée."}
				}
				contenu.Write(bytes.TrimSpace(t))
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "Fichier":
				dansFich = false
			case "PJ":
				dansPJ = false
				if pj.IdUnique == id {
					pj.TailleB64 = int64(contenu.Len())
					b, err := decoderPJ(contenu.String())
					return pj, b, err
				}
			}
		}
	}
	return PJ{}, nil, &Erreur{Code: ErrValeur, Message: fmt.Sprintf("La pièce jointe %q n'est pas dans ce fichier PES.", id)}
}

// decoderPJ undoes the base64 and, when present, the gzip of an attachment.
func decoderPJ(b64 string) ([]byte, error) {
	brut, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, &Erreur{Code: ErrValeur, Message: "Le contenu d'une pièce jointe du PES est abîmé (base64 illisible) : demandez un nouvel export au logiciel comptable.", Cause: err}
	}
	if len(brut) < 2 || brut[0] != 0x1f || brut[1] != 0x8b {
		return brut, nil
	}
	z, err := gzip.NewReader(bytes.NewReader(brut))
	if err != nil {
		return nil, &Erreur{Code: ErrValeur, Message: "Le contenu compressé d'une pièce jointe du PES est abîmé : demandez un nouvel export au logiciel comptable.", Cause: err}
	}
	out, err := io.ReadAll(io.LimitReader(z, TailleMaxPJ+1))
	if err != nil {
		return nil, &Erreur{Code: ErrValeur, Message: "Le contenu compressé d'une pièce jointe du PES est abîmé : demandez un nouvel export au logiciel comptable.", Cause: err}
	}
	if len(out) > TailleMaxPJ {
		return nil, &Erreur{Code: ErrValeur, Message: "Une pièce jointe du PES dépasse 64 Mo une fois décompressée : elle ne peut pas être affichée."}
	}
	return out, nil
}
