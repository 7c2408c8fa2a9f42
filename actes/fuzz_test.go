package actes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// graines adds the real samples to a fuzz corpus when the fixtures are there.
func graines(f *testing.F) [][]byte {
	var out [][]byte
	for _, motif := range []string{"*.xml", "s2low/*.xml"} {
		noms, _ := filepath.Glob(filepath.Join(dossierFixtures(), "protocols", "actes", motif))
		for _, n := range noms {
			if b, err := os.ReadFile(n); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

func FuzzLireMessage(f *testing.F) {
	for _, g := range graines(f) {
		f.Add(g)
	}
	f.Add([]byte(`<a:ARAnnulation xmlns:a="` + NamespaceActes + `" a:IDActe="051-215100009-20250314-2025_042-DE" a:DateReception="2025-03-21"/>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a:DefereTA xmlns:a="` + NamespaceActes + `"><a:NatureIllegalite>Ill\xe9galit\xe9</a:NatureIllegalite></a:DefereTA>`))
	f.Add([]byte(`<a:Acte xmlns:a="` + NamespaceActes + `"><a:CodeMatiere1 a:CodeMatiere="x"/></a:Acte>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LireMessage(data)
		if err != nil {
			return
		}
		// What we read, we can write, and what we write, we read.
		if _, err := LireMessage(Ecrire(m)); err != nil {
			t.Fatalf("message réécrit illisible : %v\n%s", err, Ecrire(m))
		}
		_ = Explication(m)
		_ = FichiersDe(m)
	})
}

func FuzzLireRetour(f *testing.F) {
	for _, g := range graines(f) {
		f.Add(g)
	}
	m := magasin{}
	if ar, err := ConstruireActe(acteTest(m), emetteurTest, optionsTest, Contenus(m)); err == nil {
		f.Add(ar.Octets)
	}
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := LireRetour(data)
		if err != nil {
			return
		}
		for _, recu := range r.Messages {
			if len(recu.Pieces) != len(FichiersDe(recu.Message)) {
				t.Fatalf("%s : %d pièces pour %d fichiers cités", recu.Fichier, len(recu.Pieces), len(FichiersDe(recu.Message)))
			}
		}
	})
}

func FuzzLireEnvoi(f *testing.F) {
	m := magasin{}
	ar, err := ConstruireActe(acteTest(m), emetteurTest, optionsTest, Contenus(m))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ar.Nom, ar.Octets)
	an, _ := ConstruireAnnulation(idActeTest, emetteurTest, optionsTest)
	f.Add(an.Nom, an.Octets)
	f.Add("XDM-EACT--215100009--20250320-7.tar.gz", []byte("pas une archive"))
	f.Fuzz(func(t *testing.T, nom string, data []byte) {
		envoi, err := LireEnvoi(nom, data)
		if err != nil {
			if _, ok := err.(*Refus); !ok {
				t.Fatalf("erreur qui n'est pas un refus : %v", err)
			}
			return
		}
		if len(envoi.Transactions) == 0 {
			t.Fatal("envoi accepté sans message")
		}
	})
}

func FuzzLireNomMessage(f *testing.F) {
	f.Add("99_BU-034-491011698-20181101-ACTE_Y__1-BF-1-1_1.pdf")
	f.Add("051-215100009----7-1_0.xml")
	f.Add("034-000000000-20170701-20170725A-AI-5-1_0.xml")
	f.Fuzz(func(t *testing.T, nom string) {
		n, err := LireNomMessage(nom)
		if err != nil {
			return
		}
		ext := n.Extension
		if n.Rang == 0 {
			ext = "xml"
		}
		// A name we accept is exactly the one we would write.
		if refait := NomFichier(n.Base(), n.Rang, n.TypePiece, ext); refait != nom && !leadingZeros(nom) {
			t.Fatalf("%q relu puis réécrit %q", nom, refait)
		}
	})
}

// leadingZeros reports a rank written with leading zeros ("_01"): accepted
// on reading (Pastell's FAST connector writes them), never written.
func leadingZeros(nom string) bool {
	i := len(nom) - 1
	for i >= 0 && nom[i] != '_' {
		i--
	}
	return i >= 0 && i+2 < len(nom) && nom[i+1] == '0' && nom[i+2] != '.'
}

func FuzzLireNomArchive(f *testing.F) {
	f.Add("XDM-EACT--215100009--20250320-7.tar.gz")
	f.Add("SLO-EACT--210703385--20170612-2.tar.gz")
	f.Fuzz(func(t *testing.T, nom string) {
		n, err := LireNomArchive(nom)
		if err != nil {
			return
		}
		if n.String() != nom && n.Serie > 0 && !strings.Contains(nom, "-0") {
			t.Fatalf("%q relu puis réécrit %q", nom, n.String())
		}
	})
}
