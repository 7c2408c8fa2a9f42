package pes

import (
	"bytes"
	"errors"
	"testing"

	"xdemat/internal/fixtures"
)

// TestPieceJointeLisible: the invoice attached to the real signed PES comes
// out as the PDF it is, ready to show before signing.
func TestPieceJointeLisible(t *testing.T) {
	b := fixtures.Lire(t, "protocols", "helios", "signed", "PESALR2_25060187900027_190328_001.xml")
	f, err := Lire(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.PJ) == 0 {
		t.Fatal("le PES des fixtures porte des pièces jointes")
	}
	for _, want := range f.PJ {
		pj, contenu, err := ExtrairePJ(bytes.NewReader(b), want.IdUnique)
		if err != nil {
			t.Fatal(err)
		}
		if pj.NomPJ != want.NomPJ || pj.TailleB64 != want.TailleB64 {
			t.Fatalf("pièce jointe %+v, attendu %+v", pj, want)
		}
		if want.MIMEType == "application/pdf" && !bytes.HasPrefix(contenu, []byte("%PDF")) {
			t.Fatalf("%s : pas un PDF une fois décodé (%q…)", want.NomPJ, contenu[:min(len(contenu), 8)])
		}
	}
	if _, _, err := ExtrairePJ(bytes.NewReader(b), "absente"); !errors.Is(err, ErrValeur) {
		t.Fatalf("pièce absente : %v", err)
	}
}

// FuzzExtrairePJ: whatever the bytes, an attachment comes out or a French
// error, never a panic.
func FuzzExtrairePJ(f *testing.F) {
	f.Add([]byte(`<PES_Aller><PES_PJ><PJ><Contenu><Fichier MIMEType="application/pdf">JVBERi0=</Fichier></Contenu><IdUnique V="a"/></PJ></PES_PJ></PES_Aller>`), "a")
	f.Add([]byte(`<PES_Aller><PES_PJ><PJ><Contenu><Fichier>H4sI</Fichier></Contenu><IdUnique V="b"/></PJ></PES_PJ></PES_Aller>`), "b")
	f.Add([]byte(`<PJ><IdUnique V="c"/><Contenu><Fichier>!!</Fichier></Contenu></PJ>`), "c")
	f.Fuzz(func(t *testing.T, b []byte, id string) {
		pj, _, err := ExtrairePJ(bytes.NewReader(b), id)
		if err == nil && pj.IdUnique != id {
			t.Fatalf("pièce %q rendue pour %q", pj.IdUnique, id)
		}
	})
}
