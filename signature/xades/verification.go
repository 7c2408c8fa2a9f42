package xades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"strings"
	"time"
)

// OptionsVerification tunes Verifier.
type OptionsVerification struct {
	// Racines are the trusted certification authorities. When empty the
	// chain is not checked and each result says so in its warnings.
	Racines []*x509.Certificate
	// Intermediaires adds intermediate certificates to those of KeyInfo.
	Intermediaires []*x509.Certificate
	// Maintenant is "now" for the expiry warning; time.Now() when zero.
	Maintenant time.Time
}

// ResultatSignature is the verdict on one ds:Signature, in French.
type ResultatSignature struct {
	Id            string    `json:"id"`
	Cible         string    `json:"cible"` // Id of the signed Bordereau or PES_Aller
	Signataire    string    `json:"signataire"`
	Organisation  string    `json:"organisation"`
	Role          string    `json:"role"`
	Lieu          Lieu      `json:"lieu"`
	DateSignature time.Time `json:"date_signature"`
	Politique     string    `json:"politique"`
	// Valide: every digest, the signature value and the XAdES rules hold,
	// and the certificate was valid at the signing time.
	Valide         bool              `json:"valide"`
	Motif          string            `json:"motif"` // why it is not valid, or what makes it valid
	Avertissements []string          `json:"avertissements,omitempty"`
	Certificat     *x509.Certificate `json:"-"`
}

func (r ResultatSignature) String() string {
	etat := "VALIDE"
	if !r.Valide {
		etat = "INVALIDE"
	}
	s := fmt.Sprintf("%s — signature %s de %s", etat, r.Cible, r.Signataire)
	if r.Role != "" {
		s += " (" + r.Role + ")"
	}
	if !r.DateSignature.IsZero() {
		s += " le " + r.DateSignature.Local().Format("02/01/2006 à 15:04:05")
	}
	s += " : " + r.Motif
	for _, a := range r.Avertissements {
		s += " ; " + a
	}
	return s
}

// Verifier checks every ds:Signature of a PES (per bordereau or global):
// the digests of the references (enveloped-signature and exclusive
// canonicalisation), the signature value with the KeyInfo certificate, and
// the XAdES rules of the Hélios profile (SigningCertificate digest and
// issuer/serial, SignedProperties signed, signing time within the
// certificate validity, known signature policy), then the chain when trust
// roots are given.
//
// A certificate expired today but valid at the signing time gives a valid
// signature ("valide au moment de la signature") with a warning, since
// SigningTime is the signer's claim (there is no timestamp in this
// profile). A certificate that was not valid at the signing time gives an
// invalid signature, even when the bytes are intact: that is the case of
// the DGCP test file test-perime-04-04-2016.xml, signed in March 2018 with a
// certificate that expired on 4 April 2016.
//
// The error is for a file that cannot be read or holds no signature; each
// failed check is a result with Valide false.
func Verifier(pes []byte, opts OptionsVerification) ([]ResultatSignature, error) {
	d, err := analyser(pes)
	if err != nil {
		return nil, err
	}
	if len(d.signatures) == 0 {
		return nil, fmt.Errorf("ce document ne contient aucune signature XML")
	}
	if opts.Maintenant.IsZero() {
		opts.Maintenant = time.Now()
	}
	var out []ResultatSignature
	for _, s := range d.signatures {
		r := ResultatSignature{Id: s.attrs["Id"]}
		if err := verifierUne(d, s, opts, &r); err != nil {
			r.Valide, r.Motif = false, err.Error()
		} else {
			r.Valide = true
		}
		out = append(out, r)
	}
	return out, nil
}

func base64Souple(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}

func empreinteAlg(uri string) (func() hash.Hash, bool) {
	switch uri {
	case algSHA256:
		return sha256.New, true
	case algSHA1:
		return sha1.New, true
	}
	return nil, false
}

func verifierUne(d *document, s *element, opts OptionsVerification, r *ResultatSignature) error {
	si := s.enfant(nsDS, "SignedInfo")
	if si == nil {
		return fmt.Errorf("signature sans SignedInfo : le fichier est abîmé, demandez-en une nouvelle copie")
	}
	if m := si.enfant(nsDS, "CanonicalizationMethod"); m == nil || m.attrs["Algorithm"] != algExcC14N {
		return fmt.Errorf("méthode de canonicalisation non prise en charge : seule la canonicalisation exclusive (profil Hélios) est vérifiée")
	}
	methode := si.enfant(nsDS, "SignatureMethod").attrsOu("Algorithm")

	// The signer's certificate: the first X509Certificate of KeyInfo, the
	// others being its chain.
	var certs []*x509.Certificate
	for _, x := range s.chemin(nsDS, "KeyInfo", "X509Data").tous(nsDS, "X509Certificate") {
		der, err := base64Souple(x.valeur())
		if err != nil {
			return fmt.Errorf("certificat de KeyInfo illisible : le fichier est abîmé")
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("certificat de KeyInfo illisible (%v) : le fichier est abîmé", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return fmt.Errorf("signature sans certificat (KeyInfo/X509Certificate) : le signataire ne peut pas être identifié")
	}
	cert := certs[0]
	r.Certificat, r.Signataire = cert, cert.Subject.CommonName
	if len(cert.Subject.Organization) > 0 {
		r.Organisation = cert.Subject.Organization[0]
	}

	// XAdES properties, read first so that the result names the signer's
	// role and time even when a check below fails.
	qp, nsX := proprietesQualifiantes(s)
	if qp == nil {
		return fmt.Errorf("signature XML simple sans propriétés XAdES (QualifyingProperties) : le profil Hélios les exige")
	}
	sp := qp.enfant(nsX, "SignedProperties")
	ssp := sp.enfant(nsX, "SignedSignatureProperties")
	if ssp == nil {
		return fmt.Errorf("propriétés signées XAdES absentes : le profil Hélios les exige")
	}
	var roles []string
	for _, x := range ssp.chemin(nsX, "SignerRole", "ClaimedRoles").tous(nsX, "ClaimedRole") {
		roles = append(roles, x.valeur())
	}
	r.Role = strings.Join(roles, ", ")
	if pl := ssp.enfant(nsX, "SignatureProductionPlace"); pl != nil {
		r.Lieu = Lieu{Ville: pl.enfant(nsX, "City").valeur(), CodePostal: pl.enfant(nsX, "PostalCode").valeur(), Pays: pl.enfant(nsX, "CountryName").valeur()}
	}
	quand, err := time.Parse(time.RFC3339Nano, ssp.enfant(nsX, "SigningTime").valeur())
	if err != nil {
		return fmt.Errorf("date de signature (SigningTime) absente ou illisible : le profil Hélios l'exige")
	}
	r.DateSignature = quand

	// References.
	refs := si.tous(nsDS, "Reference")
	if len(refs) == 0 {
		return fmt.Errorf("signature sans référence : elle ne couvre rien")
	}
	spSigne := false
	for _, ref := range refs {
		uri := ref.attrs["URI"]
		if !strings.HasPrefix(uri, "#") || len(uri) < 2 {
			return fmt.Errorf("référence %q non prise en charge : seules les références internes (#Id) sont vérifiées", uri)
		}
		id := uri[1:]
		cible := d.ids[id]
		if cible == nil {
			return fmt.Errorf("l'élément signé %q est introuvable : le fichier a été modifié après la signature", id)
		}
		if d.doublons[id] {
			return fmt.Errorf("l'identifiant %q est porté par plusieurs éléments : impossible de savoir ce qui a été signé", id)
		}
		var exclu *element
		var inclus []string
		c14n := false
		for _, t := range ref.chemin(nsDS, "Transforms").tous(nsDS, "Transform") {
			switch t.attrs["Algorithm"] {
			case algEnveloppe:
				exclu = s
			case algExcC14N:
				c14n = true
				if in := t.enfant(nsExcC14N, "InclusiveNamespaces"); in != nil {
					for _, p := range strings.Fields(in.attrs["PrefixList"]) {
						if p == "#default" {
							p = ""
						}
						inclus = append(inclus, p)
					}
				}
			default:
				return fmt.Errorf("transformation %q non prise en charge par le profil Hélios", t.attrs["Algorithm"])
			}
		}
		if !c14n {
			return fmt.Errorf("référence %s sans canonicalisation exclusive : non prise en charge par le profil Hélios", uri)
		}
		algDig := ref.enfant(nsDS, "DigestMethod").attrsOu("Algorithm")
		nouveau, ok := empreinteAlg(algDig)
		if !ok {
			return fmt.Errorf("algorithme d'empreinte %q non pris en charge", algDig)
		}
		if algDig == algSHA1 {
			ajouterAvert(r, "empreintes en SHA-1, algorithme obsolète (Hélios attend SHA-256 depuis 2018)")
		}
		h := nouveau()
		if err := canoniser(h, d.b, d.latin1, cible.debut, cible.fin, cible.ctx, exclu, inclus); err != nil {
			return err
		}
		attendu, err := base64Souple(ref.enfant(nsDS, "DigestValue").valeur())
		if err != nil || subtle.ConstantTimeCompare(attendu, h.Sum(nil)) != 1 {
			if cible == sp {
				return fmt.Errorf("les propriétés signées (date, rôle, certificat) ont été modifiées après la signature : signature invalide")
			}
			return fmt.Errorf("le contenu signé (%s %s) a été modifié après la signature : signature invalide, faites signer de nouveau le document", cible.local, id)
		}
		if cible == sp {
			spSigne = true
			continue
		}
		if r.Cible != "" {
			return fmt.Errorf("la signature couvre plusieurs éléments : ce n'est pas le profil Hélios")
		}
		r.Cible = id
		// The signed element must be the one holding the signature, so that
		// a signature moved to another bordereau is not taken for its.
		if cible.debut > s.debut || s.fin > cible.fin || (s.parent != nil && s.parent != cible) {
			return fmt.Errorf("la signature de %s a été déplacée hors de l'élément qu'elle signe", id)
		}
	}
	if !spSigne {
		return fmt.Errorf("les propriétés XAdES (date, rôle, certificat) ne sont pas couvertes par la signature : le profil Hélios l'exige")
	}
	if r.Cible == "" {
		return fmt.Errorf("la signature ne couvre aucun bordereau ni le PES : elle ne prouve rien")
	}

	// Signature value over the canonical SignedInfo.
	var hSig crypto.Hash
	switch methode {
	case algRSASHA256, algECDSASHA256:
		hSig = crypto.SHA256
	case algRSASHA1:
		hSig = crypto.SHA1
		ajouterAvert(r, "signature RSA-SHA1, algorithme obsolète")
	default:
		return fmt.Errorf("algorithme de signature %q non pris en charge", methode)
	}
	h := hSig.New()
	if err := canoniser(h, d.b, d.latin1, si.debut, si.fin, si.ctx, nil, nil); err != nil {
		return err
	}
	valeur, err := base64Souple(s.enfant(nsDS, "SignatureValue").valeur())
	if err != nil {
		return fmt.Errorf("valeur de signature illisible : le fichier est abîmé")
	}
	if !verifierValeur(cert.PublicKey, methode, hSig, h.Sum(nil), valeur) {
		return fmt.Errorf("la valeur de signature ne correspond pas aux informations signées ni au certificat de %s : le fichier a été modifié après la signature, signature invalide", r.Signataire)
	}

	// XAdES rules.
	if t := qp.attrs["Target"]; strings.TrimPrefix(t, "#") != r.Id {
		return fmt.Errorf("les propriétés XAdES visent %q et non cette signature : signature invalide", t)
	}
	c := ssp.chemin(nsX, "SigningCertificate", "Cert")
	if c == nil {
		return fmt.Errorf("certificat de signature (SigningCertificate) absent des propriétés signées : le profil Hélios l'exige")
	}
	cd := c.enfant(nsX, "CertDigest")
	dm := cd.enfant(nsX, "DigestMethod")
	dv := cd.enfant(nsX, "DigestValue")
	if dm == nil { // S2LOW's newer template writes ds: there
		dm, dv = cd.enfant(nsDS, "DigestMethod"), cd.enfant(nsDS, "DigestValue")
	}
	nouveau, ok := empreinteAlg(dm.attrsOu("Algorithm"))
	if !ok {
		return fmt.Errorf("algorithme d'empreinte du certificat non pris en charge")
	}
	hc := nouveau()
	hc.Write(cert.Raw)
	if v, err := base64Souple(dv.valeur()); err != nil || !bytes.Equal(v, hc.Sum(nil)) {
		return fmt.Errorf("le certificat de KeyInfo n'est pas celui que désignent les propriétés signées (CertDigest) : signature invalide")
	}
	is := c.enfant(nsX, "IssuerSerial")
	serie, ok := new(big.Int).SetString(is.enfant(nsDS, "X509SerialNumber").valeur(), 10)
	if !ok || serie.Cmp(cert.SerialNumber) != 0 || !memeEmetteur(cert, is.enfant(nsDS, "X509IssuerName").valeur()) {
		return fmt.Errorf("l'émetteur ou le numéro de série (IssuerSerial) ne correspond pas au certificat : signature invalide")
	}
	spi := ssp.chemin(nsX, "SignaturePolicyIdentifier", "SignaturePolicyId")
	r.Politique = spi.chemin(nsX, "SigPolicyId", "Identifier").valeur()
	empreintes, connue := politiquesConnues[r.Politique]
	if !connue {
		return fmt.Errorf("politique de signature %q inconnue : Hélios attend la politique de la DGFiP (%s)", r.Politique, PolitiqueHelios.Identifiant)
	}
	if !slices.Contains(empreintes, spi.chemin(nsX, "SigPolicyHash", "DigestValue").valeur()) {
		ajouterAvert(r, "empreinte de la politique de signature inhabituelle")
	}

	// Certificate validity at the signing time, then today, then the chain.
	if quand.Before(cert.NotBefore) || quand.After(cert.NotAfter) {
		return fmt.Errorf("le document n'a pas été modifié, mais le certificat n'était pas valide à la date de signature (%s ; valide du %s au %s) : signature invalide", quand.Local().Format("02/01/2006"), cert.NotBefore.Local().Format("02/01/2006"), cert.NotAfter.Local().Format("02/01/2006"))
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return fmt.Errorf("ce certificat n'est pas un certificat de signature (usage de clé) : signature invalide")
	}
	r.Motif = "signature valide"
	if opts.Maintenant.After(cert.NotAfter) {
		r.Motif = "signature valide au moment de la signature"
		ajouterAvert(r, fmt.Sprintf("le certificat a expiré le %s, après la signature (date déclarée par le signataire, sans horodatage)", cert.NotAfter.Local().Format("02/01/2006")))
	}
	if len(opts.Racines) == 0 {
		ajouterAvert(r, "chaîne de certification non vérifiée (aucune autorité de confiance fournie)")
		return nil
	}
	racines, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, x := range opts.Racines {
		racines.AddCert(x)
	}
	for _, x := range append(certs[1:], opts.Intermediaires...) {
		inter.AddCert(x)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: racines, Intermediates: inter, CurrentTime: quand, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return fmt.Errorf("certificat non reconnu par les autorités de confiance (%v) : signature invalide", err)
	}
	return nil
}

func ajouterAvert(r *ResultatSignature, a string) {
	if !slices.Contains(r.Avertissements, a) {
		r.Avertissements = append(r.Avertissements, a)
	}
}

func (e *element) attrsOu(nom string) string {
	if e == nil {
		return ""
	}
	return e.attrs[nom]
}

// proprietesQualifiantes finds xad:QualifyingProperties in the ds:Object
// children, in XAdES 1.1.1 (Hélios) or 1.3.2.
func proprietesQualifiantes(s *element) (*element, string) {
	for _, o := range s.tous(nsDS, "Object") {
		for _, ns := range []string{nsXAdES, nsXAdES132} {
			if q := o.enfant(ns, "QualifyingProperties"); q != nil {
				return q, ns
			}
		}
	}
	return nil, ""
}

func verifierValeur(pub crypto.PublicKey, methode string, h crypto.Hash, empreinte, valeur []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return methode != algECDSASHA256 && rsa.VerifyPKCS1v15(k, h, empreinte, valeur) == nil
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		if methode != algECDSASHA256 || len(valeur) != 2*n {
			return false
		}
		return ecdsa.Verify(k, empreinte, new(big.Int).SetBytes(valeur[:n]), new(big.Int).SetBytes(valeur[n:]))
	}
	return false
}
