package sauvegarde

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
)

// The repository password of the commune. It is kept in DataDir/sauvegarde/
// depot.cle, protected by the OS (proteger: a 0600 file on Linux, DPAPI for
// the service account on Windows), and escrowed at central so that a new PC
// can restore after the old one died. restic reads it from a temporary 0600
// file that lives for one command: never from its command line.

// nouveauMotDePasse draws a repository password: 32 random bytes, base64.
func nouveauMotDePasse() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func lireCle(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	clair, err := deproteger(b)
	if err != nil {
		return "", err
	}
	return string(clair), nil
}

func ecrireCle(p, mdp string) error {
	b, err := proteger([]byte(mdp))
	if err != nil {
		return err
	}
	return ecrire(p, b)
}

// fichierTemporaire writes mdp for restic's RESTIC_PASSWORD_FILE; the
// returned function removes it.
func fichierTemporaire(dir, mdp string) (string, func(), error) {
	f, err := os.CreateTemp(dir, "restic-mdp-*")
	if err != nil {
		return "", nil, err
	}
	p := f.Name()
	_, err = f.WriteString(mdp)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
		return "", nil, err
	}
	return p, func() { os.Remove(p) }, nil
}

// ecrire writes a secret or certificate file (0600) through a rename.
func ecrire(p string, b []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// nettoyer removes password files left by an agent that was killed.
func nettoyer(dir string) {
	olds, _ := filepath.Glob(filepath.Join(dir, "restic-mdp-*"))
	for _, p := range olds {
		os.Remove(p)
	}
}
