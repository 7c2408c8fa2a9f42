// Package banc starts, for end-to-end tests, the real parts of the suite in
// the test's process: the SPL's central server (SQLite, TLS, its
// simulators) with a commune, and the agent of a mairie PC. Only tests
// import it.
package banc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/program"
	"xdemat/central"
	"xdemat/central/server"
)

// Central starts central in dir with the flags args (after "serve") and
// creates the commune of Sainte-Menehould.
func Central(t testing.TB, dir string, args ...string) (*server.Main, central.Store, *xdemat.Commune) {
	t.Helper()
	ctx := context.Background()
	c := server.NewMain()
	c.DataDir = dir + "/central"
	c.ListenAddr, c.AdminListenAddr, c.PublicListenAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	c.Stdout, c.Stderr = io.Discard, io.Discard
	c.Logger = slog.New(slog.DiscardHandler)
	if err := c.ParseFlags(ctx, append([]string{"serve"}, args...)); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	st := c.Store()
	commune := &xdemat.Commune{SIREN: "215100009", Nom: "Sainte-Menehould", Departement: "51", Population: 4200}
	if err := st.CreateCommune(ctx, commune); err != nil {
		t.Fatal(err)
	}
	return c, st, commune
}

// Agent starts the agent of a mairie PC on dir (not enrolled).
func Agent(t testing.TB, dir string) *program.Main {
	t.Helper()
	m := program.NewMain()
	m.DataDir = dir + "/agent"
	m.RetryMax = 200 * time.Millisecond
	m.EnrollPoll = 50 * time.Millisecond
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// CodeEnrolement issues a one-time enrollment code for the commune, as the
// SPL's console does.
func CodeEnrolement(t testing.TB, st central.Store, commune *xdemat.Commune) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	code := strings.ToUpper(hex.EncodeToString(b))
	now := time.Now().UTC()
	if err := st.CreateCode(context.Background(), &xdemat.CodeEnrolement{Code: code, CommuneID: commune.ID, CreeLe: now, ExpireLe: now.Add(xdemat.DureeCodeEnrolement)}); err != nil {
		t.Fatal(err)
	}
	return code
}

// Enroler enrolls m with central c, as the technician would.
func Enroler(t testing.TB, c *server.Main, st central.Store, commune *xdemat.Commune, m *program.Main) {
	t.Helper()
	_, err := program.Enroler(context.Background(), m.Store, m.DataDir, agent.DemandeEnrolement{
		Central: "https://" + c.Addr(), Code: CodeEnrolement(t, st, commune), Empreinte: c.CertFingerprint(), Nom: "PC-MAIRIE"})
	if err != nil {
		t.Fatal(err)
	}
}

// PosteContext is the context of a request from the commune's first poste,
// for central's store queries scoped to it.
func PosteContext(t testing.TB, st central.Store, communeID string) context.Context {
	t.Helper()
	postes, err := st.ListPostes(context.Background(), communeID)
	if err != nil || len(postes) == 0 {
		t.Fatalf("aucun poste : %v", err)
	}
	return xdemat.NewContextWithPoste(context.Background(), postes[0])
}
