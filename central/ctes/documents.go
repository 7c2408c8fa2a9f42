package ctes

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"time"

	"xdemat"
	"xdemat/actes"
)

// The files the préfecture sends (the AR of an acte, the courrier that
// comes with a message) are kept as documents of the commune, so that its
// postes fetch them like any other document and the secretary can file the
// AR or print the letter.

// Documents is what the connector needs to record a document for a
// commune: central.Store's CreateDocument, the commune taken from the poste
// in ctx.
type Documents interface {
	CreateDocument(ctx context.Context, d *xdemat.Document, now time.Time) error
}

// posteConnecteur is the poste the documents are recorded by: central
// itself, not a poste of the commune (no poste has this ID).
const posteConnecteur = "central-ctes"

// garder stores contenu in the blob store and records it as a document of
// the commune; it returns its SHA-256, or "" when the store cannot record
// documents (the status change still goes through, without the file).
// Storing the same file again (an answer taken again after a crash) changes
// nothing.
func (c *Connecteur) garder(ctx context.Context, communeID, nom, typeMedia string, contenu []byte, now time.Time) (string, error) {
	docs, ok := c.Store.(Documents)
	if !ok || c.Blobs == nil || len(contenu) == 0 {
		return "", nil
	}
	s := sha256.Sum256(contenu)
	h := hex.EncodeToString(s[:])
	if err := c.Blobs.PutVerified(contenu, h); err != nil {
		return "", err
	}
	d := &xdemat.Document{SHA256: h, Taille: int64(len(contenu)), TypeMedia: typeMedia, NomOriginal: nomDocument(nom), CreeLe: now}
	pctx := xdemat.NewContextWithPoste(ctx, &xdemat.Poste{ID: posteConnecteur, CommuneID: communeID})
	if err := docs.CreateDocument(pctx, d, now); err != nil {
		return "", err
	}
	return h, nil
}

// nomDocument makes a file name of the préfecture acceptable as a
// document's name: no directory, no control character, not too long.
func nomDocument(nom string) string {
	nom = path.Base(strings.ReplaceAll(nom, "\\", "/"))
	nom = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '-'
		}
		return r
	}, strings.ToValidUTF8(nom, "-"))
	if len(nom) > 200 {
		nom = nom[len(nom)-200:]
		nom = strings.ToValidUTF8(nom, "")
	}
	if nom == "" || nom == "." || nom == "/" {
		nom = "document"
	}
	return nom
}

// fichierMessage returns the bytes of the message file named fichier in an
// answer: the answer itself when it is a single XML file, else the file of
// that name in its tar.gz.
func fichierMessage(octets []byte, fichier string) []byte {
	if !bytes.HasPrefix(octets, []byte{0x1f, 0x8b}) {
		return octets
	}
	fs, err := actes.LireFichiers(octets)
	if err != nil {
		return nil
	}
	for _, f := range fs {
		if f.Nom == fichier {
			return f.Contenu
		}
	}
	return nil
}

// garderPieces keeps the files that came with a message, in order.
func (c *Connecteur) garderPieces(ctx context.Context, communeID string, pieces []actes.Piece, now time.Time) ([]string, error) {
	var out []string
	for _, p := range pieces {
		h, err := c.garder(ctx, communeID, p.Nom, xdemat.TypeMediaDe(p.Nom), p.Contenu, now)
		if err != nil {
			return nil, err
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out, nil
}
