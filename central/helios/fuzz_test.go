package helios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/helios"
	dgfip "xdemat/helios"
	"xdemat/internal/fixtures"
)

// FuzzStatut: whatever the transport hands back, mapping it to statuses
// never panics, and the statut it gives is one the postes accept.
func FuzzStatut(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><PES_ACQUIT/>`))
	if d := fixtures.Dossier(); d != "" {
		for _, motif := range []string{"protocols/helios/pes_acquit.xml", "protocols/helios/acquit-ko/*.xml"} {
			noms, _ := filepath.Glob(filepath.Join(d, motif))
			for _, n := range noms {
				if b, err := os.ReadFile(n); err == nil {
					f.Add(b)
				}
			}
		}
	}
	tr := &xdemat.TransmissionPES{ID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222",
		NomFic: "X", CodCol: "100", Bordereaux: []xdemat.BordereauPES{{Domaine: "depense", Exercice: "2019", Numero: "5"}, {Domaine: "recette", Exercice: "2019", Numero: "5"}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := dgfip.LireMessage(b)
		if err != nil {
			return
		}
		st := helios.Statut(tr, m, time.Unix(0, 0))
		if err := st.Validate(); err != nil {
			t.Fatalf("statut refusé par les postes : %v", err)
		}
		if st.Statut == xdemat.HeliosRefuse && len(st.Explications) == 0 {
			n := 0
			for _, bo := range st.Bordereaux {
				n += len(bo.Explications)
			}
			if n == 0 {
				t.Fatalf("refus sans explication : %+v", st)
			}
		}
		for _, e := range st.Explications {
			if strings.TrimSpace(e) == "" {
				t.Fatal("explication vide")
			}
		}
	})
}

// FuzzRetour: whatever PES_Retour the transport hands back, the pièce states
// taken from it are ones the postes accept, and applying them twice changes
// nothing the second time.
func FuzzRetour(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><PES_Retour/>`))
	if d := fixtures.Dossier(); d != "" {
		if b, err := os.ReadFile(filepath.Join(d, "protocols/helios/HELIOS_SIMU_RETOUR_1565181244_184723364.xml")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := dgfip.LireMessage(b)
		if err != nil || m.Retour == nil {
			return
		}
		// A transmission holding every bordereau the retour names.
		tr := &xdemat.TransmissionPES{ID: "11111111-1111-4111-8111-111111111111", DossierID: "22222222-2222-4222-8222-222222222222", NomFic: "X", CodCol: "100"}
		for _, d := range []*dgfip.DomaineRetour{m.Retour.Depense, m.Retour.Recette} {
			if d == nil {
				continue
			}
			for _, bo := range d.Bordereaux {
				dom := "depense"
				if bo.Domaine == dgfip.DomaineRecette {
					dom = "recette"
				}
				tr.Bordereaux = append(tr.Bordereaux, xdemat.BordereauPES{Domaine: dom, Exercice: bo.Exer, Numero: bo.IdBord, Statut: xdemat.HeliosAcquitte})
			}
		}
		r := helios.Retour(tr, m.Retour, time.Unix(0, 0))
		if r == nil {
			return
		}
		if err := r.Validate(); err != nil {
			return // an unreadable number or too long a phrase: the postes skip it, and so does central's store
		}
		if _, err := tr.AppliquerRetour(r); err != nil {
			t.Fatalf("retour valide inapplicable : %v", err)
		}
		if bouge, err := tr.AppliquerRetour(r); err != nil || len(bouge) != 0 {
			t.Fatalf("retour appliqué deux fois : %v %v", bouge, err)
		}
	})
}
