package agent

import "xdemat"

// Profil is a user of the commune as the app's "who is working" list shows it:
// never the password hash, only whether a password is asked.
type Profil struct {
	xdemat.Utilisateur
	AvecMotDePasse bool `json:"avecMotDePasse"`
}

// NewProfil strips the password hash of u.
func NewProfil(u *xdemat.Utilisateur) Profil {
	p := Profil{Utilisateur: *u, AvecMotDePasse: u.MotDePasse != ""}
	p.MotDePasse = ""
	return p
}

// FiltreNotifications selects what the "À faire" page lists.
type FiltreNotifications struct {
	// Pour keeps the notifications meant for everyone and those meant for
	// this Utilisateur.ID ("" keeps them all).
	Pour string `json:"pour,omitempty"`
	// Service keeps one service's notifications ("" for all).
	Service string `json:"service,omitempty"`
	// AvecFaites includes the notifications already done.
	AvecFaites bool `json:"avecFaites,omitempty"`
	// Masques are notification types the user took out of the app in their
	// preferences (xdemat.Preferences.Canaux(type).App false): not listed.
	Masques []string `json:"masques,omitempty"`
	// Limite caps the count (0: no cap).
	Limite int `json:"limite,omitempty"`
}
