// Package tlscert provides the certificate central serves its sync API with.
// The SPL may bring its own; otherwise a self-signed one is made at first
// start and kept. Agents do not rely on a certificate authority: they pin
// the certificate's fingerprint at enrollment.
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names of the generated certificate and key, in the directory given to
// LoadOrCreate.
const (
	CertFile = "central.crt"
	KeyFile  = "central.key"
)

// Validity is how long a generated certificate is valid. Agents pin it, so a
// new certificate means enrolling every poste again: it is made to last.
const Validity = 20 * 365 * 24 * time.Hour

// Load reads a certificate and its key from PEM files.
func Load(certFile, keyFile string) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificat TLS %s / %s illisible : %w", certFile, keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("certificat TLS %s illisible : %w", certFile, err)
		}
	}
	return cert, nil
}

// LoadOrCreate returns the certificate kept in dir (CertFile and KeyFile),
// first generating a self-signed ECDSA P-256 one when dir does not exist
// yet. It is valid for localhost, 127.0.0.1, ::1, the machine's host name and
// the extra hosts given (names or IP addresses). The directory appears
// atomically, so that two processes starting at once agree on one
// certificate.
func LoadOrCreate(dir string, hosts ...string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	if _, err := os.Stat(certPath); err == nil {
		return Load(certPath, keyPath)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("certificat TLS %s : %w", certPath, err)
	}
	certPEM, keyPEM, err := Generate(time.Now(), hosts...)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("dossier du certificat TLS : %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tls-*")
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("dossier du certificat TLS : %w", err)
	}
	defer os.RemoveAll(tmp) // left only when the rename failed
	if err := writeFile(filepath.Join(tmp, KeyFile), keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFile(filepath.Join(tmp, CertFile), certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process made the directory first: use its certificate.
		if _, serr := os.Stat(certPath); serr != nil {
			return tls.Certificate{}, fmt.Errorf("le dossier %s existe mais ne contient pas de certificat : videz-le ou indiquez -tls-cert et -tls-key (%w)", dir, err)
		}
	}
	return Load(certPath, keyPath)
}

// Generate returns a new self-signed ECDSA P-256 certificate and its key, in
// PEM.
func Generate(now time.Time, hosts ...string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("clé TLS : %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("certificat TLS : %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "xdemat-central", Organization: []string{"SPL xdemat"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	seen := map[string]bool{}
	for _, h := range append(names, hosts...) {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("certificat TLS : %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("clé TLS : %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// Fingerprint returns the hex SHA-256 of the certificate's DER encoding: the
// pin agents keep.
func Fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return hex.EncodeToString(sum[:])
}

func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	return nil
}
