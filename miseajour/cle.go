package miseajour

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"xdemat"
)

// GenererCle makes a release key pair. The private key is for the SPL's
// publishing machine only; the public one is built into the agent.
func GenererCle() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

// EcrireClePrivee writes the private key as PKCS#8 PEM (what openssl reads),
// readable by its owner only. It refuses to overwrite a key: losing the
// release key means rebuilding every poste's agent.
func EcrireClePrivee(chemin string, cle ed25519.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(cle)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(chemin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return xdemat.Errorf(xdemat.ECONFLICT, "Le fichier %s existe déjà : une clé de publication n'est jamais écrasée (les postes ne font confiance qu'à elle). Choisissez un autre nom.", chemin)
	} else if err != nil {
		return fmt.Errorf("clé de publication %s : %w", chemin, err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LireClePrivee reads a release key written by EcrireClePrivee (or by
// "openssl genpkey -algorithm ed25519").
func LireClePrivee(chemin string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(chemin)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Clé de publication illisible (%v) : indiquez le fichier créé par « xdemat-central release keygen ».", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le fichier %s n'est pas une clé privée PEM : indiquez le fichier créé par « xdemat-central release keygen ».", chemin)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Clé privée illisible dans %s : indiquez le fichier créé par « xdemat-central release keygen ».", chemin)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, xdemat.Errorf(xdemat.EINVALID, "La clé de %s n'est pas une clé Ed25519 : les mises à jour sont signées en Ed25519 (« xdemat-central release keygen »).", chemin)
	}
	return ek, nil
}

// CodeCle returns the public key as the agent is given it at build time:
// standard base64 of its 32 bytes, a single word that -ldflags -X accepts.
func CodeCle(cle ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(cle) }

// LireCodeCle reads a public key written by CodeCle.
func LireCodeCle(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Clé publique de publication illisible : attendu 44 caractères en base64, tels qu'affichés par « xdemat-central release keygen ».")
	}
	return ed25519.PublicKey(b), nil
}
