package xdemat

import (
	"slices"
	"testing"
	"time"
)

func TestLignesTamponDeLActe(t *testing.T) {
	id := "051-215100009-20260312-DE2026_001-DE"
	// 23:30 UTC on 11 March is already 12 March in Paris.
	envoye := time.Date(2026, 3, 11, 23, 30, 0, 0, time.UTC)
	recu := time.Date(2026, 3, 12, 8, 15, 0, 0, Paris)
	acquitte := Acte{NumeroInterne: "DE2026_001", Statut: ActeAcquitte, TransmisLe: envoye, IdentifiantUnique: id, DateAR: recu}
	for _, tc := range []struct {
		nom      string
		acte     Acte
		publieLe time.Time
		attendu  []string
		code     string
	}{
		{"acquitté, pas encore publié", acquitte, time.Time{}, []string{
			"Envoyé en préfecture le 12/03/2026", "Reçu en préfecture le 12/03/2026", "ID : " + id}, ""},
		{"acquitté et publié (date lue à Paris)", acquitte, time.Date(2026, 3, 13, 23, 10, 0, 0, time.UTC), []string{
			"Envoyé en préfecture le 12/03/2026", "Reçu en préfecture le 12/03/2026", "Publié le 14/03/2026", "ID : " + id}, ""},
		{"accusé de réception arrivé avant la transmission", func() Acte { a := acquitte; a.TransmisLe = time.Time{}; return a }(), time.Time{}, []string{
			"Envoyé en préfecture le 12/03/2026", "Reçu en préfecture le 12/03/2026", "ID : " + id}, ""},
		{"annulation en cours : l'acte reste tamponné", func() Acte { a := acquitte; a.Statut = ActeAnnulationTransmise; return a }(), time.Time{}, []string{
			"Envoyé en préfecture le 12/03/2026", "Reçu en préfecture le 12/03/2026", "ID : " + id}, ""},
		{"transmis sans accusé de réception", Acte{NumeroInterne: "DE2026_002", Statut: ActeTransmis, TransmisLe: envoye}, time.Time{}, nil, ECONFLICT},
		{"annulé", func() Acte { a := acquitte; a.Statut = ActeAnnule; return a }(), time.Time{}, nil, ECONFLICT},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			l, err := tc.acte.LignesTampon(tc.publieLe)
			if ErrorCode(err) != tc.code && !(err == nil && tc.code == "") {
				t.Fatalf("erreur %v, code attendu %q", err, tc.code)
			}
			if !slices.Equal(l, tc.attendu) {
				t.Errorf("lignes %q, attendu %q", l, tc.attendu)
			}
		})
	}
}

func TestLeFichierDeLAccuseDeReceptionSuitLActe(t *testing.T) {
	id := "051-215100009-20260312-DE2026_001-DE"
	h := "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
	le := time.Date(2026, 3, 12, 9, 0, 0, 0, Paris)
	acteID := "6f1c2a3e-8a4b-4c1d-9e2f-0a1b2c3d4e5f"
	for _, tc := range []struct {
		nom     string
		avant   StatutActe
		change  StatutActeChange
		attendu string
		valide  bool
	}{
		{"accusé de réception avec son fichier", ActeTransmis,
			StatutActeChange{ActeID: acteID, Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le, DocumentAR: h, Le: le}, h, true},
		{"accusé de réception rejoué avec son fichier", ActeAcquitte,
			StatutActeChange{ActeID: acteID, Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le, DocumentAR: h, Le: le}, h, true},
		{"accusé de réception sans fichier (central ancien)", ActeTransmis,
			StatutActeChange{ActeID: acteID, Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le, Le: le}, "", true},
		{"empreinte du fichier invalide", ActeTransmis,
			StatutActeChange{ActeID: acteID, Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le, DocumentAR: "ar.xml", Le: le}, "", false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			if err := tc.change.Validate(); (err == nil) != tc.valide {
				t.Fatalf("Validate : %v", err)
			}
			if !tc.valide {
				return
			}
			a := &Acte{ID: acteID, NumeroInterne: "DE2026_001", Statut: tc.avant}
			if err := tc.change.Appliquer(a); err != nil {
				t.Fatal(err)
			}
			if a.DocumentAR != tc.attendu || a.Statut != ActeAcquitte {
				t.Errorf("acte après l'accusé : statut %s, fichier %q", a.Statut, a.DocumentAR)
			}
		})
	}
}
