package pkitest

import (
	"crypto/x509"
	"testing"
)

func TestCertificatSigneParLAC(t *testing.T) {
	ac := NouvelleAC(t)
	k := CleRSA(t)
	c := ac.Emettre(t, k.Public(), Signataire{})
	pool := x509.NewCertPool()
	pool.AddCert(ac.Cert)
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("chaîne refusée : %v", err)
	}
	if c.KeyUsage&x509.KeyUsageContentCommitment == 0 || len(c.PolicyIdentifiers) != 1 || !c.PolicyIdentifiers[0].Equal(PolitiqueRGSDeuxEtoiles) {
		t.Fatalf("certificat sans usage de non-répudiation ou sans politique RGS : %+v", c.PolicyIdentifiers)
	}
}
