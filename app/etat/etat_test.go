package etat

import (
	"testing"
	"time"

	"xdemat/agent"
)

func TestBarreDEtat(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 30, 0, 0, time.Local)
	for _, tc := range []struct {
		nom       string
		st        agent.SyncState
		connexion string
		envois    string
		niveau    Niveau
	}{
		{"poste non enrôlé", agent.SyncState{}, "Poste non enrôlé", "Tout est envoyé", NiveauAttention},
		{"en ligne, tout envoyé", agent.SyncState{Enrole: true, EnLigne: true}, "En ligne", "Tout est envoyé", NiveauOK},
		{"en ligne, envois en cours", agent.SyncState{Enrole: true, EnLigne: true, OperationsEnAttente: 3, OctetsEnAttente: 2_200_000}, "En ligne", "3 envois en attente (2,1 Mo)", NiveauAttention},
		{"hors ligne depuis ce matin", agent.SyncState{Enrole: true, DepuisLe: now.Add(-5*time.Hour - 48*time.Minute), OperationsEnAttente: 1}, "Hors ligne depuis 09:42", "1 envoi en attente", NiveauAttention},
		{"hors ligne depuis hier", agent.SyncState{Enrole: true, DepuisLe: now.Add(-20 * time.Hour)}, "Hors ligne depuis hier à 19:30", "Tout est envoyé", NiveauAttention},
		{"hors ligne depuis la semaine dernière", agent.SyncState{Enrole: true, DepuisLe: now.AddDate(0, 0, -7)}, "Hors ligne depuis le 18/11 à 15:30", "Tout est envoyé", NiveauAttention},
		{"central refuse un envoi", agent.SyncState{Enrole: true, EnLigne: true, OperationsEnAttente: 1, DerniereErreur: "Ce poste a été révoqué"}, "En ligne", "1 envoi en attente", NiveauErreur},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			b := Decrire(&tc.st, now)
			if b.Connexion != tc.connexion || b.Envois != tc.envois || b.Niveau != tc.niveau {
				t.Fatalf("obtenu %+v", b)
			}
		})
	}
}
