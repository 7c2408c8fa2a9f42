// Package verificateurs runs the outside verifiers of our signatures in
// tests: poppler's pdfsig for PAdES, xmlsec1 for XML-DSig (XAdES), openssl
// cms for CAdES. Each is an independent implementation: a signature they
// accept is not just one our own code agrees with. A test is skipped, with
// the package to install, when the tool is absent.
package verificateurs

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"xdemat/internal/pkitest"
)

func outil(tb testing.TB, noms ...string) {
	tb.Helper()
	for _, n := range noms {
		if _, err := exec.LookPath(n); err != nil {
			tb.Skipf("%s absent : vérification externe non faite (lancez installer/deps.sh)", n)
		}
	}
}

func ecrire(tb testing.TB, dir, nom string, b []byte) string {
	tb.Helper()
	p := filepath.Join(dir, nom)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Pdfsig runs pdfsig on pdf with an NSS database trusting ac and returns its
// output. pdfsig exits 0 even on a digest mismatch: read the text
// ("Signature is Valid.", "Certificate is Trusted.").
func Pdfsig(tb testing.TB, pdf []byte, ac *x509.Certificate) string {
	tb.Helper()
	outil(tb, "pdfsig", "certutil")
	dir := tb.TempDir()
	nss := filepath.Join(dir, "nss")
	if err := os.Mkdir(nss, 0o700); err != nil {
		tb.Fatal(err)
	}
	ca := pkitest.EcrirePEM(tb, dir, "ac.pem", ac)
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + nss, "--empty-password"},
		{"-A", "-d", "sql:" + nss, "-n", "ac", "-t", "CT,C,C", "-i", ca},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			tb.Fatalf("certutil %v : %v\n%s", args, err, out)
		}
	}
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, ecrire(tb, dir, "signe.pdf", pdf)).CombinedOutput()
	return string(out)
}

// Xmlsec1 verifies the signature whose Id is id in doc, trusting ac;
// idAttrs are the "ns:Element" whose Id attribute is an XML ID (xmlsec1
// has no schema to learn it). It returns xmlsec1's output and error.
func Xmlsec1(tb testing.TB, doc []byte, id string, ac *x509.Certificate, idAttrs ...string) (string, error) {
	tb.Helper()
	outil(tb, "xmlsec1")
	dir := tb.TempDir()
	args := []string{"--verify", "--trusted-pem", pkitest.EcrirePEM(tb, dir, "ac.pem", ac)}
	for _, a := range idAttrs {
		args = append(args, "--id-attr:Id", a)
	}
	args = append(args, "--node-id", id, ecrire(tb, dir, "signe.xml", doc))
	out, err := exec.Command("xmlsec1", args...).CombinedOutput()
	return string(out), err
}

// OpensslCMS verifies a detached CMS signature (.p7s, DER) of contenu,
// trusting ac; nil when openssl accepts it.
func OpensslCMS(tb testing.TB, p7s, contenu []byte, ac *x509.Certificate) (string, error) {
	tb.Helper()
	outil(tb, "openssl")
	dir := tb.TempDir()
	out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER",
		"-in", ecrire(tb, dir, "x.p7s", p7s), "-content", ecrire(tb, dir, "doc", contenu),
		"-CAfile", pkitest.EcrirePEM(tb, dir, "ac.pem", ac), "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	return string(out), err
}
