package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"xdemat"
)

// Two délibérations of the same séance: one is sent and acknowledged by the
// préfecture (simulated @CTES) through central, the other is not sent. The
// registre des délibérations the poste prints shows them with their order
// numbers, the first with the date of its AR and its identifiant unique,
// the second "non transmis", and the séance's closing sheet to sign.
func TestRegistreApresAccuseDeReception(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et agent")
	}
	ctx := context.Background()
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Jonchery-sur-Vesle", sirens[5])
	anne := secretaireDe(commune)
	enregistrerUtilisateurs(t, c, anne)
	secretaire := ouvrirPoste(t, c, code, anne, 1)

	seance := time.Now().AddDate(0, 0, -1)
	annee := seance.In(xdemat.Paris).Year()
	crees := []*xdemat.Acte{
		creerDeliberation(t, secretaire, "Vote des taux d'imposition", seance),
		creerDeliberation(t, secretaire, "Tarifs de la salle des fêtes", seance),
	}
	envoyerDirectement(t, secretaire, crees[0].ID)
	acquitte := attendreStatutActe(t, c, secretaire, crees[0].ID, xdemat.ActeAcquitte).Acte

	pdf, err := secretaire.Registre(ctx, xdemat.NatureDeliberation, annee, "chronologique")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("pas un PDF : %.20q", pdf)
	}
	txt := texteDuPDF(t, pdf)
	attendus := []string{
		"Jonchery-sur-Vesle",
		"Séance du ",
		"N° d'ordre 1 — " + crees[0].NumeroInterne, "Vote des taux d'imposition",
		"Transmission : accusé de réception du " + acquitte.DateAR.In(xdemat.Paris).Format("02/01/2006") + ", identifiant " + acquitte.IdentifiantUnique,
		"N° d'ordre 2 — " + crees[1].NumeroInterne, "Tarifs de la salle des fêtes", "Transmission : non transmis",
		"Clôture de la séance du ", "numéros d'ordre 1 à 2", "Signature du maire",
	}
	pos := 0
	for _, s := range attendus {
		i := strings.Index(txt[pos:], s)
		if i < 0 {
			t.Fatalf("le registre ne dit pas %q à sa place :\n%s", s, txt)
		}
		pos += i + len(s)
	}
}
