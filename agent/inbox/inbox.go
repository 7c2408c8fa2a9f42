// Package inbox pulls the commune's events from central by cursor, with
// long-polling, and commits them locally with the new cursor in one
// transaction: an event is applied once, never skipped, whatever is killed when.
package inbox

import (
	"context"
	"log/slog"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/backoff"
	"xdemat/agent/centralclient"
)

// Inbox is the agent.Service that receives central's events.
type Inbox struct {
	Store  agent.Store
	Client *centralclient.Client
	Status *agent.Status
	Bus    *agent.Bus
	Logger *slog.Logger
	// Wait is how long central may hold a poll open when there is nothing new.
	Wait       time.Duration
	MaxBackoff time.Duration
}

// New returns an inbox with sensible defaults.
func New(store agent.Store, client *centralclient.Client, status *agent.Status, bus *agent.Bus, logger *slog.Logger) *Inbox {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Inbox{Store: store, Client: client, Status: status, Bus: bus, Logger: logger, Wait: 25 * time.Second, MaxBackoff: 2 * time.Minute}
}

// Name implements agent.Service.
func (in *Inbox) Name() string { return "inbox" }

// Run polls until ctx ends.
func (in *Inbox) Run(ctx context.Context) error {
	b := backoff.New("inbox", in.MaxBackoff, in.Logger)
	for ctx.Err() == nil {
		err := in.Poll(ctx, in.Wait)
		if ctx.Err() != nil {
			return nil
		}
		if in.Status != nil {
			if err == nil {
				in.Status.Report(ctx, "inbox", true, nil, "")
			} else {
				in.Status.Report(ctx, "inbox", !centralclient.IsOffline(err), err, xdemat.ErrorMessage(err))
			}
		}
		b.BackOff(ctx, err)
	}
	return nil
}

// Poll asks central once for events after the stored cursor and commits them.
func (in *Inbox) Poll(ctx context.Context, wait time.Duration) error {
	st, err := in.Store.SyncState(ctx)
	if err != nil {
		return err
	}
	resp, err := in.Client.Events(ctx, st.Curseur, wait)
	if err != nil {
		return err
	}
	if len(resp.Evenements) == 0 {
		return nil
	}
	if err := in.Store.SaveEvents(ctx, resp.Evenements, resp.Curseur); err != nil {
		return err
	}
	if in.Bus != nil {
		var notifications, utilisateurs bool
		for _, ev := range resp.Evenements {
			in.Bus.Publish(agent.BusEvent{Type: "evenement.recu", Data: ev})
			switch ev.Type {
			case xdemat.OperationNotificationCreee, xdemat.OperationNotificationLue, xdemat.OperationNotificationFaite:
				notifications = true
			case xdemat.OperationUtilisateurEnregistre:
				utilisateurs = true
			}
		}
		// The store applied them (SaveEvents): the app lists them again.
		if notifications {
			in.Bus.Publish(agent.BusEvent{Type: agent.EvenementNotifications})
		}
		if utilisateurs {
			in.Bus.Publish(agent.BusEvent{Type: agent.EvenementUtilisateurs})
		}
	}
	return nil
}

var _ agent.Service = (*Inbox)(nil)
