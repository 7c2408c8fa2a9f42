package ui

import (
	"context"
	"errors"
	"time"

	"xdemat/agent"
	"xdemat/agent/backoff"
)

// suivreFlux follows the agent's events until ctx ends, subscribing again
// after the agent restarts. It runs in its own goroutine.
func (u *UI) suivreFlux(ctx context.Context) {
	b := backoff.New("flux", 10*time.Second, nil)
	premier := true
	for ctx.Err() == nil {
		ch, err := u.ag.Flux(ctx)
		if err != nil {
			u.surUI(func() { u.barre.injoignable(err) })
			b.BackOff(ctx, err)
			continue
		}
		if !premier {
			// Events were missed while the stream was down: reload.
			u.surUI(u.toutRecharger)
		}
		premier = false
		u.lireFlux(ctx, ch)
		// The stream ended: the agent stopped or restarted.
		b.BackOff(ctx, errors.New("flux interrompu"))
	}
}

// lireFlux hands each event to the UI thread until ch closes.
func (u *UI) lireFlux(ctx context.Context, ch <-chan agent.BusEvent) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			u.surUI(func() { u.evenement(ev) })
		}
	}
}

// evenement updates what an event of the agent changes.
func (u *UI) evenement(ev agent.BusEvent) {
	switch ev.Type {
	case "etat":
		u.barre.afficherEvenement(ev.Data)
		if u.profil == nil && u.connexion.nonEnrole {
			// Maybe the enrolment just ended: the login follows.
			u.connexion.rechargerProfils()
		}
	case "notifications":
		if u.profil != nil {
			u.afaire.recharger()
			if u.ecran == EcranNotification {
				u.detail.recharger()
			}
		}
	case "utilisateurs":
		if u.profil == nil {
			u.connexion.rechargerProfils()
		} else if u.ecran == EcranParametres {
			u.parametres.rechargerProfils()
		}
	}
}

// toutRecharger reloads what the window shows.
func (u *UI) toutRecharger() {
	u.barre.rafraichir()
	u.rafraichirIdentite()
	if u.profil == nil {
		u.connexion.rechargerProfils()
		return
	}
	u.afficher(u.ecran)
	if u.ecran != EcranAFaire {
		u.afaire.recharger() // the menu's counter
	}
}
