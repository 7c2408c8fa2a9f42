// Package etat turns the agent's sync state into the words of the status bar
// that the secretary reads at a glance. It has no Fyne import, so its rules
// are tested as plain Go.
package etat

import (
	"fmt"
	"time"

	"xdemat"
	"xdemat/agent"
)

// Niveau tells the status bar which colour and icon to use.
type Niveau int

const (
	NiveauOK        Niveau = iota // green: connected, nothing waiting
	NiveauAttention               // orange: offline or work waiting
	NiveauErreur                  // red: central refuses something
)

// Barre is what the status bar shows.
type Barre struct {
	Connexion string // "En ligne", "Hors ligne depuis 09:42"…
	Envois    string // "Tout est envoyé", "3 envois en attente (2,1 Mo)"
	Detail    string // the last error, in French, for a tooltip
	Niveau    Niveau
}

// Decrire describes st at now.
func Decrire(st *agent.SyncState, now time.Time) Barre {
	var b Barre
	switch {
	case !st.Enrole:
		b.Connexion = "Poste non enrôlé"
		b.Detail = "Le technicien de la SPL doit enrôler ce poste avant tout envoi."
		b.Niveau = NiveauAttention
	case st.EnLigne:
		b.Connexion = "En ligne"
	default:
		b.Connexion = "Hors ligne"
		if !st.DepuisLe.IsZero() {
			b.Connexion += " depuis " + depuis(st.DepuisLe, now)
		}
		b.Niveau = NiveauAttention
	}
	switch n := st.OperationsEnAttente; {
	case n == 0:
		b.Envois = "Tout est envoyé"
	case n == 1:
		b.Envois = "1 envoi en attente"
	default:
		b.Envois = fmt.Sprintf("%d envois en attente", n)
	}
	if st.OctetsEnAttente > 0 {
		b.Envois += " (" + xdemat.Octets(st.OctetsEnAttente) + ")"
	}
	if st.OperationsEnAttente > 0 && b.Niveau == NiveauOK {
		b.Niveau = NiveauAttention
	}
	if st.DerniereErreur != "" {
		b.Detail = st.DerniereErreur
		if st.EnLigne {
			// Central answers but refuses: a person must act.
			b.Niveau = NiveauErreur
		}
	}
	return b
}

// depuis says when, the way one says it: "14:05" today, "hier à 14:05",
// "le 12/11 à 14:05" before.
func depuis(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return t.Format("15:04")
	case now.AddDate(0, 0, -1).Format("2006-01-02") == t.Format("2006-01-02"):
		return "hier à " + t.Format("15:04")
	}
	return "le " + t.Format("02/01") + " à " + t.Format("15:04")
}
