package sqlstore_test

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/sqlite"
)

// FuzzProjectionPublication sends publication operations with arbitrary
// payloads: each is either refused as EINVALID with nothing stored, or
// stored; never an internal error, and nothing ever shows online for
// another commune, which has nothing published.
func FuzzProjectionPublication(f *testing.F) {
	types := []string{xdemat.OperationActePublier, xdemat.OperationActeDepublier, xdemat.OperationPVPublier, xdemat.OperationCommunePublicite}
	const acte = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	h := "633398a3e2a031d3614e7f333d7e633a564234b973ea38671ca19351b5389bfa"
	for i, seed := range []string{
		`{"acteId":"` + acte + `","auteur":{"prenom":"Jacques","nom":"Bertin","qualite":"Maire"},"publieLe":"2026-01-15T00:00:00Z","documentSha256":"` + h + `"}`,
		`{"acteId":"` + acte + `","le":"2026-01-16T00:00:00Z"}`,
		`{"id":"` + acte + `","dateSeance":"2026-01-14T00:00:00Z","documentSha256":"` + h + `","nom":"pv.pdf","publieLe":"2026-01-15T00:00:00Z"}`,
		`{"mode":"papier","dateDeliberation":"2025-06-12T00:00:00Z","referenceDeliberation":"DE2025_014"}`,
		`null`, `{}`, `[]`, `"texte"`, `{"mode":"x\u0000y"}`,
	} {
		f.Add(byte(i%len(types)), []byte(seed))
	}
	s, err := sqlite.Open(filepath.Join(f.TempDir(), "central.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	ctx := context.Background()
	mine := &xdemat.Commune{SIREN: "215100009", Nom: "Bouzy", Departement: "51", Population: 900}
	autre := &xdemat.Commune{SIREN: "215100017", Nom: "Ambonnay", Departement: "51", Population: 900}
	for _, c := range []*xdemat.Commune{mine, autre} {
		if err := s.CreateCommune(ctx, c); err != nil {
			f.Fatal(err)
		}
	}
	now := time.Now()
	code := &xdemat.CodeEnrolement{Code: "FUZZ-PUBL-SXXX", CommuneID: mine.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
	if err := s.CreateCode(ctx, code); err != nil {
		f.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	p := &xdemat.Poste{Nom: "MAIRIE", ClePublique: pub}
	if err := s.Enroll(ctx, code.Code, p, now); err != nil {
		f.Fatal(err)
	}
	pctx := xdemat.NewContextWithPoste(ctx, p)

	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		before, err := s.Ack(pctx)
		if err != nil {
			t.Fatal(err)
		}
		op := &xdemat.Operation{ID: uuid.NewString(), Seq: before + 1, Type: types[int(typ)%len(types)], Payload: payload, Documents: []string{}, CreeLe: now}
		ack, err := s.ApplyOperations(pctx, []*xdemat.Operation{op}, now)
		switch {
		case err == nil:
			if ack != before+1 {
				t.Fatalf("ack %d après %d", ack, before)
			}
		case xdemat.ErrorCode(err) == xdemat.EINVALID || xdemat.ErrorCode(err) == xdemat.ETOOLARGE:
			if after, _ := s.Ack(pctx); after != before {
				t.Fatalf("opération refusée mais enregistrée : %v", err)
			}
		default:
			t.Fatalf("erreur interne pour %q : %v", payload, err)
		}
		cp, err := s.CommunePublique(ctx, autre.SIREN)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Publicite.Mode != xdemat.PubliciteElectronique {
			t.Fatalf("mode de publicité changé chez une autre commune : %+v", cp.Publicite)
		}
		if as, n, _ := s.ActesPublies(ctx, autre.ID, now.AddDate(1, 0, 0), 0, 0); len(as) != 0 || n != 0 {
			t.Fatal("acte en ligne chez une autre commune")
		}
		if js, _ := s.SeancesPubliees(ctx, autre.ID, now.AddDate(1, 0, 0)); len(js) != 0 {
			t.Fatal("séance en ligne chez une autre commune")
		}
	})
}
