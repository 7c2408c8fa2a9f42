package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	_ "modernc.org/sqlite"

	"xdemat"
	"xdemat/central/sqlstore"
)

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"UPDATE t SET v = CASE WHEN CAST(? AS TEXT) = '' THEN v ELSE ? END WHERE id = ?", "UPDATE t SET v = CASE WHEN CAST($1 AS TEXT) = '' THEN v ELSE $2 END WHERE id = $3"},
		{"SELECT '?', \"a?\" FROM t WHERE x = ?", "SELECT '?', \"a?\" FROM t WHERE x = $1"},
		{"SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = $1"},
	} {
		if got := sqlstore.Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleCode(t *testing.T) {
	for _, in := range []string{"ABCD-EFGH-JKMN", "abcd-efgh-jkmn", "ABCDEFGHJKMN", " abcd efgh\tjkmn ", "ABCD\u2013EFGH\u2011JKMN", "ABCD\u00a0EFGH\u2010JKMN"} {
		if got := sqlstore.CleCode(in); got != "ABCDEFGHJKMN" {
			t.Errorf("CleCode(%q) = %q", in, got)
		}
	}
}

func TestReadMigrations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string // error substring, "" for success
	}{
		{"en ordre", fstest.MapFS{"0002_b.sql": {Data: []byte("B")}, "0001_a.sql": {Data: []byte("A")}, "README.md": {}}, ""},
		{"nom invalide", fstest.MapFS{"0001_a.sql": {}, "2_b.sql": {}}, "NNNN_name.sql"},
		{"numéro manquant", fstest.MapFS{"0001_a.sql": {}, "0003_c.sql": {}}, "expected version 0002"},
		{"numéro en double", fstest.MapFS{"0001_a.sql": {}, "0001_b.sql": {}}, "expected version 0002"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			migs, err := sqlstore.ReadMigrations(tc.files)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(migs) != 2 || migs[0].Name != "a" || migs[0].SQL != "A" || migs[1].Version != 2 {
				t.Fatalf("migrations = %+v", migs)
			}
		})
	}
}

func dialect(files fstest.MapFS) sqlstore.Dialect {
	return sqlstore.Dialect{Name: "sqlite", Migrations: files}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := fstest.MapFS{
		"0001_communes.sql": {Data: []byte("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);")},
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := sqlstore.Migrate(ctx, db, dialect(files)); err != nil {
		t.Fatal(err)
	}
	// Applied once only: a second run would insert into a again.
	if err := sqlstore.Migrate(ctx, db, dialect(files)); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM a"); n != 1 {
		t.Fatalf("migration 1 ran %d times", n)
	}

	// A failing migration leaves nothing behind, not even its first statements.
	files["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO nulle_part VALUES (1);")}
	if err := sqlstore.Migrate(ctx, db, dialect(files)); err == nil || !strings.Contains(err.Error(), "0002_b") {
		t.Fatalf("failing migration: %v", err)
	}
	if n := count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"); n != 0 {
		t.Fatal("table b survived its failed migration")
	}
	if n := count("SELECT COUNT(*) FROM schema_migrations"); n != 1 {
		t.Fatalf("%d migrations recorded, want 1", n)
	}

	// Fixed, it is applied alone.
	files["0002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (x INTEGER);")}
	if err := sqlstore.Migrate(ctx, db, dialect(files)); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM schema_migrations"); n != 2 {
		t.Fatalf("%d migrations recorded, want 2", n)
	}
	if n := count("SELECT COUNT(*) FROM a"); n != 1 {
		t.Fatalf("migration 1 ran again: %d rows", n)
	}

	// An older program refuses the newer database.
	delete(files, "0002_b.sql")
	err = sqlstore.Migrate(ctx, db, dialect(files))
	if xdemat.ErrorCode(err) != xdemat.EINTERNAL || !strings.Contains(xdemat.ErrorMessage(err), "version plus récente") {
		t.Fatalf("older program: %v", err)
	}
}
