package backuprepo

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"xdemat"
)

// Sequestre keeps each commune's repository password, encrypted at rest
// with AES-256-GCM under a master key of central (a 0600 file), with the
// commune ID as additional data so that a file copied to another commune
// does not decrypt. It lets a new PC restore after the old one died.
type Sequestre struct {
	dir  string
	aead cipher.AEAD
}

// OuvrirSequestre opens the escrow in dir with the master key at keyPath,
// created at first use.
func OuvrirSequestre(dir, keyPath string) (*Sequestre, error) {
	key, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("clé du séquestre des sauvegardes : %w", err)
		}
		_, err = f.Write(key)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("clé du séquestre des sauvegardes : %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("clé du séquestre des sauvegardes : %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("clé du séquestre des sauvegardes %s abîmée (%d octets au lieu de 32) : restaurez-la depuis la sauvegarde du serveur", keyPath, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Sequestre{dir: dir, aead: aead}, nil
}

// Deposer escrows the commune's repository password. Once set, the same
// password again is a no-op and another one is refused (ECONFLICT): the
// repository can only be opened with the first.
func (s *Sequestre) Deposer(communeID, mdp string) error {
	if !xdemat.ValidUUID(communeID) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant de commune invalide.")
	}
	if len(mdp) < 16 || len(mdp) > 1024 {
		return xdemat.Errorf(xdemat.EINVALID, "Mot de passe de dépôt de sauvegarde refusé : il doit compter entre 16 et 1 024 caractères.")
	}
	old, err := s.Lire(communeID)
	if err != nil {
		return err
	}
	switch {
	case old == mdp:
		return nil
	case old != "":
		return xdemat.Errorf(xdemat.ECONFLICT, "La commune a déjà un mot de passe de sauvegarde en séquestre : ce poste doit utiliser celui-là (il le reçoit avec ses accès).")
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, []byte(mdp), []byte(communeID))
	return ecrireAtomique(filepath.Join(s.dir, communeID), sealed)
}

// Lire returns the escrowed password of the commune, "" when none.
func (s *Sequestre) Lire(communeID string) (string, error) {
	if !xdemat.ValidUUID(communeID) {
		return "", xdemat.Errorf(xdemat.EINVALID, "Identifiant de commune invalide.")
	}
	b, err := os.ReadFile(filepath.Join(s.dir, communeID))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	n := s.aead.NonceSize()
	if len(b) < n {
		return "", fmt.Errorf("séquestre de %s abîmé", communeID)
	}
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(communeID))
	if err != nil {
		return "", fmt.Errorf("séquestre de %s illisible avec la clé de ce serveur : %w", communeID, err)
	}
	return string(bytes.Clone(plain)), nil
}
