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

// The Xactes end-to-end tests share the same scene: a commune on central,
// a poste enrolled with its code, a user's session on it, délibérations
// recorded there and followed until the préfecture (simulated @CTES)
// answers. These helpers set it.

// ouvrirPoste enrolls a new poste of the commune with code, starts its
// agent and opens u's session once the commune's profils user profiles
// have come from central.
func ouvrirPoste(t *testing.T, c *centralHandle, code string, u *xdemat.Utilisateur, profils int) *localapi.Client {
	t.Helper()
	dir := shortTempDir(t)
	enrollAgent(t, c, code, dir)
	m := startAgent(t, dir)
	t.Cleanup(func() { m.Close() })
	return ouvrirSession(t, dir, u, profils)
}

// ouvrirSession dials the agent of the poste in dir and opens u's session
// once the commune's profils user profiles have come from central.
func ouvrirSession(t *testing.T, dir string, u *xdemat.Utilisateur, profils int) *localapi.Client {
	t.Helper()
	ctx := context.Background()
	cl, err := localapi.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	waitFor(t, "les profils de la commune arrivent de central", 30*time.Second, func() (bool, string) {
		ps, err := cl.Utilisateurs(ctx)
		return err == nil && len(ps) == profils, fmt.Sprint(len(ps), err)
	})
	if _, err := cl.OuvrirSession(ctx, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	return cl
}

// enregistrerUtilisateurs records the commune's users on central.
func enregistrerUtilisateurs(t *testing.T, c *centralHandle, us ...*xdemat.Utilisateur) {
	t.Helper()
	for _, u := range us {
		if err := c.Store.SaveUtilisateur(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
}

// secretaireDe and maireDe are the commune's secretary and maire.
func secretaireDe(commune *xdemat.Commune) *xdemat.Utilisateur {
	return &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
}

func maireDe(commune *xdemat.Commune) *xdemat.Utilisateur {
	return &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Jacques", Nom: "Bertin", Role: xdemat.RoleMaire, Actif: true}
}

// nouvelleDeliberation is a délibération of the séance of le about objet,
// its main document (PDF, the given lines) recorded on the poste, its
// numéro left for the poste to propose.
func nouvelleDeliberation(t *testing.T, cl *localapi.Client, objet string, le time.Time, lignes ...string) *xdemat.Acte {
	t.Helper()
	if len(lignes) == 0 {
		lignes = []string{"Délibération", objet}
	}
	doc, err := cl.AjouterDocument(context.Background(), "deliberation.pdf", "application/pdf", bytes.NewReader(pdftest.Minimal(lignes...)))
	if err != nil {
		t.Fatal(err)
	}
	return &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: le, Objet: objet,
		Classification: "7.2.1", DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"}}
}

// creerDeliberation records nouvelleDeliberation on the poste.
func creerDeliberation(t *testing.T, cl *localapi.Client, objet string, le time.Time, lignes ...string) *xdemat.Acte {
	t.Helper()
	a, err := cl.CreerActe(context.Background(), nouvelleDeliberation(t, cl, objet, le, lignes...))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// envoyerDirectement sends already signed actes to the préfecture.
func envoyerDirectement(t *testing.T, cl *localapi.Client, ids ...string) {
	t.Helper()
	res, err := cl.EnvoyerActes(context.Background(), agent.DemandeEnvoiActes{Actes: ids})
	if err != nil {
		t.Fatalf("envoi direct : %v", err)
	}
	for _, r := range res {
		if r.Erreur != "" {
			t.Fatalf("envoi direct : %+v", res)
		}
	}
}

// attendreStatutActe wakes central's @CTES connector until the acte
// reaches statut on the poste, and returns its fiche then.
func attendreStatutActe(t *testing.T, c *centralHandle, cl *localapi.Client, id string, statut xdemat.StatutActe) *agent.FicheActe {
	t.Helper()
	var f *agent.FicheActe
	waitFor(t, "l'acte devient « "+statut.Libelle()+" » sur le poste", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		var err error
		if f, err = cl.FicheActe(context.Background(), id); err != nil {
			return false, err.Error()
		}
		return f.Acte.Statut == statut, string(f.Acte.Statut)
	})
	return f
}

// texteDuPDF is what pdftotext reads in pdf, blanks folded to one space;
// the test is skipped without pdftotext.
func texteDuPDF(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext absent : texte du PDF non vérifié (apt-get install poppler-utils)")
	}
	chemin := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(chemin, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", chemin, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext : %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
