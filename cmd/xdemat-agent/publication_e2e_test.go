package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
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
	"xdemat/central/blob"
	"xdemat/central/server"
	"xdemat/internal/pdftest"
)

// startCentralPublic is startCentral with the public pages on a free port.
func startCentralPublic(t testing.TB, dir string) *centralHandle {
	t.Helper()
	m := server.NewMain()
	m.DataDir, m.ListenAddr, m.AdminListenAddr, m.PublicListenAddr = dir, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	m.Stdout, m.Stderr = io.Discard, io.Discard
	m.Logger = testLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	c := &centralHandle{DataDir: dir, Addr: m.Addr(), Pin: m.CertFingerprint(), Store: m.Store(), Blobs: blobs, m: m}
	t.Cleanup(func() { c.Close() })
	return c
}

func lirePage(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// A délibération prepared at the mairie, sent (already signed) and
// acknowledged by the préfecture (simulated @CTES), is put online from the
// poste with its author: the commune's public page served by central shows
// it, its PDF carries the stamp (received, published), the séance's liste
// des délibérations lists it and the PV sent from the poste is there too.
// An acte never published cannot be reached, even by its ID.
func TestActePublieSurLeSiteDeLaCommune(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et agent")
	}
	ctx := context.Background()
	c := startCentralPublic(t, t.TempDir())
	siren := sirens[5]
	commune, code := newCommune(t, c.Store, "Suippes", siren)
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	jacques := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Jacques", Nom: "Bertin", Role: xdemat.RoleMaire, Actif: true}
	for _, u := range []*xdemat.Utilisateur{anne, jacques} {
		if err := c.Store.SaveUtilisateur(ctx, u); err != nil {
			t.Fatal(err)
		}
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
	waitFor(t, "les profils arrivent de central", 30*time.Second, func() (bool, string) {
		ps, err := secretaire.Utilisateurs(ctx)
		return err == nil && len(ps) == 2, fmt.Sprint(len(ps), err)
	})
	if _, err := secretaire.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}

	creer := func(objet string) *xdemat.Acte {
		pdf := pdftest.Minimal("Délibération", objet)
		doc, err := secretaire.AjouterDocument(ctx, "deliberation.pdf", "application/pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		a, err := secretaire.CreerActe(ctx, &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: time.Now().AddDate(0, 0, -1),
			Objet: objet, Classification: "7.2.1", DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
			DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := creer("Vote des taux d'imposition")
	brouillon := creer("Cession du presbytère")
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

	e, err := secretaire.EtatPublicationActe(ctx, a.ID)
	if err != nil || e.AuteurPropose.Nom != "Bertin" || !e.EnLigne {
		t.Fatalf("état de publication %+v (%v)", e, err)
	}
	if _, err := secretaire.PublierActe(ctx, a.ID, e.AuteurPropose); err != nil {
		t.Fatal(err)
	}
	seance := f.Acte.DateDecision
	if _, err := secretaire.PublierPV(ctx, seance, "PV du conseil.pdf", bytes.NewReader(pdftest.Minimal("Procès-verbal de la séance"))); err != nil {
		t.Fatal(err)
	}

	site := "http://" + c.m.PublicAddr()
	var page []byte
	waitFor(t, "la page publique de la commune montre l'acte", 60*time.Second, func() (bool, string) {
		_, page = lirePage(t, site+"/communes/"+siren+"/")
		return bytes.Contains(page, []byte("Vote des taux d")), string(page)
	})
	for _, want := range []string{"Jacques Bertin, Maire", f.Acte.NumeroInterne, "/seances/" + xdemat.JourSeance(seance)} {
		if !bytes.Contains(page, []byte(want)) {
			t.Fatalf("page de la commune sans %q :\n%s", want, page)
		}
	}
	if bytes.Contains(page, []byte("presbytère")) {
		t.Fatal("un acte non publié est sur la page")
	}
	if st, _ := lirePage(t, site+"/communes/"+siren+"/actes/"+brouillon.ID+".pdf"); st != http.StatusNotFound {
		t.Fatalf("acte non publié servi : %d", st)
	}
	waitFor(t, "la liste des délibérations et le PV de la séance sont en ligne", 30*time.Second, func() (bool, string) {
		_, page = lirePage(t, site+"/communes/"+siren+"/seances/"+xdemat.JourSeance(seance))
		return bytes.Contains(page, []byte("Vote des taux d")) && bytes.Contains(page, []byte("/proces-verbaux/")), string(page)
	})

	st, pdf := lirePage(t, site+"/communes/"+siren+"/actes/"+a.ID+".pdf")
	if st != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF publié : %d", st)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext absent : texte du tampon non vérifié (apt-get install poppler-utils)")
		return
	}
	chemin := filepath.Join(t.TempDir(), "publie.pdf")
	if err := os.WriteFile(chemin, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", chemin, "-").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Reçu en préfecture le") || !strings.Contains(string(out), "Publié le") || !strings.Contains(string(out), "ID : "+f.Acte.IdentifiantUnique) {
		t.Fatalf("tampon de l'acte publié (%v) :\n%s", err, out)
	}
	// The poste's stamped copy prints the same publication date.
	copie, err := secretaire.CopieTamponnee(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(chemin, copie, 0o600); err != nil {
		t.Fatal(err)
	}
	out2, err := exec.Command("pdftotext", "-enc", "UTF-8", chemin, "-").CombinedOutput()
	if err != nil || !strings.Contains(string(out2), "Publié le") {
		t.Fatalf("copie tamponnée du poste sans la date de publication (%v) :\n%s", err, out2)
	}
}
