package agent

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEtatLErreurDUneBoucleResteJusquASonPropreSucces(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	s := &Status{Now: func() time.Time { return now }}
	ctx := context.Background()
	refus := "Ce poste a été révoqué par la SPL : contactez-la."
	s.Report(ctx, "outbox", true, errors.New("403"), refus)
	now = now.Add(25 * time.Second)
	s.Report(ctx, "inbox", true, nil, "") // the long-poll answers: central is there
	st, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.EnLigne || st.DerniereErreur != refus {
		t.Fatalf("le refus de l'envoi doit rester affiché tant que l'envoi n'a pas réussi : %+v", st)
	}
	s.Report(ctx, "outbox", true, nil, "")
	if st, _ := s.State(ctx); st.DerniereErreur != "" {
		t.Fatalf("après un envoi réussi, plus d'erreur : %+v", st)
	}
	// Central unreachable: offline since that moment.
	now = now.Add(time.Minute)
	s.Report(ctx, "inbox", false, errors.New("dial"), "Le serveur de la SPL est injoignable.")
	if st, _ := s.State(ctx); st.EnLigne || !st.DepuisLe.Equal(now) || st.DerniereErreur == "" {
		t.Fatalf("hors ligne attendu depuis %v : %+v", now, st)
	}
}
