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

// FuzzProjection sends operations of the Xpostit types with arbitrary
// payloads: a batch is either refused as EINVALID with nothing stored, or
// stored and projected into the poste's commune only; never an internal
// error.
func FuzzProjection(f *testing.F) {
	types := []string{xdemat.OperationNotificationCreee, xdemat.OperationNotificationLue, xdemat.OperationNotificationFaite,
		xdemat.OperationUtilisateurEnregistre, xdemat.OperationPreferencesEnregistrees}
	for i, seed := range []string{
		`{"id":"6f1c1f7e-3b3a-4c55-9a43-2d9a3a5f9b10","communeId":"autre","type":"spl.message","severite":"info","titre":"Réunion","creeLe":"2025-03-14T10:00:00Z","objet":{"ecran":"journal"}}`,
		`{"id":"6f1c1f7e-3b3a-4c55-9a43-2d9a3a5f9b10","le":"2025-03-14T11:00:00Z","par":"u1"}`,
		`{"id":"6f1c1f7e-3b3a-4c55-9a43-2d9a3a5f9b10","le":"2025-03-14T12:00:00Z"}`,
		`{"id":"u1","communeId":"autre","nom":"Lefèvre","role":"secretaire","email":"a@b.fr","telephone":"+33612345678","actif":true,"modifieLe":"2025-03-14T10:00:00Z"}`,
		`{"utilisateurId":"u1","parType":{"spl.alerte":{"app":true,"email":false}},"resume":true,"modifieLe":"2025-03-14T10:00:00Z"}`,
		`null`, `{}`, `[]`, `"texte"`, `{"id":"x\u0000y"}`,
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
	other := &xdemat.Commune{SIREN: "217500016", Nom: "Paris", Departement: "75"}
	for _, c := range []*xdemat.Commune{mine, other} {
		if err := s.CreateCommune(ctx, c); err != nil {
			f.Fatal(err)
		}
	}
	now := time.Now()
	code := &xdemat.CodeEnrolement{Code: "FUZZ-PROJ-ECTI", CommuneID: mine.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
	if err := s.CreateCode(ctx, code); err != nil {
		f.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	p := &xdemat.Poste{Nom: "MAIRIE", ClePublique: pub}
	if err := s.Enroll(ctx, code.Code, p, now); err != nil {
		f.Fatal(err)
	}
	pctx := xdemat.NewContextWithPoste(ctx, p)
	otherCtx := xdemat.NewContextWithPoste(ctx, &xdemat.Poste{ID: "x", CommuneID: other.ID})

	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		before, err := s.Ack(pctx)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := s.Events(pctx, 0, 1000)
		op := &xdemat.Operation{ID: uuid.NewString(), Seq: before + 1, Type: types[int(typ)%len(types)], Payload: payload, CreeLe: now}
		ack, err := s.ApplyOperations(pctx, []*xdemat.Operation{op}, now)
		after, _ := s.Ack(pctx)
		switch code := xdemat.ErrorCode(err); code {
		case "":
			if ack != before+1 || after != ack {
				t.Fatalf("ack %d then %d, want %d", ack, after, before+1)
			}
		case xdemat.EINVALID, xdemat.ETOOLARGE:
			if after != before {
				t.Fatalf("refused op stored: ack %d → %d", before, after)
			}
			if again, _ := s.Events(pctx, 0, 1000); len(again) != len(events) {
				t.Fatalf("refused op appended events")
			}
		default:
			t.Fatalf("ApplyOperations(%s, %q): %v", op.Type, payload, err)
		}
		ns, err := s.Notifications(otherCtx)
		if err != nil || len(ns) != 0 {
			t.Fatalf("other commune holds %d notifications (%v)", len(ns), err)
		}
		if us, _ := s.ListUtilisateurs(ctx, other.ID); len(us) != 0 {
			t.Fatalf("other commune holds users %+v", us)
		}
	})
}
