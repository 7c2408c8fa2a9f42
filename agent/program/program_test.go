package program

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent/localapi"
)

func shortDir(t *testing.T) string {
	t.Helper()
	// Unix socket paths are limited to about 104 bytes: t.TempDir() is too deep.
	d, err := os.MkdirTemp("", "xd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func newMain(dir string) *Main {
	m := NewMain()
	m.DataDir, m.Version, m.Embarque = dir, "9.9.9", true
	m.EnrollPoll = 50 * time.Millisecond
	m.Logger = slog.New(slog.DiscardHandler)
	return m
}

func TestUnSeulAgentParDossierDeDonnees(t *testing.T) {
	ctx := context.Background()
	dir := shortDir(t)
	first := newMain(dir)
	if err := first.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	c, err := localapi.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CreerOperation(ctx, "acte.cree", "u-1", nil, nil); err != nil {
		t.Fatal(err)
	}

	// A second agent on the same folder (the app starting its own while the
	// service runs) fails at once, in French, before opening anything.
	started := time.Now()
	second := newMain(dir)
	err = second.Run(ctx)
	if xdemat.ErrorCode(err) != xdemat.EUNAVAILABLE || !strings.Contains(xdemat.ErrorMessage(err), "Un autre agent xdemat utilise déjà le dossier de données") {
		t.Fatalf("erreur %v", err)
	}
	if time.Since(started) > 2*time.Second || second.Store != nil {
		t.Fatalf("le second agent a attendu ou ouvert la base (%v)", time.Since(started))
	}
	second.Close() // harmless
	// The first one still answers, its data intact.
	st, err := c.Etat(ctx)
	if err != nil || st.OperationsEnAttente != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
	d, err := c.Diagnostic(ctx)
	if err != nil || d.Version != "9.9.9" || d.DemarreLe.IsZero() {
		t.Fatalf("%+v, %v", d, err)
	}
	text, err := c.JournalTechnique(ctx)
	if err != nil || !strings.Contains(string(text), "démarrage de l'agent") {
		t.Fatalf("journal technique %q, %v", text, err)
	}

	// Closed, the folder is free again.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third := newMain(dir)
	if err := third.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	c2, err := localapi.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if st, err := c2.Etat(ctx); err != nil || st.OperationsEnAttente != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
}
