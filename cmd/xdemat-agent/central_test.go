package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"xdemat"
	"xdemat/central"
	"xdemat/central/blob"
	"xdemat/central/server"
)

// centralHandle is a whole central server running in this process.
type centralHandle struct {
	DataDir string
	Addr    string
	Pin     string
	Store   central.Store
	Blobs   *blob.Store
	m       *server.Main
}

// startCentral runs central on dir (SQLite) and addr ("127.0.0.1:0" for a
// free port, or the address of a previous run to come back on it).
func startCentral(t testing.TB, dir, addr string) *centralHandle {
	t.Helper()
	return startCentralAvec(t, dir, addr, nil)
}

// startCentralOn is startCentral with the database at dbURL ("" = SQLite in dir).
func startCentralOn(t testing.TB, dir, addr, dbURL string) *centralHandle {
	t.Helper()
	return startCentralAvec(t, dir, addr, func(m *server.Main) { m.DBURL = dbURL })
}

// startCentralAvec is startCentral with the program adjusted before it
// runs. The console and the public pages listen on free ports: tests run
// side by side and never take the default ones.
func startCentralAvec(t testing.TB, dir, addr string, configurer func(*server.Main)) *centralHandle {
	t.Helper()
	m := server.NewMain()
	m.DataDir, m.ListenAddr, m.AdminListenAddr, m.PublicListenAddr = dir, addr, "127.0.0.1:0", "127.0.0.1:0"
	m.Stdout, m.Stderr = io.Discard, io.Discard
	m.Logger = testLogger(t)
	if err := m.ParseFlags(context.Background(), []string{"serve"}); err != nil {
		t.Fatal(err)
	}
	if configurer != nil {
		configurer(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	c := &centralHandle{DataDir: dir, Addr: m.Addr(), Pin: m.CertFingerprint(), Store: m.Store(), Blobs: blobs, m: m}
	t.Cleanup(func() { c.Close() })
	return c
}

// Close stops central, as a cut line or a restart would.
func (c *centralHandle) Close() { c.m.Close() }

// PosteContext returns a context authenticated as the first poste of a commune.
func (c *centralHandle) PosteContext(t testing.TB, communeID string) context.Context {
	t.Helper()
	postes, err := c.Store.ListPostes(context.Background(), communeID)
	if err != nil || len(postes) == 0 {
		t.Fatalf("aucun poste pour la commune %s : %v", communeID, err)
	}
	return xdemat.NewContextWithPoste(context.Background(), postes[0])
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
