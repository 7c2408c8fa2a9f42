package sms_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"xdemat"
	"xdemat/central/sms"
)

func TestTexte(t *testing.T) {
	long := strings.Repeat("Délibération du conseil municipal à transmettre ", 5)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"court, accents du GSM-7 gardés", "xdemat Hautvillers : délibération à signer", "xdemat Hautvillers : délibération à signer"},
		{"accents hors GSM-7 remplacés", "xdemat Sézanne : fête de la Saint-Éloi, reçu « à vérifier »", `xdemat Sézanne : fete de la Saint-Éloi, recu "à vérifier"`},
		{"espaces multiples ramenés à un", "  a\n\tb  ", "a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sms.Texte(tc.in); got != tc.want {
				t.Fatalf("Texte(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	t.Run("trop long en GSM-7 : coupé à un mot, avec ...", func(t *testing.T) {
		got := sms.Texte(long)
		if n := utf8.RuneCountInString(got); n > sms.LongueurMax || n < sms.LongueurMax*2/3 {
			t.Fatalf("%d characters: %q", n, got)
		}
		if !strings.HasSuffix(got, "...") || !strings.HasPrefix(long, strings.TrimSuffix(got, "...")) {
			t.Fatalf("cut %q", got)
		}
		if rest := strings.TrimPrefix(long, strings.TrimSuffix(got, "...")); !strings.HasPrefix(rest, " ") {
			t.Fatalf("cut inside a word: %q, then %q", got, rest)
		}
	})

	t.Run("caractères du tableau d'extension comptés double", func(t *testing.T) {
		got := sms.Texte(strings.Repeat("€", 100))
		if n := utf8.RuneCountInString(got); n != 81 {
			t.Fatalf("%d characters, want 81 (78 € then ...): %q", n, got)
		}
	})

	t.Run("hors GSM-7 : 70 caractères avec …", func(t *testing.T) {
		got := sms.Texte("Réunion 🗓 " + long)
		if n := utf8.RuneCountInString(got); n > sms.LongueurMaxUCS2 || !strings.HasSuffix(got, "…") {
			t.Fatalf("%d characters: %q", n, got)
		}
	})
}

func TestSimulateur(t *testing.T) {
	s := sms.NewSimulateur()
	reports := make(chan sms.Rapport, 10)
	s.OnRapport(func(r sms.Rapport) { reports <- r })
	ctx := context.Background()

	ref, err := s.Send(ctx, sms.Message{ID: "1", To: "+33612345678", Text: "xdemat Hautvillers : alerte"})
	if err != nil || ref == "" {
		t.Fatalf("Send: %q, %v", ref, err)
	}
	ref2, err := s.Send(ctx, sms.Message{ID: "2", To: "+33612345699", Text: "xdemat Hautvillers : alerte"})
	if err != nil || ref2 == ref {
		t.Fatalf("Send to 99: %q, %v", ref2, err)
	}
	_, err = s.Send(ctx, sms.Message{ID: "3", To: "06 12 34 56 78"})
	if xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("national number: %v, want %s", err, xdemat.EINVALID)
	}

	final := map[string]sms.Rapport{}
	timeout := time.After(10 * time.Second)
	for len(final) < 2 {
		select {
		case r := <-reports:
			if r.Etat != sms.EtatEnvoye {
				final[r.ID] = r
			}
		case <-timeout:
			t.Fatalf("reports: %+v", final)
		}
	}
	if r := final["1"]; r.Etat != sms.EtatLivre || r.Reference != ref {
		t.Fatalf("report 1 = %+v", r)
	}
	if r := final["2"]; r.Etat != sms.EtatEchec || r.Erreur != "Numéro injoignable." || r.Reference != ref2 {
		t.Fatalf("report 2 = %+v", r)
	}
	s.Wait()
	if m := s.Messages(); len(m) != 2 || m[0].Text != "xdemat Hautvillers : alerte" {
		t.Fatalf("Messages = %+v", m)
	}
}
