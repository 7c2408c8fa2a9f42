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

// FuzzProjectionActes sends acte operations with arbitrary payloads: each
// is either refused as EINVALID with nothing stored, or stored; never an
// internal error, and never anything to build for another commune.
func FuzzProjectionActes(f *testing.F) {
	types := []string{xdemat.OperationActeCree, xdemat.OperationActeTransmettre, xdemat.OperationActeAnnuler}
	const acte = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	h := "633398a3e2a031d3614e7f333d7e633a564234b973ea38671ca19351b5389bfa"
	for i, seed := range []string{
		`{"id":"` + acte + `","communeId":"autre","nature":1,"numeroInterne":"DE2026_001","dateDecision":"2026-01-14T00:00:00Z","objet":"Budget","classification":"7.1","dateClassification":"2025-01-01T00:00:00Z","documentPrincipal":{"sha256":"` + h + `","nom":"d.pdf","taille":10,"typePiece":"99_DE"}}`,
		`{"acteId":"` + acte + `","documentPrincipal":{"sha256":"` + h + `","nom":"d.pdf","taille":10,"typePiece":"99_DE"},"le":"2026-01-15T00:00:00Z"}`,
		`{"acteId":"` + acte + `","motif":"erreur","le":"2026-01-16T00:00:00Z"}`,
		`null`, `{}`, `[]`, `"texte"`, `{"id":"x\u0000y","nature":99}`,
	} {
		f.Add(byte(i%len(types)), []byte(seed))
	}
	s, err := sqlite.Open(filepath.Join(f.TempDir(), "central.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	ctx := context.Background()
	mine := &xdemat.Commune{SIREN: "215100009", Nom: "Bouzy", Departement: "51"}
	if err := s.CreateCommune(ctx, mine); err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	code := &xdemat.CodeEnrolement{Code: "FUZZ-ACTE-SXXX", CommuneID: mine.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
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
		op := &xdemat.Operation{ID: uuid.NewString(), Seq: before + 1, Type: types[int(typ)%len(types)], Payload: payload, CreeLe: now}
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
		todo, err := s.ActesATransmettre(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range todo {
			if a.Commune.ID != mine.ID || a.Acte.CommuneID != mine.ID {
				t.Fatalf("acte d'une autre commune à transmettre : %+v", a.Acte)
			}
		}
	})
}
