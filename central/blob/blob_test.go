package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"xdemat"
)

func TestPutPuisLireLeDocument(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("Délibération n°2026-01 du conseil municipal")
	sum := sha256.Sum256(data)
	hash, size, err := s.Put(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if hash != hex.EncodeToString(sum[:]) || size != int64(len(data)) {
		t.Fatalf("Put = %s %d", hash, size)
	}
	// The same content again is the same file.
	if h2, _, err := s.Put(bytes.NewReader(data), 0); err != nil || h2 != hash {
		t.Fatalf("second Put = %s, %v", h2, err)
	}
	f, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("contenu relu différent")
	}
	if entries, _ := os.ReadDir(s.TempDir()); len(entries) != 0 {
		t.Fatalf("fichiers temporaires laissés : %d", len(entries))
	}
}

func TestFichierTropGrosRefuseSansRienGarder(t *testing.T) {
	s, _ := Open(t.TempDir())
	_, _, err := s.Put(bytes.NewReader(make([]byte, 2<<20)), 1<<20)
	if xdemat.ErrorCode(err) != xdemat.ETOOLARGE {
		t.Fatalf("err = %v, attendu %s", err, xdemat.ETOOLARGE)
	}
	if entries, _ := os.ReadDir(s.TempDir()); len(entries) != 0 {
		t.Fatal("un fichier refusé ne doit rien laisser")
	}
}

func TestAdoptRefuseUnContenuAltere(t *testing.T) {
	s, _ := Open(t.TempDir())
	p := filepath.Join(s.TempDir(), "part")
	os.WriteFile(p, []byte("contenu altéré"), 0o600)
	sum := sha256.Sum256([]byte("contenu attendu"))
	hash := hex.EncodeToString(sum[:])
	if err := s.Adopt(p, hash); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if s.Has(hash) {
		t.Fatal("un contenu altéré ne doit pas être adopté")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("le fichier altéré doit être supprimé")
	}
}

func TestPutVerifiedStockeSansRecalcul(t *testing.T) {
	s, _ := Open(t.TempDir())
	data := []byte("Arrêté du maire n°2026-12")
	hash := sha(data)
	if err := s.PutVerified(data, hash); err != nil {
		t.Fatal(err)
	}
	if err := s.PutVerified(data, hash); err != nil {
		t.Fatal("un second dépôt identique doit réussir :", err)
	}
	f, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("contenu différent")
	}
	if err := s.PutVerified(data, "pas-une-empreinte"); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("empreinte invalide acceptée : %v", err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
