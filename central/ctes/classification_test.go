package ctes

import (
	"encoding/json"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes"
	"xdemat/actes/simulateur"
	"xdemat/internal/fixtures"
)

// classificationsRelayees returns the classifications relayed to the postes.
func (b *banc) classificationsRelayees() []xdemat.ClassificationPrefecture {
	b.t.Helper()
	evs, err := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []xdemat.ClassificationPrefecture
	for _, ev := range evs {
		var k xdemat.ClassificationPrefecture
		if ev.Type == xdemat.EvenementActeClassification && json.Unmarshal(ev.Payload, &k) == nil {
			out = append(out, k)
		}
	}
	return out
}

func TestClassificationDemandeeEtRelayeeAuxPostes(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		demo := simulateur.ClassificationDemo()
		maintenant := time.Now()
		c := b.connecteur()
		c.Now = func() time.Time { return maintenant }
		etapes := []struct {
			nom      string
			decalage time.Duration
			archives int // 7-1 received by the platform so far
			relayees int // classifications relayed so far
		}{
			{"aucune classification : demandée", 0, 1, 1},
			{"reçue il y a une heure : pas redemandée", time.Hour, 1, 1},
			{"le lendemain : redemandée, inchangée, rien de relayé", 25 * time.Hour, 2, 1},
		}
		for _, e := range etapes {
			maintenant = time.Now().Add(e.decalage)
			if err := c.TourClassifications(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
			if n := b.archivesRecues(); n != e.archives {
				t.Fatalf("%s : %d demandes reçues par la plateforme", e.nom, n)
			}
			ks := b.classificationsRelayees()
			if len(ks) != e.relayees {
				t.Fatalf("%s : %d classifications relayées", e.nom, len(ks))
			}
			k := ks[0]
			if !k.Date.Equal(demo.DateClassification.Time) || k.Libelles("7.2.1") == nil || k.Libelles("9.9") != nil || len(k.Natures) != 6 {
				t.Fatalf("%s : classification relayée %+v", e.nom, k)
			}
		}
	})
}

// The classification of a real préfecture (sample of the fixtures) reaches
// the postes whole: every matière of the file, the natures and their typologies.
func TestClassificationReelleConvertiePourLesPostes(t *testing.T) {
	m, err := actes.LireMessage(fixtures.Lire(t, "protocols", "actes", "classification-exemple.xml"))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := m.(*actes.RetourClassification)
	if !ok {
		t.Fatalf("message %T", m)
	}
	k := ClassificationDomaine(r)
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	var total func(ms []actes.Matiere) int
	total = func(ms []actes.Matiere) int {
		n := 0
		for i := range ms {
			n += 1 + total(ms[i].SousMatieres())
		}
		return n
	}
	var noeuds func(ms []xdemat.MatiereClassification) int
	noeuds = func(ms []xdemat.MatiereClassification) int {
		n := 0
		for _, m := range ms {
			n += 1 + noeuds(m.SousMatieres)
		}
		return n
	}
	if noeuds(k.Matieres) != total(r.Matieres) || len(k.Natures) != len(r.NaturesActes) || !k.Date.Equal(r.DateClassification.Time) {
		t.Fatalf("%d matières sur %d, %d natures sur %d", noeuds(k.Matieres), total(r.Matieres), len(k.Natures), len(r.NaturesActes))
	}
	for _, x := range k.Liste() {
		if r.Libelles(x.Classification) == nil {
			t.Fatalf("matière %s absente du fichier", x.Classification)
		}
	}
	b, _ := json.Marshal(k)
	if len(b) > xdemat.TailleMaxPayload {
		t.Fatalf("classification de %d octets : trop grosse pour un événement", len(b))
	}
}

// FuzzClassification: whatever the platform sends as a 7-2, the
// classification relayed to the postes is valid or refused, and every
// matière it lists is one the file holds.
func FuzzClassification(f *testing.F) {
	f.Add(actes.Ecrire(simulateur.ClassificationDemo()))
	f.Add([]byte(`<actes:RetourClassification xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"><actes:DateClassification>2025-01-01</actes:DateClassification><actes:NaturesActes/><actes:Matieres><actes:Matiere1 actes:CodeMatiere="0" actes:Libelle=""/></actes:Matieres></actes:RetourClassification>`))
	f.Add([]byte(`<actes:RetourClassification xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"><actes:DateClassification>2025-01-01</actes:DateClassification><actes:NaturesActes><actes:NatureActe actes:CodeNatureActe="1" actes:Libelle="D" actes:TypeAbrege="DE"><actes:TypePJNatureActe actes:CodeTypePJ="99_DE" actes:Libelle="x"/></actes:NatureActe></actes:NaturesActes><actes:Matieres><actes:Matiere1 actes:CodeMatiere="7" actes:Libelle="F"><actes:Matiere2 actes:CodeMatiere="1" actes:Libelle="B"/></actes:Matiere1></actes:Matieres></actes:RetourClassification>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := actes.LireMessage(data)
		if err != nil {
			return
		}
		r, ok := m.(*actes.RetourClassification)
		if !ok {
			return
		}
		k := ClassificationDomaine(r)
		if k.Validate() != nil {
			return
		}
		for _, x := range k.Liste() {
			if x.Classification.Validate() != nil && len(x.Classification.Niveaux()) <= 5 {
				t.Fatalf("matière mal formée relayée : %q", x.Classification)
			}
			if k.Libelles(x.Classification) == nil || r.Libelles(x.Classification) == nil {
				t.Fatalf("matière %s listée mais introuvable", x.Classification)
			}
		}
	})
}
