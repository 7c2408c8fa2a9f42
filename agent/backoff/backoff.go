// Package backoff holds the one retry pacing used by every loop of the agent
// (outbox, inbox, uploads, later backups and watch folders): grow, cap, add
// jitter, reset on success, and never sleep past a cancelled context.
package backoff

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff paces retries after failures. The zero value is not usable: build it
// with New. It is owned by one goroutine.
type Backoff struct {
	Min, Max time.Duration
	// Sleep waits for d or until ctx ends; tests replace it to avoid sleeping.
	Sleep func(ctx context.Context, d time.Duration)
	// Logger receives at most one failure line per LogEvery, and one
	// "recovered" line when a failing loop succeeds again.
	Logger   *slog.Logger
	LogEvery time.Duration

	n       int
	lastLog time.Time
	name    string
}

// New returns a backoff for the loop called name, growing from 500 ms to max.
func New(name string, max time.Duration, logger *slog.Logger) *Backoff {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Backoff{Min: 500 * time.Millisecond, Max: max, Sleep: sleep, Logger: logger, LogEvery: time.Minute, name: name}
}

// Failures returns the number of failures since the last success.
func (b *Backoff) Failures() int { return b.n }

// BackOff records the outcome of one attempt. With err == nil it resets (and
// logs a recovery after failures) and returns at once. Otherwise it waits for
// the next delay, or less if ctx is cancelled; context errors are not logged
// as failures.
func (b *Backoff) BackOff(ctx context.Context, err error) {
	if err == nil {
		if b.n > 0 {
			b.Logger.Info("rétabli", "boucle", b.name, "échecs", b.n)
		}
		b.n = 0
		return
	}
	if ctx.Err() != nil {
		return
	}
	b.n++
	d := b.Delay(b.n)
	if now := time.Now(); b.n == 1 || now.Sub(b.lastLog) >= b.LogEvery {
		b.lastLog = now
		b.Logger.Warn("échec, nouvel essai", "boucle", b.name, "échecs", b.n, "dans", d.Round(time.Millisecond), "err", err)
	}
	b.Sleep(ctx, d)
}

// Delay returns the wait after n consecutive failures: Min·2^(n-1), capped at
// Max, with ±25 % jitter so that 5,000 postes that lost the line together do
// not come back together.
func (b *Backoff) Delay(n int) time.Duration {
	d := b.Min
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
