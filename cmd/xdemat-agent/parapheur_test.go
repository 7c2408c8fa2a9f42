package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/internal/pdftest"
	"xdemat/internal/pkitest"
	"xdemat/signature/pades"
)

// The secretary deposits a délibération on the mairie's PC; the maire, on
// his own laptop (another poste of the commune), finds it waiting, reads it,
// signs it while the line is down, and once central is back the mairie's PC
// sees it signed, with the signature itself, and the secretary is told.
func TestParapheurDeuxPostesDeLaCommune(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et deux agents")
	}
	ctx := context.Background()
	dir := t.TempDir()
	c := startCentral(t, dir, "127.0.0.1:0")
	addr := c.Addr
	commune, codeMairie := newCommune(t, c.Store, "Sainte-Menehould", sirens[2])
	codePortable := newCode(t, c.Store, commune.ID)
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	jacques := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Jacques", Nom: "Bertin", Role: xdemat.RoleMaire, Actif: true}
	for _, u := range []*xdemat.Utilisateur{anne, jacques} {
		if err := c.Store.SaveUtilisateur(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	dirMairie, dirPortable := shortTempDir(t), shortTempDir(t)
	enrollAgent(t, c, codeMairie, dirMairie)
	enrollAgent(t, c, codePortable, dirPortable)
	mairie, portable := startAgent(t, dirMairie), startAgent(t, dirPortable)
	defer mairie.Close()
	defer portable.Close()

	session := func(d string, u *xdemat.Utilisateur) *localapi.Client {
		cl, err := localapi.Dial(d)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		waitFor(t, "les profils de la commune arrivent de central", 30*time.Second, func() (bool, string) {
			ps, err := cl.Utilisateurs(ctx)
			return err == nil && len(ps) == 2, fmt.Sprint(len(ps), err)
		})
		if _, err := cl.OuvrirSession(ctx, u.ID, ""); err != nil {
			t.Fatal(err)
		}
		return cl
	}
	secretaire, maire := session(dirMairie, anne), session(dirPortable, jacques)

	// At the mairie: the délibération goes into the parapheur.
	pdf := pdftest.Minimal("Délibération n° 2026-014", "Tarifs de la cantine scolaire")
	doc, err := secretaire.AjouterDocument(ctx, "Délibération 2026-014.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	d, err := secretaire.DeposerDossier(ctx, agent.DemandeDepot{Titre: "Délibération 2026-014 : tarifs de la cantine", Type: xdemat.DossierDeliberation,
		Documents: []string{doc.SHA256}})
	if err != nil {
		t.Fatal(err)
	}

	// On the maire's laptop: it waits for him, with its document.
	debut := time.Now()
	waitFor(t, "le document attend le maire sur son portable", 30*time.Second, func() (bool, string) {
		l, err := maire.ATraiter(ctx)
		if err != nil || len(l) != 1 || l[0].Dossier.ID != d.ID {
			return false, fmt.Sprint(len(l), err)
		}
		rc, err := maire.LireDocument(ctx, doc.SHA256)
		if err != nil {
			return false, err.Error()
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return bytes.Equal(b, pdf), "document incomplet"
	})
	t.Logf("dépôt → « à signer » sur le portable avec le document : %v", time.Since(debut).Round(time.Millisecond))
	var aSigner bool
	ns, _ := maire.Notifications(ctx, agent.FiltreNotifications{Service: xdemat.ServiceParapheur})
	for _, n := range ns {
		aSigner = aSigner || (n.Type == xdemat.NotificationParapheurASigner && n.Destinataire == jacques.ID && n.Objet.ID == d.ID)
	}
	if !aSigner {
		t.Fatalf("pas de notification « Document à signer » pour le maire : %+v", ns)
	}

	// The line goes down; the maire signs all the same.
	c.Close()
	ac := pkitest.NouvelleAC(t)
	cle := pkitest.CleRSA(t)
	cert := ac.Emettre(t, cle.Public(), pkitest.Signataire{Nom: "Jacques Bertin", Organisation: "Commune de Sainte-Menehould"})
	rep, err := maire.SignerLot(ctx, []string{d.ID}, cert, cle, nil)
	if err != nil || len(rep.Signes) != 1 {
		t.Fatalf("signature hors ligne : %+v, %v", rep, err)
	}
	if got := rep.Signes[0]; got.Etat != xdemat.DossierSigne {
		t.Fatalf("sur le portable : %s", got.Etat)
	}

	// Central is back: the mairie's PC sees it signed, with the signature.
	c = startCentral(t, dir, addr)
	var signe *xdemat.DossierParapheur
	waitFor(t, "la mairie voit le document signé", 60*time.Second, func() (bool, string) {
		got, err := secretaire.DossierParapheur(ctx, d.ID)
		if err != nil {
			return false, err.Error()
		}
		signe = got
		if got.Etat != xdemat.DossierSigne {
			return false, string(got.Etat)
		}
		rc, err := secretaire.LireDocument(ctx, got.Documents[0])
		if err != nil {
			return false, err.Error()
		}
		rc.Close()
		return true, ""
	})
	// The signed PDF (PAdES) came to the mairie and verifies, with
	// poppler's pdfsig too when it is installed.
	rc, err := secretaire.LireDocument(ctx, signe.Documents[0])
	if err != nil {
		t.Fatal(err)
	}
	signePDF, _ := io.ReadAll(rc)
	rc.Close()
	racines := x509.NewCertPool()
	racines.AddCert(ac.Cert)
	if sigs, err := pades.VerifierSignatures(signePDF, racines); err != nil || len(sigs) != 1 || !bytes.HasPrefix(signePDF, pdf) {
		t.Fatalf("le PDF signé reçu à la mairie ne se vérifie pas : %d signature(s), %v", len(sigs), err)
	}
	if outil, err := exec.LookPath("pdfsig"); err == nil {
		f := filepath.Join(t.TempDir(), "signe.pdf")
		os.WriteFile(f, signePDF, 0o600)
		out, _ := exec.Command(outil, f).CombinedOutput()
		if !strings.Contains(string(out), "Signature is Valid") {
			t.Fatalf("pdfsig :\n%s", out)
		}
	}
	h := signe.Historique[len(signe.Historique)-1]
	if h.Par != jacques.ID || h.Certificat == nil || h.Certificat.Sujet == "" {
		t.Fatalf("historique à la mairie : %+v", signe.Historique)
	}
	waitFor(t, "la secrétaire est prévenue", 30*time.Second, func() (bool, string) {
		ns, err := secretaire.Notifications(ctx, agent.FiltreNotifications{Service: xdemat.ServiceParapheur})
		for _, n := range ns {
			if n.Type == xdemat.NotificationParapheurTermine && n.Destinataire == anne.ID {
				return true, ""
			}
		}
		return false, fmt.Sprint(len(ns), err)
	})

	// Central's copy, the authority, agrees.
	ds, err := c.Store.DossiersParapheur(c.PosteContext(t, commune.ID))
	if err != nil || len(ds) != 1 || ds[0].Etat != xdemat.DossierSigne || ds[0].Version != signe.Version {
		t.Fatalf("copie de central : %+v, %v", ds, err)
	}
}
