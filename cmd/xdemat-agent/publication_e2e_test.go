package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
)

// lirePage fetches a public page: its status and its body.
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
	c := startCentral(t, t.TempDir(), "127.0.0.1:0")
	siren := sirens[5]
	commune, code := newCommune(t, c.Store, "Suippes", siren)
	anne := secretaireDe(commune)
	enregistrerUtilisateurs(t, c, anne, maireDe(commune))
	secretaire := ouvrirPoste(t, c, code, anne, 2)

	a := creerDeliberation(t, secretaire, "Vote des taux d'imposition", time.Now().AddDate(0, 0, -1))
	brouillon := creerDeliberation(t, secretaire, "Cession du presbytère", time.Now().AddDate(0, 0, -1))
	envoyerDirectement(t, secretaire, a.ID)
	f := attendreStatutActe(t, c, secretaire, a.ID, xdemat.ActeAcquitte)

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
	txt := texteDuPDF(t, pdf)
	if !strings.Contains(txt, "Reçu en préfecture le") || !strings.Contains(txt, "Publié le") || !strings.Contains(txt, "ID : "+f.Acte.IdentifiantUnique) {
		t.Fatalf("tampon de l'acte publié :\n%s", txt)
	}
	// The poste's stamped copy prints the same publication date.
	copie, err := secretaire.CopieTamponnee(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if txt := texteDuPDF(t, copie); !strings.Contains(txt, "Publié le") {
		t.Fatalf("copie tamponnée du poste sans la date de publication :\n%s", txt)
	}
}
