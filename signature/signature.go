// Package signature holds what the signature formats (PAdES, XAdES, CAdES in
// the sub-packages) share: signing happens in two steps, as in the EU DSS
// library. The agent prepares a document and computes the digests to sign
// (Empreinte), the app has the token sign each digest (the private key never
// leaves the token, and the agent never sees the PIN), and the agent
// assembles the signed document from the signature values.
package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Algorithme is the signature algorithm chosen at preparation time: it is
// written in the signed data (XAdES SignatureMethod, CMS signatureAlgorithm),
// so the token must use exactly this one.
type Algorithme string

const (
	RSAPKCS1v15SHA256 Algorithme = "rsa-pkcs1v15-sha256"
	RSAPSSSHA256      Algorithme = "rsa-pss-sha256"
	ECDSASHA256       Algorithme = "ecdsa-sha256"
)

// AlgorithmePour picks the algorithm for a certificate's public key. RSA keys
// use PKCS#1 v1.5 unless pss is asked: the DGFiP and most French validators
// still expect PKCS#1 v1.5.
func AlgorithmePour(pub crypto.PublicKey, pss bool) (Algorithme, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		if pss {
			return RSAPSSSHA256, nil
		}
		return RSAPKCS1v15SHA256, nil
	case *ecdsa.PublicKey:
		return ECDSASHA256, nil
	}
	return "", fmt.Errorf("type de clé %T non pris en charge : seules les clés RSA et ECDSA peuvent signer", pub)
}

// Options gives the crypto.SignerOpts a crypto.Signer needs for a.
func (a Algorithme) Options() crypto.SignerOpts {
	if a == RSAPSSSHA256 {
		return &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	return crypto.SHA256
}

// Empreinte is one digest the token must sign, with the algorithm fixed by
// the prepared document. Libelle tells the signer what it is ("Bordereau 12",
// "Délibération 2026-041.pdf"), for the app's progress and the journal.
type Empreinte struct {
	Valeur     []byte     `json:"valeur"`
	Algorithme Algorithme `json:"algorithme"`
	Libelle    string     `json:"libelle,omitempty"`
}

// Signer obtains the signature value of e from s, as Go's crypto.Signer
// returns it (PKCS#1 bytes for RSA, ASN.1 DER for ECDSA); the formats convert
// when they need another encoding (XML-DSig wants ECDSA as r||s).
func Signer(s crypto.Signer, e Empreinte) ([]byte, error) {
	if len(e.Valeur) != crypto.SHA256.Size() {
		return nil, fmt.Errorf("empreinte de %d octets : une empreinte SHA-256 en a 32", len(e.Valeur))
	}
	return s.Sign(rand.Reader, e.Valeur, e.Algorithme.Options())
}

// Verifier checks a signature value against the empreinte and a public key,
// so that the agent refuses to assemble a document with a wrong value (a
// token that signed with another key, a value corrupted on the way).
func Verifier(pub crypto.PublicKey, e Empreinte, sig []byte) error {
	var ok bool
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch e.Algorithme {
		case RSAPKCS1v15SHA256:
			ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, e.Valeur, sig) == nil
		case RSAPSSSHA256:
			ok = rsa.VerifyPSS(k, crypto.SHA256, e.Valeur, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
	case *ecdsa.PublicKey:
		ok = e.Algorithme == ECDSASHA256 && ecdsa.VerifyASN1(k, e.Valeur, sig)
	}
	if !ok {
		return fmt.Errorf("la signature reçue ne correspond pas au document et au certificat : recommencez la signature avec la même clé")
	}
	return nil
}
