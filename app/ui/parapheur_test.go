package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/internal/fixtures"
	"xdemat/internal/pdftest"
	"xdemat/pes"
	"xdemat/pkcs11/jetontest"
)

// communeAvecParapheur adds the maire and an adjoint to the test commune,
// and three délibérations waiting for the maire's signature plus an arrêté
// waiting for the secretary's visa.
func communeAvecParapheur() *fauxAgent {
	ag := communeDeTest()
	ag.utilisateurs = append(ag.utilisateurs,
		xdemat.Utilisateur{ID: "u-maire", CommuneID: "c-1", Prenom: "Jean", Nom: "Lemaire", Role: xdemat.RoleMaire, Actif: true},
		xdemat.Utilisateur{ID: "u-adjoint", CommuneID: "c-1", Prenom: "Sophie", Nom: "Adam", Role: xdemat.RoleAdjoint, Actif: true})
	for _, t := range []string{"Délibération 2026-041 — tarifs de la cantine", "Délibération 2026-042 — subvention au club de foot", "Délibération 2026-043 — budget supplémentaire"} {
		ag.avecDossier(t, xdemat.DossierDeliberation, "u-marie", []byte("%PDF-1.4 "+t))
	}
	ag.avecDossier("Arrêté 2026-012 — circulation rue de l'Église", xdemat.DossierArrete, "u-marie", []byte("%PDF-1.4 arrêté"))
	return ag
}

func ouvrirParapheur(t *testing.T, u *UI) *pageParapheur {
	t.Helper()
	test.Tap(bouton(t, u.menu.objet, "Parapheur"))
	if u.ecran != EcranParapheur {
		t.Fatalf("écran = %q, veut le parapheur", u.ecran)
	}
	return u.parapheur
}

// cases returns the check boxes of the list, in order.
func cases(p *pageParapheur) []*widget.Check {
	var out []*widget.Check
	for _, o := range objets(p.liste) {
		if c, ok := o.(*widget.Check); ok {
			out = append(out, c)
		}
	}
	return out
}

// saisirDansDialogue types s in the first entry of the dialog on top (the
// PIN, a reason…) and taps its button named bouton.
func saisirDansDialogue(t *testing.T, u *UI, s, nomBouton string) {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("aucune boîte de dialogue ouverte")
	}
	for _, o := range objets(top) {
		if e, ok := o.(*widget.Entry); ok {
			test.Type(e, s)
			break
		}
	}
	test.Tap(bouton(t, top, nomBouton))
}

// TestLeMaireSigneUnLot: the maire sees the three délibérations waiting
// for him (and not the arrêté waiting for the secretary's visa), ticks two,
// types his PIN once, and the token (SoftHSM2) signs both; the third waits.
func TestLeMaireSigneUnLot(t *testing.T) {
	j := jetontest.Nouveau(t)
	ag := communeAvecParapheur()
	ag.parapheur.horloge = time.Now // the token's certificates are issued for today
	u := demarrer(t, ag, Options{Utilisateur: "u-maire", ModulePKCS11: j.Module})
	u.opts.Maintenant = time.Now
	p := ouvrirParapheur(t, u)
	if got := strings.Join(textes(p.liste), " | "); !strings.Contains(got, "tarifs de la cantine") || strings.Contains(got, "Arrêté") {
		t.Fatalf("à traiter par le maire : %s", got)
	}
	cs := cases(p)
	if len(cs) != 3 || !p.signerSel.Disabled() {
		t.Fatalf("%d cases, bouton actif = %v", len(cs), !p.signerSel.Disabled())
	}
	cocher(cs[0])
	cocher(cs[2])
	if p.signerSel.Text != "Signer la sélection (2)" || p.signerSel.Disabled() {
		t.Fatalf("bouton : %q", p.signerSel.Text)
	}
	test.Tap(p.signerSel)
	saisirDansDialogue(t, u, j.PIN, "Signer")
	if ag.parapheur.signatures != 2 {
		t.Fatalf("%d signatures du jeton, 2 attendues", ag.parapheur.signatures)
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "2 documents signés.") {
		t.Fatalf("bilan : %s", got)
	}
	signes := 0
	for _, d := range ag.parapheur.dossiers {
		if d.Etat == xdemat.DossierSigne {
			signes++
			if e := d.Historique[len(d.Historique)-1]; e.Par != "u-maire" || e.Certificat == nil {
				t.Fatalf("signature sans son auteur ni son certificat : %+v", e)
			}
		}
	}
	if signes != 2 || len(cases(p)) != 1 {
		t.Fatalf("%d dossiers signés, %d encore à signer", signes, len(cases(p)))
	}
	if len(ag.certificats) != 1 {
		t.Fatal("le certificat qui a signé doit être confié à l'agent (alertes d'expiration)")
	}
}

// TestMauvaisPINRienNEstSigne: a wrong PIN signs nothing and says why.
func TestMauvaisPINRienNEstSigne(t *testing.T) {
	j := jetontest.Nouveau(t)
	ag := communeAvecParapheur()
	u := demarrer(t, ag, Options{Utilisateur: "u-maire", ModulePKCS11: j.Module})
	u.opts.Maintenant = time.Now
	p := ouvrirParapheur(t, u)
	cocher(cases(p)[0])
	test.Tap(p.signerSel)
	saisirDansDialogue(t, u, "9999", "Signer")
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "PIN incorrect") {
		t.Fatalf("message : %s", got)
	}
	if ag.parapheur.signatures != 0 || ag.aAppele("SignerLot") {
		t.Fatal("rien ne doit être signé avec un PIN faux")
	}
}

// TestRefusMotive: the maire opens a délibération, refuses it with a
// reason; the dossier says it, and the reason is in its history.
func TestRefusMotive(t *testing.T) {
	ag := communeAvecParapheur()
	u := demarrer(t, ag, Options{Utilisateur: "u-maire"})
	p := ouvrirParapheur(t, u)
	test.Tap(bouton(t, p.liste, "Ouvrir"))
	v := u.dossier
	if u.corps.Objects[0] != v.objet || !strings.Contains(v.titre.Text, "Délibération 2026-041") {
		t.Fatalf("dossier ouvert : %q", v.titre.Text)
	}
	test.Tap(bouton(t, v.actions, "Refuser"))
	saisirDansDialogue(t, u, "Montant à revoir avec le trésorier", "Refuser")
	d := ag.parapheur.dossiers[0]
	if d.Etat != xdemat.DossierRefuse {
		t.Fatalf("état %q après le refus", d.Etat)
	}
	if got := strings.Join(textes(v.histoire), " "); !strings.Contains(got, "motif : Montant à revoir avec le trésorier") || !strings.Contains(got, "refusé (étape 1) par Jean Lemaire") {
		t.Fatalf("historique : %s", got)
	}
	if len(textes(v.actions)) != 1 {
		t.Fatalf("un dossier refusé n'offre plus que l'annotation : %v", textes(v.actions))
	}
}

// TestVisaPuisSignature: the secretary gives her visa to the arrêté; it
// then waits for the maire's signature, not for her.
func TestVisaPuisSignature(t *testing.T) {
	ag := communeAvecParapheur()
	u := connecte(t, ag, Options{})
	p := ouvrirParapheur(t, u)
	if n := len(p.aTraiter); n != 1 || p.aTraiter[0].Nature != xdemat.EtapeVisa {
		t.Fatalf("à traiter par la secrétaire : %+v", p.aTraiter)
	}
	test.Tap(bouton(t, p.liste, "Ouvrir"))
	test.Tap(bouton(t, u.dossier.actions, "Viser"))
	d := ag.parapheur.dossiers[3]
	if d.Etat != xdemat.DossierEnCours || d.Courante().Nature != xdemat.EtapeSignature || !d.Etapes[0].Faite() {
		t.Fatalf("après le visa : %+v", d)
	}
	if len(p.aTraiter) != 0 {
		t.Fatalf("la secrétaire n'a plus rien à traiter : %+v", p.aTraiter)
	}
}

// TestDelegationPendantLesConges: the maire delegates to his adjoint for
// his holidays; the adjoint then finds the délibérations "pour Jean
// Lemaire (par délégation)".
func TestDelegationPendantLesConges(t *testing.T) {
	ag := communeAvecParapheur()
	u := demarrer(t, ag, Options{Utilisateur: "u-maire"})
	ouvrirParapheur(t, u)
	test.Tap(bouton(t, u.parapheur.objet, "Délégations"))
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Déléguer pendant une absence"))
	form := u.win.Canvas().Overlays().Top()
	var sel *widget.Select
	var entrees []*widget.Entry
	for _, o := range objets(form) {
		switch w := o.(type) {
		case *widget.Select:
			sel = w
		case *widget.Entry:
			entrees = append(entrees, w)
		}
	}
	if sel == nil || len(entrees) < 3 {
		t.Fatalf("formulaire de délégation : %v", textes(form))
	}
	sel.SetSelected("Sophie Adam (" + xdemat.RoleAdjoint.Libelle() + ")")
	entrees[1].SetText("10/12/2026")
	entrees[2].SetText("congés d'hiver")
	test.Tap(bouton(t, form, "Déléguer"))
	if len(ag.parapheur.delegations) != 1 {
		t.Fatalf("délégations : %+v (dialogue %v)", ag.parapheur.delegations, dialogue(u))
	}
	del := ag.parapheur.delegations[0]
	if del.Delegant != "u-maire" || del.Delegataire != "u-adjoint" || del.Au.In(time.UTC).Format("02/01/2006") != "10/12/2026" || del.Motif != "congés d'hiver" {
		t.Fatalf("délégation : %+v", del)
	}

	u2 := demarrer(t, ag, Options{Utilisateur: "u-adjoint"})
	p := ouvrirParapheur(t, u2)
	if len(p.aTraiter) != 3 || p.aTraiter[0].PourLeCompteDe != "u-maire" {
		t.Fatalf("à traiter par l'adjointe : %+v", p.aTraiter)
	}
	if got := strings.Join(textes(p.liste), " "); !strings.Contains(got, "À signer pour Jean Lemaire (par délégation)") {
		t.Fatalf("liste de l'adjointe : %s", got)
	}
}

// cocher clicks in the middle of a check box, as the maire would.
func cocher(c *widget.Check) {
	test.TapAt(c, fyne.NewPos(c.Size().Width/2, c.Size().Height/2))
}

// TestLireAvantDeSigner: the maire reads the délibération in the app, page
// by page, before signing; a document that is not a PDF goes to the PC's
// program with a sentence saying so.
func TestLireAvantDeSigner(t *testing.T) {
	if testing.Short() {
		t.Skip("PDFium (WebAssembly) se compile au premier usage")
	}
	ag := communeDeTest()
	ag.utilisateurs = append(ag.utilisateurs, xdemat.Utilisateur{ID: "u-maire", CommuneID: "c-1", Prenom: "Jean", Nom: "Lemaire", Role: xdemat.RoleMaire, Actif: true})
	ag.avecDossier("Délibération 2026-041 — tarifs de la cantine", xdemat.DossierDeliberation, "u-marie",
		pdftest.Minimal("Délibération 2026-041", "Le conseil municipal fixe les tarifs de la cantine."))
	ag.avecDossier("Bordereau de mandats n° 12", xdemat.DossierBordereau, "u-marie", []byte("<?xml version=\"1.0\"?><PES_Aller/>"))
	u := demarrer(t, ag, Options{Utilisateur: "u-maire"})
	p := ouvrirParapheur(t, u)

	test.Tap(bouton(t, p.liste, "Ouvrir"))
	test.Tap(bouton(t, u.dossier.documents, "Lire"))
	v := u.lecture
	if u.corps.Objects[0] != v.objet || v.page.Text != "Page 1 sur 1" || v.image.Image == nil {
		t.Fatalf("lecture : page %q, message %q", v.page.Text, v.message.Text)
	}
	if b := v.image.Image.Bounds(); b.Dx() != largeurLecture {
		t.Fatalf("page rendue sur %d px, %d attendus", b.Dx(), largeurLecture)
	}
	test.Tap(bouton(t, v.objet, "Retour au dossier"))
	if u.corps.Objects[0] != u.dossier.objet {
		t.Fatal("le retour doit ramener au dossier")
	}

	u.dossier.ouvrir(ag.parapheur.dossiers[1].ID)
	test.Tap(bouton(t, u.dossier.documents, "Lire"))
	if !strings.Contains(v.message.Text, "n'est pas un PDF") {
		t.Fatalf("document XML : %q", v.message.Text)
	}
}

// TestBordereauLuAvantDeSigner: a PES bordereau in the parapheur reads as
// its bordereaux and pièces, with amounts and tiers.
func TestBordereauLuAvantDeSigner(t *testing.T) {
	b := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	f, err := pes.Lire(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ag := communeAvecParapheur()
	d := ag.avecDossier("Bordereau de mandats n° 12", xdemat.DossierBordereau, "u-marie", b)
	u := demarrer(t, ag, Options{Utilisateur: "u-maire"})
	u.dossier.ouvrir(d.ID)
	test.Tap(bouton(t, u.dossier.documents, "Lire"))
	got := strings.Join(textes(u.lecture.pes), "\n")
	premier := f.Bordereaux()[0]
	for _, want := range []string{"Bordereau", premier.IdBord, premier.MtBordTTC().String(), premier.Pieces[0].Obj} {
		if !strings.Contains(got, want) {
			t.Fatalf("le PES affiché ne dit pas %q :\n%s", want, got)
		}
	}
}

// TestFactureJointeAuBordereau: the élu opens the invoice attached to a
// pièce of the bordereau (PES_PJ) and reads it as a PDF in the app.
func TestFactureJointeAuBordereau(t *testing.T) {
	if testing.Short() {
		t.Skip("PDFium (WebAssembly)")
	}
	b := fixtures.Lire(t, "protocols", "helios", "signed", "PESALR2_25060187900027_190328_001.xml")
	ag := communeAvecParapheur()
	d := ag.avecDossier("Bordereau de mandats", xdemat.DossierBordereau, "u-marie", b)
	u := demarrer(t, ag, Options{Utilisateur: "u-maire"})
	u.dossier.ouvrir(d.ID)
	test.Tap(bouton(t, u.dossier.documents, "Lire"))
	test.Tap(bouton(t, u.lecture.pes, "Voir la pièce jointe"))
	v := u.lecture
	if v.image.Image == nil || !strings.HasPrefix(v.page.Text, "Page 1 sur ") {
		t.Fatalf("facture jointe : page %q, message %q", v.page.Text, v.message.Text)
	}
}
