package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"xdemat"
	"xdemat/central"
	"xdemat/central/postgres"
	"xdemat/central/postgres/postgrestest"
	"xdemat/central/storetest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

func open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Suite(t, func(t *testing.T) central.Store { return open(t, postgrestest.Start(t)) })
}

func TestReopen(t *testing.T) {
	url := postgrestest.Start(t)
	s := open(t, url)
	c := &xdemat.Commune{SIREN: storetest.SIREN(), Nom: "Reims", Departement: "51", Population: 180000}
	if err := s.CreateCommune(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, url)
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
}

// Several central servers starting at once on a new database.
func TestConcurrentMigrations(t *testing.T) {
	url := postgrestest.Start(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(context.Background(), url)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://xdemat@127.0.0.1:1/nulle?sslmode=disable&connect_timeout=2")
	if xdemat.ErrorCode(err) != xdemat.EUNAVAILABLE {
		t.Fatalf("Open of an unreachable server: %v, want %s", err, xdemat.EUNAVAILABLE)
	}
}
