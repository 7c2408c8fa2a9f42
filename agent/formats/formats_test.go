package formats

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/fixtures"
	"xdemat/internal/pdftest"
	"xdemat/internal/pkitest"
	"xdemat/signature"
	"xdemat/signature/cades"
	"xdemat/signature/pades"
	"xdemat/signature/xades"
)

// pesFixture reads the PES example of the shared fixtures, or skips.
func pesFixture(t *testing.T) []byte {
	t.Helper()
	return fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
}

// Each format, through its state serialised as the agent keeps it in its
// database, gives a signed document its own verifier accepts.
func TestChaqueFormatEnDeuxTemps(t *testing.T) {
	ac := pkitest.NouvelleAC(t)
	cle := pkitest.CleRSA(t)
	cert := ac.Emettre(t, cle.Public(), pkitest.Signataire{Nom: "Jacques Bertin"})
	le := time.Now().Add(-time.Minute)
	for _, tc := range []struct {
		nom      string
		format   string
		typ      xdemat.TypeDossier
		media    string
		doc      func(t *testing.T) []byte
		verifier func(t *testing.T, doc, signe []byte)
	}{
		{"délibération en PDF : PAdES", agent.FormatPAdES, xdemat.DossierDeliberation, "application/pdf",
			func(*testing.T) []byte { return pdftest.Minimal("Délibération n° 2026-014") },
			func(t *testing.T, doc, signe []byte) {
				racines := x509.NewCertPool()
				racines.AddCert(ac.Cert)
				if sigs, err := pades.VerifierSignatures(signe, racines); err != nil || len(sigs) != 1 || !bytes.HasPrefix(signe, doc) {
					t.Fatalf("PAdES : %d, %v", len(sigs), err)
				}
			}},
		{"bordereau PES : XAdES", agent.FormatXAdES, xdemat.DossierBordereau, "application/xml", pesFixture,
			func(t *testing.T, _, signe []byte) {
				res, err := xades.Verifier(signe, xades.OptionsVerification{Racines: []*x509.Certificate{ac.Cert}})
				if err != nil || len(res) == 0 {
					t.Fatalf("XAdES : %d signatures, %v", len(res), err)
				}
				if !strings.Contains(res[0].Role, "Maire") {
					t.Errorf("rôle %q", res[0].Role)
				}
			}},
		{"devis en tableur : CAdES détaché", agent.FormatCAdES, xdemat.DossierDevis, "application/vnd.oasis.opendocument.spreadsheet",
			func(*testing.T) []byte { return []byte("devis toiture 12 000 €") },
			func(t *testing.T, doc, signe []byte) {
				if _, err := cades.Verifier(signe, bytes.NewReader(doc), nil); err != nil {
					t.Fatalf("CAdES : %v", err)
				}
			}},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			doc := tc.doc(t)
			if got := agent.FormatPour(tc.typ, &xdemat.Document{TypeMedia: tc.media}); got != tc.format {
				t.Fatalf("format choisi %q, attendu %q", got, tc.format)
			}
			f := Disponibles()[tc.format]
			etat, emps, err := f.Preparer(doc, cert, agent.OptionsSignature{Le: le, Libelle: "Document", Signataire: "Jacques Bertin", Qualite: "Maire"})
			if err != nil || len(emps) == 0 {
				t.Fatalf("préparation : %d empreintes, %v", len(emps), err)
			}
			var valeurs [][]byte
			for _, e := range emps {
				v, err := signature.Signer(cle, e)
				if err != nil {
					t.Fatal(err)
				}
				valeurs = append(valeurs, v)
			}
			signe, err := f.Assembler(doc, append([]byte(nil), etat...), valeurs)
			if err != nil {
				t.Fatal(err)
			}
			tc.verifier(t, doc, signe)
			if _, err := f.Assembler(doc, []byte("{illisible"), valeurs); err == nil {
				t.Fatal("état illisible accepté")
			}
		})
	}
}
