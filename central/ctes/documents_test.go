package ctes

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"xdemat"
	"xdemat/actes"
)

// lireDocument returns a document of the commune as a poste downloads it:
// recorded for the commune and held in the blob store.
func (b *banc) lireDocument(h string) (*xdemat.Document, []byte) {
	b.t.Helper()
	d, err := b.store.FindDocument(xdemat.NewContextWithPoste(ctx, b.poste), h)
	if err != nil {
		b.t.Fatalf("document %s non enregistré pour la commune : %v", h, err)
	}
	f, err := b.blobs.Open(h)
	if err != nil {
		b.t.Fatal(err)
	}
	defer f.Close()
	contenu, err := io.ReadAll(f)
	if err != nil {
		b.t.Fatal(err)
	}
	return d, contenu
}

func TestFichierDeLAccuseDeReceptionGardeEtRelaye(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_011", "Tarifs de la médiathèque")
		c := b.connecteur()
		for range 2 { // the second pass changes nothing
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := b.acte(a.ID)
		if got.Statut != xdemat.ActeAcquitte || !xdemat.ValidSHA256(got.DocumentAR) {
			t.Fatalf("acte après l'accusé de réception : %+v", got)
		}
		d, contenu := b.lireDocument(got.DocumentAR)
		if d.TypeMedia != "application/xml" || d.NomOriginal != "accuse-reception-DE2026_011.xml" {
			t.Errorf("document de l'accusé : %+v", d)
		}
		// The file is the ARActe the platform sent, and reads as one.
		r, err := actes.LireRetour(contenu)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) != 1 {
			t.Fatalf("%d messages dans le fichier de l'accusé", len(r.Messages))
		}
		ar, ok := r.Messages[0].Message.(*actes.ARActe)
		if !ok || ar.IDActe != got.IdentifiantUnique {
			t.Fatalf("fichier de l'accusé : %#v", r.Messages[0].Message)
		}
		// The postes learn its SHA-256 with the status.
		evs, _ := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
		relaye := 0
		for _, ev := range evs {
			var ch xdemat.StatutActeChange
			if ev.Type == xdemat.EvenementActeStatut && json.Unmarshal(ev.Payload, &ch) == nil && ch.Statut == xdemat.ActeAcquitte {
				if ch.DocumentAR != got.DocumentAR {
					t.Errorf("accusé relayé sans son fichier : %+v", ch)
				}
				relaye++
			}
		}
		if relaye != 1 {
			t.Errorf("%d accusés relayés", relaye)
		}
	})
}

func TestCourrierDeLaPrefectureGardeEtRelaye(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_012", "Vente d'un terrain communal")
		c := b.connecteur()
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.sim.Courrier(b.acte(a.ID).IdentifiantUnique, "Merci de joindre le plan cadastral."); err != nil {
			t.Fatal(err)
		}
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		evs, _ := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
		var m *xdemat.MessagePrefecture
		for _, ev := range evs {
			if ev.Type == xdemat.EvenementActeMessage {
				m = new(xdemat.MessagePrefecture)
				if err := json.Unmarshal(ev.Payload, m); err != nil {
					t.Fatal(err)
				}
			}
		}
		if m == nil || len(m.Documents) != 1 {
			t.Fatalf("message relayé : %+v", m)
		}
		d, contenu := b.lireDocument(m.Documents[0])
		if d.TypeMedia != "application/pdf" || !bytes.HasPrefix(contenu, []byte("%PDF-")) {
			t.Errorf("courrier gardé : %+v", d)
		}
	})
}

func TestNomDocumentDeLaPrefecture(t *testing.T) {
	for _, tc := range []struct{ nom, attendu string }{
		{"99_AU-051-215100009-20260312-DE2026_001-DE-2-1_1.pdf", "99_AU-051-215100009-20260312-DE2026_001-DE-2-1_1.pdf"},
		{"../../etc/passwd", "passwd"},
		{`dossier\courrier.pdf`, "courrier.pdf"},
		{"lettre\n.pdf", "lettre-.pdf"},
		{"", "document"},
	} {
		if got := nomDocument(tc.nom); got != tc.attendu {
			t.Errorf("nomDocument(%q) = %q, attendu %q", tc.nom, got, tc.attendu)
		}
	}
}
