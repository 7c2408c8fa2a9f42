package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes"
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
	anne := secretaireDe(commune)
	enregistrerUtilisateurs(t, c, anne)
	secretaire := ouvrirPoste(t, c, code, anne, 1)

	pdf := pdftest.Minimal("Délibération n° DE2026_001", "Vote des taux d'imposition")
	a := creerDeliberation(t, secretaire, "Vote des taux d'imposition", time.Now().AddDate(0, 0, -1), "Délibération n° DE2026_001", "Vote des taux d'imposition")
	if _, err := secretaire.CopieTamponnee(ctx, a.ID); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("copie tamponnée avant l'envoi : %v", err)
	}
	envoyerDirectement(t, secretaire, a.ID)
	f := attendreStatutActe(t, c, secretaire, a.ID, xdemat.ActeAcquitte)
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

	txt := texteDuPDF(t, copie)
	recu := "Reçu en préfecture le " + f.Acte.DateAR.In(xdemat.Paris).Format("02/01/2006")
	if !strings.Contains(txt, recu) || !strings.Contains(txt, "ID : "+ident) || !strings.Contains(txt, "Vote des taux") {
		t.Fatalf("pdftotext de la copie tamponnée :\n%s", txt)
	}
}
