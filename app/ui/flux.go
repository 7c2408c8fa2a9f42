package ui

import (
	"context"
	"errors"
	"time"

	"xdemat"
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
	case "sauvegarde":
		if p, ok := decoder[agent.ProgressionSauvegarde](ev.Data); ok {
			u.progressionSauvegarde(p)
		}
	case "sauvegarde.terminee":
		if s, ok := decoder[xdemat.Sauvegarde](ev.Data); ok {
			u.sauvegardeTerminee(s)
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

// progressionSauvegarde follows a backup, a drill or a restore that runs.
func (u *UI) progressionSauvegarde(p agent.ProgressionSauvegarde) {
	if p.Type == typeRestauration {
		if u.restauration != nil {
			u.restauration.avancer(p)
		}
		return
	}
	e := agent.EtatSauvegarde{}
	if u.etatSauvegarde != nil {
		e = *u.etatSauvegarde
	}
	e.EnCours = &p
	u.etatSauvegarde = &e
	u.barre.afficherSauvegarde(&e)
	u.sauvegarde.afficherEnCours(&p)
}

// sauvegardeTerminee says how a run ended and reloads the state it changed.
func (u *UI) sauvegardeTerminee(s xdemat.Sauvegarde) {
	if s.Type != typeRestauration {
		u.sauvegarde.terminee(s)
		u.assistant.terminee(s)
	}
	if u.etatSauvegarde != nil {
		e := *u.etatSauvegarde
		e.EnCours = nil
		u.etatSauvegarde = &e
		u.barre.afficherSauvegarde(&e)
	}
	appelerSinon(u, func(ctx context.Context) (*agent.EtatSauvegarde, error) {
		return u.ag.EtatSauvegarde(ctx)
	}, u.sauvegardeConnue, func(error) bool { return true }) // the next event retries
	if u.profil != nil && u.ecran == EcranSauvegarde {
		u.sauvegarde.rechargerHistorique()
	}
}
