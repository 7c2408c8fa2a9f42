package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/pkcs11/jetontest"
)

func ouvrirPageCle(t *testing.T, u *UI) *pageCle {
	t.Helper()
	test.Tap(bouton(t, u.menu.objet, "Ma clé de signature"))
	if u.ecran != EcranCle {
		t.Fatalf("écran = %q, veut « Ma clé de signature »", u.ecran)
	}
	return u.cle
}

// TestTesterMaCle: the maire's token (SoftHSM2) is found, a wrong PIN is
// said plainly, the right one signs and verifies a test value, and the
// certificate is handed to the agent, which lists it with its expiry. The
// PIN never stays in the field.
func TestTesterMaCle(t *testing.T) {
	j := jetontest.Nouveau(t)
	ag := communeDeTest()
	u := connecte(t, ag, Options{ModulePKCS11: j.Module})
	u.opts.Maintenant = time.Now // the token's certificates are issued for today
	p := ouvrirPageCle(t, u)
	if !strings.Contains(p.pilote.Text, j.Module) || !strings.Contains(p.jetons.Text, "Clé trouvée") {
		t.Fatalf("pilote %q, clés %q", p.pilote.Text, p.jetons.Text)
	}

	test.Type(p.pin, "0000")
	test.Tap(p.tester)
	if p.pin.Text != "" {
		t.Fatal("le PIN reste dans le champ après le test")
	}
	if p.resultat.Importance != widget.DangerImportance || !strings.Contains(p.resultat.Text, "PIN incorrect") {
		t.Fatalf("PIN faux : %q (%v)", p.resultat.Text, p.resultat.Importance)
	}
	if ag.aAppele("EnregistrerCertificat") {
		t.Fatal("aucun certificat ne doit être enregistré sans le bon PIN")
	}

	test.Type(p.pin, j.PIN)
	test.Tap(p.tester)
	if p.resultat.Importance != widget.SuccessImportance || p.resultat.Text != "La clé fonctionne : elle est prête à signer." {
		t.Fatalf("bon PIN : %q (%v)\n%s", p.resultat.Text, p.resultat.Importance, p.lignes.Text)
	}
	if !strings.Contains(p.lignes.Text, "Signature d'essai réussie") || !strings.Contains(p.lignes.Text, "RGS**") {
		t.Fatalf("détail du test : %s", p.lignes.Text)
	}
	if len(ag.certificats) != 1 || ag.certificats[0].UtilisateurID != "u-marie" || !ag.certificats[0].RGS {
		t.Fatalf("certificat remis à l'agent : %+v", ag.certificats)
	}
	if txt := strings.Join(textes(p.certifs), " "); !strings.Contains(txt, ag.certificats[0].Porteur) || !strings.Contains(txt, "Valide jusqu'au") {
		t.Fatalf("certificats affichés : %s", txt)
	}
}

// TestCertificatBientotExpire: a certificate the agent knows, expiring in
// 20 days, is shown as a warning on the page, token plugged in or not.
func TestCertificatBientotExpire(t *testing.T) {
	j := jetontest.Nouveau(t)
	ag := communeDeTest()
	c, err := xdemat.LireCertificatSignature(j.BientotExpire.Cert.Raw, "u-marie")
	if err != nil {
		t.Fatal(err)
	}
	ag.certificats = append(ag.certificats, c)
	u := connecte(t, ag, Options{ModulePKCS11: j.Module})
	u.opts.Maintenant = time.Now // the token's certificates are issued for today
	p := ouvrirPageCle(t, u)
	var alerte *widget.Label
	for _, o := range objets(p.certifs) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Expire le ") {
			alerte = l
		}
	}
	if alerte == nil || alerte.Importance != widget.WarningImportance || !strings.Contains(alerte.Text, "commandez son renouvellement") {
		t.Fatalf("alerte d'expiration absente : %v", textes(p.certifs))
	}
}
