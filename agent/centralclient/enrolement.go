package centralclient

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// Enroll registers a new poste with central using a one-time code. The request
// is signed with the poste's new key, which proves that the enrolling device
// holds it. It returns central's answer and the fingerprint of central's
// certificate, to pin from then on. With a non-empty pin (given by the SPL
// with the code) the certificate is checked against it even on first contact.
func Enroll(ctx context.Context, centralURL, code, nom string, key ed25519.PrivateKey, pin string) (*protocol.EnrolementResponse, string, error) {
	var mu sync.Mutex
	var seen string
	hc := NewHTTPClient(pin, func(fp string) { mu.Lock(); seen = fp; mu.Unlock() })
	defer hc.CloseIdleConnections()
	if !strings.HasPrefix(centralURL, "https://") {
		return nil, "", xdemat.Errorf(xdemat.EINVALID, "L'adresse du serveur central doit commencer par https:// (reçu : %q).", centralURL)
	}
	body, err := json.Marshal(protocol.EnrolementRequest{
		Code: code, Nom: nom, ClePublique: key.Public().(ed25519.PublicKey), Version: xdemat.Version,
	})
	if err != nil {
		return nil, "", err
	}
	c := &Client{BaseURL: strings.TrimRight(centralURL, "/"), Key: key, Version: xdemat.Version, HTTP: hc, Now: time.Now}
	var resp protocol.EnrolementResponse
	if err := c.do(ctx, http.MethodPost, "/v1/enrolement", body, &resp); err != nil {
		return nil, "", err
	}
	mu.Lock()
	defer mu.Unlock()
	return &resp, seen, nil
}
