package miseajour

import (
	"crypto/ed25519"

	"xdemat"
)

// contexte is prepended to the manifest's bytes before signing: a signature
// made with the release key for anything else (say a test, or a future
// format) can never pass for a manifest's.
const contexte = "xdemat mise à jour, manifeste v1\n"

// Publication is a signed release as central serves it: the manifest's
// exact bytes and their Ed25519 signature.
type Publication struct {
	Manifeste []byte `json:"manifeste"`
	Signature []byte `json:"signature"`
}

// Signer signs manifest bytes with the release key.
func Signer(cle ed25519.PrivateKey, manifeste []byte) []byte {
	return ed25519.Sign(cle, message(manifeste))
}

// Verifier checks p's signature with the release key the agent trusts, then
// reads the manifest. Nothing of the manifest is read before the signature
// holds.
func Verifier(cle ed25519.PublicKey, p *Publication) (*Manifeste, error) {
	if len(cle) != ed25519.PublicKeySize {
		return nil, xdemat.Errorf(xdemat.EINTERNAL, "Aucune clé de publication n'est connue de ce poste : les mises à jour automatiques sont désactivées ; réinstallez xdemat avec le programme d'installation de la SPL.")
	}
	if p == nil || len(p.Signature) != ed25519.SignatureSize || len(p.Manifeste) > TailleMaxManifeste ||
		!ed25519.Verify(cle, message(p.Manifeste), p.Signature) {
		return nil, xdemat.Errorf(xdemat.EFORBIDDEN, "La signature de la mise à jour proposée ne correspond pas à la clé de publication de la SPL (mise à jour altérée, ou signée par une autre clé) : elle est refusée et rien n'a été modifié sur ce poste. Prévenez la SPL.")
	}
	return LireManifeste(p.Manifeste)
}

func message(manifeste []byte) []byte {
	return append([]byte(contexte), manifeste...)
}
