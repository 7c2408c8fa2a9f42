package sqlite_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
	"xdemat/central/sqlite"
	"xdemat/central/storetest"
)

func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Suite(t, func(t *testing.T) central.Store { return open(t) })
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &xdemat.Commune{SIREN: storetest.SIREN(), Nom: "Reims", Departement: "51", Population: 180000}
	if err := s.CreateCommune(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.FindCommune(context.Background(), c.ID); err != nil {
		t.Fatalf("commune lost on reopen: %v", err)
	}
	var n int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Every migration file, applied once.
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	if n != len(files) {
		t.Fatalf("%d migrations recorded, want %d", n, len(files))
	}
	var mode string
	if err := s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec("INSERT INTO schema_migrations (version, name, applied_le) VALUES (99, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = sqlite.Open(path)
	if xdemat.ErrorCode(err) != xdemat.EINTERNAL || xdemat.ErrorMessage(err) == xdemat.ErrorMessage(fmt.Errorf("x")) {
		t.Fatalf("Open of a newer database: %v, want a French explanation", err)
	}
}

func TestOpenRefusesBadPath(t *testing.T) {
	for _, p := range []string{"", ":memory:", "/tmp/a?b.db"} {
		if _, err := sqlite.Open(p); xdemat.ErrorCode(err) != xdemat.EINVALID {
			t.Errorf("Open(%q): %v, want EINVALID", p, err)
		}
	}
}

// fixture is a store with one commune and its enrolled poste.
func fixture(b *testing.B) (*sqlite.Store, *xdemat.Poste) {
	s := open(b)
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	c := &xdemat.Commune{SIREN: storetest.SIREN(), Nom: "Reims", Departement: "51"}
	if err := s.CreateCommune(ctx, c); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	code := &xdemat.CodeEnrolement{Code: "BENC-HMAR-KXYZ", CommuneID: c.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
	if err := s.CreateCode(ctx, code); err != nil {
		b.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	p := &xdemat.Poste{Nom: "MAIRIE", ClePublique: pub}
	if err := s.Enroll(ctx, code.Code, p, now); err != nil {
		b.Fatal(err)
	}
	return s, p
}

// BenchmarkFindPoste is the lookup that authenticates every request.
func BenchmarkFindPoste(b *testing.B) {
	s, p := fixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.FindPoste(ctx, p.ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkApplyOperations sends batches of 10 operations.
func BenchmarkApplyOperations(b *testing.B) {
	s, p := fixture(b)
	ctx := xdemat.NewContextWithPoste(context.Background(), p)
	const batch = 10
	seq := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		ops := make([]*xdemat.Operation, batch)
		for i := range ops {
			seq++
			ops[i] = &xdemat.Operation{ID: uuid.NewString(), Seq: seq, Type: "acte.cree", Payload: []byte(`{"numero":"2025-001"}`), CreeLe: time.Now()}
		}
		if _, err := s.ApplyOperations(ctx, ops, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(seq), "ns/op-recue")
}
