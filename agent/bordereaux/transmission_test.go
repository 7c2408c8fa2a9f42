package bordereaux

import (
	"bytes"
	"strings"
	"testing"

	"xdemat"
	"xdemat/internal/fixtures"
	"xdemat/pes"
)

func TestTransmissionDuPESExporte(t *testing.T) {
	f, err := pes.Lire(bytes.NewReader(fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Transmission(f)
	if err != nil {
		t.Fatal(err)
	}
	tr.DossierID, tr.Original = tr.ID, strings.Repeat("a", 64)
	if err := tr.Validate(); err != nil {
		t.Fatalf("transmission invalide : %v", err)
	}
	cas := []struct{ nom, obtenu, attendu string }{
		{"NomFic", tr.NomFic, "SICOVAL201512104"},
		{"CodCol", tr.CodCol, "100"},
		{"IdPost", tr.IdPost, "031007"},
		{"SIRET", tr.IdColl, "24310063300011"},
		{"bordereau", tr.Bordereaux[0].Domaine + " " + tr.Bordereaux[0].Exercice + " " + tr.Bordereaux[0].Numero, "depense 2015 2372"},
		{"statut", string(tr.Statut), string(xdemat.HeliosASigner)},
	}
	for _, c := range cas {
		if c.obtenu != c.attendu {
			t.Errorf("%s : %q, attendu %q", c.nom, c.obtenu, c.attendu)
		}
	}
	if tr.Bordereaux[0].Montant != 5522 || tr.Bordereaux[0].NbPieces != 1 {
		t.Errorf("montant ou pièces : %+v", tr.Bordereaux[0])
	}
	if titre := Titre(f); !strings.Contains(titre, "mandats n° 2372") || !strings.Contains(titre, "55,22") {
		t.Errorf("titre du dossier : %q", titre)
	}
}

func TestPESSansBordereauNiNomFicRefuse(t *testing.T) {
	cas := []struct {
		nom    string
		f      *pes.Fichier
		erreur string
	}{
		{"sans NomFic", &pes.Fichier{Depenses: []pes.Bordereau{{Exer: "2026", IdBord: "1"}}}, "NomFic"},
		{"sans bordereau", &pes.Fichier{NomFic: "X"}, "aucun bordereau"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			if _, err := Transmission(c.f); err == nil || !strings.Contains(xdemat.ErrorMessage(err), c.erreur) {
				t.Fatalf("erreur %v, attendu %q", err, c.erreur)
			}
		})
	}
}

// FuzzTransmission: whatever a watched folder holds, reading it and
// summarising it never panics, and what is accepted validates.
func FuzzTransmission(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><PES_Aller/>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"><Enveloppe><Parametres><NomFic V="A"/></Parametres></Enveloppe><EnTetePES><CodCol V="1"/></EnTetePES><PES_DepenseAller><Bordereau><BlocBordereau><Exer V="2026"/><IdBord V="1"/></BlocBordereau></Bordereau></PES_DepenseAller></n:PES_Aller>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fic, err := pes.Lire(bytes.NewReader(b))
		if err != nil {
			return
		}
		tr, err := Transmission(fic)
		if err != nil {
			return
		}
		_ = Titre(fic)
		tr.DossierID, tr.Original = tr.ID, strings.Repeat("a", 64)
		_ = tr.Validate() // may refuse (bad CodCol…), must not panic
	})
}
