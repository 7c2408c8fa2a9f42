package xdemat_test

import (
	"testing"
	"time"

	"xdemat"
)

func chaine(n int) []*xdemat.Journal {
	var out []*xdemat.Journal
	var prev *xdemat.Journal
	for i := 0; i < n; i++ {
		e := &xdemat.Journal{Date: time.Date(2026, 11, 25, 9, i, 0, 123456789, time.UTC), Acteur: "secretaire-1", Action: "document.ajoute", Objet: "doc"}
		e.Chainer(prev)
		out = append(out, e)
		prev = e
	}
	return out
}

func TestJournalChaine(t *testing.T) {
	j := chaine(5)
	if j[0].Precedent != xdemat.GenesisHash || j[0].Seq != 1 || j[4].Seq != 5 {
		t.Fatalf("chaînage incorrect : %+v", j[0])
	}
	if j[1].Precedent != j[0].Hash {
		t.Fatal("chaque entrée doit porter l'empreinte de la précédente")
	}
	if err := xdemat.VerifierJournal(j); err != nil {
		t.Fatal(err)
	}
}

func TestJournalAltereDetecte(t *testing.T) {
	for _, tc := range []struct {
		nom    string
		alter  func(j []*xdemat.Journal) []*xdemat.Journal
		entree int64
	}{
		{"action modifiée", func(j []*xdemat.Journal) []*xdemat.Journal { j[2].Action = "acte.supprime"; return j }, 3},
		{"date modifiée", func(j []*xdemat.Journal) []*xdemat.Journal { j[1].Date = j[1].Date.Add(time.Hour); return j }, 2},
		{"entrée supprimée", func(j []*xdemat.Journal) []*xdemat.Journal { return append(j[:2], j[3:]...) }, 4},
		{"entrées inversées", func(j []*xdemat.Journal) []*xdemat.Journal { j[3], j[4] = j[4], j[3]; return j }, 5},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			err := xdemat.VerifierJournal(tc.alter(chaine(5)))
			if xdemat.ErrorCode(err) != xdemat.ECONFLICT {
				t.Fatalf("altération non détectée : %v", err)
			}
		})
	}
}

func TestCodeEnrolementUtilisable(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	base := xdemat.CodeEnrolement{Code: "ABCDEFGHJKMN", CreeLe: now.Add(-time.Hour), ExpireLe: now.Add(-time.Hour).Add(xdemat.DureeCodeEnrolement)}
	for _, tc := range []struct {
		nom  string
		edit func(c *xdemat.CodeEnrolement)
		ok   bool
	}{
		{"code neuf", func(c *xdemat.CodeEnrolement) {}, true},
		{"code expiré après 48 heures", func(c *xdemat.CodeEnrolement) { c.ExpireLe = now }, false},
		{"code déjà utilisé", func(c *xdemat.CodeEnrolement) { c.UtiliseLe = now.Add(-time.Minute) }, false},
		{"code annulé", func(c *xdemat.CodeEnrolement) { c.RevoqueLe = now.Add(-time.Minute) }, false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			c := base
			tc.edit(&c)
			err := c.Utilisable(now)
			if (err == nil) != tc.ok {
				t.Fatalf("Utilisable = %v", err)
			}
			if err != nil && xdemat.ErrorCode(err) != xdemat.EFORBIDDEN {
				t.Fatalf("code %s", xdemat.ErrorCode(err))
			}
		})
	}
}

func TestValidationOperation(t *testing.T) {
	ok := xdemat.Operation{ID: "0b8e7c0e-5d6a-4f43-9a1e-3f1c2d4e5f60", Seq: 1, Type: "document.ajoute", Payload: []byte(`{"nom":"PV.pdf"}`)}
	for _, tc := range []struct {
		nom  string
		edit func(o *xdemat.Operation)
		code string
	}{
		{"opération valide", func(o *xdemat.Operation) {}, ""},
		{"identifiant absent", func(o *xdemat.Operation) { o.ID = "" }, xdemat.EINVALID},
		{"séquence nulle", func(o *xdemat.Operation) { o.Seq = 0 }, xdemat.EINVALID},
		{"type mal formé", func(o *xdemat.Operation) { o.Type = "Ajout" }, xdemat.EINVALID},
		{"contenu non JSON", func(o *xdemat.Operation) { o.Payload = []byte("{") }, xdemat.EINVALID},
		{"contenu trop gros", func(o *xdemat.Operation) { o.Payload = make([]byte, xdemat.TailleMaxPayload+1) }, xdemat.ETOOLARGE},
		{"empreinte de document invalide", func(o *xdemat.Operation) { o.Documents = []string{"abc"} }, xdemat.EINVALID},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			o := ok
			tc.edit(&o)
			if got := xdemat.ErrorCode(o.Validate()); got != tc.code {
				t.Fatalf("code = %q, attendu %q", got, tc.code)
			}
		})
	}
}
