package pkcs11_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"xdemat/pkcs11"
	"xdemat/pkcs11/jetontest"
	"xdemat/signature"
)

func TestTesterMaCle(t *testing.T) {
	jt := jetontest.Nouveau(t)
	cas := []struct {
		nom        string
		cle        jetontest.Cle
		ok         bool
		alerte     pkcs11.Alerte
		algorithme signature.Algorithme
		lignes     []string
	}{
		{"clé RSA en règle", jt.RSA, true, pkcs11.AlerteAucune, signature.RSAPKCS1v15SHA256, []string{
			"Clé trouvée : Clé SoftHSM project SoftHSM v2 « xdemat-test »", "PIN accepté.", "Certificat : Jean Dupont, émis par AC de test xdemat RGS",
			"Niveau RGS** reconnu.", "Signature d'essai réussie et vérifiée (rsa-pkcs1v15-sha256)"}},
		{"clé ECDSA qualifiée", jt.ECDSA, true, pkcs11.AlerteAucune, signature.ECDSASHA256, []string{"Certificat qualifié eIDAS.", "Signature d'essai réussie"}},
		{"certificat expirant dans 20 jours", jt.BientotExpire, true, pkcs11.Alerte30Jours, signature.ECDSASHA256, []string{
			"Le certificat de Claire Bientôt expire dans 20 jours", "Signature d'essai réussie"}},
		{"certificat expiré", jt.Expire, false, pkcs11.AlerteExpire, "", []string{"a expiré le", "un certificat expiré ou pas encore valide ne peut pas signer"}},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			d, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: jt.Module, Jeton: jt.Libelle, IDCertificat: c.cle.ID, PIN: jt.PINOctets()})
			if err != nil {
				t.Fatal(err)
			}
			if d.OK() != c.ok || d.Alerte != c.alerte || d.Algorithme != c.algorithme || d.SignatureVerifiee != c.ok {
				t.Errorf("ok %v alerte %v algorithme %q", d.OK(), d.Alerte, d.Algorithme)
			}
			texte := strings.Join(d.Lignes, "\n")
			for _, l := range c.lignes {
				if !strings.Contains(texte, l) {
					t.Errorf("ligne %q absente de :\n%s", l, texte)
				}
			}
			want := pkcs11.Compteurs{Connexions: 1, Signatures: 1}
			if !c.ok {
				want.Signatures = 0
			}
			if d.Compteurs != want {
				t.Errorf("compteurs %+v", d.Compteurs)
			}
		})
	}
	t.Run("sans certificat choisi : le certificat de signature qui expire le plus tard", func(t *testing.T) {
		d, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: jt.Module, PIN: jt.PINOctets()})
		if err != nil {
			t.Fatal(err)
		}
		if !d.OK() || d.Certificat.FinValidite.Before(time.Now().AddDate(0, 11, 0)) {
			t.Errorf("certificat choisi : %s jusqu'au %v", d.Certificat.NomCommun, d.Certificat.FinValidite)
		}
	})
	t.Run("PIN incorrect", func(t *testing.T) {
		_, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: jt.Module, Jeton: jt.Libelle, PIN: []byte("4321")})
		if !errors.Is(err, pkcs11.ErrPINIncorrect) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("clé non branchée", func(t *testing.T) {
		_, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: jt.Module, Jeton: "clé du maire", PIN: jt.PINOctets()})
		if !errors.Is(err, pkcs11.ErrJetonAbsent) || !strings.Contains(err.Error(), "« clé du maire » n'est pas branchée") {
			t.Fatalf("%v", err)
		}
	})
}
