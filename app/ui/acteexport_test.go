package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"xdemat"
)

// The fake agent's proofs of transmission: the domain's stamp lines on a
// tiny "PDF", the AR as a fixed XML, refused in French before the AR.

func (f *fauxAgent) acteAcquitte(id string) (*xdemat.Acte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.actes {
		if a.ID == id {
			if !preuveActe(a) {
				return nil, xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s n'a pas encore reçu l'accusé de réception de la préfecture.", a.NumeroInterne)
			}
			c := *a
			return &c, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Acte introuvable.")
}

func (f *fauxAgent) CopieTamponnee(ctx context.Context, id string) ([]byte, error) {
	if err := f.note("CopieTamponnee " + id); err != nil {
		return nil, err
	}
	a, err := f.acteAcquitte(id)
	if err != nil {
		return nil, err
	}
	lignes, err := a.LignesTampon(time.Time{})
	if err != nil {
		return nil, err
	}
	return []byte("%PDF-1.7\n% " + strings.Join(lignes, " / ")), nil
}

func (f *fauxAgent) AccuseReception(ctx context.Context, id string) ([]byte, error) {
	if err := f.note("AccuseReception " + id); err != nil {
		return nil, err
	}
	a, err := f.acteAcquitte(id)
	if err != nil {
		return nil, err
	}
	return []byte(`<?xml version="1.0"?><actes:ARActe IDActe="` + a.IdentifiantUnique + `"/>`), nil
}

// TestPreuvesDeTransmissionDepuisLaFiche: the fiche of an acknowledged
// acte saves its stamped copy and its AR; those of an acte still on its
// way cannot be saved yet.
func TestPreuvesDeTransmissionDepuisLaFiche(t *testing.T) {
	ag := communeAvecParapheur()
	recu := time.Date(2026, 3, 12, 10, 0, 0, 0, xdemat.Paris)
	ag.actes = append(ag.actes,
		&xdemat.Acte{ID: "a-1", CommuneID: "c-1", Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_001", DateDecision: recu.AddDate(0, 0, -2),
			Objet: "Tarifs de la cantine scolaire", Classification: "7.1", Statut: xdemat.ActeAcquitte, TransmisLe: recu.Add(-time.Hour),
			IdentifiantUnique: "051-215100009-20260312-DE2026_001-DE", DateAR: recu},
		&xdemat.Acte{ID: "a-2", CommuneID: "c-1", Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_002", DateDecision: recu.AddDate(0, 0, -2),
			Objet: "Subvention au comité des fêtes", Classification: "7.5", Statut: xdemat.ActeTransmis, TransmisLe: recu})
	u := connecte(t, ag, Options{})
	var noms []string
	var fichiers [][]byte
	u.enregistrerFichier = func(n string, b []byte, ok func(string)) {
		noms, fichiers = append(noms, n), append(fichiers, b)
		ok("/home/marie/Documents/" + n)
	}

	u.ouvrirActe("a-2")
	fiche := u.win.Canvas().Overlays().Top()
	if !bouton(t, fiche, "Copie tamponnée").Disabled() || !bouton(t, fiche, "Accusé de réception").Disabled() {
		t.Fatal("copie tamponnée ou accusé proposés pour un acte encore en route")
	}
	fermerDialogues(u)

	u.ouvrirActe("a-1")
	fiche = u.win.Canvas().Overlays().Top()
	test.Tap(bouton(t, fiche, "Copie tamponnée"))
	if len(noms) != 1 || noms[0] != "DE2026_001-tamponne.pdf" || !strings.Contains(string(fichiers[0]), "Reçu en préfecture le 12/03/2026") {
		t.Fatalf("copie tamponnée : %q, appels %v, %v", noms, ag.appels, dialogue(u))
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "/home/marie/Documents/DE2026_001-tamponne.pdf") {
		t.Fatalf("message après l'enregistrement : %s", got)
	}
	test.Tap(bouton(t, fiche, "Accusé de réception"))
	if len(noms) != 2 || noms[1] != "DE2026_001-accuse-reception.xml" || !strings.Contains(string(fichiers[1]), "ARActe") {
		t.Fatalf("accusé de réception : %q, appels %v", noms, ag.appels)
	}
}
