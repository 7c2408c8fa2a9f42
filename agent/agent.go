package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"xdemat/agent/backoff"
)

// Service is one long-running part of the agent (local API, outbox, inbox,
// later watch folders and backups). Run blocks until ctx ends or the service
// fails; a failed service is restarted with backoff unless its error wraps
// ErrFatal.
type Service interface {
	Name() string
	Run(ctx context.Context) error
}

// ErrFatal marks an error after which the agent must stop (a corrupt store, a
// socket that cannot be opened) instead of restarting the service.
var ErrFatal = errors.New("fatal")

// Agent runs its services until ctx ends.
type Agent struct {
	Services []Service
	Logger   *slog.Logger
	// MaxRestartDelay caps the backoff between restarts of a failed service.
	MaxRestartDelay time.Duration
}

// Run starts every service, restarts those that fail, and returns when ctx
// ends (nil) or a service fails fatally (its error, after stopping the others).
func (a *Agent) Run(ctx context.Context) error {
	logger := a.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	max := a.MaxRestartDelay
	if max == 0 {
		max = time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		fatal error
	)
	for _, s := range a.Services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log := logger.With("service", s.Name())
			b := backoff.New(s.Name(), max, log)
			for ctx.Err() == nil {
				err := s.Run(ctx)
				if ctx.Err() != nil {
					return
				}
				if errors.Is(err, ErrFatal) {
					log.Error("arrêt du service", "err", err)
					once.Do(func() { fatal = err; cancel() })
					return
				}
				if err == nil {
					err = errors.New("service stopped unexpectedly")
				}
				b.BackOff(ctx, err)
			}
		}()
	}
	wg.Wait()
	return fatal
}
