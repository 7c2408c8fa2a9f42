package protocol

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"xdemat"
)

// Requests are authenticated by an Ed25519 signature over a canonical string:
// the method, the request URI, the date, the poste and the SHA-256 of the body.
// No bearer secret ever travels, so a captured request reveals nothing that
// lets an attacker forge another one; the date bounds replays, and every
// signed route is idempotent besides.

// HashBody returns the hex SHA-256 of a request body.
func HashBody(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// ChaineASigner returns the canonical string that is signed for a request.
func ChaineASigner(method, requestURI, date, posteID, bodySHA256 string) []byte {
	return []byte(strings.Join([]string{"XDEMAT-ED25519-1", method, requestURI, date, posteID, bodySHA256}, "\n"))
}

// Signer adds the authentication headers to req. bodySHA256 is HashBody of the
// body that will be sent; posteID is empty for enrollment, which is signed
// with the key being enrolled.
func Signer(req *http.Request, key ed25519.PrivateKey, posteID, bodySHA256 string, now time.Time) {
	date := now.UTC().Format(time.RFC3339)
	sig := ed25519.Sign(key, ChaineASigner(req.Method, req.URL.RequestURI(), date, posteID, bodySHA256))
	req.Header.Set(HeaderVersion, "1")
	req.Header.Set(HeaderDate, date)
	if posteID != "" {
		req.Header.Set(HeaderPoste, posteID)
	}
	req.Header.Set(HeaderContenu, bodySHA256)
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
}

// Verifier checks the signature headers of r against pub, and that the body
// read by the server hashes to bodySHA256. It returns a French error.
func Verifier(r *http.Request, pub ed25519.PublicKey, bodySHA256 string, now time.Time) error {
	date := r.Header.Get(HeaderDate)
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Requête non signée ou date absente : mettez l'agent xdemat à jour.")
	}
	if d := now.Sub(t); d > DecalageHorlogeMax || d < -DecalageHorlogeMax {
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "L'horloge de ce poste est décalée de %s : remettez le PC à l'heure puis réessayez.", d.Round(time.Second))
	}
	if r.Header.Get(HeaderContenu) != bodySHA256 {
		return xdemat.Errorf(xdemat.EINVALID, "Le contenu reçu ne correspond pas à son empreinte : la transmission a été altérée, elle sera reprise.")
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(pub) != ed25519.PublicKeySize ||
		!ed25519.Verify(pub, ChaineASigner(r.Method, r.URL.RequestURI(), date, r.Header.Get(HeaderPoste), bodySHA256), sig) {
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Signature du poste invalide : ce poste doit être enrôlé à nouveau par la SPL.")
	}
	return nil
}
