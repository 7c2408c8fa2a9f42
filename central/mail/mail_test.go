package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/mail"
	"xdemat/central/mail/smtptest"
)

func message() *mail.Message {
	return &mail.Message{
		To:        "secretariat@mairie-hautvillers.example",
		ToName:    "Anne Lefèvre",
		Subject:   "[xdemat] Délibération refusée — Hautvillers",
		Text:      "Bonjour,\n\nLa délibération n°2025-014 a été refusée par la préfecture.\nÉchéance : 12/12/2025\nOuvrir : https://central.example/ouvrir/1234\n",
		HTML:      "<p>La délibération n°2025-014 a été refusée.</p><p><a href=\"https://central.example/ouvrir/1234\">Ouvrir dans xdemat</a></p>",
		MessageID: mail.MessageID("central.example", "notif-1", "user-1"),
		Date:      time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
	}
}

func TestSMTPEnvoi(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, err := mail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.From = "ne-pas-repondre@spl.example"
	m, err := mail.NewSMTP(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), message()); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received", len(got))
	}
	g := got[0]
	if g.From != "ne-pas-repondre@spl.example" || len(g.To) != 1 || g.To[0] != "secretariat@mairie-hautvillers.example" {
		t.Fatalf("envelope from %q to %q", g.From, g.To)
	}
	if g.Subject != "[xdemat] Délibération refusée — Hautvillers" {
		t.Fatalf("Subject = %q", g.Subject)
	}
	if !strings.Contains(g.Header.Get("From"), "xdemat") || !strings.Contains(g.Header.Get("From"), "<ne-pas-repondre@spl.example>") {
		t.Fatalf("From = %q", g.Header.Get("From"))
	}
	for _, want := range []string{"La délibération n°2025-014 a été refusée par la préfecture.", "Échéance : 12/12/2025", "https://central.example/ouvrir/1234"} {
		if !strings.Contains(g.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, g.Text)
		}
	}
	if !strings.Contains(g.HTML, `<a href="https://central.example/ouvrir/1234">`) {
		t.Errorf("HTML body = %q", g.HTML)
	}
	if g.MessageID != "<"+message().MessageID+">" {
		t.Errorf("Message-ID = %q", g.MessageID)
	}
	if g.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", g.Header.Get("Auto-Submitted"))
	}
}

func TestSMTPRefus(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, _ := mail.ParseSMTPURL(srv.URL())
	m, _ := mail.NewSMTP(*cfg)
	ctx := context.Background()

	srv.FailNext(1)
	if err := m.Send(ctx, message()); xdemat.ErrorCode(err) != xdemat.EUNAVAILABLE {
		t.Fatalf("temporary refusal: %v, want %s", err, xdemat.EUNAVAILABLE)
	}
	srv.Refuse("secretariat@mairie-hautvillers.example")
	if err := m.Send(ctx, message()); xdemat.ErrorCode(err) != xdemat.EINVALID || !strings.Contains(xdemat.ErrorMessage(err), "refusée") {
		t.Fatalf("refused address: %v, want %s", err, xdemat.EINVALID)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received", n)
	}

	stopped, _ := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: mail.TLSAucun, Timeout: 2 * time.Second})
	if err := stopped.Send(ctx, message()); xdemat.ErrorCode(err) != xdemat.EUNAVAILABLE {
		t.Fatalf("no server: %v, want %s", err, xdemat.EUNAVAILABLE)
	}
}

func TestSMTPTLSObligatoireSansTLS(t *testing.T) {
	srv := smtptest.Start(t)
	m, _ := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSObligatoire, Timeout: 5 * time.Second})
	if err := m.Send(context.Background(), message()); err == nil {
		t.Fatal("sent without TLS although TLS is mandatory")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages received", n)
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      mail.SMTPConfig
		invalid   bool
	}{
		{"relais local sans TLS", "smtp://127.0.0.1:25?tls=aucun", mail.SMTPConfig{Host: "127.0.0.1", Port: 25, TLS: mail.TLSAucun}, false},
		{"fournisseur avec identifiants", "smtp://spl%40example.fr:s3cr%C3%A8t@smtp.example.fr:587?tls=obligatoire",
			mail.SMTPConfig{Host: "smtp.example.fr", Port: 587, User: "spl@example.fr", Password: "s3crèt", TLS: mail.TLSObligatoire}, false},
		{"TLS opportuniste par défaut", "smtp://smtp.example.fr", mail.SMTPConfig{Host: "smtp.example.fr", TLS: mail.TLSOpportuniste}, false},
		{"autre schéma", "https://smtp.example.fr", mail.SMTPConfig{}, true},
		{"sans hôte", "smtp://:25", mail.SMTPConfig{}, true},
		{"port invalide", "smtp://h:99999", mail.SMTPConfig{}, true},
		{"politique inconnue", "smtp://h?tls=peut-etre", mail.SMTPConfig{}, true},
		{"option inconnue", "smtp://h?debug=1", mail.SMTPConfig{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mail.ParseSMTPURL(tc.url)
			if tc.invalid {
				if xdemat.ErrorCode(err) != xdemat.EINVALID {
					t.Fatalf("error %v, want %s", err, xdemat.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestSMTPConfigSansMotDePasseDansLesJournaux(t *testing.T) {
	cfg, err := mail.ParseSMTPURL("smtp://spl:tres-secret@smtp.example.fr:465?tls=obligatoire")
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.String(); strings.Contains(s, "tres-secret") || !strings.Contains(s, "spl@smtp.example.fr:465") {
		t.Fatalf("String() = %q", s)
	}
}

func TestDossier(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "courriels")
	d := &mail.Dossier{Dir: dir, From: "ne-pas-repondre@spl.example"}
	ctx := context.Background()
	if err := d.Send(ctx, message()); err != nil {
		t.Fatal(err)
	}
	// Sent again after a crash: the same file, not a second one.
	if err := d.Send(ctx, message()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".eml") {
		t.Fatalf("files %v, want one .eml", entries)
	}
	raw, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := smtptest.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != message().Subject || !strings.Contains(m.Text, "Échéance : 12/12/2025") || !strings.Contains(m.HTML, "Ouvrir dans xdemat") {
		t.Fatalf("file holds subject %q text %q html %q", m.Subject, m.Text, m.HTML)
	}
	if !strings.Contains(m.Header.Get("To"), "secretariat@mairie-hautvillers.example") {
		t.Fatalf("To = %q", m.Header.Get("To"))
	}
}

func TestMessageIDStable(t *testing.T) {
	a := mail.MessageID("central.example", "n1", "u1")
	if a != mail.MessageID("central.example", "n1", "u1") {
		t.Fatal("Message-ID changes between calls")
	}
	if a == mail.MessageID("central.example", "n1", "u2") || a == mail.MessageID("central.example", "n1u", "1") {
		t.Fatal("different notifications or users share a Message-ID")
	}
	if !strings.HasSuffix(a, "@central.example") {
		t.Fatalf("Message-ID %q", a)
	}
}
