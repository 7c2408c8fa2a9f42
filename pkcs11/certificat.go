package pkcs11

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// Certificat is a certificate found on a token, described for the app.
type Certificat struct {
	ID      []byte // CKA_ID: pairs the certificate with its private key
	Libelle string // CKA_LABEL
	X509    *x509.Certificate

	Sujet         string // full subject, "CN=Jean Dupont,O=Commune de Test,C=FR"
	NomCommun     string
	Organisation  string
	Emetteur      string // issuing CA, "CN=…,O=…"
	NumeroSerie   string // hexadecimal, as CAs print it
	DebutValidite time.Time
	FinValidite   time.Time
	UsagesCle     []string // French names of the key usages
	Politiques    []string // certificate policy OIDs, dotted

	// NonRepudiation is set for signature certificates (keyUsage
	// nonRepudiation / contentCommitment): the ones that sign acts.
	NonRepudiation bool
	// Qualifie: an eIDAS qualified certificate (QCStatements QcCompliance,
	// or an ETSI EN 319 411-2 qualified policy).
	Qualifie bool
	// SurQSCD: the CA says the key is on a qualified signature creation
	// device (QcSSCD statement, or QCP-n-qscd / QCP-l-qscd policy).
	SurQSCD bool
	// RGS2Etoiles: recognised as an RGS** signature certificate; Motif
	// says why (or why not), in French.
	RGS2Etoiles bool
	Motif       string

	// ClePrivee: a private key with the same CKA_ID is on the token. Most
	// tokens show private keys only after the PIN, so it is reliable only
	// on a list read through a Session.
	ClePrivee bool
}

// OIDs used to recognise qualified and RGS** certificates.
var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3} // RFC 3739
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}       // ETSI EN 319 412-5
	oidQcSSCD       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}       // key on a QSCD
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}       // QcType: what the certificate is for
	oidQcTypeESign  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}    // for electronic signatures
	arcQCP          = asn1.ObjectIdentifier{0, 4, 0, 194112, 1}        // EN 319 411-2 qualified policies
	oidQCPnQSCD     = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 2}     // QCP-n-qscd
	oidQCPlQSCD     = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 3}     // QCP-l-qscd
	oidQCPPublic    = asn1.ObjectIdentifier{0, 4, 0, 1456, 1, 2}       // TS 101 456 QCP public (before eIDAS)
	oidQCPPublicSSC = asn1.ObjectIdentifier{0, 4, 0, 1456, 1, 1}       // TS 101 456 QCP public + SSCD
	arcFrance       = asn1.ObjectIdentifier{1, 2, 250, 1}              // organisations registered in France (AFNOR)
	arcANSSI        = asn1.ObjectIdentifier{1, 2, 250, 1, 223}         // ANSSI (internal/pkitest's test RGS** policy is under it)
)

// Analyser describes a DER certificate read from a token (CKA_VALUE).
func Analyser(id []byte, libelle string, der []byte) (Certificat, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return Certificat{}, &Erreur{Code: ErrCleIntrouvable, Cause: err, EssaisRestants: -1, Message: fmt.Sprintf(
			"Le certificat « %s » de la clé est illisible : il ne peut pas servir à signer ; contactez votre autorité de certification.", libelle)}
	}
	d := Decrire(c)
	d.ID, d.Libelle = bytes.Clone(id), libelle
	return d, nil
}

// Decrire describes a parsed certificate: names, validity, usages, policies
// and the qualified / RGS** flags.
func Decrire(c *x509.Certificate) Certificat {
	d := Certificat{
		X509:           c,
		Sujet:          c.Subject.String(),
		NomCommun:      c.Subject.CommonName,
		Emetteur:       c.Issuer.String(),
		NumeroSerie:    strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes())),
		DebutValidite:  c.NotBefore,
		FinValidite:    c.NotAfter,
		UsagesCle:      usages(c.KeyUsage),
		NonRepudiation: c.KeyUsage&x509.KeyUsageContentCommitment != 0,
	}
	if len(c.Subject.Organization) > 0 {
		d.Organisation = c.Subject.Organization[0]
	}
	for _, p := range c.Policies {
		d.Politiques = append(d.Politiques, p.String())
	}
	pols := politiques(c)
	if len(d.Politiques) == 0 {
		for _, p := range pols {
			d.Politiques = append(d.Politiques, p.String())
		}
	}
	qcs, _ := qcStatements(c) // an unreadable extension only means "not qualified"
	d.Qualifie, d.SurQSCD = qualification(qcs, pols)
	// A QcType without esign is a seal (eseal) or website certificate:
	// it does not sign in the name of a person.
	cachet := contient(qcs, oidQcType) && !contient(qcs, oidQcTypeESign)
	d.RGS2Etoiles, d.Motif = rgs2Etoiles(d, pols, cachet)
	return d
}

// politiques returns the policy OIDs. Go 1.26 fills Policies ([]x509.OID,
// any arc size); an OID with an arc too big for asn1.ObjectIdentifier is
// kept only as text (it matches none of the arcs we look for anyway).
func politiques(c *x509.Certificate) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, p := range c.Policies {
		if o, ok := versASN1(p.String()); ok {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = append(out, c.PolicyIdentifiers...)
	}
	return out
}

func versASN1(pointe string) (asn1.ObjectIdentifier, bool) {
	parts := strings.Split(pointe, ".")
	o := make(asn1.ObjectIdentifier, 0, len(parts))
	for _, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, false
		}
		o = append(o, n)
	}
	return o, len(o) >= 2
}

// qcStatement is one entry of the QCStatements extension (RFC 3739).
type qcStatement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

// qcStatements returns the statement OIDs of the QCStatements extension,
// including the QcType values (nested in their statement).
func qcStatements(c *x509.Certificate) ([]asn1.ObjectIdentifier, error) {
	for _, ext := range c.Extensions {
		if ext.Id.Equal(oidQCStatements) {
			return lireQCStatements(ext.Value)
		}
	}
	return nil, nil
}

// lireQCStatements parses the extension value: a SEQUENCE OF QCStatement.
// Outside data (the certificate comes from the token): it has a fuzz target.
func lireQCStatements(der []byte) ([]asn1.ObjectIdentifier, error) {
	var l []qcStatement
	rest, err := asn1.Unmarshal(der, &l)
	if err != nil {
		return nil, fmt.Errorf("extension QCStatements illisible : %w", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("extension QCStatements suivie de %d octets inattendus", len(rest))
	}
	var out []asn1.ObjectIdentifier
	for _, s := range l {
		out = append(out, s.ID)
		if s.ID.Equal(oidQcType) && len(s.Info.FullBytes) > 0 {
			var types []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(s.Info.FullBytes, &types); err == nil {
				out = append(out, types...)
			}
		}
	}
	return out, nil
}

func contient(l []asn1.ObjectIdentifier, o asn1.ObjectIdentifier) bool {
	for _, x := range l {
		if x.Equal(o) {
			return true
		}
	}
	return false
}

func sousArc(o, arc asn1.ObjectIdentifier) bool {
	return len(o) > len(arc) && o[:len(arc)].Equal(arc)
}

func qualification(qcs, pols []asn1.ObjectIdentifier) (qualifie, qscd bool) {
	qualifie = contient(qcs, oidQcCompliance)
	qscd = contient(qcs, oidQcSSCD)
	for _, p := range pols {
		switch {
		case sousArc(p, arcQCP):
			qualifie = true
			if p.Equal(oidQCPnQSCD) || p.Equal(oidQCPlQSCD) {
				qscd = true
			}
		case p.Equal(oidQCPPublic):
			qualifie = true
		case p.Equal(oidQCPPublicSSC):
			qualifie, qscd = true, true
		}
	}
	return qualifie, qscd
}

// rgs2Etoiles recognises an RGS** signature certificate. There is no single
// RGS** OID: each French CA writes the OID of its own certificate policy
// (under its AFNOR arc 1.2.250.1.x) and the level is in that policy's text.
// What a program can check:
//   - a signature certificate (nonRepudiation), and
//   - a policy under the ANSSI arc 1.2.250.1.223 (policies ANSSI defines;
//     our test CA uses it), or
//   - an eIDAS qualified certificate with its key on a QSCD, issued under a
//     French policy (1.2.250.1.x): eIDAS QCP-n-qscd requirements meet or
//     exceed RGS** for signature, and the French arc shows a French CA.
//
// Anything else is not flagged RGS** (the élu can still sign; the app says
// why in Motif).
func rgs2Etoiles(d Certificat, pols []asn1.ObjectIdentifier, cachet bool) (bool, string) {
	if !d.NonRepudiation {
		return false, "Certificat sans usage « non-répudiation » : ce n'est pas un certificat de signature RGS**."
	}
	if cachet {
		return false, "Certificat de cachet (celui d'une organisation, pas d'une personne) : il ne peut pas signer au nom d'un élu."
	}
	francaise := false
	for _, p := range pols {
		if sousArc(p, arcANSSI) {
			return true, fmt.Sprintf("Politique de certification %s (arc de l'ANSSI) : certificat de signature RGS**.", p)
		}
		if sousArc(p, arcFrance) {
			francaise = true
		}
	}
	switch {
	case d.Qualifie && d.SurQSCD && francaise:
		return true, "Certificat qualifié eIDAS, clé sur dispositif qualifié (QSCD), émis par une autorité française : niveau RGS** ou supérieur."
	case d.Qualifie && d.SurQSCD:
		return false, "Certificat qualifié eIDAS sur dispositif qualifié, mais d'une autorité non française : accepté en Europe, sans la mention RGS**."
	case d.Qualifie:
		return false, "Certificat qualifié eIDAS, mais sans dispositif qualifié (QSCD) déclaré : pas RGS**."
	case francaise:
		return false, "Politique de certification française sans mention qualifiée : le niveau RGS** n'est pas démontré, vérifiez-le auprès de votre autorité de certification."
	}
	return false, "Aucune politique de certification RGS** ni qualifiée : ce certificat ne convient pas pour signer des actes."
}

var nomsUsages = []struct {
	u   x509.KeyUsage
	nom string
}{
	{x509.KeyUsageDigitalSignature, "signature numérique"},
	{x509.KeyUsageContentCommitment, "non-répudiation"},
	{x509.KeyUsageKeyEncipherment, "chiffrement de clé"},
	{x509.KeyUsageDataEncipherment, "chiffrement de données"},
	{x509.KeyUsageKeyAgreement, "accord de clé"},
	{x509.KeyUsageCertSign, "signature de certificats"},
	{x509.KeyUsageCRLSign, "signature de listes de révocation"},
}

func usages(u x509.KeyUsage) []string {
	var out []string
	for _, n := range nomsUsages {
		if u&n.u != 0 {
			out = append(out, n.nom)
		}
	}
	return out
}

// Certificats lists the certificates of a token without logging in
// (certificates are public objects). ClePrivee is only reliable through
// Session.Certificats.
func (m *Module) Certificats(j Jeton) ([]Certificat, error) {
	sh, err := m.f.OpenSession(j.Slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, traduire(err, "lire les certificats de la clé")
	}
	defer m.f.CloseSession(sh)
	return lireCertificats(m.f, sh)
}

// lireCertificats reads every X.509 certificate and pairs it with the
// private key of the same CKA_ID.
func lireCertificats(f fonctions, sh p11.SessionHandle) ([]Certificat, error) {
	objs, err := chercher(f, sh, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
	})
	if err != nil {
		return nil, traduire(err, "lire les certificats de la clé")
	}
	cles, err := chercher(f, sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY)})
	if err != nil {
		return nil, traduire(err, "lire les clés privées")
	}
	ids := map[string]bool{}
	for _, k := range cles {
		a, err := f.GetAttributeValue(sh, k, []*p11.Attribute{p11.NewAttribute(p11.CKA_ID, nil)})
		if err == nil && len(a) == 1 {
			ids[string(a[0].Value)] = true
		}
	}
	var out []Certificat
	for _, o := range objs {
		a, err := f.GetAttributeValue(sh, o, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_VALUE, nil),
			p11.NewAttribute(p11.CKA_ID, nil),
			p11.NewAttribute(p11.CKA_LABEL, nil),
		})
		if err != nil {
			return nil, traduire(err, "lire un certificat de la clé")
		}
		c, err := Analyser(a[1].Value, string(a[2].Value), a[0].Value)
		if err != nil {
			continue // an unreadable object is skipped, the others remain usable
		}
		c.ClePrivee = ids[string(c.ID)]
		out = append(out, c)
	}
	return out, nil
}

// chercher runs a C_FindObjects search to its end.
func chercher(f fonctions, sh p11.SessionHandle, modele []*p11.Attribute) ([]p11.ObjectHandle, error) {
	if err := f.FindObjectsInit(sh, modele); err != nil {
		return nil, err
	}
	var out []p11.ObjectHandle
	for {
		l, _, err := f.FindObjects(sh, 32)
		if err != nil {
			f.FindObjectsFinal(sh)
			return nil, err
		}
		if len(l) == 0 {
			break
		}
		out = append(out, l...)
	}
	return out, f.FindObjectsFinal(sh)
}
