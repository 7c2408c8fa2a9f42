package bordereaux

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xdemat"
	"xdemat/agent/surveillance"
	"xdemat/helios"
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

func TestFichiersRefusesAvantToutEnregistrement(t *testing.T) {
	dir := t.TempDir()
	ecrire := func(nom, contenu string) string {
		p := filepath.Join(dir, nom)
		if err := os.WriteFile(p, []byte(contenu), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cas := []struct {
		nom    string
		f      surveillance.Fichier
		motifs []string
	}{
		{"trop gros pour Hélios", surveillance.Fichier{Nom: "gros.xml", Chemin: ecrire("gros.xml", "<PES_Aller/>"), Taille: helios.TailleMaxDepot + 1}, []string{"gros.xml", "Mo"}},
		{"pas un PES", surveillance.Fichier{Nom: "facture.xml", Chemin: ecrire("facture.xml", `<?xml version="1.0"?><Facture/>`), Taille: 30}, []string{"facture.xml", "n'a pas été importé"}},
		{"PES sans bordereau", surveillance.Fichier{Nom: "vide.xml", Chemin: ecrire("vide.xml", `<?xml version="1.0"?><n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"><Enveloppe><Parametres><NomFic V="A"/></Parametres></Enveloppe></n:PES_Aller>`), Taille: 200}, []string{"vide.xml"}},
	}
	s := &Service{} // no store: nothing may be recorded for these
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			err := s.Importer(context.Background(), c.f)
			var r *surveillance.Refus
			if !errors.As(err, &r) {
				t.Fatalf("pas refusé pour de bon : %v", err)
			}
			for _, m := range c.motifs {
				if !strings.Contains(r.Motif, m) {
					t.Errorf("motif %q sans %q", r.Motif, m)
				}
			}
		})
	}
}
