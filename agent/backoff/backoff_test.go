package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffGrandirPuisPlafonner(t *testing.T) {
	b := New("test", 8*time.Second, nil)
	var slept []time.Duration
	b.Sleep = func(_ context.Context, d time.Duration) { slept = append(slept, d) }
	ctx := context.Background()
	for i := 0; i < 8; i++ {
		b.BackOff(ctx, errors.New("hors ligne"))
	}
	bases := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, d := range slept {
		lo, hi := bases[i]*3/4, bases[i]*5/4
		if d < lo || d > hi {
			t.Errorf("essai %d : attente %v hors de [%v, %v]", i+1, d, lo, hi)
		}
	}
	if b.Failures() != 8 {
		t.Fatalf("échecs = %d, attendu 8", b.Failures())
	}
	b.BackOff(ctx, nil)
	if b.Failures() != 0 {
		t.Fatalf("un succès doit remettre le compteur à zéro, reste %d", b.Failures())
	}
	slept = nil
	b.BackOff(ctx, errors.New("encore"))
	if slept[0] > 625*time.Millisecond {
		t.Fatalf("après un succès l'attente repart du minimum, obtenu %v", slept[0])
	}
}

func TestBackoffContexteAnnuleNAttendPas(t *testing.T) {
	b := New("test", time.Hour, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() { b.BackOff(ctx, errors.New("x")); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("BackOff a attendu malgré un contexte annulé")
	}
	if b.Failures() != 0 {
		t.Fatalf("un contexte annulé n'est pas un échec, compteur = %d", b.Failures())
	}
}
