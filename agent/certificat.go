package agent

import (
	"context"
	"log/slog"
	"time"

	"xdemat"
)

// MagasinCertificats is the part of the store that keeps the signature
// certificates seen on tokens.
type MagasinCertificats interface {
	EnregistrerCertificat(ctx context.Context, c *xdemat.CertificatSignature) error
	Certificats(ctx context.Context) ([]*xdemat.CertificatSignature, error)
}

// Certificats warns the élus before their signature certificates expire
// (60, 30 and 7 days before, and once expired). The app hands it each
// certificate it sees on a token; the check then runs every few hours, token
// plugged in or not: a maire who signs twice a year must not discover an
// expired certificate on the day of a budget.
type Certificats struct {
	Store      MagasinCertificats
	Lever      func(ctx context.Context, n *xdemat.Notification) error // Status.Lever
	Now        func() time.Time
	Intervalle time.Duration // between checks; 6 h when zero
	Logger     *slog.Logger  // nil: nowhere
}

// Name implements Service.
func (c *Certificats) Name() string { return "certificats" }

// Run checks at start-up, then every Intervalle.
func (c *Certificats) Run(ctx context.Context) error {
	every := c.Intervalle
	if every <= 0 {
		every = 6 * time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := c.Verifier(ctx); err != nil && c.Logger != nil && ctx.Err() == nil {
			c.Logger.Warn("vérification des certificats", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Enregistrer keeps c and warns at once if it is due.
func (c *Certificats) Enregistrer(ctx context.Context, cert *xdemat.CertificatSignature) error {
	cert.VuLe = c.now()
	if err := c.Store.EnregistrerCertificat(ctx, cert); err != nil {
		return err
	}
	return c.alerter(ctx, cert)
}

// Verifier raises the warnings due now. Each threshold's notification has
// a fixed ID, so checking again raises nothing new.
func (c *Certificats) Verifier(ctx context.Context) error {
	certs, err := c.Store.Certificats(ctx)
	if err != nil {
		return err
	}
	for _, cert := range certs {
		if err := c.alerter(ctx, cert); err != nil {
			return err
		}
	}
	return nil
}

func (c *Certificats) alerter(ctx context.Context, cert *xdemat.CertificatSignature) error {
	n, cle := cert.AlerteExpiration(c.now())
	if n == nil {
		return nil
	}
	n.ID = IDNotification(n.Type, cle)
	return c.Lever(ctx, n)
}

func (c *Certificats) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
