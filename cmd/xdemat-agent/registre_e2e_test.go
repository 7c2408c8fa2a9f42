package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes/simulateur"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/internal/pdftest"
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
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	if err := c.Store.SaveUtilisateur(ctx, anne); err != nil {
		t.Fatal(err)
	}
	dir := shortTempDir(t)
	enrollAgent(t, c, code, dir)
	mairie := startAgent(t, dir)
	defer mairie.Close()
	secretaire, err := localapi.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer secretaire.Close()
	waitFor(t, "le profil de la secrétaire arrive de central", 30*time.Second, func() (bool, string) {
		ps, err := secretaire.Utilisateurs(ctx)
		return err == nil && len(ps) == 1, fmt.Sprint(len(ps), err)
	})
	if _, err := secretaire.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}

	seance := time.Now().AddDate(0, 0, -1)
	annee := seance.In(xdemat.Paris).Year()
	var crees []*xdemat.Acte
	for _, objet := range []string{"Vote des taux d'imposition", "Tarifs de la salle des fêtes"} {
		doc, err := secretaire.AjouterDocument(ctx, "deliberation.pdf", "application/pdf", bytes.NewReader(pdftest.Minimal("Délibération", objet)))
		if err != nil {
			t.Fatal(err)
		}
		a, err := secretaire.CreerActe(ctx, &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: seance, Objet: objet, Classification: "7.2.1",
			DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
			DocumentPrincipal:  xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"}})
		if err != nil {
			t.Fatal(err)
		}
		crees = append(crees, a)
	}
	if res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{crees[0].ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi direct : %+v, %v", res, err)
	}
	var acquitte *xdemat.Acte
	waitFor(t, "l'acte est acquitté sur le poste", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		f, err := secretaire.FicheActe(ctx, crees[0].ID)
		if err != nil {
			return false, err.Error()
		}
		acquitte = f.Acte
		return f.Acte.Statut == xdemat.ActeAcquitte, string(f.Acte.Statut)
	})

	pdf, err := secretaire.Registre(ctx, xdemat.NatureDeliberation, annee, "chronologique")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("pas un PDF : %.20q", pdf)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent : texte du registre non vérifié (apt-get install poppler-utils)")
	}
	chemin := filepath.Join(t.TempDir(), "registre.pdf")
	if err := os.WriteFile(chemin, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", chemin, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext : %v\n%s", err, out)
	}
	txt := strings.Join(strings.Fields(string(out)), " ")
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
