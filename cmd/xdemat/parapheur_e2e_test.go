package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/app/ui"
	"xdemat/internal/banc"
	"xdemat/internal/pdftest"
	"xdemat/internal/verificateurs"
	"xdemat/pkcs11/jetontest"
	"xdemat/signature/pades"
)

// TestLeMaireSigneDansLApplication: the secretary deposits a délibération
// (PDF) on the mairie PC; the maire opens the app, finds it in his
// parapheur, signs it with his token (SoftHSM2) and his PIN; the agent
// stores the signed PDF (PAdES, checked by pdfsig) and central learns that
// the dossier is signed.
func TestLeMaireSigneDansLApplication(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, agent, application et jeton")
	}
	j := jetontest.Nouveau(t)
	ctx := context.Background()
	_, st, commune, m := centralEtAgent(t, shortTempDir(t))
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	bernard := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Bernard", Nom: "Maire", Role: xdemat.RoleMaire, Actif: true}
	for _, u := range []*xdemat.Utilisateur{anne, bernard} {
		if err := st.SaveUtilisateur(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	secretaire, err := localapi.Dial(m.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer secretaire.Close()
	attendre(t, "les profils de la commune arrivent de central", func() bool {
		ps, err := secretaire.Utilisateurs(ctx)
		return err == nil && len(ps) == 2
	})
	if _, err := secretaire.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}
	pdf := pdftest.Minimal("Délibération n° 2026-041", "Tarifs de la cantine scolaire")
	doc, err := secretaire.AjouterDocument(ctx, "deliberation-2026-041.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	d, err := secretaire.DeposerDossier(ctx, agent.DemandeDepot{Titre: "Délibération 2026-041 — tarifs de la cantine", Type: xdemat.DossierDeliberation, Documents: []string{doc.SHA256}})
	if err != nil {
		t.Fatal(err)
	}

	// The maire's window, as cmd/xdemat opens it with his token's driver.
	appli, err := localapi.Dial(m.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer appli.Close()
	unFil(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 700))
	u := ui.New(w, appli, ui.Options{Version: "test", DossierDonnees: m.DataDir, Utilisateur: bernard.ID, ModulePKCS11: j.Module})
	u.Demarrer()
	t.Cleanup(u.Fermer)
	attendre(t, "la session du maire est ouverte", func() bool {
		var l []string
		fyne.DoAndWait(func() { l = textesVisibles(w.Content()) })
		return contient(l, "Parapheur")
	})
	fyne.DoAndWait(func() { u.Ouvrir(xdemat.Lien{Ecran: "parapheur"}) })
	var caseLot *widget.Check
	attendre(t, "la délibération attend le maire", func() bool {
		fyne.DoAndWait(func() { caseLot = premier[*widget.Check](w.Content()) })
		return caseLot != nil
	})
	fyne.DoAndWait(func() {
		test.TapAt(caseLot, fyne.NewPos(caseLot.Size().Width/2, caseLot.Size().Height/2))
		test.Tap(boutonVisible(t, w.Content(), "Signer la sélection (1)"))
	})
	fyne.DoAndWait(func() {
		dlg := w.Canvas().Overlays().Top()
		test.Type(premier[*widget.Entry](dlg), j.PIN)
		test.Tap(boutonVisible(t, dlg, "Signer"))
	})
	attendre(t, "le bilan de la signature s'affiche", func() bool {
		var l []string
		fyne.DoAndWait(func() {
			if top := w.Canvas().Overlays().Top(); top != nil {
				l = textesVisibles(top)
			}
		})
		return strings.Contains(strings.Join(l, " "), "est signé")
	})

	signe, err := appli.DossierParapheur(ctx, d.ID)
	if err != nil || signe.Etat != xdemat.DossierSigne {
		t.Fatalf("dossier après la signature : %+v %v", signe, err)
	}
	r, err := appli.LireDocument(ctx, signe.Documents[0])
	if err != nil {
		t.Fatal(err)
	}
	var pdfSigne bytes.Buffer
	pdfSigne.ReadFrom(r)
	r.Close()
	racines := x509.NewCertPool()
	racines.AddCert(j.AC.Cert)
	if sigs, err := pades.VerifierSignatures(pdfSigne.Bytes(), racines); err != nil || len(sigs) != 1 || !sigs[0].Valide {
		t.Fatalf("PDF signé : %+v %v", sigs, err)
	}
	if out := verificateurs.Pdfsig(t, pdfSigne.Bytes(), j.AC.Cert); !strings.Contains(out, "Signature is Valid.") {
		t.Fatalf("pdfsig :\n%s", out)
	}
	posteCtx := banc.PosteContext(t, st, commune.ID)
	attendre(t, "central sait que la délibération est signée", func() bool {
		ds, err := st.DossiersParapheur(posteCtx)
		if err != nil {
			return false
		}
		for _, x := range ds {
			if x.ID == d.ID {
				return x.Etat == xdemat.DossierSigne
			}
		}
		return false
	})
}

// premier returns the first visible object of type T under o.
func premier[T fyne.CanvasObject](o fyne.CanvasObject) T {
	var zero T
	for _, x := range objetsVisibles(o) {
		if v, ok := x.(T); ok {
			return v
		}
	}
	return zero
}

// boutonVisible returns the visible button whose text starts with texte.
func boutonVisible(t *testing.T, o fyne.CanvasObject, texte string) *widget.Button {
	t.Helper()
	for _, x := range objetsVisibles(o) {
		if b, ok := x.(*widget.Button); ok && strings.HasPrefix(b.Text, texte) {
			return b
		}
	}
	t.Fatalf("pas de bouton %q parmi %q", texte, textesVisibles(o))
	return nil
}

// objetsVisibles returns o and every visible object under it, through
// containers and widget renderers. Called on the UI thread.
func objetsVisibles(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, objetsVisibles(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, objetsVisibles(c)...)
		}
	}
	return out
}
