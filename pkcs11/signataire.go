package pkcs11

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// Signataire is the crypto.Signer of one private key on the token. It
// signs through its Session (one login for a whole batch) and refuses to
// sign when the certificate is not valid at signing time.
type Signataire struct {
	s    *Session
	cle  p11.ObjectHandle
	cert Certificat
	// PINParSignature is set when the key demands the PIN again for each
	// signature (CKA_ALWAYS_AUTHENTICATE, found on some qualified cards).
	// This package keeps no PIN, so such a key signs only if its
	// middleware asks the PIN itself; otherwise Sign returns ErrNonConnecte.
	PINParSignature bool

	maintenant func() time.Time
}

// Signataire returns the signer of the private key whose CKA_ID is id,
// with its certificate. It fails with ErrCertificatExpire or
// ErrCertificatPasEncoreVal when the certificate cannot sign now, and with
// ErrCleIntrouvable when the token holds no such key and certificate.
func (s *Session) Signataire(id []byte) (*Signataire, error) {
	return s.signataire(id, time.Now)
}

func (s *Session) signataire(id []byte, maintenant func() time.Time) (*Signataire, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ouverte(); err != nil {
		return nil, err
	}
	f := s.m.f
	certs, err := lireCertificats(f, s.h)
	if err != nil {
		return nil, err
	}
	var cert *Certificat
	for i := range certs {
		if bytes.Equal(certs[i].ID, id) {
			cert = &certs[i]
			break
		}
	}
	if cert == nil {
		return nil, &Erreur{Code: ErrCleIntrouvable, EssaisRestants: -1, Message: "Le certificat choisi n'est plus sur la clé : rebranchez la bonne clé, ou choisissez un autre certificat."}
	}
	cles, err := chercher(f, s.h, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_ID, id),
	})
	if err != nil {
		return nil, traduire(err, "trouver la clé privée")
	}
	if len(cles) == 0 {
		return nil, &Erreur{Code: ErrCleIntrouvable, EssaisRestants: -1, Message: fmt.Sprintf(
			"La clé ne contient pas la clé privée du certificat « %s » : il ne peut pas signer ; choisissez un autre certificat ou contactez votre autorité de certification.", cert.NomCommun)}
	}
	k := &Signataire{s: s, cle: cles[0], cert: *cert, maintenant: maintenant}
	if a, err := f.GetAttributeValue(s.h, cles[0], []*p11.Attribute{p11.NewAttribute(p11.CKA_ALWAYS_AUTHENTICATE, nil)}); err == nil && len(a) == 1 {
		k.PINParSignature = len(a[0].Value) > 0 && a[0].Value[0] != 0
	}
	switch cert.X509.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, &Erreur{Code: ErrNonPrisEnCharge, EssaisRestants: -1, Message: fmt.Sprintf(
			"Le certificat « %s » utilise un type de clé que xdemat ne sait pas employer (seules les clés RSA et ECDSA signent) : choisissez un autre certificat.", cert.NomCommun)}
	}
	if err := ValiditeALaSignature(cert.X509, k.maintenant()); err != nil {
		return nil, err
	}
	return k, nil
}

// Public returns the certificate's public key.
func (k *Signataire) Public() crypto.PublicKey { return k.cert.X509.PublicKey }

// Certificat returns the certificate of the key.
func (k *Signataire) Certificat() *x509.Certificate { return k.cert.X509 }

// Description returns the analysed certificate (names, flags).
func (k *Signataire) Description() Certificat { return k.cert }

// Sign signs digest, which the caller has hashed with opts.HashFunc(), as
// crypto.Signer requires: RSA PKCS#1 v1.5 (CKM_RSA_PKCS over the
// DigestInfo), RSA-PSS when opts is *rsa.PSSOptions (CKM_RSA_PKCS_PSS), and
// ECDSA (CKM_ECDSA, returned as ASN.1 DER like crypto/ecdsa). rand is not
// used: the token draws its own randomness.
func (k *Signataire) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if err := ValiditeALaSignature(k.cert.X509, k.maintenant()); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = crypto.Hash(0)
	}
	if h := opts.HashFunc(); h != 0 && len(digest) != h.Size() {
		return nil, &Erreur{Code: ErrNonPrisEnCharge, EssaisRestants: -1, Message: fmt.Sprintf(
			"Empreinte de %d octets pour %v qui en donne %d : le document à signer a été mal préparé, recommencez la préparation.", len(digest), h, h.Size())}
	}
	mech, donnees, err := k.mecanisme(digest, opts)
	if err != nil {
		return nil, err
	}
	s := k.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ouverte(); err != nil {
		return nil, err
	}
	if err := s.m.f.SignInit(s.h, mech, k.cle); err != nil {
		return nil, traduire(err, "signer")
	}
	s.compteurs.Signatures++
	sig, err := s.m.f.Sign(s.h, donnees)
	if err != nil {
		return nil, traduire(err, "signer")
	}
	if _, ok := k.cert.X509.PublicKey.(*ecdsa.PublicKey); ok {
		return ecdsaDER(sig)
	}
	return sig, nil
}

// Préfixes DigestInfo (RFC 8017 §9.2, note 1): CKM_RSA_PKCS signs the bytes
// given, so PKCS#1 v1.5 needs the DigestInfo of the hash around the digest.
var prefixesDigestInfo = map[crypto.Hash][]byte{
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// PKCS#11 names of the hashes, for the PSS parameters.
var hachagesPSS = map[crypto.Hash][2]uint{
	crypto.SHA224: {p11.CKM_SHA224, p11.CKG_MGF1_SHA224},
	crypto.SHA256: {p11.CKM_SHA256, p11.CKG_MGF1_SHA256},
	crypto.SHA384: {p11.CKM_SHA384, p11.CKG_MGF1_SHA384},
	crypto.SHA512: {p11.CKM_SHA512, p11.CKG_MGF1_SHA512},
}

func (k *Signataire) mecanisme(digest []byte, opts crypto.SignerOpts) ([]*p11.Mechanism, []byte, error) {
	h := opts.HashFunc()
	nonPris := func(quoi string) error {
		return &Erreur{Code: ErrNonPrisEnCharge, EssaisRestants: -1, Message: fmt.Sprintf(
			"Signature %s non prise en charge : le document à signer demande un algorithme que xdemat ne sait pas employer avec cette clé.", quoi)}
	}
	switch pub := k.cert.X509.PublicKey.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			p, ok := hachagesPSS[h]
			if !ok {
				return nil, nil, nonPris(fmt.Sprintf("RSA-PSS avec %v", h))
			}
			sel := pss.SaltLength
			switch sel {
			case rsa.PSSSaltLengthEqualsHash:
				sel = h.Size()
			case rsa.PSSSaltLengthAuto: // the longest salt, as crypto/rsa does
				sel = (pub.N.BitLen()-1+7)/8 - 2 - h.Size()
			}
			if sel < 0 {
				return nil, nil, nonPris("RSA-PSS avec cette longueur de sel")
			}
			return []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS_PSS, p11.NewPSSParams(p[0], p[1], uint(sel)))}, digest, nil
		}
		if h == 0 { // already a DigestInfo, as crypto/rsa accepts
			return []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, digest, nil
		}
		pre, ok := prefixesDigestInfo[h]
		if !ok {
			return nil, nil, nonPris(fmt.Sprintf("RSA PKCS#1 v1.5 avec %v", h))
		}
		return []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, append(bytes.Clone(pre), digest...), nil
	case *ecdsa.PublicKey:
		return []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDSA, nil)}, digest, nil
	}
	return nil, nil, nonPris(fmt.Sprintf("avec une clé %T", k.cert.X509.PublicKey))
}

// ecdsaDER turns the token's r||s (two halves of equal size, PKCS#11
// §2.3.1) into the ASN.1 SEQUENCE { r, s } Go's crypto.Signer returns.
func ecdsaDER(brut []byte) ([]byte, error) {
	if len(brut) == 0 || len(brut)%2 != 0 {
		return nil, &Erreur{Code: ErrJeton, EssaisRestants: -1, Message: "La clé a rendu une signature ECDSA mal formée : retirez-la, rebranchez-la et recommencez."}
	}
	n := len(brut) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(brut[:n]), new(big.Int).SetBytes(brut[n:])})
}
