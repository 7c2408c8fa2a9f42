package postgrestest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"xdemat/central/postgres/postgrestest"
)

// Without Main, Start runs a server for the test alone.
func TestStartAlone(t *testing.T) {
	url := postgrestest.Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var user, encoding string
	if err := conn.QueryRow(ctx, "SELECT current_user, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()").Scan(&user, &encoding); err != nil {
		t.Fatal(err)
	}
	if user != postgrestest.User || encoding != "UTF8" {
		t.Fatalf("user %q encoding %q", user, encoding)
	}
}

func TestStopRemovesEverything(t *testing.T) {
	s, err := postgrestest.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	conn, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, a); err == nil {
		t.Fatal("server still answers after Stop")
	}
	if _, err := os.Stat(s.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s left behind (%v)", s.Dir(), err)
	}
}

func TestMissingBinaries(t *testing.T) {
	t.Setenv("XDEMAT_PG_BINDIR", t.TempDir())
	if _, err := postgrestest.FindBinDir(); !errors.Is(err, postgrestest.ErrNotInstalled) {
		t.Fatalf("FindBinDir: %v, want ErrNotInstalled", err)
	}

	t.Run("ignoré si XDEMAT_ALLOW_SKIP_PG=1", func(t *testing.T) {
		t.Setenv("XDEMAT_ALLOW_SKIP_PG", "1")
		postgrestest.Start(t)
		t.Fatal("Start did not skip")
	})

	t.Run("échec sinon", func(t *testing.T) {
		if os.Getenv("XDEMAT_PG_CHILD") == "1" {
			postgrestest.Start(t)
			return
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingBinaries$/^échec_sinon$", "-test.v")
		cmd.Env = append(os.Environ(), "XDEMAT_PG_CHILD=1", "XDEMAT_ALLOW_SKIP_PG=")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("child passed:\n%s", out)
		}
		if want := "PostgreSQL introuvable : lancez `make test`, qui l'installe (apt-get install postgresql)"; !strings.Contains(string(out), want) {
			t.Fatalf("child output lacks %q:\n%s", want, out)
		}
	})
}
