package backuprepo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"xdemat"
)

// Jetons keeps the REST password of each poste: Dir/<posteID> holds the hex
// SHA-256 of the current one (never the password). A new password replaces
// the previous one, so a leaked one stops working at the next backup.
type Jetons struct {
	Dir string
}

// Nouveau issues a new REST password for the poste.
func (j *Jetons) Nouveau(posteID string) (string, error) {
	if !xdemat.ValidUUID(posteID) {
		return "", xdemat.Errorf(xdemat.EINVALID, "Identifiant de poste invalide.")
	}
	b := make([]byte, 32)
	rand.Read(b)
	mdp := hex.EncodeToString(b)
	sum := sha256.Sum256([]byte(mdp))
	if err := os.MkdirAll(j.Dir, 0o700); err != nil {
		return "", err
	}
	if err := ecrireAtomique(filepath.Join(j.Dir, posteID), []byte(hex.EncodeToString(sum[:]))); err != nil {
		return "", err
	}
	return mdp, nil
}

// Verifier reports whether mdp is the poste's current REST password.
func (j *Jetons) Verifier(posteID, mdp string) (bool, error) {
	if !xdemat.ValidUUID(posteID) {
		return false, nil
	}
	want, err := os.ReadFile(filepath.Join(j.Dir, posteID))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256([]byte(mdp))
	got := []byte(hex.EncodeToString(sum[:]))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ecrireAtomique writes b to p through a synced temporary file and a rename.
func ecrireAtomique(p string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	syncDir(filepath.Dir(p))
	return nil
}
