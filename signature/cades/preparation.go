// Package cades builds and checks CAdES baseline B-B detached signatures
// (.p7s, CMS SignedData of RFC 5652 with the ESS signing-certificate-v2
// attribute of RFC 5035) in the two steps of package signature: Preparer
// computes the signed attributes and the digest the token must sign,
// Assembler wraps the token's signature value into the DER .p7s.
package cades

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"xdemat/signature"
)

// Options tunes the signed attributes.
type Options struct {
	// SigningTime is the claimed signing time; now when zero.
	SigningTime time.Time
	// SansSigningTime leaves the signing-time attribute out, as PAdES
	// baseline requires (the time is in the PDF's /M entry instead).
	SansSigningTime bool
	// PSS asks for RSASSA-PSS instead of PKCS#1 v1.5 with an RSA key.
	PSS bool
	// Libelle names the document in the Empreinte ("Délibération 2026-041").
	Libelle string
}

// Preparation is what the agent keeps between the two steps. It holds no
// secret and serialises to JSON, so the agent may write it to disk and
// restart before the token's answer comes back.
type Preparation struct {
	Algorithme signature.Algorithme `json:"algorithme"`
	// AttributsSignes is the DER SET OF Attribute whose SHA-256 is signed.
	AttributsSignes []byte `json:"attributs_signes"`
	// Certificats holds the signer's certificate first, then the chain.
	Certificats [][]byte `json:"certificats"`
	Libelle     string   `json:"libelle,omitempty"`
}

// Preparer reads the document to sign and prepares a detached signature.
func Preparer(contenu io.Reader, cert *x509.Certificate, chaine []*x509.Certificate, o Options) (*Preparation, signature.Empreinte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, contenu); err != nil {
		return nil, signature.Empreinte{}, fmt.Errorf("lecture du document à signer impossible : %w", err)
	}
	return PreparerEmpreinte(h.Sum(nil), cert, chaine, o)
}

// PreparerEmpreinte prepares a detached signature of a document whose
// SHA-256 is already known (a large file hashed while it was received, or
// the byte ranges of a PDF).
func PreparerEmpreinte(empreinte []byte, cert *x509.Certificate, chaine []*x509.Certificate, o Options) (*Preparation, signature.Empreinte, error) {
	if len(empreinte) != sha256.Size {
		return nil, signature.Empreinte{}, fmt.Errorf("empreinte du document de %d octets : une empreinte SHA-256 en a 32", len(empreinte))
	}
	if cert == nil {
		return nil, signature.Empreinte{}, errors.New("aucun certificat de signataire : choisissez le certificat du jeton avant de signer")
	}
	alg, err := signature.AlgorithmePour(cert.PublicKey, o.PSS)
	if err != nil {
		return nil, signature.Empreinte{}, err
	}
	attrs, err := attributsSignes(empreinte, cert, o)
	if err != nil {
		return nil, signature.Empreinte{}, err
	}
	p := &Preparation{Algorithme: alg, AttributsSignes: attrs, Libelle: o.Libelle}
	p.Certificats = append(p.Certificats, cert.Raw)
	for _, c := range chaine {
		if c != nil && !bytes.Equal(c.Raw, cert.Raw) {
			p.Certificats = append(p.Certificats, c.Raw)
		}
	}
	return p, p.Empreinte(), nil
}

// Empreinte is the digest the token must sign: SHA-256 of the DER signed
// attributes (RFC 5652 §5.4).
func (p *Preparation) Empreinte() signature.Empreinte {
	d := sha256.Sum256(p.AttributsSignes)
	return signature.Empreinte{Valeur: d[:], Algorithme: p.Algorithme, Libelle: p.Libelle}
}

// Assembler checks the token's signature value against the signer's
// certificate and returns the DER-encoded .p7s.
func (p *Preparation) Assembler(valeur []byte) ([]byte, error) {
	cert, err := p.signataire()
	if err != nil {
		return nil, err
	}
	if err := signature.Verifier(cert.PublicKey, p.Empreinte(), valeur); err != nil {
		return nil, err
	}
	return p.construire(cert, valeur)
}

// TailleMax is an upper bound of the size of what Assembler returns, so
// that PAdES can reserve the room of the signature in the PDF beforehand.
func (p *Preparation) TailleMax() (int, error) {
	cert, err := p.signataire()
	if err != nil {
		return 0, err
	}
	var n int
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		n = (k.N.BitLen() + 7) / 8
	case *ecdsa.PublicKey:
		// Two INTEGERs of the curve size, each with a possible 0x00 sign
		// byte, in a SEQUENCE.
		c := (k.Curve.Params().BitSize + 7) / 8
		n = 2*(c+1+3) + 4
	default:
		return 0, fmt.Errorf("type de clé %T non pris en charge : seules les clés RSA et ECDSA peuvent signer", cert.PublicKey)
	}
	der, err := p.construire(cert, make([]byte, n))
	if err != nil {
		return 0, err
	}
	return len(der), nil
}

func (p *Preparation) signataire() (*x509.Certificate, error) {
	if p == nil || len(p.Certificats) == 0 || len(p.AttributsSignes) == 0 {
		return nil, errors.New("préparation de signature vide ou abîmée : préparez de nouveau le document")
	}
	cert, err := x509.ParseCertificate(p.Certificats[0])
	if err != nil {
		return nil, fmt.Errorf("certificat du signataire illisible dans la préparation : préparez de nouveau le document (%v)", err)
	}
	return cert, nil
}

// construire writes ContentInfo{signedData, SignedData} with no
// encapsulated content (detached).
func (p *Preparation) construire(cert *x509.Certificate, valeur []byte) ([]byte, error) {
	var errAlg error
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1) // version: issuerAndSerialNumber, id-data
				b.AddASN1(cbasn1.SET, ajouterSHA256)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					for _, c := range p.Certificats {
						b.AddBytes(c)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						ajouterEmetteurEtSerie(b, cert)
						ajouterSHA256(b)
						// The signed attributes go in with an implicit [0]
						// tag instead of the SET tag they were signed with.
						b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							var s cryptobyte.String = p.AttributsSignes
							var contenu cryptobyte.String
							if !s.ReadASN1(&contenu, cbasn1.SET) {
								b.SetError(errors.New("attributs signés abîmés dans la préparation : préparez de nouveau le document"))
								return
							}
							b.AddBytes(contenu)
						})
						errAlg = ajouterAlgorithmeSignature(b, p.Algorithme)
						b.AddASN1OctetString(valeur)
					})
				})
			})
		})
	})
	if errAlg != nil {
		return nil, errAlg
	}
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("construction de la signature CMS impossible : %w", err)
	}
	return der, nil
}

func ajouterEmetteurEtSerie(b *cryptobyte.Builder, cert *x509.Certificate) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(cert.RawIssuer)
		b.AddASN1BigInt(cert.SerialNumber)
	})
}

// attributsSignes builds the DER SET OF Attribute of CAdES B-B: content
// type, message digest, signing time unless left out, and the ESS
// signing-certificate-v2 that binds the signer's certificate.
func attributsSignes(empreinte []byte, cert *x509.Certificate, o Options) ([]byte, error) {
	var attrs [][]byte
	ajouter := func(oid asn1.ObjectIdentifier, valeur func(b *cryptobyte.Builder)) {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, valeur)
		})
		attrs = append(attrs, b.BytesOrPanic())
	}
	ajouter(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
	ajouter(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(empreinte) })
	if !o.SansSigningTime {
		t := o.SigningTime
		if t.IsZero() {
			t = time.Now()
		}
		t = t.UTC().Truncate(time.Second)
		ajouter(oidAttrSigningTime, func(b *cryptobyte.Builder) {
			// RFC 5652 §11.3: UTCTime for 1950 to 2049.
			if y := t.Year(); y >= 1950 && y < 2050 {
				b.AddASN1UTCTime(t)
			} else {
				b.AddASN1GeneralizedTime(t)
			}
		})
	}
	hc := sha256.Sum256(cert.Raw)
	ajouter(oidAttrSigningCertV2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
					// hashAlgorithm left out: SHA-256 is the DEFAULT.
					b.AddASN1OctetString(hc[:])
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
							b.AddASN1(cbasn1.Tag(4).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddBytes(cert.RawIssuer)
							})
						})
						b.AddASN1BigInt(cert.SerialNumber)
					})
				})
			})
		})
	})
	// DER orders the elements of a SET OF by their encodings.
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 })
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	return b.Bytes()
}
