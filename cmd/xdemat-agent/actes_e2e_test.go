//go:build cgo

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes/simulateur"
	"xdemat/agent"
	"xdemat/central/server"
	"xdemat/internal/pdftest"
	"xdemat/pkcs11/jetontest"
)

// A délibération is prepared at the mairie while the line is down, signed
// by the maire with his key (SoftHSM2 token) in the parapheur, and, once
// central is back, transmitted to the préfecture (simulated @CTES): the
// poste sees it acquitted with its identifiant unique. An acte the
// préfecture refuses shows in error with the reason in French; a central
// stopped between building an archive and posting it transmits it once
// when it starts again; bad actes are refused on the poste and nothing
// leaves.
func TestActesDeLaMairieALaPrefecture(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, agent et jeton SoftHSM2")
	}
	j := jetontest.Nouveau(t)
	t.Cleanup(jetontest.Nettoyer)
	ctx := context.Background()
	dir := t.TempDir()
	c := startCentral(t, dir, "127.0.0.1:0")
	addr := c.Addr
	commune, code := newCommune(t, c.Store, "Sainte-Menehould", sirens[0])
	anne, jacques := secretaireDe(commune), maireDe(commune)
	enregistrerUtilisateurs(t, c, anne, jacques)
	dirMairie := shortTempDir(t)
	enrollAgent(t, c, code, dirMairie)
	mairie := startAgent(t, dirMairie)
	defer mairie.Close()
	secretaire, maire := ouvrirSession(t, dirMairie, anne, 2), ouvrirSession(t, dirMairie, jacques, 2)
	dateClassification := simulateur.ClassificationDemo().DateClassification.Time
	nouvelActe := func(numero, objet, nom, typeMedia string, contenu []byte) *xdemat.Acte {
		doc, err := secretaire.AjouterDocument(ctx, nom, typeMedia, bytes.NewReader(contenu))
		if err != nil {
			t.Fatal(err)
		}
		return &xdemat.Acte{Nature: xdemat.NatureDeliberation, NumeroInterne: numero, DateDecision: time.Now().AddDate(0, 0, -1),
			Objet: objet, Classification: "7.2.1", DateClassification: dateClassification,
			DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: nom, Taille: doc.Taille, TypePiece: "99_DE"}}
	}
	// The line is down: the délibération is prepared and signed all the same.
	c.Close()
	pdf := pdftest.Minimal("Délibération n° DE2026_001", "Vote des taux d'imposition")
	a, err := secretaire.CreerActe(ctx, nouvelActe("", "Vote des taux d'imposition", "deliberation.pdf", "application/pdf", pdf))
	if err != nil {
		t.Fatal(err)
	}
	res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID}, ViaParapheur: true})
	if err != nil || len(res) != 1 || res[0].Erreur != "" {
		t.Fatalf("envoi au parapheur : %+v, %v", res, err)
	}
	jeton := j.Connecter(t) // the PIN, typed once
	cle, err := jeton.Signataire(j.RSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := maire.SignerLot(ctx, []string{res[0].DossierID}, cle.Certificat(), cle, nil)
	if err != nil || len(rep.Signes) != 1 {
		t.Fatalf("signature : %+v, %v", rep, err)
	}
	if f, _ := secretaire.FicheActe(ctx, a.ID); f.Acte.DocumentPrincipal.SHA256 != rep.Signes[0].Documents[0] || f.EnvoyeLe.IsZero() {
		t.Fatalf("l'acte ne porte pas le PDF signé : %+v", f)
	}

	// Central is back: transmitted, acknowledged.
	c = startCentral(t, dir, addr)
	debut := time.Now()
	f := attendreStatutActe(t, c, secretaire, a.ID, xdemat.ActeAcquitte)
	t.Logf("retour de central → acquitté sur le poste : %v", time.Since(debut).Round(time.Millisecond))
	if !xdemat.ValidIdentifiantActe(f.Acte.IdentifiantUnique) || !strings.Contains(f.Acte.IdentifiantUnique, a.NumeroInterne) || f.Acte.DateAR.IsZero() || f.Acte.NomArchive == "" {
		t.Fatalf("acte acquitté %+v", f.Acte)
	}
	sim := c.m.SimulateurActes()
	if _, ok := sim.Acte(f.Acte.IdentifiantUnique); !ok {
		t.Fatal("la plateforme ne connaît pas l'acte acquitté")
	}
	waitFor(t, "la commune est prévenue de l'accusé de réception", 30*time.Second, func() (bool, string) {
		ns, err := secretaire.Notifications(ctx, agent.FiltreNotifications{Service: xdemat.ServiceActes})
		for _, n := range ns {
			if n.Type == xdemat.NotificationActeAcquitte && n.Objet.ID == a.ID {
				return true, ""
			}
		}
		return false, fmt.Sprint(len(ns), err)
	})

	// The acknowledged délibération: its stamped copy, its entry in the
	// register, and, published from the poste, on the commune's public page.
	recu := "Reçu en préfecture le " + f.Acte.DateAR.In(xdemat.Paris).Format("02/01/2006")
	copie, err := secretaire.CopieTamponnee(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if txt := texteDuPDF(t, copie); !strings.Contains(txt, recu) || !strings.Contains(txt, "ID : "+f.Acte.IdentifiantUnique) {
		t.Fatalf("copie tamponnée :\n%s", txt)
	}
	registre, err := secretaire.Registre(ctx, xdemat.NatureDeliberation, f.Acte.DateDecision.In(xdemat.Paris).Year(), "chronologique")
	if err != nil {
		t.Fatal(err)
	}
	if txt := texteDuPDF(t, registre); !strings.Contains(txt, "N° d'ordre 1 — "+a.NumeroInterne) || !strings.Contains(txt, "identifiant "+f.Acte.IdentifiantUnique) {
		t.Fatalf("registre des délibérations :\n%s", txt)
	}
	publication, err := secretaire.EtatPublicationActe(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secretaire.PublierActe(ctx, a.ID, publication.AuteurPropose); err != nil {
		t.Fatal(err)
	}
	site := "http://" + c.m.PublicAddr() + "/communes/" + commune.SIREN + "/"
	waitFor(t, "la page publique de la commune montre la délibération", 60*time.Second, func() (bool, string) {
		_, page := lirePage(t, site)
		return bytes.Contains(page, []byte(a.NumeroInterne)) && bytes.Contains(page, []byte("Jacques Bertin, Maire")), string(page)
	})
	if st, pdf := lirePage(t, site+"actes/"+a.ID+".pdf"); st != http.StatusOK || !strings.Contains(texteDuPDF(t, pdf), recu) {
		t.Fatalf("PDF publié : %d", st)
	}

	// The préfecture refuses the next acte: en erreur, said in French.
	sim.AnomalieProchainActe(simulateur.Anomalie{Nature: 3, Detail: "Matière 7.2.1 périmée"})
	refuse, err := secretaire.CreerActe(ctx, nouvelActe("", "Tarifs de la cantine", "cantine.pdf", "application/pdf", pdftest.Minimal("Délibération cantine")))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{refuse.ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi direct : %+v, %v", res, err)
	}
	f = attendreStatutActe(t, c, secretaire, refuse.ID, xdemat.ActeEnErreur)
	if !strings.Contains(f.Acte.Anomalie, "La préfecture a refusé l'acte n° "+refuse.NumeroInterne) {
		t.Fatalf("anomalie %q", f.Acte.Anomalie)
	}

	// Central stops right after recording an archive, before posting it.
	c.Close()
	intention := make(chan string, 1)
	c = startCentralAvec(t, dir, addr, func(m *server.Main) {
		// As if central died there: the pass waits until central is closed.
		m.ApresIntentionActe = func(ctx context.Context, nom string) error {
			select {
			case intention <- nom:
			default:
			}
			<-ctx.Done()
			return ctx.Err()
		}
	})
	avant := c.m.SimulateurActes().EtatCourant().Archives
	coupe, err := secretaire.CreerActe(ctx, nouvelActe("", "Acquisition d'une parcelle", "parcelle.pdf", "application/pdf", pdftest.Minimal("Délibération parcelle")))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{coupe.ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi direct : %+v, %v", res, err)
	}
	var nom string
	waitFor(t, "central enregistre l'archive", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		select {
		case nom = <-intention:
			return true, ""
		default:
			return false, "pas encore"
		}
	})
	c.Close()
	if n := c.m.SimulateurActes().EtatCourant().Archives; n != avant {
		t.Fatalf("l'archive est partie avant l'arrêt (%d archives, %d avant)", n, avant)
	}
	c = startCentral(t, dir, addr)
	f = attendreStatutActe(t, c, secretaire, coupe.ID, xdemat.ActeAcquitte)
	if f.Acte.NomArchive != nom || c.m.SimulateurActes().EtatCourant().Archives != avant+1 {
		t.Fatalf("après la reprise : archive %s (attendue %s), %d archives (attendu %d)", f.Acte.NomArchive, nom, c.m.SimulateurActes().EtatCourant().Archives, avant+1)
	}

	// Bad actes are refused on the poste, in French; nothing leaves.
	archives := c.m.SimulateurActes().EtatCourant().Archives
	actes, _ := secretaire.Actes(ctx, agent.FiltreActes{})
	cas := []struct {
		nom string
		a   *xdemat.Acte
		dit string
	}{
		{"document principal en traitement de texte", nouvelActe("", "Budget", "budget.odt", "application/vnd.oasis.opendocument.text", []byte("PK odt")), "n'est pas un PDF"},
		{"numéro déjà pris", nouvelActe(a.NumeroInterne, "Budget", "b1.pdf", "application/pdf", pdftest.Minimal("b1")), "déjà celui d'un autre acte"},
		{"caractères interdits dans le numéro", nouvelActe("2026/12 é", "Budget", "b2.pdf", "application/pdf", pdftest.Minimal("b2")), "caractère interdit"},
		{"objet trop long", nouvelActe("", strings.Repeat("Objet ", 100), "b3.pdf", "application/pdf", pdftest.Minimal("b3")), "trop long"},
	}
	for _, cs := range cas {
		if _, err := secretaire.CreerActe(ctx, cs.a); err == nil || !strings.Contains(xdemat.ErrorMessage(err), cs.dit) {
			t.Fatalf("%s : %v", cs.nom, err)
		}
	}
	c.m.ReveillerActes()
	if apres, _ := secretaire.Actes(ctx, agent.FiltreActes{}); len(apres) != len(actes) || c.m.SimulateurActes().EtatCourant().Archives != archives {
		t.Fatalf("des actes refusés sont partis : %d actes (%d avant)", len(apres), len(actes))
	}
}
