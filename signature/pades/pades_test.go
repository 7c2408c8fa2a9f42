package pades

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat/internal/pkitest"
	"xdemat/signature"
)

// sortiePdfsig splits pdfsig's output by signature.
func sortiePdfsig(out string) []string {
	parts := strings.Split(out, "Signature #")
	if len(parts) < 2 {
		return nil
	}
	return parts[1:]
}

func TestSignatureUniqueVerifieeParPoppler(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	rsaSig := nouveauSignataire(t, ac, "Jean Dupont", false)
	ecSig := nouveauSignataire(t, ac, "Françoise Lœuvre", true)
	for _, tc := range []struct {
		nom string
		pdf func(testing.TB) []byte
		s   signataire
		o   Options
	}{
		{"acte fpdf de 3 pages, clé RSA, signature invisible", func(tb testing.TB) []byte { return pdfFpdf(tb, 3) }, rsaSig,
			Options{Qualite: "Maire", Motif: "Approbation de la délibération", Lieu: "Saint-Étienne-au-Temple"}},
		{"acte fpdf avec police embarquée, clé ECDSA", pdfDejaVu, ecSig,
			Options{Qualite: "Première adjointe", Motif: "Visa"}},
		{"PDF à flux de références et flux d'objets, clé RSA", pdfFluxXref, rsaSig,
			Options{Motif: "Bordereau"}},
		{"PDF à flux de références, bloc visible par délégation, clé ECDSA", pdfFluxXref, ecSig,
			Options{Qualite: "Adjointe au maire", ParDelegation: true, Visible: &Bloc{Page: 1, X: 340, Y: 60, W: 200, H: 70}}},
		{"clé RSA en PSS", func(tb testing.TB) []byte { return pdfFpdf(tb, 1) }, rsaSig, Options{PSS: true}},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			tc.o.Heure = time.Now().Add(-time.Minute)
			out := signer(t, tc.pdf(t), tc.s, tc.o)

			sigs, err := VerifierSignatures(out, racines(ac))
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != 1 || !sigs[0].Valide || !sigs[0].DocumentEntier || !sigs[0].ChaineVerifiee ||
				sigs[0].Type != "ETSI.CAdES.detached" || sigs[0].Champ != "Signature1" ||
				sigs[0].Nom != tc.s.cert.Subject.CommonName || !sigs[0].Heure.Equal(tc.o.Heure.Truncate(time.Second)) {
				t.Fatalf("signatures lues : %+v", sigs)
			}

			txt := pdfsig(t, out, ac)
			for _, attendu := range []string{"Signature is Valid.", "Total document signed", "Certificate is Trusted.",
				"Signature Type: ETSI.CAdES.detached", "Signer Certificate Common Name: " + tc.s.cert.Subject.CommonName} {
				if !strings.Contains(txt, attendu) {
					t.Errorf("pdfsig ne dit pas %q :\n%s", attendu, txt)
				}
			}
		})
	}
}

func racines(ac *pkitest.AC) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ac.Cert)
	return p
}

func ecrireFichier(t *testing.T, f string, b []byte) {
	t.Helper()
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeuxSignaturesSuccessivesRestentValides(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	secretaire := nouveauSignataire(t, ac, "Marie Martin", true)
	maire := nouveauSignataire(t, ac, "Jean Dupont", false)
	for _, tc := range []struct {
		nom string
		pdf func(testing.TB) []byte
	}{
		{"visa puis signature sur un PDF à table classique", func(tb testing.TB) []byte { return pdfFpdf(tb, 2) }},
		{"visa puis signature sur un PDF à flux de références", pdfFluxXref},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			vise := signer(t, tc.pdf(t), secretaire, Options{Motif: "Visa", Qualite: "Secrétaire de mairie"})
			signe := signer(t, vise, maire, Options{Motif: "Signature", Qualite: "Maire",
				Visible: &Bloc{Page: 1, X: 350, Y: 50, W: 200, H: 60}})
			if !bytes.HasPrefix(signe, vise) {
				t.Fatal("la seconde signature a réécrit le document au lieu de l'ajouter à la fin")
			}

			sigs, err := Signatures(signe)
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != 2 || sigs[0].Nom != "Marie Martin" || sigs[1].Nom != "Jean Dupont" ||
				sigs[0].Champ != "Signature1" || sigs[1].Champ != "Signature2" {
				t.Fatalf("signatures lues : %+v", sigs)
			}
			if !sigs[0].Valide || !sigs[1].Valide || sigs[0].DocumentEntier || !sigs[1].DocumentEntier {
				t.Fatalf("validité ou couverture inattendue : %+v", sigs)
			}

			parts := sortiePdfsig(pdfsig(t, signe, ac))
			if len(parts) != 2 {
				t.Fatalf("pdfsig voit %d signature(s) au lieu de 2", len(parts))
			}
			for i, p := range parts {
				if !strings.Contains(p, "Signature is Valid.") || !strings.Contains(p, "Certificate is Trusted.") {
					t.Errorf("signature %d non valide pour pdfsig :\n%s", i+1, p)
				}
			}
			if !strings.Contains(parts[0], "Not total document signed") || !strings.Contains(parts[1], "Total document signed") ||
				strings.Contains(parts[1], "Not total") {
				t.Errorf("couverture du document inattendue :\n%s", strings.Join(parts, ""))
			}
		})
	}
}

func TestOctetModifieApresSignature(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", false)
	out := signer(t, pdfFpdf(t, 1), s, Options{})
	// "%PDF-1.3" becomes "%PDF-1.4": the file stays readable, the signed
	// bytes changed.
	abime := bytes.Clone(out)
	abime[7]++
	sigs, err := Signatures(abime)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || sigs[0].Valide || !strings.Contains(sigs[0].Probleme, "modifié après la signature") {
		t.Fatalf("document modifié : %+v", sigs)
	}
	txt := pdfsig(t, abime, ac)
	if strings.Contains(txt, "Signature is Valid.") || !strings.Contains(txt, "Digest Mismatch") {
		t.Fatalf("pdfsig accepte un document modifié :\n%s", txt)
	}
}

func TestBlocVisibleParDelegation(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Hélène Lefèvre", false)
	heure := time.Date(2026, 3, 14, 9, 26, 0, 0, time.FixedZone("CET", 3600))
	o := Options{Qualite: "Première adjointe", ParDelegation: true, Heure: heure,
		Visible: &Bloc{Page: 2, X: 330, Y: 40, W: 220, H: 80}}
	prep, _, err := Preparer(pdfFpdf(t, 2), s.cert, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	// The appearance stream is written uncompressed, in WinAnsiEncoding.
	for _, attendu := range [][]byte{
		[]byte("(Pour le maire et par d\xe9l\xe9gation) Tj"),
		[]byte("(H\xe9l\xe8ne Lef\xe8vre) Tj"),
		[]byte("(Premi\xe8re adjointe) Tj"),
		[]byte("(Sign\xe9 \xe9lectroniquement le 14/03/2026 \xe0 09:26) Tj"),
		[]byte("/Encoding /WinAnsiEncoding"),
		[]byte("/Rect [330 40 550 120]"),
		[]byte("/M (D:20260314092600+01'00')"),
	} {
		if !bytes.Contains(prep.PDF, attendu) {
			t.Errorf("%q absent du PDF préparé", attendu)
		}
	}
	sansDelegation, _, err := Preparer(pdfFpdf(t, 1), s.cert, nil, Options{Visible: &Bloc{Page: 1, W: 100, H: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sansDelegation.PDF, []byte("par d\xe9l\xe9gation")) {
		t.Error("mention de délégation écrite alors que le signataire signe en son nom")
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		// The block must render (poppler draws widget appearances).
		valeur, err := signature.Signer(s.cle, prep.CMS.Empreinte())
		if err != nil {
			t.Fatal(err)
		}
		out, err := prep.Assembler(valeur)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "x.pdf")
		ecrireFichier(t, f, out)
		if o, err := exec.Command("pdftoppm", "-f", "2", "-l", "2", "-r", "20", "-png", f, filepath.Join(filepath.Dir(f), "p")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm : %v\n%s", err, o)
		}
	}
}

func TestErreursEnFrancais(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", true)
	pdf := pdfFpdf(t, 1)
	for _, tc := range []struct {
		nom     string
		pdf     []byte
		o       Options
		message string
	}{
		{"fichier texte", []byte("Bonjour, voici le compte rendu."), Options{}, "Ce fichier n'est pas un PDF lisible : "},
		{"PDF tronqué", pdf[:len(pdf)/2], Options{}, "Ce fichier n'est pas un PDF lisible : "},
		{"page inexistante", pdf, Options{Visible: &Bloc{Page: 4, W: 10, H: 10}}, "le document a 1 page(s)"},
		{"bloc vide", pdf, Options{Visible: &Bloc{Page: 1}}, "taille nulle"},
		{"PDF chiffré", bytes.Replace(pdf, []byte("trailer\n<<"), []byte("trailer\n<</Encrypt 99 0 R"), 1), Options{}, "chiffré"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			_, _, err := Preparer(tc.pdf, s.cert, nil, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("erreur %v, attendu %q", err, tc.message)
			}
		})
	}
}

func TestCMSSansSigningTime(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", false)
	prep, _, err := Preparer(pdfFpdf(t, 1), s.cert, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// DER of OID 1.2.840.113549.1.9.5 (signing-time): PAdES B-B puts the
	// time in /M and forbids this attribute.
	signingTime := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05}
	if bytes.Contains(prep.CMS.AttributsSignes, signingTime) {
		t.Fatal("attribut signing-time présent dans la signature PAdES")
	}
	if !bytes.Contains(prep.PDF, []byte("/SubFilter/ETSI.CAdES.detached")) || !bytes.Contains(prep.PDF, []byte("/SigFlags 3")) {
		t.Fatal("dictionnaire de signature ou formulaire incomplet")
	}
}

func TestAssemblerRefuse(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", false)
	autre := nouveauSignataire(t, ac, "Paul Durand", false)
	prep, e, err := Preparer(pdfFpdf(t, 1), s.cert, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	valeurAutre, err := signature.Signer(autre.cle, e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prep.Assembler(valeurAutre); err == nil {
		t.Fatal("signature d'une autre clé assemblée")
	}
	valeur, err := signature.Signer(s.cle, e)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(prep)
	var modifiee Preparation
	if err := json.Unmarshal(j, &modifiee); err != nil {
		t.Fatal(err)
	}
	modifiee.PDF[20] ^= 1
	if _, err := modifiee.Assembler(valeur); err == nil || !strings.Contains(err.Error(), "modifié depuis la préparation") {
		t.Fatalf("PDF préparé modifié : %v", err)
	}
	if _, err := (&Preparation{}).Assembler(valeur); err == nil {
		t.Fatal("préparation vide acceptée")
	}
	// The same preparation can be assembled again (a retry after a crash).
	for range 2 {
		if _, err := prep.Assembler(valeur); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDocumentSansSignature(t *testing.T) {
	for _, formulaire := range []bool{false, true} {
		pdf := pdfFluxXrefAvec(t, formulaire)
		sigs, err := Signatures(pdf)
		if err != nil || len(sigs) != 0 {
			t.Fatalf("%+v, %v", sigs, err)
		}
		// The hand-written file itself must be a correct PDF for poppler.
		if _, err := exec.LookPath("pdfinfo"); err == nil {
			f := filepath.Join(t.TempDir(), "x.pdf")
			ecrireFichier(t, f, pdf)
			out, err := exec.Command("pdfinfo", f).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Pages:           1") || strings.Contains(string(out), "Error") {
				t.Fatalf("pdfinfo : %v\n%s", err, out)
			}
		}
	}
}

func TestFormulaireEtAnnotationsIndirects(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	s := nouveauSignataire(t, ac, "Jean Dupont", false)
	pdf := pdfFluxXrefAvec(t, true)
	out := signer(t, signer(t, pdf, s, Options{}), s, Options{Visible: &Bloc{Page: 1, X: 300, Y: 40, W: 200, H: 60}})
	// The existing form and annotation arrays are rewritten in place
	// (objects 8 and 9), the existing text field kept.
	for _, attendu := range []string{"\n8 0 obj\n<</Fields [10 0 R 12 0 R 15 0 R]/DA (/Helv 0 Tf 0 g)/SigFlags 3>>", "\n9 0 obj\n[10 0 R 12 0 R 15 0 R]"} {
		if !strings.Contains(string(out), attendu) {
			t.Errorf("%q absent de la mise à jour", attendu)
		}
	}
	sigs, err := Signatures(out)
	if err != nil || len(sigs) != 2 || !sigs[0].Valide || !sigs[1].Valide || !sigs[1].DocumentEntier {
		t.Fatalf("%+v, %v", sigs, err)
	}
	txt := pdfsig(t, out, ac)
	if strings.Count(txt, "Signature is Valid.") != 2 {
		t.Fatalf("pdfsig :\n%s", txt)
	}
}

func FuzzPreparer(f *testing.F) {
	ac := pkitest.NouvelleAC(f)
	s := nouveauSignataire(f, ac, "Jean Dupont", true)
	pdf := pdfFpdf(f, 1)
	flux := pdfFluxXref(f)
	f.Add(pdf)
	f.Add(flux)
	f.Add(signer(f, flux, s, Options{}))
	f.Add(pdf[:len(pdf)-40])
	f.Add(bytes.ReplaceAll(flux, []byte("obj"), []byte("ojb")))
	f.Add([]byte("%PDF-1.7\nstartxref\n0\n%%EOF"))
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 1 0 R>>endobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer<</Size 2/Root 1 0 R/Prev 0>>\nstartxref\n50\n%%EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		prep, _, err := Preparer(b, s.cert, nil, Options{Visible: &Bloc{Page: 1, W: 100, H: 40}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "Ce fichier n'est pas un PDF lisible : ") && !strings.Contains(err.Error(), "page") {
				t.Fatalf("erreur hors du format attendu : %v", err)
			}
		} else if !bytes.HasPrefix(prep.PDF, b) {
			t.Fatal("le document d'origine a été réécrit")
		}
		_, _ = Signatures(b)
	})
}
