package cades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	// Registered so that crypto.Hash.New works for every digest we read.
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// Resultat describes a checked signature, for the parapheur and the journal.
type Resultat struct {
	Signataire    *x509.Certificate
	Certificats   []*x509.Certificate // every certificate the .p7s carries
	Algorithme    string              // "RSA PKCS#1 v1.5 / SHA-256", for display
	HeureDeclaree time.Time           // signing-time attribute; zero when absent
	// CAdES is true when the ESS signing-certificate(-v2) attribute is
	// present and designates the signer's certificate.
	CAdES bool
	// ChaineVerifiee is true when the signer's certificate chains to one of
	// the trusted roots given to Verifier.
	ChaineVerifiee bool
}

// String says in French what was verified.
func (r *Resultat) String() string {
	if r == nil || r.Signataire == nil {
		return "signature non vérifiée"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "signature valide de %s", nomCertificat(r.Signataire))
	if !r.HeureDeclaree.IsZero() {
		fmt.Fprintf(&b, ", déclarée le %s", r.HeureDeclaree.In(parisOuUTC()).Format("02/01/2006 à 15:04:05"))
	}
	if r.ChaineVerifiee {
		b.WriteString(", certificat reconnu")
	} else {
		b.WriteString(", certificat non vérifié auprès d'une autorité")
	}
	if !r.CAdES {
		b.WriteString(" (sans attribut signing-certificate : signature CMS simple, pas CAdES)")
	}
	return b.String()
}

func parisOuUTC() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}

func nomCertificat(c *x509.Certificate) string {
	nom := c.Subject.CommonName
	if nom == "" {
		nom = c.Subject.String()
	}
	if len(c.Subject.Organization) > 0 {
		nom += " (" + c.Subject.Organization[0] + ")"
	}
	return nom
}

// Verifier checks a detached CMS/CAdES signature p7s over contenu: the
// message digest, the signature value, the ESS signing-certificate
// attribute when present and, when racines is not nil, the certificate
// chain at the declared signing time (now when absent). A nil error means
// the signature is valid; the error says in French why it is not. The
// Resultat is filled as far as the check went, even on error. contenu may be
// nil when the .p7s encapsulates its content.
func Verifier(p7s []byte, contenu io.Reader, racines *x509.CertPool) (*Resultat, error) {
	sd, err := lireSignedData(p7s)
	if err != nil {
		return nil, err
	}
	r := &Resultat{Certificats: sd.certificats}
	si := sd.signataire
	for _, c := range sd.certificats {
		if si.correspond(c) {
			r.Signataire = c
			break
		}
	}
	if r.Signataire == nil {
		return r, errors.New("le certificat du signataire n'est pas dans la signature : impossible de la vérifier")
	}

	h, ok := hachage(si.algEmpreinte)
	if !ok {
		return r, fmt.Errorf("algorithme d'empreinte %v non pris en charge : la signature ne peut pas être vérifiée", si.algEmpreinte)
	}
	hc := h.New()
	switch {
	case contenu != nil:
		if _, err := io.Copy(hc, contenu); err != nil {
			return r, fmt.Errorf("lecture du document signé impossible : %w", err)
		}
	case sd.contenuEncapsule != nil:
		hc.Write(sd.contenuEncapsule)
	default:
		return r, errors.New("signature détachée sans le document : donnez le document signé avec la signature")
	}
	empreinte := hc.Sum(nil)

	signe := empreinte
	if si.attributs != nil {
		a, err := lireAttributs(si.attributs)
		if err != nil {
			return r, err
		}
		if a.empreinte == nil {
			return r, errors.New("signature sans attribut messageDigest : elle n'est pas conforme et ne peut pas être vérifiée")
		}
		if subtle.ConstantTimeCompare(a.empreinte, empreinte) != 1 {
			return r, errors.New("le document a été modifié après la signature : son empreinte ne correspond plus à celle qui a été signée")
		}
		if a.typeContenu == nil || !a.typeContenu.Equal(sd.typeContenu) {
			return r, errors.New("l'attribut contentType ne correspond pas au contenu signé : signature non conforme")
		}
		r.HeureDeclaree = a.heure
		if a.certificatSignataire != nil {
			if err := a.certificatSignataire.designe(r.Signataire); err != nil {
				return r, err
			}
			r.CAdES = true
		}
		d := h.New()
		d.Write(si.attributsSET())
		signe = d.Sum(nil)
	}
	algo, err := verifierValeur(r.Signataire.PublicKey, si, h, signe)
	r.Algorithme = algo
	if err != nil {
		return r, err
	}

	if racines != nil {
		inter := x509.NewCertPool()
		for _, c := range sd.certificats {
			if c != r.Signataire {
				inter.AddCert(c)
			}
		}
		quand := r.HeureDeclaree
		if quand.IsZero() {
			quand = time.Now()
		}
		_, err := r.Signataire.Verify(x509.VerifyOptions{
			Roots: racines, Intermediates: inter, CurrentTime: quand,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err != nil {
			return r, fmt.Errorf("signature intègre mais certificat de %s non reconnu : %v", nomCertificat(r.Signataire), err)
		}
		r.ChaineVerifiee = true
	}
	return r, nil
}

func verifierValeur(pub crypto.PublicKey, si *infoSignataire, h crypto.Hash, signe []byte) (string, error) {
	invalide := errors.New("la valeur de signature ne correspond pas au certificat du signataire : signature invalide")
	nomH := h.String()
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch {
		case si.algSignature.Equal(oidRSAEncryption), si.algSignature.Equal(oidSHA256WithRSA),
			si.algSignature.Equal(oidSHA384WithRSA), si.algSignature.Equal(oidSHA512WithRSA):
			if rsa.VerifyPKCS1v15(k, h, signe, si.valeur) != nil {
				return "RSA PKCS#1 v1.5 / " + nomH, invalide
			}
			return "RSA PKCS#1 v1.5 / " + nomH, nil
		case si.algSignature.Equal(oidRSAPSS):
			hp, sel, err := lireParametresPSS(si.parametresSignature)
			if err != nil {
				return "RSA-PSS", err
			}
			if hp != h {
				return "RSA-PSS", errors.New("paramètres RSA-PSS incohérents avec l'algorithme d'empreinte : signature non conforme")
			}
			if rsa.VerifyPSS(k, h, signe, si.valeur, &rsa.PSSOptions{SaltLength: sel, Hash: h}) != nil {
				return "RSA-PSS / " + nomH, invalide
			}
			return "RSA-PSS / " + nomH, nil
		}
	case *ecdsa.PublicKey:
		if si.algSignature.Equal(oidECDSAWithSHA256) || si.algSignature.Equal(oidECDSAWithSHA384) ||
			si.algSignature.Equal(oidECDSAWithSHA512) || si.algSignature.Equal(oidECPublicKeyAsSigAlgo) {
			if !ecdsa.VerifyASN1(k, signe, si.valeur) {
				return "ECDSA / " + nomH, invalide
			}
			return "ECDSA / " + nomH, nil
		}
	}
	return "", fmt.Errorf("algorithme de signature %v non pris en charge pour une clé %T", si.algSignature, pub)
}

// signedData is the part of a CMS SignedData that verification needs.
type signedData struct {
	typeContenu      asn1.ObjectIdentifier
	contenuEncapsule []byte
	certificats      []*x509.Certificate
	signataire       *infoSignataire
}

type infoSignataire struct {
	emetteur            []byte // raw Name, with issuerAndSerialNumber
	serie               *big.Int
	ski                 []byte // with subjectKeyIdentifier
	algEmpreinte        asn1.ObjectIdentifier
	attributs           []byte // content of the [0] IMPLICIT SET, nil when absent
	algSignature        asn1.ObjectIdentifier
	parametresSignature cryptobyte.String
	valeur              []byte
}

func (si *infoSignataire) correspond(c *x509.Certificate) bool {
	if si.ski != nil {
		return bytes.Equal(si.ski, c.SubjectKeyId)
	}
	return bytes.Equal(si.emetteur, c.RawIssuer) && si.serie.Cmp(c.SerialNumber) == 0
}

// attributsSET re-tags the signed attributes as the SET OF they were signed
// as (RFC 5652 §5.4).
func (si *infoSignataire) attributsSET() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(si.attributs) })
	return b.BytesOrPanic()
}

var errIllisible = errors.New("fichier de signature illisible : ce n'est pas une signature CMS/CAdES (.p7s) valide")

func illisible(quoi string) error {
	return fmt.Errorf("%w (%s)", errIllisible, quoi)
}

// lireSignedData parses a DER ContentInfo holding a SignedData with one
// signer. Trailing zero bytes are accepted: PAdES pads /Contents with them.
func lireSignedData(p7s []byte) (*signedData, error) {
	s := cryptobyte.String(p7s)
	var ci, sdSeq cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, illisible("enveloppe")
	}
	for _, o := range s {
		if o != 0 {
			return nil, illisible("données après la signature")
		}
	}
	if !ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidSignedData) {
		return nil, illisible("ce n'est pas un SignedData")
	}
	var explicite cryptobyte.String
	if !ci.ReadASN1(&explicite, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!explicite.ReadASN1(&sdSeq, cbasn1.SEQUENCE) {
		return nil, illisible("SignedData")
	}
	var version int64
	var algs, encap, certs, infos cryptobyte.String
	if !sdSeq.ReadASN1Integer(&version) || !sdSeq.ReadASN1(&algs, cbasn1.SET) || !sdSeq.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, illisible("en-tête du SignedData")
	}
	sd := &signedData{}
	if !encap.ReadASN1ObjectIdentifier(&sd.typeContenu) {
		return nil, illisible("type de contenu")
	}
	if !encap.Empty() {
		var e, oct cryptobyte.String
		if !encap.ReadASN1(&e, cbasn1.Tag(0).ContextSpecific().Constructed()) || !e.ReadASN1(&oct, cbasn1.OCTET_STRING) {
			return nil, illisible("contenu encapsulé")
		}
		sd.contenuEncapsule = append([]byte{}, oct...)
	}
	var present bool
	if !sdSeq.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, illisible("certificats")
	}
	for !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, illisible("certificats")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute certificates and others are not ours to check
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			return nil, illisible("certificat : " + err.Error())
		}
		sd.certificats = append(sd.certificats, cert)
	}
	var crls cryptobyte.String
	if !sdSeq.ReadOptionalASN1(&crls, &present, cbasn1.Tag(1).ContextSpecific().Constructed()) ||
		!sdSeq.ReadASN1(&infos, cbasn1.SET) || !sdSeq.Empty() {
		return nil, illisible("fin du SignedData")
	}
	var info cryptobyte.String
	if !infos.ReadASN1(&info, cbasn1.SEQUENCE) {
		return nil, illisible("aucun signataire")
	}
	if !infos.Empty() {
		return nil, errors.New("signature à plusieurs signataires dans un même fichier : non prise en charge, vérifiez chaque signature séparément")
	}
	si, err := lireInfoSignataire(info)
	if err != nil {
		return nil, err
	}
	sd.signataire = si
	return sd, nil
}

func lireInfoSignataire(info cryptobyte.String) (*infoSignataire, error) {
	si := &infoSignataire{}
	var version int64
	if !info.ReadASN1Integer(&version) {
		return nil, illisible("version du signataire")
	}
	switch {
	case info.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var nom cryptobyte.String
		si.serie = new(big.Int)
		if !info.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&nom, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(si.serie) {
			return nil, illisible("identifiant du signataire")
		}
		si.emetteur = nom
	case info.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !info.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return nil, illisible("identifiant du signataire")
		}
		si.ski = ski
	default:
		return nil, illisible("identifiant du signataire")
	}
	var alg cryptobyte.String
	if !info.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&si.algEmpreinte) {
		return nil, illisible("algorithme d'empreinte")
	}
	if info.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var attrs cryptobyte.String
		if !info.ReadASN1(&attrs, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return nil, illisible("attributs signés")
		}
		si.attributs = attrs
		if si.attributs == nil {
			si.attributs = []byte{}
		}
	}
	var salg cryptobyte.String
	var valeur cryptobyte.String
	if !info.ReadASN1(&salg, cbasn1.SEQUENCE) || !salg.ReadASN1ObjectIdentifier(&si.algSignature) || !info.ReadASN1(&valeur, cbasn1.OCTET_STRING) {
		return nil, illisible("valeur de signature")
	}
	si.parametresSignature = salg
	si.valeur = valeur
	return si, nil
}

type attributs struct {
	typeContenu          asn1.ObjectIdentifier
	empreinte            []byte
	heure                time.Time
	certificatSignataire *idCertificat
}

// idCertificat is an ESSCertID(v2): the hash of the signer's certificate
// and, optionally, its issuer and serial number.
type idCertificat struct {
	hachage  crypto.Hash
	valeur   []byte
	emetteur []byte // raw Name; nil when absent
	serie    *big.Int
}

func (id *idCertificat) designe(c *x509.Certificate) error {
	h := id.hachage.New()
	h.Write(c.Raw)
	if !bytes.Equal(h.Sum(nil), id.valeur) {
		return errors.New("l'attribut signing-certificate désigne un autre certificat que celui du signataire : signature invalide")
	}
	if id.emetteur != nil && (!bytes.Equal(id.emetteur, c.RawIssuer) || id.serie.Cmp(c.SerialNumber) != 0) {
		return errors.New("l'émetteur et le numéro de série de l'attribut signing-certificate ne sont pas ceux du certificat du signataire : signature invalide")
	}
	return nil
}

func lireAttributs(der []byte) (*attributs, error) {
	s := cryptobyte.String(der)
	a := &attributs{}
	vus := map[string]bool{}
	for !s.Empty() {
		var attr, valeurs cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !s.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&valeurs, cbasn1.SET) {
			return nil, illisible("attribut signé")
		}
		if vus[oid.String()] {
			return nil, fmt.Errorf("attribut signé %v en double : signature non conforme", oid)
		}
		vus[oid.String()] = true
		switch {
		case oid.Equal(oidAttrContentType):
			if !valeurs.ReadASN1ObjectIdentifier(&a.typeContenu) || !valeurs.Empty() {
				return nil, illisible("attribut contentType")
			}
		case oid.Equal(oidAttrMessageDigest):
			var v cryptobyte.String
			if !valeurs.ReadASN1(&v, cbasn1.OCTET_STRING) || !valeurs.Empty() {
				return nil, illisible("attribut messageDigest")
			}
			a.empreinte = v
		case oid.Equal(oidAttrSigningTime):
			switch {
			case valeurs.PeekASN1Tag(cbasn1.UTCTime):
				if !valeurs.ReadASN1UTCTime(&a.heure) {
					return nil, illisible("attribut signingTime")
				}
			default:
				if !valeurs.ReadASN1GeneralizedTime(&a.heure) {
					return nil, illisible("attribut signingTime")
				}
			}
		case oid.Equal(oidAttrSigningCertV2), oid.Equal(oidAttrSigningCertV1):
			id, err := lireIDCertificat(valeurs, oid.Equal(oidAttrSigningCertV2))
			if err != nil {
				return nil, err
			}
			a.certificatSignataire = id
		}
	}
	return a, nil
}

// lireIDCertificat reads the first ESSCertID(v2) of a SigningCertificate(V2),
// the one that must designate the signer (RFC 5035 §3).
func lireIDCertificat(valeurs cryptobyte.String, v2 bool) (*idCertificat, error) {
	var sc, certs, id cryptobyte.String
	if !valeurs.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return nil, illisible("attribut signing-certificate")
	}
	r := &idCertificat{hachage: crypto.SHA1}
	if v2 {
		r.hachage = crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
				return nil, illisible("attribut signing-certificate-v2")
			}
			h, ok := hachage(oid)
			if !ok {
				return nil, fmt.Errorf("algorithme d'empreinte %v du certificat signataire non pris en charge", oid)
			}
			r.hachage = h
		}
	}
	var v cryptobyte.String
	if !id.ReadASN1(&v, cbasn1.OCTET_STRING) {
		return nil, illisible("empreinte du certificat signataire")
	}
	r.valeur = v
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var is, noms, nom cryptobyte.String
		r.serie = new(big.Int)
		if !id.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&noms, cbasn1.SEQUENCE) || !is.ReadASN1Integer(r.serie) {
			return nil, illisible("émetteur du certificat signataire")
		}
		// Only a directoryName can match an X.509 issuer; other
		// GeneralName forms are ignored.
		for !noms.Empty() {
			var gn cryptobyte.String
			var tag cbasn1.Tag
			if !noms.ReadAnyASN1(&gn, &tag) {
				return nil, illisible("émetteur du certificat signataire")
			}
			if tag == cbasn1.Tag(4).ContextSpecific().Constructed() {
				if !gn.ReadASN1Element(&nom, cbasn1.SEQUENCE) {
					return nil, illisible("émetteur du certificat signataire")
				}
				r.emetteur = nom
			}
		}
		if r.emetteur == nil {
			r.serie = nil
		}
	}
	return r, nil
}

// lireParametresPSS reads RSASSA-PSS-params (RFC 4055), whose defaults are
// SHA-1 and a 20-byte salt.
func lireParametresPSS(p cryptobyte.String) (crypto.Hash, int, error) {
	h, sel := crypto.SHA1, 20
	mauvais := illisible("paramètres RSA-PSS")
	var seq cryptobyte.String
	if !p.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return 0, 0, mauvais
	}
	var x cryptobyte.String
	var ok bool
	if !seq.ReadOptionalASN1(&x, &ok, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return 0, 0, mauvais
	}
	if ok {
		var alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !x.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
			return 0, 0, mauvais
		}
		if h, ok = hachage(oid); !ok {
			return 0, 0, mauvais
		}
	}
	if !seq.ReadOptionalASN1(&x, &ok, cbasn1.Tag(1).ContextSpecific().Constructed()) {
		return 0, 0, mauvais
	}
	if ok {
		var mgf, alg cryptobyte.String
		var oid, oidH asn1.ObjectIdentifier
		if !x.ReadASN1(&mgf, cbasn1.SEQUENCE) || !mgf.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidMGF1) ||
			!mgf.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oidH) {
			return 0, 0, mauvais
		}
		if hm, ok := hachage(oidH); !ok || hm != h {
			return 0, 0, errors.New("RSA-PSS avec une fonction de masque différente de l'empreinte : non pris en charge")
		}
	}
	if !seq.ReadOptionalASN1(&x, &ok, cbasn1.Tag(2).ContextSpecific().Constructed()) {
		return 0, 0, mauvais
	}
	if ok {
		var n int64
		if !x.ReadASN1Integer(&n) || n < 0 || n > 1024 {
			return 0, 0, mauvais
		}
		sel = int(n)
	}
	return h, sel, nil
}
