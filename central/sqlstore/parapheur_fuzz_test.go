package sqlstore_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/sqlite"
)

// FuzzProjectionParapheur sends parapheur operations with arbitrary
// payloads after a real deposit: a batch is refused as EINVALID with nothing
// stored, or acknowledged (applied, or refused by a relayed
// "parapheur.action_refusee"); never an internal error, never a dossier in
// another commune, and central's copy always stays a valid dossier.
func FuzzProjectionParapheur(f *testing.F) {
	types := []string{xdemat.OperationParapheurVise, xdemat.OperationParapheurSigne, xdemat.OperationParapheurRefuse,
		xdemat.OperationParapheurRetire, xdemat.OperationParapheurAnnote, xdemat.OperationParapheurDelegation, xdemat.OperationParapheurDepose}
	const dossier = "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d"
	for i, seed := range []string{
		`{"dossierId":"` + dossier + `","etape":1,"par":"sec","le":"2026-03-02T10:00:00Z"}`,
		`{"dossierId":"` + dossier + `","etape":2,"par":"maire","le":"2026-03-02T10:00:00Z","document":"` + strings.Repeat("a", 64) + `","certificat":{"sujet":"CN=x","serie":"1","valideDu":"2020-01-01T00:00:00Z","valideAu":"2030-01-01T00:00:00Z","empreinte":"` + strings.Repeat("d", 64) + `"}}`,
		`{"dossierId":"` + dossier + `","etape":1,"par":"maire","le":"2026-03-02T10:00:00Z","motif":"non"}`,
		`{"dossierId":"` + dossier + `","par":"sec","le":"2026-03-02T10:00:00Z"}`,
		`{"dossierId":"` + dossier + `","par":"maire","le":"2026-03-02T10:00:00Z","texte":"vu"}`,
		`{"id":"0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d","delegant":"maire","delegantRole":"maire","delegataire":"sec","du":"2026-03-01T00:00:00Z","au":"2026-03-09T00:00:00Z","modifieLe":"2026-03-01T00:00:00Z","creeePar":"maire"}`,
		`{"id":"` + dossier + `","titre":"Autre","type":"courrier","documents":[],"etapes":[{"nature":"signature","role":"maire"}],"deposePar":"sec","deposeLe":"2026-03-02T10:00:00Z"}`,
		`null`, `{}`, `[]`, `{"dossierId":"x\u0000y"}`,
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
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	code := &xdemat.CodeEnrolement{Code: "FUZZ-PARA-PHEU", CommuneID: mine.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
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
	for _, u := range []*xdemat.Utilisateur{
		{ID: "sec", CommuneID: mine.ID, Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true, ModifieLe: now},
		{ID: "maire", CommuneID: mine.ID, Nom: "Bertin", Role: xdemat.RoleMaire, Actif: true, ModifieLe: now},
	} {
		if err := s.SaveUtilisateur(ctx, u); err != nil {
			f.Fatal(err)
		}
	}
	docs := []string{strings.Repeat("a", 64), strings.Repeat("b", 64)}
	for _, h := range docs {
		if err := s.CreateDocument(pctx, &xdemat.Document{SHA256: h, Taille: 1, NomOriginal: "d.pdf"}, now); err != nil {
			f.Fatal(err)
		}
	}
	d := &xdemat.DossierParapheur{ID: dossier, Titre: "Arrêté", Type: xdemat.DossierArrete, Documents: docs[1:], DeposePar: "sec", DeposeLe: now,
		Etapes: xdemat.ModeleCircuit(xdemat.DossierArrete)}
	depot, _ := jsonOf(d)
	if _, err := s.ApplyOperations(pctx, []*xdemat.Operation{{ID: uuid.NewString(), Seq: 1, Type: xdemat.OperationParapheurDepose, Auteur: "sec",
		Payload: depot, Documents: docs[1:], CreeLe: now}}, now); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		before, err := s.Ack(pctx)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := s.Events(pctx, 0, 1000)
		op := &xdemat.Operation{ID: uuid.NewString(), Seq: before + 1, Type: types[int(typ)%len(types)], Payload: payload, Documents: docs, CreeLe: now}
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
		ds, err := s.DossiersParapheur(pctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ds {
			if x.CommuneID != mine.ID || x.Validate() != nil {
				t.Fatalf("dossier de central invalide : %+v (%v)", x, x.Validate())
			}
		}
		if ds, _ := s.DossiersParapheur(otherCtx); len(ds) != 0 {
			t.Fatalf("other commune holds %d dossiers", len(ds))
		}
	})
}

func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
