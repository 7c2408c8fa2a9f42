package server

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"xdemat/central/mail/smtptest"
)

// A message of the SPL sent from the command line reaches, through the
// running server's SMTP settings, the commune's people by e-mail.
func TestNotificationDeLaLigneDeCommandeParCourriel(t *testing.T) {
	dir := t.TempDir()
	srv := smtptest.Start(t)
	ctx := context.Background()
	m, _ := newTestMain(dir)
	if err := m.ParseFlags(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-url", "https://central.spl.example:8443",
		"-smtp", srv.URL(), "-smtp-from", "ne-pas-repondre@spl.example"}); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	mustCLI(t, dir, "commune", "create", "-siren", "215100009", "-nom", "Commune de Démonstration", "-departement", "51", "-population", "180")
	out := mustCLI(t, dir, "utilisateur", "create", "-commune", "215100009", "-nom", "Lefèvre", "-prenom", "Anne", "-email", "secretariat@demo.example",
		"-telephone", "06 12 34 56 78", "-role", "secrétaire")
	if id := strings.TrimSpace(out); len(id) != 36 {
		t.Fatalf("utilisateur create : %q", out)
	}
	if out := mustCLI(t, dir, "utilisateur", "list", "-commune", "215100009"); !strings.Contains(out, "Anne Lefèvre") || !strings.Contains(out, "+33612345678") {
		t.Fatalf("utilisateur list : %q", out)
	}
	mustCLI(t, dir, "notification", "send", "-commune", "215100009", "-type", "spl.alerte", "-titre", "Hameçonnage en cours",
		"-texte", "Ne cliquez pas sur les liens.", "-echeance", "2026-12-01")

	// The CLI ran in another store: the server finds the envoi at its next poll.
	m.dispatcher.Wake()
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	msgs := srv.Wait(t, 1, 30*time.Second)
	if msgs[0].Subject != "[xdemat] Hameçonnage en cours — Commune de Démonstration" || msgs[0].To[0] != "secretariat@demo.example" ||
		!strings.Contains(msgs[0].Text, "https://central.spl.example:8443/ouvrir/") {
		t.Fatalf("courriel %q à %v :\n%s", msgs[0].Subject, msgs[0].To, msgs[0].Text)
	}
}

func TestMotDePasseSMTPJamaisJournalise(t *testing.T) {
	m, _ := newTestMain(t.TempDir())
	m.SMTPURL = "smtp://spl:secret-smtp@smtp.example.fr:587?tls=obligatoire"
	if d := m.mailDescription(); strings.Contains(d, "secret-smtp") || !strings.Contains(d, "smtp.example.fr") {
		t.Fatalf("description %q", d)
	}
}

func TestLigneDeCommandeUtilisateursEtNotifications(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "commune", "create", "-siren", "215100009", "-nom", "Commune de Démonstration", "-departement", "51", "-population", "180")
	for _, tc := range []struct {
		nom     string
		args    []string
		message string
	}{
		{"utilisateur sans commune", []string{"utilisateur", "create", "-nom", "Martin", "-role", "maire"}, "indiquez la commune"},
		{"commune inconnue", []string{"utilisateur", "list", "-commune", "217500016"}, "Aucune commune de SIREN"},
		{"rôle inconnu", []string{"utilisateur", "create", "-commune", "215100009", "-nom", "Martin", "-role", "chef"}, "Rôle \"chef\" inconnu"},
		{"téléphone fixe", []string{"utilisateur", "create", "-commune", "215100009", "-nom", "Martin", "-role", "maire", "-telephone", "03 26 00 00 00"}, "mobile"},
		{"notification sans titre", []string{"notification", "send", "-commune", "215100009"}, "titre"},
		{"type de notification réservé", []string{"notification", "send", "-commune", "215100009", "-type", "poste.enrole", "-titre", "x"}, "spl.message ou spl.alerte"},
		{"échéance illisible", []string{"notification", "send", "-commune", "215100009", "-titre", "x", "-echeance", "demain"}, "AAAA-MM-JJ"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			_, err := runCLI(t, dir, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("erreur %v, %q attendu", err, tc.message)
			}
		})
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
