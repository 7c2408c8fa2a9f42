package signature_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat/internal/pdftest"
	"xdemat/internal/verificateurs"
	"xdemat/pkcs11/jetontest"
	"xdemat/signature"
	"xdemat/signature/cades"
	"xdemat/signature/pades"
	"xdemat/signature/xades"
)

// Namespaces whose Id attributes xmlsec1 must treat as XML IDs in a PES.
var idsPES = []string{
	"Bordereau",
	"http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller:PES_Aller",
	"http://uri.etsi.org/01903/v1.1.1#:SignedProperties",
	"http://www.w3.org/2000/09/xmldsig#:Signature",
}

func TestMain(m *testing.M) {
	code := m.Run()
	jetontest.Nettoyer()
	os.Exit(code)
}

// TestLesTroisFormatsAvecLeJeton: with the élu's token (SoftHSM2), one
// login, an RSA and an ECDSA key each sign a délibération (PAdES), a PES
// bordereau (XAdES) and a devis (CAdES), and three independent verifiers
// accept them: pdfsig, xmlsec1 and openssl. An altered document is refused.
func TestLesTroisFormatsAvecLeJeton(t *testing.T) {
	j := jetontest.Nouveau(t)
	session := j.Connecter(t)
	pes, err := os.ReadFile(filepath.Join("xades", "testdata", "pes-synthetique-latin1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	signes := 0
	for _, cle := range []jetontest.Cle{j.RSA, j.ECDSA} {
		k, err := session.Signataire(cle.ID)
		if err != nil {
			t.Fatal(err)
		}
		cert := k.Certificat()
		signer := func(e signature.Empreinte) []byte {
			t.Helper()
			v, err := signature.Signer(k, e)
			if err != nil {
				t.Fatal(err)
			}
			signes++
			return v
		}
		t.Run(cle.Libelle, func(t *testing.T) {
			t.Run("PAdES vérifié par pdfsig", func(t *testing.T) {
				prep, e, err := pades.Preparer(pdftest.Minimal("Délibération n° 2026-041", "Tarifs de la cantine"), cert, nil,
					pades.Options{Nom: "Jean Dupont", Qualite: "Maire", Motif: "Délibération exécutoire", Lieu: "Attigny", Heure: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				pdf, err := prep.Assembler(signer(e))
				if err != nil {
					t.Fatal(err)
				}
				out := verificateurs.Pdfsig(t, pdf, j.AC.Cert)
				for _, want := range []string{"Signature is Valid.", "Certificate is Trusted.", "ETSI.CAdES.detached", "Total document signed"} {
					if !strings.Contains(out, want) {
						t.Fatalf("pdfsig ne dit pas %q :\n%s", want, out)
					}
				}
				pdf[len(pdf)/3] ^= 1
				if out := verificateurs.Pdfsig(t, pdf, j.AC.Cert); strings.Contains(out, "Signature is Valid.") {
					t.Fatalf("PDF modifié accepté :\n%s", out)
				}
			})
			t.Run("XAdES vérifié par xmlsec1", func(t *testing.T) {
				prep, emps, err := xades.Preparer(pes, cert, nil, xades.Parametres{Role: "Ordonnateur", DateSignature: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				var valeurs [][]byte
				for _, e := range emps {
					valeurs = append(valeurs, signer(e))
				}
				doc, err := prep.Assembler(valeurs)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range prep.Signatures {
					out, err := verificateurs.Xmlsec1(t, doc, s.Id, j.AC.Cert, idsPES...)
					if err != nil || !strings.Contains(out, "OK") {
						t.Fatalf("xmlsec1 refuse la signature %s : %v\n%s", s.Id, err, out)
					}
				}
				// 1 250,40 € become 1 250,41 € in the first bordereau.
				altere := bytes.Replace(doc, []byte(`<MtBordHT V="1250.40"`), []byte(`<MtBordHT V="1250.41"`), 1)
				if bytes.Equal(altere, doc) {
					t.Fatal("montant du bordereau introuvable dans le PES de test")
				}
				if _, err := verificateurs.Xmlsec1(t, altere, prep.Signatures[0].Id, j.AC.Cert, idsPES...); err == nil {
					t.Fatal("bordereau modifié accepté par xmlsec1")
				}
			})
			t.Run("CAdES vérifié par openssl", func(t *testing.T) {
				devis := []byte("Devis n° 2026-17 : réfection de la toiture de l'église, 12 480,00 € TTC")
				prep, e, err := cades.Preparer(bytes.NewReader(devis), cert, nil, cades.Options{SigningTime: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				p7s, err := prep.Assembler(signer(e))
				if err != nil {
					t.Fatal(err)
				}
				if out, err := verificateurs.OpensslCMS(t, p7s, devis, j.AC.Cert); err != nil {
					t.Fatalf("openssl refuse la signature : %v\n%s", err, out)
				}
				if _, err := verificateurs.OpensslCMS(t, p7s, append(devis, '.'), j.AC.Cert); err == nil {
					t.Fatal("devis modifié accepté par openssl")
				}
			})
		})
	}
	if c := session.Compteurs(); c.Connexions != 1 || c.Signatures != signes {
		t.Fatalf("jeton : %d connexion(s) et %d signature(s), attendu 1 et %d", c.Connexions, c.Signatures, signes)
	}
}
