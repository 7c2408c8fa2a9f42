// Package postgrestest runs a throwaway PostgreSQL server for tests: a new
// cluster in a temporary directory, on a free 127.0.0.1 port, without fsync,
// removed at the end. As root (CI containers), the server binaries run as the
// "postgres" system user, since initdb and postgres refuse to run as root.
//
// Use it from a package's tests as:
//
//	func TestMain(m *testing.M) { postgrestest.Main(m) }
//
//	func TestX(t *testing.T) {
//		url := postgrestest.Start(t) // a new, empty database
//		…
//	}
//
// Without Main, each Start runs its own server, stopped when the test ends.
//
// When the binaries are missing, Start fails the test, or skips it when the
// environment has XDEMAT_ALLOW_SKIP_PG=1. The binaries are looked for with
// pg_config --bindir, then in /usr/lib/postgresql/*/bin (newest first), then on
// PATH; XDEMAT_PG_BINDIR, when set, is the only place looked at.
package postgrestest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotInstalled is returned when no PostgreSQL server binaries are found.
var ErrNotInstalled = errors.New("PostgreSQL introuvable : lancez `make test`, qui l'installe (apt-get install postgresql)")

// User is the cluster's superuser (trust authentication, no password).
const User = "xdemat"

// Server is a running throwaway cluster.
type Server struct {
	dir    string // temporary root: data/, server.log, the Unix socket
	bindir string
	port   int
	runAs  string // system user running the binaries, "" for the current one

	mu    sync.Mutex // guards admin, serialises CREATE DATABASE
	admin *pgx.Conn
	n     atomic.Int64
}

// FindBinDir returns the directory holding initdb, pg_ctl and postgres, or an
// error wrapping ErrNotInstalled.
func FindBinDir() (string, error) {
	if d := os.Getenv("XDEMAT_PG_BINDIR"); d != "" {
		if hasBinaries(d) {
			return d, nil
		}
		return "", fmt.Errorf("%w (XDEMAT_PG_BINDIR=%s ne contient pas initdb, pg_ctl et postgres)", ErrNotInstalled, d)
	}
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) }) // newest first
	candidates = append(candidates, dirs...)
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, d := range candidates {
		if hasBinaries(d) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

// version returns N of /usr/lib/postgresql/N/bin.
func version(bindir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return v
}

func hasBinaries(dir string) bool {
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// StartServer creates and starts a cluster. ErrNotInstalled when the binaries
// are missing.
func StartServer() (*Server, error) {
	bindir, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bindir: bindir}
	var uid, gid = -1, -1
	if os.Geteuid() == 0 {
		if uid, gid, err = systemUser("postgres"); err != nil {
			return nil, err
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, errors.New("postgrestest: les tests tournent en root et la commande runuser est introuvable : installez util-linux ou lancez les tests avec un autre utilisateur")
		}
		s.runAs = "postgres"
	}
	parent := os.TempDir()
	if s.runAs != "" && !traversable(parent) {
		parent = "/tmp"
	}
	if s.dir, err = os.MkdirTemp(parent, "xdemat-pg-"); err != nil {
		return nil, fmt.Errorf("postgrestest: %w", err)
	}
	if s.runAs != "" {
		if err := os.Chown(s.dir, uid, gid); err != nil {
			s.removeDir()
			return nil, fmt.Errorf("postgrestest: %w", err)
		}
		if !traversable(filepath.Dir(s.dir)) {
			s.removeDir()
			return nil, fmt.Errorf("postgrestest: l'utilisateur postgres ne peut pas traverser %s : rendez ce dossier accessible (chmod o+x) ou changez TMPDIR", filepath.Dir(s.dir))
		}
	}
	if err := s.run("initdb", "-D", s.data(), "-A", "trust", "-U", User, "--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		s.removeDir()
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			s.removeDir()
			return nil, err
		}
		err = s.run("pg_ctl", "-D", s.data(), "-l", s.log(), "-w", "-t", "60", "start", "-o",
			fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.port, s.dir))
		if err == nil {
			break
		}
		logText, _ := os.ReadFile(s.log())
		if attempt == 3 || !strings.Contains(string(logText), "already in use") {
			s.removeDir()
			return nil, fmt.Errorf("%w\n%s", err, tail(string(logText), 2000))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.admin, err = pgx.Connect(ctx, s.URL("postgres")); err != nil {
		s.Stop()
		return nil, fmt.Errorf("postgrestest: connect: %w", err)
	}
	return s, nil
}

// Dir returns the server's temporary directory (data, log and socket).
func (s *Server) Dir() string { return s.dir }

func (s *Server) data() string { return filepath.Join(s.dir, "data") }
func (s *Server) log() string  { return filepath.Join(s.dir, "server.log") }

// URL returns the URL of database db on the server.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.port, db)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admin == nil {
		return "", errors.New("postgrestest: server stopped")
	}
	name := fmt.Sprintf("t_%d", s.n.Add(1))
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("postgrestest: create database: %w", err)
	}
	return s.URL(name), nil
}

// Stop stops the server at once and removes its directory.
func (s *Server) Stop() error {
	s.mu.Lock()
	if s.admin != nil {
		s.admin.Close(context.Background())
		s.admin = nil
	}
	s.mu.Unlock()
	err := s.run("pg_ctl", "-D", s.data(), "-w", "stop", "-m", "immediate")
	if rmErr := s.removeDir(); err == nil {
		err = rmErr
	}
	return err
}

func (s *Server) removeDir() error {
	if s.dir == "" {
		return nil
	}
	return os.RemoveAll(s.dir)
}

// run runs a server binary, as s.runAs when set.
func (s *Server) run(name string, args ...string) error {
	bin := filepath.Join(s.bindir, name)
	var cmd *exec.Cmd
	if s.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.runAs, "--", bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	// pg_ctl start leaves the server running with our pipes open: write its
	// output to a file rather than wait for pipes that never close.
	out, err := os.CreateTemp("", "xdemat-pg-cmd-")
	if err != nil {
		return fmt.Errorf("postgrestest: %w", err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		text, _ := os.ReadFile(out.Name())
		return fmt.Errorf("postgrestest: %s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(text), 2000))
	}
	return nil
}

func systemUser(name string) (uid, gid int, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("postgrestest: les tests tournent en root mais l'utilisateur système %q n'existe pas (initdb refuse root) : installez le paquet postgresql, qui le crée, ou lancez les tests avec un autre utilisateur", name)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid, nil
}

// traversable reports whether every directory from dir up to / lets others in.
func traversable(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("postgrestest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// --- for tests ---

var (
	sharedMu   sync.Mutex
	shared     *Server
	sharedErr  error
	mainActive bool
)

// Main runs the package's tests with one server for all of them, started on
// first use and stopped at the end, then exits.
func Main(m *testing.M) {
	sharedMu.Lock()
	mainActive = true
	sharedMu.Unlock()
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
		shared = nil
	}
	sharedMu.Unlock()
	os.Exit(code)
}

// Start returns the URL of a new, empty database on a throwaway server: the
// package's shared one under Main, otherwise one of its own stopped at the end
// of tb. See the package documentation for missing binaries.
func Start(tb testing.TB) string {
	tb.Helper()
	srv := server(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, err := srv.NewDatabase(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

func server(tb testing.TB) *Server {
	tb.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if !mainActive {
		s, err := StartServer()
		if err != nil {
			fail(tb, err)
		}
		tb.Cleanup(func() {
			if err := s.Stop(); err != nil {
				tb.Error(err)
			}
		})
		return s
	}
	if shared == nil && sharedErr == nil {
		shared, sharedErr = StartServer()
	}
	if sharedErr != nil {
		fail(tb, sharedErr)
	}
	return shared
}

func fail(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNotInstalled) && os.Getenv("XDEMAT_ALLOW_SKIP_PG") == "1" {
		tb.Skip("PostgreSQL introuvable, test ignoré (XDEMAT_ALLOW_SKIP_PG=1) : installez-le (apt-get install postgresql) pour le lancer.")
	}
	tb.Fatal(err)
}
