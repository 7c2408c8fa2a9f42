// Package blob is a content-addressed file store: each file is named by the
// hex SHA-256 of its bytes, under a two-letter fan-out directory. Files are
// written to a temporary name, synced, then renamed, so that a crash leaves
// either the whole verified file or nothing. Central keeps the documents of
// every commune here; the agent keeps the mairie's local copies the same way.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"xdemat"
)

// Store is a directory of content-addressed files. It is safe for concurrent use:
// two writers of the same content both end with the same file.
type Store struct {
	dir string
}

// Open returns the store rooted at dir, creating it if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Dir returns the root directory.
func (s *Store) Dir() string { return s.dir }

// Path returns where the file of hash lives (it may not exist).
func (s *Store) Path(hash string) string {
	return filepath.Join(s.dir, hash[:2], hash)
}

// Has reports whether the file of hash is stored.
func (s *Store) Has(hash string) bool {
	if !xdemat.ValidSHA256(hash) {
		return false
	}
	_, err := os.Stat(s.Path(hash))
	return err == nil
}

// Open opens the file of hash for reading. ENOTFOUND when absent.
func (s *Store) Open(hash string) (*os.File, error) {
	if !xdemat.ValidSHA256(hash) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Empreinte de document invalide.")
	}
	f, err := os.Open(s.Path(hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Document introuvable.")
	}
	return f, err
}

// Put stores the bytes read from r, at most max bytes (max ≤ 0: no limit), and
// returns their hash and size. ETOOLARGE when r holds more than max bytes;
// nothing is stored then.
func (s *Store) Put(r io.Reader, max int64) (hash string, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	defer tmp.Close()
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	size, err = io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if max > 0 && size > max {
		return "", 0, xdemat.Errorf(xdemat.ETOOLARGE, "Le fichier dépasse la taille maximale de %d Mo.", max>>20)
	}
	hash = hex.EncodeToString(h.Sum(nil))
	return hash, size, s.commit(tmp, hash)
}

// PutVerified stores data whose SHA-256 the caller has already checked to be
// hash (central verifies every request body against its signed hash), so it
// is not hashed a second time.
func (s *Store) PutVerified(data []byte, hash string) error {
	if !xdemat.ValidSHA256(hash) {
		return xdemat.Errorf(xdemat.EINVALID, "Empreinte de document invalide.")
	}
	if s.Has(hash) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return s.commit(tmp, hash)
}

// Adopt moves the already-written file at path into the store under hash,
// after checking that its content hashes to hash. The file must be on the same
// file system as the store (central's upload area is inside it). On a hash
// mismatch the file is removed and EINVALID returned.
func (s *Store) Adopt(path, hash string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		os.Remove(path)
		return xdemat.Errorf(xdemat.EINVALID, "Le document reçu ne correspond pas à son empreinte : il sera renvoyé en entier.")
	}
	if err := os.MkdirAll(filepath.Dir(s.Path(hash)), 0o700); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(path, s.Path(hash)); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(s.Path(hash)))
}

// TempDir returns a directory on the store's file system for files to Adopt.
func (s *Store) TempDir() string { return filepath.Join(s.dir, "tmp") }

func (s *Store) commit(tmp *os.File, hash string) error {
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	final := s.Path(hash)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(final))
}

// syncDir makes a rename durable. Windows cannot open directories for sync,
// and NTFS journals renames anyway, so errors there are ignored.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
