package tlscert_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xdemat/central/tlscert"
)

func TestCertificatAutosigne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	cert, err := tlscert.LoadOrCreate(dir, "central.spl.example", "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("clé %T, ECDSA P-256 attendue", leaf.PublicKey)
	}
	host, _ := os.Hostname()
	for _, name := range []string{"localhost", "central.spl.example", host} {
		if name != "" && !slices.Contains(leaf.DNSNames, name) {
			t.Errorf("nom %q absent du certificat : %v", name, leaf.DNSNames)
		}
	}
	var ips []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	for _, ip := range []string{"127.0.0.1", "::1", "192.0.2.10"} {
		if !slices.Contains(ips, ip) {
			t.Errorf("adresse %s absente du certificat : %v", ip, ips)
		}
	}
	if err := leaf.VerifyHostname("localhost"); err != nil {
		t.Error(err)
	}
	if leaf.NotAfter.Before(time.Now().Add(10 * 365 * 24 * time.Hour)) {
		t.Errorf("certificat valable jusqu'au %s seulement", leaf.NotAfter)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	fp := tlscert.Fingerprint(cert)
	if fp != hex.EncodeToString(sum[:]) || len(fp) != 64 || strings.ToLower(fp) != fp {
		t.Fatalf("empreinte %q", fp)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, tlscert.KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("droits de la clé %v, 0600 attendu", fi.Mode().Perm())
		}
	}

	again, err := tlscert.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tlscert.Fingerprint(again) != fp {
		t.Fatal("le certificat a changé au second démarrage")
	}
	given, err := tlscert.Load(filepath.Join(dir, tlscert.CertFile), filepath.Join(dir, tlscert.KeyFile))
	if err != nil || tlscert.Fingerprint(given) != fp {
		t.Fatalf("certificat fourni : %v", err)
	}
}

func TestCertificatDemarragesSimultanes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	var wg sync.WaitGroup
	fps := make([]string, 8)
	errs := make([]error, len(fps))
	for i := range fps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cert, err := tlscert.LoadOrCreate(dir)
			fps[i], errs[i] = tlscert.Fingerprint(cert), err
		}()
	}
	wg.Wait()
	for i := range fps {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if fps[i] != fps[0] {
			t.Fatalf("deux certificats différents : %s et %s", fps[0], fps[i])
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".tls-*"))
	if len(leftovers) != 0 {
		t.Fatalf("dossiers temporaires restants : %v", leftovers)
	}
}

func TestCertificatIllisible(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.pem"), []byte("pas un certificat"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := tlscert.Load(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"))
	if err == nil || !strings.Contains(err.Error(), "illisible") {
		t.Fatalf("erreur %v", err)
	}
}
