package localapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"xdemat"
)

// Files the agent keeps in its data directory for the desktop app.
const (
	SocketFile = "agent.sock" // Unix: the API socket
	AddrFile   = "agent.addr" // Windows: "127.0.0.1:port" of the API
	SecretFile = "api.secret" // the bearer secret, 64 hex characters
)

// secretMode lets the agent (owner) write the secret and the local users'
// group read it. The installer makes that group own the data directory (with
// the setgid bit, so that new files inherit it); on Windows it sets the ACL of
// the directory instead, and this mode only clears the read-only flag.
const secretMode = 0o640

var errBadSecret = errors.New("localapi: malformed secret file")

// readSecret returns the secret stored in dataDir.
func readSecret(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, SecretFile))
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if raw, err := hex.DecodeString(s); err != nil || len(raw) != 32 {
		return "", errBadSecret
	}
	return strings.ToLower(s), nil
}

// loadOrCreateSecret returns the secret of dataDir, creating it the first
// time (32 random bytes, hex). A malformed file is replaced. The file appears
// whole or not at all: it is written aside, synced, then linked into place.
func loadOrCreateSecret(dataDir string) (string, error) {
	s, err := readSecret(dataDir)
	if err == nil {
		return s, nil
	}
	replace := errors.Is(err, errBadSecret)
	if !replace && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("localapi: secret: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw) // never fails (crypto/rand)
	secret := hex.EncodeToString(raw)

	final := filepath.Join(dataDir, SecretFile)
	tmp, err := os.CreateTemp(dataDir, ".api.secret-*")
	if err != nil {
		return "", fmt.Errorf("localapi: secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(secret + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr, os.Chmod(tmp.Name(), secretMode)); err != nil {
		return "", fmt.Errorf("localapi: secret: %w", err)
	}
	if !replace {
		// Link fails if the file appeared meanwhile: the first secret wins.
		err := os.Link(tmp.Name(), final)
		if errors.Is(err, os.ErrExist) {
			return readSecret(dataDir)
		}
		if err == nil {
			syncDir(dataDir)
			return secret, nil
		}
		// No hard links on this file system: fall back to a rename.
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("localapi: secret: %w", err)
	}
	syncDir(dataDir)
	return secret, nil
}

// syncDir makes a rename durable where the OS allows it (not on Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// secretError turns a failure to read the secret on the client side into a
// French message saying what to do.
func secretError(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return unavailable(err)
	case errors.Is(err, os.ErrPermission):
		return &causeError{
			err:   xdemat.Errorf(xdemat.EFORBIDDEN, "Cette session n'a pas accès au service xdemat : demandez à la SPL d'ajouter ce compte au groupe des utilisateurs xdemat."),
			cause: err,
		}
	case errors.Is(err, errBadSecret):
		return &causeError{
			err:   xdemat.Errorf(xdemat.EUNAVAILABLE, "La clé d'accès au service xdemat est abîmée : redémarrez le PC ; si cela persiste, contactez la SPL."),
			cause: err,
		}
	}
	return unavailable(err)
}
