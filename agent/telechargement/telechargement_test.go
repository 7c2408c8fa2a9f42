package telechargement

import (
	"os"
	"path/filepath"
	"testing"

	"xdemat"
	"xdemat/internal/pdftest"
)

func TestTypeEtNomDesDocumentsTelecharges(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		nom, titre string
		contenu    []byte
		typ, fich  string
	}{
		{"un PDF", "Délibération 2026-014", pdftest.Minimal("x"), "application/pdf", "Délibération 2026-014.pdf"},
		{"un PES", "Bordereau n° 12/2026", []byte("<?xml version=\"1.0\"?><PES_Aller/>"), "application/xml", "Bordereau n° 12-2026.xml"},
		{"une signature CAdES", "Devis", []byte{0x30, 0x82, 0x01}, "application/pkcs7-signature", "Devis.p7s"},
		{"autre chose", "", []byte("texte"), "application/octet-stream", "document"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			p := filepath.Join(dir, tc.nom)
			os.WriteFile(p, tc.contenu, 0o600)
			typ := typeMedia(p)
			if typ != tc.typ {
				t.Fatalf("type %q, attendu %q", typ, tc.typ)
			}
			nom := nomDe(tc.titre, typ)
			d := xdemat.Document{SHA256: xdemat.GenesisHash, NomOriginal: nom, TypeMedia: typ}
			if err := d.Validate(); err != nil {
				t.Fatalf("nom %q refusé : %v", nom, err)
			}
			if nom != tc.fich {
				t.Fatalf("nom %q, attendu %q", nom, tc.fich)
			}
		})
	}
}
