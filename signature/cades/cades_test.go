package cades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat/internal/pkitest"
	"xdemat/internal/verificateurs"
	"xdemat/signature"
)

type signataire struct {
	ac   *pkitest.AC
	cle  crypto.Signer
	cert *x509.Certificate
}

func nouveauSignataire(t testing.TB, ecdsaCle bool) signataire {
	ac := pkitest.NouvelleAC(t)
	var cle crypto.Signer = pkitest.CleRSA(t)
	if ecdsaCle {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cle = k
	}
	return signataire{ac: ac, cle: cle, cert: ac.Emettre(t, cle.Public(), pkitest.Signataire{Nom: "Jeanne Lœuvre"})}
}

// signer runs both steps, with a JSON round trip in between as the agent
// does when it keeps the preparation on disk.
func signer(t testing.TB, s signataire, doc []byte, o Options) []byte {
	t.Helper()
	prep, e, err := Preparer(bytes.NewReader(doc), s.cert, []*x509.Certificate{s.ac.Cert}, o)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(prep)
	if err != nil {
		t.Fatal(err)
	}
	var relue Preparation
	if err := json.Unmarshal(j, &relue); err != nil {
		t.Fatal(err)
	}
	valeur, err := signature.Signer(s.cle, e)
	if err != nil {
		t.Fatal(err)
	}
	p7s, err := relue.Assembler(valeur)
	if err != nil {
		t.Fatal(err)
	}
	max, err := relue.TailleMax()
	if err != nil || len(p7s) > max {
		t.Fatalf("taille %d au-delà du maximum annoncé %d (%v)", len(p7s), max, err)
	}
	return p7s
}

func racines(ac *pkitest.AC) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ac.Cert)
	return p
}

func TestSignatureDetacheeVerifieeParOpenSSLEtParNous(t *testing.T) {
	doc := []byte("Délibération n° 2026-041 : budget primitif de la commune.\n")
	heure := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	for _, tc := range []struct {
		nom   string
		ecdsa bool
		pss   bool
		algo  string
	}{
		{"clé RSA en PKCS#1 v1.5", false, false, "RSA PKCS#1 v1.5 / SHA-256"},
		{"clé RSA en PSS", false, true, "RSA-PSS / SHA-256"},
		{"clé ECDSA P-256", true, false, "ECDSA / SHA-256"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			s := nouveauSignataire(t, tc.ecdsa)
			p7s := signer(t, s, doc, Options{SigningTime: heure, PSS: tc.pss})

			r, err := Verifier(p7s, bytes.NewReader(doc), racines(s.ac))
			if err != nil {
				t.Fatalf("signature valide refusée : %v", err)
			}
			if !r.CAdES || !r.ChaineVerifiee || r.Algorithme != tc.algo || !r.HeureDeclaree.Equal(heure) ||
				r.Signataire.Subject.CommonName != "Jeanne Lœuvre" {
				t.Fatalf("résultat inattendu : %+v", r)
			}
			if !strings.Contains(r.String(), "signature valide de Jeanne Lœuvre (Commune de Test)") {
				t.Fatalf("message : %s", r)
			}
			if _, err := Verifier(p7s, strings.NewReader(string(doc)+" "), racines(s.ac)); err == nil ||
				!strings.Contains(err.Error(), "modifié après la signature") {
				t.Fatalf("document modifié accepté ou mauvais message : %v", err)
			}
			if _, err := Verifier(p7s, bytes.NewReader(doc), racines(pkitest.NouvelleAC(t))); err == nil ||
				!strings.Contains(err.Error(), "non reconnu") {
				t.Fatalf("autorité inconnue acceptée : %v", err)
			}

			opensslVerifie(t, s, p7s, doc, true)
			opensslVerifie(t, s, p7s, append([]byte("X"), doc[1:]...), false)
		})
	}
}

func opensslVerifie(t *testing.T, s signataire, p7s, doc []byte, valide bool) {
	t.Helper()
	out, err := verificateurs.OpensslCMS(t, p7s, doc, s.ac.Cert)
	if valide && err != nil {
		t.Fatalf("openssl refuse la signature : %v\n%s", err, out)
	}
	if !valide && err == nil {
		t.Fatalf("openssl accepte un document modifié :\n%s", out)
	}
}

func TestAttributsSignes(t *testing.T) {
	s := nouveauSignataire(t, true)
	doc := []byte("arrêté")
	for _, tc := range []struct {
		nom       string
		o         Options
		avecHeure bool
	}{
		{"CAdES B-B avec signing-time", Options{}, true},
		{"sans signing-time pour PAdES", Options{SansSigningTime: true}, false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			p7s := signer(t, s, doc, tc.o)
			r, err := Verifier(p7s, bytes.NewReader(doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.HeureDeclaree.IsZero() == tc.avecHeure || !r.CAdES || r.ChaineVerifiee {
				t.Fatalf("résultat inattendu : %+v", r)
			}
			if _, err := exec.LookPath("openssl"); err != nil {
				return
			}
			f := filepath.Join(t.TempDir(), "x.p7s")
			if err := os.WriteFile(f, p7s, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", f).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			txt := string(out)
			for _, attendu := range []string{"contentType", "messageDigest", "id-smime-aa-signingCertificateV2", "ecdsa-with-SHA256"} {
				if !strings.Contains(txt, attendu) {
					t.Errorf("%s absent de la structure CMS", attendu)
				}
			}
			if strings.Contains(txt, "signingTime") != tc.avecHeure {
				t.Errorf("signingTime présent = %v, attendu %v", !tc.avecHeure, tc.avecHeure)
			}
		})
	}
}

func TestAssemblerRefuseUneMauvaiseValeur(t *testing.T) {
	s := nouveauSignataire(t, false)
	prep, _, err := Preparer(strings.NewReader("devis"), s.cert, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	autre, _, err := Preparer(strings.NewReader("autre devis"), s.cert, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	valeur, err := signature.Signer(s.cle, autre.Empreinte())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prep.Assembler(valeur); err == nil {
		t.Fatal("valeur signée pour un autre document acceptée")
	}
	if _, err := (&Preparation{}).Assembler(valeur); err == nil {
		t.Fatal("préparation vide acceptée")
	}
}

func TestSignatureModifieeRefusee(t *testing.T) {
	s := nouveauSignataire(t, false)
	doc := []byte("courrier")
	p7s := signer(t, s, doc, Options{})
	// The signature value is the last bytes of the structure.
	abime := append([]byte{}, p7s...)
	abime[len(abime)-5] ^= 1
	if _, err := Verifier(abime, bytes.NewReader(doc), nil); err == nil || !strings.Contains(err.Error(), "signature invalide") {
		t.Fatalf("valeur de signature modifiée : %v", err)
	}
	if _, err := Verifier(p7s[:len(p7s)/2], bytes.NewReader(doc), nil); err == nil || !strings.Contains(err.Error(), "illisible") {
		t.Fatalf("fichier tronqué : %v", err)
	}
	// PAdES pads the signature with zeros.
	if _, err := Verifier(append(p7s, make([]byte, 100)...), bytes.NewReader(doc), nil); err != nil {
		t.Fatalf("signature suivie de zéros refusée : %v", err)
	}
}

func FuzzVerifier(f *testing.F) {
	s := nouveauSignataire(f, true)
	doc := []byte("bordereau")
	p7s := signer(f, s, doc, Options{})
	f.Add(p7s)
	f.Add(p7s[:40])
	f.Add([]byte{0x30, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Verifier(b, bytes.NewReader(doc), nil)
		if err == nil && r.Signataire == nil {
			t.Fatal("signature acceptée sans signataire")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("erreur sans message")
		}
	})
}
