package xades

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// gabarit writes the XML of one signature. Everything is written in UTF-8
// first and converted to the document's encoding by encoder, so that the
// bytes inserted in the PES and the bytes canonicalised are the same.
type gabarit struct {
	sigID, cible string // Id of the ds:Signature, Id of the signed element
	methode      string // SignatureMethod URI
	cert         *x509.Certificate
	chaine       []*x509.Certificate
	p            Parametres
	quand        time.Time
}

func echapper(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// encoder converts our UTF-8 XML to the document's encoding; characters
// ISO-8859-1 cannot hold become character references.
func encoder(s string, latin1 bool) []byte {
	if !latin1 {
		return []byte(s)
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x100 {
			out = append(out, byte(r))
		} else {
			out = fmt.Appendf(out, "&#x%X;", r)
		}
	}
	return out
}

// proprietes gives the xad:SignedProperties element.
func (g gabarit) proprietes() string {
	var b strings.Builder
	pol := g.p.politique()
	empCert := sha256.Sum256(g.cert.Raw)
	fmt.Fprintf(&b, `<xad:SignedProperties Id="%s_SP"><xad:SignedSignatureProperties>`, echapper(g.sigID))
	fmt.Fprintf(&b, `<xad:SigningTime>%s</xad:SigningTime>`, g.quand.UTC().Format("2006-01-02T15:04:05.000Z"))
	fmt.Fprintf(&b, `<xad:SigningCertificate><xad:Cert><xad:CertDigest><xad:DigestMethod Algorithm="%s"/><xad:DigestValue>%s</xad:DigestValue></xad:CertDigest>`, algSHA256, base64.StdEncoding.EncodeToString(empCert[:]))
	fmt.Fprintf(&b, `<xad:IssuerSerial><ds:X509IssuerName>%s</ds:X509IssuerName><ds:X509SerialNumber>%s</ds:X509SerialNumber></xad:IssuerSerial></xad:Cert></xad:SigningCertificate>`, echapper(g.cert.Issuer.String()), g.cert.SerialNumber.String())
	fmt.Fprintf(&b, `<xad:SignaturePolicyIdentifier><xad:SignaturePolicyId><xad:SigPolicyId><xad:Identifier>%s</xad:Identifier>`, echapper(pol.Identifiant))
	if pol.Description != "" {
		fmt.Fprintf(&b, `<xad:Description>%s</xad:Description>`, echapper(pol.Description))
	}
	fmt.Fprintf(&b, `</xad:SigPolicyId><xad:SigPolicyHash><xad:DigestMethod Algorithm="%s"/><xad:DigestValue>%s</xad:DigestValue></xad:SigPolicyHash>`, algSHA256, echapper(pol.Empreinte))
	if pol.URI != "" {
		fmt.Fprintf(&b, `<xad:SigPolicyQualifiers><xad:SigPolicyQualifier><xad:SPURI>%s</xad:SPURI></xad:SigPolicyQualifier></xad:SigPolicyQualifiers>`, echapper(pol.URI))
	}
	b.WriteString(`</xad:SignaturePolicyId></xad:SignaturePolicyIdentifier>`)
	if l := g.p.Lieu; !l.vide() {
		b.WriteString(`<xad:SignatureProductionPlace>`)
		for _, x := range [][2]string{{"City", l.Ville}, {"PostalCode", l.CodePostal}, {"CountryName", l.Pays}} {
			if x[1] != "" {
				fmt.Fprintf(&b, `<xad:%s>%s</xad:%[1]s>`, x[0], echapper(x[1]))
			}
		}
		b.WriteString(`</xad:SignatureProductionPlace>`)
	}
	fmt.Fprintf(&b, `<xad:SignerRole><xad:ClaimedRoles><xad:ClaimedRole>%s</xad:ClaimedRole></xad:ClaimedRoles></xad:SignerRole>`, echapper(g.p.Role))
	b.WriteString(`</xad:SignedSignatureProperties></xad:SignedProperties>`)
	return b.String()
}

// infos gives ds:SignedInfo for the two digests (base64).
func (g gabarit) infos(empCible, empProps string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="%s"/><ds:SignatureMethod Algorithm="%s"/>`, algExcC14N, g.methode)
	fmt.Fprintf(&b, `<ds:Reference URI="#%s"><ds:Transforms><ds:Transform Algorithm="%s"/><ds:Transform Algorithm="%s"/></ds:Transforms><ds:DigestMethod Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></ds:Reference>`, echapper(g.cible), algEnveloppe, algExcC14N, algSHA256, empCible)
	// No Type attribute on this Reference, as in the DGCP and
	// Berger-Levrault samples (S2LOW's template has one; both verify).
	fmt.Fprintf(&b, `<ds:Reference URI="#%s_SP"><ds:Transforms><ds:Transform Algorithm="%s"/></ds:Transforms><ds:DigestMethod Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></ds:Reference>`, echapper(g.sigID), algExcC14N, algSHA256, empProps)
	b.WriteString(`</ds:SignedInfo>`)
	return b.String()
}

// avant is the XML before the SignatureValue content, apres the XML after.
func (g gabarit) avant(infos string) string {
	return fmt.Sprintf(`<ds:Signature xmlns:ds="%s" Id="%s">%s<ds:SignatureValue Id="%[2]s_SV">`, nsDS, echapper(g.sigID), infos)
}

func (g gabarit) apres(props string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `</ds:SignatureValue><ds:KeyInfo Id="%s_KI"><ds:X509Data>`, echapper(g.sigID))
	for _, c := range append([]*x509.Certificate{g.cert}, g.chaine...) {
		fmt.Fprintf(&b, `<ds:X509Certificate>%s</ds:X509Certificate>`, base64.StdEncoding.EncodeToString(c.Raw))
	}
	// Target without '#', as the DGCP and Berger-Levrault samples write it
	// (S2LOW's template has '#'); Verifier accepts both.
	fmt.Fprintf(&b, `</ds:X509Data></ds:KeyInfo><ds:Object Id="%s_QI"><xad:QualifyingProperties xmlns:xad="%s" Target="%[1]s">%[3]s</xad:QualifyingProperties></ds:Object></ds:Signature>`, echapper(g.sigID), nsXAdES, props)
	return b.String()
}

// contexteProps and contexteInfos are the namespaces the ancestors of
// SignedProperties and SignedInfo declare in what we write.
var (
	contexteProps = []liaison{{"ds", nsDS}, {"xad", nsXAdES}}
	contexteInfos = []liaison{{"ds", nsDS}}
)
