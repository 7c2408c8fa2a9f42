package agent_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	agentsqlite "xdemat/agent/sqlite"
)

func TestHorsLigneSignaleUneFoisParPeriode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "agent.db")
	store, err := agentsqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { store.Close() }()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := store.SaveIdentity(ctx, &agent.Identity{PosteID: "p-1", Commune: xdemat.Commune{ID: "c-1"}, EnrolleLe: now}); err != nil {
		t.Fatal(err)
	}
	status := func() *agent.Status {
		return &agent.Status{Store: store, Now: func() time.Time { return now }}
	}
	s := status()
	offline := func(s *agent.Status) {
		s.Report(ctx, "inbox", false, errors.New("dial"), "Le serveur de la SPL est injoignable.")
	}
	count := func() int {
		t.Helper()
		ns, err := store.Notifications(ctx, agent.FiltreNotifications{AvecFaites: true}, now)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range ns {
			if x.Type == xdemat.NotificationHorsLigne {
				n++
			}
		}
		return n
	}
	// Never reached since enrollment, 23 h: nothing yet.
	now = now.Add(23 * time.Hour)
	offline(s)
	if n := count(); n != 0 {
		t.Fatalf("%d notification(s) avant 24 h", n)
	}
	now = now.Add(2 * time.Hour)
	offline(s)
	offline(s)
	// A restarted agent does not raise it again for the same period.
	offline(status())
	if n := count(); n != 1 {
		t.Fatalf("%d notification(s) hors ligne, 1 attendue", n)
	}
	// Back online, then offline again for more than a day: a second one.
	s.Report(ctx, "inbox", true, nil, "")
	now = now.Add(30 * time.Hour)
	offline(s)
	if n := count(); n != 2 {
		t.Fatalf("%d notification(s) hors ligne, 2 attendues", n)
	}
	if b := s.Boucles(); len(b) != 1 || b["inbox"] == "" {
		t.Fatalf("boucles %v", b)
	}
}

func TestJournalTechniqueGardeLesDerniersEnregistrementsSansSecret(t *testing.T) {
	var out bytes.Buffer
	j := agent.NewJournalTechnique(3)
	log := slog.New(j.Handler(slog.NewTextHandler(&out, nil))).With("service", "localapi", "secret", "s3cr3t")
	for i := range 5 {
		log.Info("requête", "n", i, "motDePasse", "hunter22", "boucle", "inbox", slog.Group("g", "api_key", "k3y"))
	}
	log.Debug("détail")
	text := string(j.Texte())
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "n=2") || !strings.Contains(lines[2], "n=4") {
		t.Fatalf("journal technique :\n%s", text)
	}
	for _, s := range []string{text, out.String()} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "hunter22") || strings.Contains(s, "k3y") || !strings.Contains(s, "boucle=inbox") {
			t.Fatalf("secret dans le journal ou attribut masqué à tort :\n%s", s)
		}
	}
	if strings.Count(out.String(), "\n") != 5 {
		t.Fatalf("journal normal :\n%s", out.String())
	}
}
