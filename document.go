package xdemat

import (
	"encoding/hex"
	"mime"
	"path/filepath"
	"strings"
	"time"
)

// Document is a file held by xdemat, named by the SHA-256 of its content: the
// same bytes are the same document, and a document never changes once stored.
type Document struct {
	SHA256      string    `json:"sha256"` // lowercase hex
	Taille      int64     `json:"taille"` // bytes
	TypeMedia   string    `json:"typeMedia"`
	NomOriginal string    `json:"nomOriginal"`
	CreeLe      time.Time `json:"creeLe"`
}

// TailleMaxDocument is the largest document accepted (a scanned register may be big).
const TailleMaxDocument = 512 << 20

// Validate checks a document's metadata.
func (d *Document) Validate() error {
	if !ValidSHA256(d.SHA256) {
		return Errorf(EINVALID, "L'empreinte du document est invalide (64 caractères hexadécimaux attendus).")
	}
	if d.Taille < 0 {
		return Errorf(EINVALID, "La taille du document est invalide.")
	}
	if d.Taille > TailleMaxDocument {
		return Errorf(ETOOLARGE, "Le document « %s » dépasse la taille maximale de %d Mo : réduisez-le (scan en 200 dpi, noir et blanc) ou découpez-le.", d.NomOriginal, TailleMaxDocument>>20)
	}
	if strings.ContainsAny(d.NomOriginal, "/\\") || !texteValide(d.NomOriginal, 255) {
		return Errorf(EINVALID, "Le nom de fichier « %s » contient un caractère interdit : renommez le fichier (lettres, chiffres, espaces, tirets).", strings.ToValidUTF8(d.NomOriginal, "?"))
	}
	if d.TypeMedia == "" {
		d.TypeMedia = TypeMediaDe(d.NomOriginal)
	}
	if _, _, err := mime.ParseMediaType(d.TypeMedia); err != nil || !texteValide(d.TypeMedia, 127) {
		return Errorf(EINVALID, "Le type du fichier « %s » n'est pas reconnu.", strings.ToValidUTF8(d.NomOriginal, "?"))
	}
	return nil
}

// ValidSHA256 reports whether s is a lowercase hex SHA-256.
func ValidSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// TypeMediaDe guesses the media type of a file from its name.
func TypeMediaDe(nom string) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(nom))); t != "" {
		return t
	}
	return "application/octet-stream"
}
