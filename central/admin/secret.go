package admin

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreatePassword returns the console's password, read from the file at
// path (admin.secret in central's data directory). At first start the file
// does not exist: it is created, readable by its owner only, with a random
// password.
func LoadOrCreatePassword(path string) ([]byte, error) {
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				return nil, fmt.Errorf("le fichier %s est vide : supprimez-le, un nouveau mot de passe sera créé au prochain démarrage", path)
			}
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("lecture du mot de passe de la console (%s) : %w", path, err)
		}
		var raw [24]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("mot de passe de la console : %w", err)
		}
		secret := base64.RawURLEncoding.EncodeToString(raw[:])
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("création du dossier de %s : %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // created meanwhile by another process: read it
		} else if err != nil {
			return nil, fmt.Errorf("création du mot de passe de la console (%s) : %w", path, err)
		}
		_, err = f.WriteString(secret + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("écriture du mot de passe de la console (%s) : %w", path, err)
		}
		return []byte(secret), nil
	}
	return nil, fmt.Errorf("le fichier %s est illisible : vérifiez ses droits", path)
}
