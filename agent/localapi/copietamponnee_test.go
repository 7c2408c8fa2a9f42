package localapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
)

func TestCopieTamponneeEtAccuseDeReceptionParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, ids := mairieAPI(t, h)
	pdf := pdftest.Minimal("Délibération n° 1", "Tarifs de la cantine scolaire")
	a, err := sec.CreerActe(ctx, acteAPI(t, sec, pdf))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := sec.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi : %+v (%v)", res, err)
	}
	// On its way: neither file exists yet.
	for nom, f := range map[string]func() ([]byte, error){
		"copie tamponnée": func() ([]byte, error) { return sec.CopieTamponnee(ctx, a.ID) },
		"accusé":          func() ([]byte, error) { return sec.AccuseReception(ctx, a.ID) },
	} {
		if _, err := f(); xdemat.ErrorCode(err) != xdemat.ECONFLICT || !strings.Contains(xdemat.ErrorMessage(err), "accusé réception") {
			t.Fatalf("%s avant l'accusé : %v", nom, err)
		}
	}
	req, err := sec.newRequest(ctx, http.MethodGet, "/v1/actes/"+a.ID+"/copie-tamponnee", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := sec.hc.Do(req); err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("copie tamponnée avant l'accusé : %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if _, err := sec.CopieTamponnee(ctx, "inconnu"); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("acte inconnu : %v", err)
	}

	// Central relays the AR, whose file is not yet on this poste.
	arXML := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><actes:ARActe xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"/>`)
	s := sha256.Sum256(arXML)
	hAR := hex.EncodeToString(s[:])
	ident := "051-215100009-" + time.Now().In(xdemat.Paris).Format("20060102") + "-" + a.NumeroInterne + "-DE"
	recu := time.Date(2026, 3, 12, 10, 0, 0, 0, xdemat.Paris)
	data, _ := json.Marshal(xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: ident,
		NomArchive: "archive.tar.gz", TransmisLe: recu.Add(-time.Hour), DateAR: recu, DocumentAR: hAR, Le: recu})
	if err := h.store.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 1, Type: xdemat.EvenementActeStatut, Payload: data, CreeLe: recu}}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := sec.AccuseReception(ctx, a.ID); xdemat.ErrorCode(err) != xdemat.EUNAVAILABLE {
		t.Fatalf("accusé pas encore téléchargé : %v", err)
	}
	if _, err := sec.AjouterDocument(ctx, "ar.xml", "application/xml", bytes.NewReader(arXML)); err != nil {
		t.Fatal(err)
	}
	ar, err := sec.AccuseReception(ctx, a.ID)
	if err != nil || !bytes.Equal(ar, arXML) {
		t.Fatalf("accusé : %q (%v)", ar, err)
	}

	copie, err := sec.CopieTamponnee(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(copie, pdf) {
		t.Fatal("la copie tamponnée n'est pas le document principal suivi du tampon")
	}
	// The stamp is written in WinAnsi, uncompressed.
	for _, l := range []string{"(Envoy\xe9 en pr\xe9fecture le 12/03/2026)", "(Re\xe7u en pr\xe9fecture le 12/03/2026)", "(ID : " + ident + ")"} {
		if !bytes.Contains(copie, []byte(l)) {
			t.Errorf("%q absent de la copie tamponnée", l)
		}
	}
	if bytes.Contains(copie, []byte("Publi\xe9 le")) {
		t.Error("copie tamponnée d'un acte non publié avec une date de publication")
	}
	// What the app saves: the type and the name of each file.
	for chemin, attendu := range map[string][2]string{
		"/v1/actes/" + a.ID + "/copie-tamponnee": {"application/pdf", `attachment; filename="` + a.NumeroInterne + `-tamponne.pdf"`},
		"/v1/actes/" + a.ID + "/ar":              {"application/xml", `attachment; filename="` + a.NumeroInterne + `-accuse-reception.xml"`},
	} {
		req, err := sec.newRequest(ctx, http.MethodGet, chemin, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := sec.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != attendu[0] || resp.Header.Get("Content-Disposition") != attendu[1] {
			t.Errorf("%s : HTTP %d, %q, %q", chemin, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
	}
	// Once published, the stamp says when (agent's publication store).
	publie := recu.Add(24 * time.Hour)
	if _, err := h.store.PublierActe(ctx, a.ID, xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}, ids["maire"], publie); err != nil {
		t.Fatal(err)
	}
	if publiee, err := sec.CopieTamponnee(ctx, a.ID); err != nil || !bytes.Contains(publiee, []byte("(Publi\xe9 le 13/03/2026)")) {
		t.Fatalf("copie tamponnée d'un acte publié sans « Publié le 13/03/2026 » (%v)", err)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "copie.pdf")
		if err := os.WriteFile(f, copie, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Reçu en préfecture le 12/03/2026") {
			t.Errorf("pdftotext : %s (%v)", out, err)
		}
	}
}
