package centralclient

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"time"
)

// PinError says that central presented another certificate than the one
// pinned at enrollment: nothing is sent to such a server.
type PinError struct{ Want, Got string }

func (e *PinError) Error() string {
	return fmt.Sprintf("certificate pin mismatch: want %s, got %s", e.Want, e.Got)
}

// Fingerprint returns the hex SHA-256 of a DER certificate, the form pins take.
func Fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

// NewHTTPClient returns an HTTP client that accepts only central's pinned
// certificate. With an empty pin (first contact at enrollment) it accepts any
// certificate and reports its fingerprint to seen, so that enrollment can pin
// it; the enrollment code then authenticates the exchange.
func NewHTTPClient(pin string, seen func(fingerprint string)) *http.Client {
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Verification is done below against the pin: the SPL's server uses a
		// self-signed certificate that no public CA vouches for.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &PinError{Want: pin}
			}
			got := Fingerprint(cs.PeerCertificates[0].Raw)
			if seen != nil {
				seen(got)
			}
			if pin != "" && got != pin {
				return &PinError{Want: pin, Got: got}
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 90 * time.Second, // long-polls wait up to 60 s
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     false,
	}
	return &http.Client{Transport: tr}
}
