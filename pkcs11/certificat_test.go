package pkcs11

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"xdemat/internal/pkitest"
)

// qc encodes a QCStatements extension with the given statements; a
// QcType statement carries its types.
func qc(t testing.TB, ids []asn1.ObjectIdentifier, types ...asn1.ObjectIdentifier) pkix.Extension {
	type st struct {
		ID   asn1.ObjectIdentifier
		Info asn1.RawValue `asn1:"optional"`
	}
	var l []st
	for _, id := range ids {
		l = append(l, st{ID: id})
	}
	if len(types) > 0 {
		b, err := asn1.Marshal(types)
		if err != nil {
			t.Fatal(err)
		}
		l = append(l, st{ID: oidQcType, Info: asn1.RawValue{FullBytes: b}})
	}
	v, err := asn1.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidQCStatements, Value: v}
}

// certificat issues a self-signed certificate with exactly these usages,
// policies and extensions (pkitest always writes RGS-like defaults).
func certificat(t testing.TB, ku x509.KeyUsage, pols []asn1.ObjectIdentifier, ext ...pkix.Extension) *x509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var oids []x509.OID
	for _, p := range pols {
		ints := make([]uint64, len(p))
		for i, v := range p {
			ints[i] = uint64(v)
		}
		o, err := x509.OIDFromInts(ints)
		if err != nil {
			t.Fatal(err)
		}
		oids = append(oids, o)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234ab), Subject: pkix.Name{CommonName: "Élu de test", Organization: []string{"Commune de Test"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: ku, Policies: oids, ExtraExtensions: ext,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReconnaitreRGSEtQualifie(t *testing.T) {
	signature := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	francaise := asn1.ObjectIdentifier{1, 2, 250, 1, 999, 2, 1} // any CA registered in France
	etrangere := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	ac := pkitest.NouvelleAC(t)
	cas := []struct {
		nom                     string
		cert                    *x509.Certificate
		rgs, qualifie, qscd, nr bool
	}{
		{"certificat pkitest (politique RGS** de l'arc ANSSI)", ac.Emettre(t, pkitest.CleRSA(t).Public(), pkitest.Signataire{}), true, false, false, true},
		{"pkitest qualifié", ac.Emettre(t, pkitest.CleRSA(t).Public(), pkitest.Signataire{Qualifie: true}), true, true, true, true},
		{"qualifié QSCD d'une AC française", certificat(t, signature, []asn1.ObjectIdentifier{francaise, oidQCPnQSCD}, qc(t, []asn1.ObjectIdentifier{oidQcCompliance, oidQcSSCD}, oidQcTypeESign)), true, true, true, true},
		{"qualifié QSCD par la seule politique ETSI, AC française", certificat(t, signature, []asn1.ObjectIdentifier{francaise, oidQCPnQSCD}), true, true, true, true},
		{"qualifié QSCD d'une AC étrangère", certificat(t, signature, []asn1.ObjectIdentifier{etrangere}, qc(t, []asn1.ObjectIdentifier{oidQcCompliance, oidQcSSCD})), false, true, true, true},
		{"qualifié sans QSCD (QCP-n)", certificat(t, signature, []asn1.ObjectIdentifier{francaise, {0, 4, 0, 194112, 1, 0}}), false, true, false, true},
		{"ancienne politique QCP public + SSCD", certificat(t, signature, []asn1.ObjectIdentifier{francaise, oidQCPPublicSSC}), true, true, true, true},
		{"cachet qualifié (QcType eseal)", certificat(t, signature, []asn1.ObjectIdentifier{francaise}, qc(t, []asn1.ObjectIdentifier{oidQcCompliance, oidQcSSCD}, asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2})), false, true, true, true},
		{"authentification seule (pas de non-répudiation)", certificat(t, x509.KeyUsageDigitalSignature, []asn1.ObjectIdentifier{{1, 2, 250, 1, 223, 1, 2, 2, 1}}), false, false, false, false},
		{"politique française non qualifiée", certificat(t, signature, []asn1.ObjectIdentifier{francaise}), false, false, false, true},
		{"aucune politique", certificat(t, signature, nil), false, false, false, true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			d := Decrire(c.cert)
			if d.RGS2Etoiles != c.rgs || d.Qualifie != c.qualifie || d.SurQSCD != c.qscd || d.NonRepudiation != c.nr {
				t.Errorf("RGS** %v qualifié %v QSCD %v non-répudiation %v ; motif : %s", d.RGS2Etoiles, d.Qualifie, d.SurQSCD, d.NonRepudiation, d.Motif)
			}
			if d.Motif == "" {
				t.Error("le motif explique toujours le niveau")
			}
		})
	}
}

func TestAnalyserUnCertificat(t *testing.T) {
	c := certificat(t, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, []asn1.ObjectIdentifier{{1, 2, 250, 1, 223, 1, 2, 2, 1}, {1, 2, 250, 1, 999, 4294967296}})
	d, err := Analyser([]byte{7}, "signature", c.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.NumeroSerie != "1234AB" || d.NomCommun != "Élu de test" || d.Organisation != "Commune de Test" || d.Libelle != "signature" || d.ID[0] != 7 {
		t.Errorf("%+v", d)
	}
	// An arc beyond int is listed as text and matches no rule.
	if !slices.Equal(d.Politiques, []string{"1.2.250.1.223.1.2.2.1", "1.2.250.1.999.4294967296"}) || !d.RGS2Etoiles {
		t.Errorf("politiques %v, RGS** %v", d.Politiques, d.RGS2Etoiles)
	}
	if !slices.Equal(d.UsagesCle, []string{"signature numérique", "non-répudiation"}) {
		t.Errorf("usages %v", d.UsagesCle)
	}
	if _, err := Analyser(nil, "abîmé", []byte{0x30, 0x03, 1, 2, 3}); !errors.Is(err, ErrCleIntrouvable) {
		t.Errorf("certificat illisible : %v", err)
	}
}

func FuzzLireQCStatements(f *testing.F) {
	f.Add(qc(f, []asn1.ObjectIdentifier{oidQcCompliance, oidQcSSCD}, oidQcTypeESign).Value)
	f.Add(qc(f, nil).Value)
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x05, 0x30, 0x03, 0x06, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := lireQCStatements(b)
		if err != nil && ids != nil {
			t.Fatal("erreur avec un résultat partiel")
		}
	})
}

func FuzzAnalyser(f *testing.F) {
	f.Add(certificat(f, x509.KeyUsageContentCommitment, []asn1.ObjectIdentifier{{1, 2, 250, 1, 223, 1}}, qc(f, []asn1.ObjectIdentifier{oidQcCompliance}, oidQcTypeESign)).Raw)
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		d, err := Analyser([]byte{1}, "x", der)
		if err == nil && (d.X509 == nil || d.Motif == "") {
			t.Fatal("certificat accepté sans description")
		}
	})
}
