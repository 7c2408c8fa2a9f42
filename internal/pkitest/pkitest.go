// Package pkitest makes the certificates that signing tests need: a test
// certification authority and signer certificates shaped like the RGS**
// certificates French élus hold (key usage, certificate policies, subject with
// the commune as organisation). It is only imported by tests and demos; it
// never touches a real token.
package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Policy OIDs used in test certificates. There is no single RGS** OID: a
// real RGS** certificate carries the OID of its CA's own certificate policy
// (under the CA's AFNOR arc 1.2.250.1.x), usually with the ETSI qualified
// policy and QCStatements (set Signataire.Qualifie). PolitiqueRGSDeuxEtoiles
// is an OID of the ANSSI arc (1.2.250.1.223) followed by a test suffix: a
// French arc no real CA uses, which the pkcs11 package recognises as
// RGS** like the policies ANSSI defines.
var (
	PolitiqueRGSDeuxEtoiles = asn1.ObjectIdentifier{1, 2, 250, 1, 223, 1, 2, 2, 1}
	// PolitiqueQualifiee is the ETSI QCP-n-qscd policy (EN 319 411-2): a
	// qualified certificate for a natural person with the key on a QSCD.
	PolitiqueQualifiee = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 2}
)

// QCStatements OIDs (RFC 3739, ETSI EN 319 412-5) written when
// Signataire.Qualifie is set, as on the qualified certificates French CAs
// issue for RGS** signature.
var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcSSCD       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcTypeESign  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
)

// AC is a test certification authority.
type AC struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NouvelleAC makes a self-signed root valid from one day ago for ten years.
func NouvelleAC(tb testing.TB) *AC {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Country: []string{"FR"}, Organization: []string{"AC de test xdemat"}, CommonName: "AC de test xdemat RGS"},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &AC{Cert: cert, Key: key}
}

// Signataire describes the certificate to issue. The zero value gives a
// valid RGS** signature certificate for "Jean Dupont, maire" of a test commune.
type Signataire struct {
	Nom          string // common name; "Jean Dupont" when empty
	Organisation string // "Commune de Test" when empty
	NotBefore    time.Time
	NotAfter     time.Time // one year after NotBefore when zero
	Politiques   []asn1.ObjectIdentifier
	Serie        int64
	// Qualifie adds the QCStatements of an eIDAS qualified signature
	// certificate with its key on a QSCD (QcCompliance, QcSSCD,
	// QcType esign). Off by default.
	Qualifie bool
}

// Emettre issues a signature certificate for pub (a key on a token, or made
// in the test). Key usage is nonRepudiation + digitalSignature, as on RGS
// signature certificates.
func (ac *AC) Emettre(tb testing.TB, pub crypto.PublicKey, s Signataire) *x509.Certificate {
	tb.Helper()
	if s.Nom == "" {
		s.Nom = "Jean Dupont"
	}
	if s.Organisation == "" {
		s.Organisation = "Commune de Test"
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = time.Now().Add(-time.Hour)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = s.NotBefore.AddDate(1, 0, 0)
	}
	if s.Politiques == nil {
		s.Politiques = []asn1.ObjectIdentifier{PolitiqueRGSDeuxEtoiles}
	}
	if s.Serie == 0 {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			tb.Fatal(err)
		}
		s.Serie = n.Int64() + 2
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(s.Serie),
		Subject:            pkix.Name{Country: []string{"FR"}, Organization: []string{s.Organisation}, CommonName: s.Nom},
		NotBefore:          s.NotBefore,
		NotAfter:           s.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		Policies:           politiques(tb, s.Politiques),
		AuthorityKeyId:     ac.Cert.SubjectKeyId,
		SignatureAlgorithm: x509.ECDSAWithSHA256,
	}
	if s.Qualifie {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, qcStatements(tb))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ac.Cert, pub, ac.Key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return cert
}

// qcStatements builds the QCStatements extension of a qualified signature
// certificate on a QSCD.
func qcStatements(tb testing.TB) pkix.Extension {
	type statement struct {
		ID   asn1.ObjectIdentifier
		Info asn1.RawValue `asn1:"optional"`
	}
	types, err := asn1.Marshal([]asn1.ObjectIdentifier{oidQcTypeESign})
	if err != nil {
		tb.Fatal(err)
	}
	v, err := asn1.Marshal([]statement{
		{ID: oidQcCompliance},
		{ID: oidQcSSCD},
		{ID: oidQcType, Info: asn1.RawValue{FullBytes: types}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return pkix.Extension{Id: oidQCStatements, Value: v}
}

// politiques converts for x509.Certificate.Policies, the field Go writes
// since 1.24 (PolicyIdentifiers is ignored on creation).
func politiques(tb testing.TB, oids []asn1.ObjectIdentifier) []x509.OID {
	out := make([]x509.OID, 0, len(oids))
	for _, o := range oids {
		ints := make([]uint64, len(o))
		for i, v := range o {
			ints[i] = uint64(v)
		}
		x, err := x509.OIDFromInts(ints)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

// CleRSA makes a 2048-bit RSA key held in memory, for tests that do not need a token.
func CleRSA(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// EcrirePEM writes certs as one PEM file in dir and returns its path, for
// the outside verifiers (xmlsec1 --trusted-pem, openssl -CAfile).
func EcrirePEM(tb testing.TB, dir, nom string, certs ...*x509.Certificate) string {
	tb.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	p := filepath.Join(dir, nom)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}
