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
	"xdemat/actes"
	"xdemat/actes/simulateur"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/internal/pdftest"
)

// A délibération sent directly (already signed) is acknowledged by the
// préfecture (simulated @CTES) through central: the poste then serves its
// stamped copy, which reads "Reçu en préfecture le …" and the identifiant
// unique, and the AR file central kept and the poste fetched, which is the
// platform's ARActe.
func TestCopieTamponneeEtAccuseDeReceptionSurLePoste(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et agent")
	}
	ctx := context.Background()
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Fismes", sirens[4])
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	if err := c.Store.SaveUtilisateur(ctx, anne); err != nil {
		t.Fatal(err)
	}
	dirMairie := shortTempDir(t)
	enrollAgent(t, c, code, dirMairie)
	mairie := startAgent(t, dirMairie)
	defer mairie.Close()
	secretaire, err := localapi.Dial(dirMairie)
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

	pdf := pdftest.Minimal("Délibération n° DE2026_001", "Vote des taux d'imposition")
	doc, err := secretaire.AjouterDocument(ctx, "deliberation.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	a, err := secretaire.CreerActe(ctx, &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: time.Now().AddDate(0, 0, -1),
		Objet: "Vote des taux d'imposition", Classification: "7.2.1", DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secretaire.CopieTamponnee(ctx, a.ID); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("copie tamponnée avant l'envoi : %v", err)
	}
	if res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi direct : %+v, %v", res, err)
	}
	var f *agent.FicheActe
	waitFor(t, "l'acte est acquitté sur le poste", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		if f, err = secretaire.FicheActe(ctx, a.ID); err != nil {
			return false, err.Error()
		}
		return f.Acte.Statut == xdemat.ActeAcquitte, string(f.Acte.Statut)
	})
	ident := f.Acte.IdentifiantUnique
	if !xdemat.ValidIdentifiantActe(ident) || !xdemat.ValidSHA256(f.Acte.DocumentAR) {
		t.Fatalf("acte acquitté %+v", f.Acte)
	}

	copie, err := secretaire.CopieTamponnee(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(copie, pdf) {
		t.Fatal("la copie tamponnée n'est pas le document transmis suivi du tampon")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext absent : texte de la copie tamponnée non vérifié (apt-get install poppler-utils)")
	} else {
		chemin := filepath.Join(t.TempDir(), a.NumeroInterne+"-tamponne.pdf")
		if err := os.WriteFile(chemin, copie, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", chemin, "-").CombinedOutput()
		recu := "Reçu en préfecture le " + f.Acte.DateAR.In(xdemat.Paris).Format("02/01/2006")
		if err != nil || !strings.Contains(string(out), recu) || !strings.Contains(string(out), "ID : "+ident) || !strings.Contains(string(out), "Vote des taux") {
			t.Fatalf("pdftotext de la copie tamponnée (%v) :\n%s", err, out)
		}
	}

	// The AR file comes from central in the background.
	var ar []byte
	waitFor(t, "le fichier de l'accusé de réception arrive sur le poste", 30*time.Second, func() (bool, string) {
		ar, err = secretaire.AccuseReception(ctx, a.ID)
		return err == nil, fmt.Sprint(err)
	})
	r, err := actes.LireRetour(ar)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Messages) != 1 {
		t.Fatalf("%d messages dans l'accusé", len(r.Messages))
	}
	if m, ok := r.Messages[0].Message.(*actes.ARActe); !ok || m.IDActe != ident {
		t.Fatalf("accusé de réception : %#v", r.Messages[0].Message)
	}
	// Byte for byte the platform's.
	trouve := false
	for _, ret := range c.m.SimulateurActes().Retours(0, "") {
		if ret.IDActe != ident {
			continue
		}
		if bytes.Equal(ret.Octets, ar) {
			trouve = true
		} else if fs, err := actes.LireFichiers(ret.Octets); err == nil {
			for _, x := range fs {
				trouve = trouve || bytes.Equal(x.Contenu, ar)
			}
		}
	}
	if !trouve {
		t.Fatal("le fichier de l'accusé n'est pas celui que la plateforme a émis")
	}
}
