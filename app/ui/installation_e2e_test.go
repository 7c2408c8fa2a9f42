package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/agent/restic"
	"xdemat/internal/banc"
	"xdemat/pkcs11/jetontest"
)

// TestInstallationAvecUnVraiCentral: the technician's wizard against a
// real central (in this process) and the real agent of the PC, with the
// élu's SoftHSM2 token: enrollment with the SPL's code, his profile, the
// key tested, the proposed Documents folder backed up for real (restic to
// central), the installation report.
func TestInstallationAvecUnVraiCentral(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, agent, restic et jeton")
	}
	j := jetontest.Nouveau(t)
	bin, err := restic.Trouver()
	if err != nil {
		t.Skip("restic introuvable : lancez installer/deps.sh")
	}
	home := t.TempDir()
	t.Setenv("HOME", home) // the agent proposes the folders it finds there
	docs := filepath.Join(home, "Documents")
	os.MkdirAll(filepath.Join(docs, "Registres"), 0o700)
	if err := os.WriteFile(filepath.Join(docs, "Registres", "deliberations-2026.odt"), []byte("registre des délibérations"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "xd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c, st, commune := banc.Central(t, dir)
	m := banc.Agent(t, dir)
	m.Sauvegarde.Restic = bin
	code := banc.CodeEnrolement(t, st, commune)

	cl, err := localapi.Dial(m.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 700))
	u := New(w, cl, Options{Version: "test", ModulePKCS11: j.Module})
	u.enFond = func(f func()) { f() }
	u.surUI = func(f func()) { f() }
	u.lancerFlux = func() {}
	u.Demarrer()
	t.Cleanup(u.Fermer)

	test.Tap(bouton(t, u.connexion.objet, "Je suis le technicien"))
	es := entrees(u.connexion.objet)
	test.Type(es[0], "https://"+c.Addr())
	test.Type(es[1], code)
	test.Type(es[2], c.CertFingerprint())
	test.Tap(bouton(t, u.connexion.objet, "Enrôler le poste"))
	if u.identite == nil || u.identite.Commune.Nom != "Sainte-Menehould" {
		t.Fatalf("enrôlement : %v", textes(u.connexion.objet))
	}
	es = entrees(u.connexion.objet)
	test.Type(es[0], "Éric")
	test.Type(es[1], "Technicien")
	test.Tap(bouton(t, u.connexion.objet, "Créer mon profil"))
	a := u.assistant
	if u.profil == nil || u.corps.Objects[0] != a.objet {
		t.Fatalf("l'assistant doit reprendre après la connexion : %v", dialogue(u))
	}

	u.opts.Maintenant = time.Now
	test.Type(a.pin, j.PIN)
	test.Tap(bouton(t, a.objet, "Tester la clé"))
	if !strings.Contains(a.cleRes.Text, "signature d'essai vérifiée") {
		t.Fatalf("clé : %q", a.cleRes.Text)
	}
	if len(a.sauvegarde.Selected) != 1 || a.sauvegarde.Selected[0] != docs {
		t.Fatalf("dossiers proposés : %v (options %v)", a.sauvegarde.Selected, a.sauvegarde.Options)
	}
	test.Tap(boutons(a.objet, "Enregistrer")[0])
	test.Tap(boutons(a.objet, "Enregistrer")[1])
	test.Tap(a.essai)
	// The agent's events would bring the end of the run: the test asks.
	var fin *xdemat.Sauvegarde
	for limite := time.Now().Add(90 * time.Second); fin == nil; {
		if time.Now().After(limite) {
			t.Fatal("la sauvegarde d'essai ne se termine pas")
		}
		h, err := cl.HistoriqueSauvegardes(context.Background(), 1)
		if err == nil && len(h) == 1 {
			fin = h[0]
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	u.evenement(agent.BusEvent{Type: "sauvegarde.terminee", Data: *fin})
	if !strings.Contains(a.essaiRes.Text, "Sauvegarde d'essai réussie") {
		t.Fatalf("sauvegarde d'essai : %q (%+v)", a.essaiRes.Text, fin)
	}

	var pdf []byte
	u.enregistrerFichier = func(nom string, b []byte, ok func(string)) { pdf = b; ok(nom) }
	test.Tap(bouton(t, a.objet, "Enregistrer le rapport"))
	r := a.leRapport()
	if len(pdf) == 0 || r.Commune != "Sainte-Menehould" || r.Empreinte != c.CertFingerprint() {
		t.Fatalf("rapport : %d octets, %+v", len(pdf), r)
	}
	for _, k := range r.Constats {
		if k.Etape != etapeExports && !k.OK {
			t.Errorf("%s : %s", k.Etape, k.Resultat)
		}
	}
}
