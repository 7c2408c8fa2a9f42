package centralclient

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"

	"xdemat"
	"xdemat/central/protocol"
)

// AccesSauvegarde asks central for a new REST password to the commune's
// backup repository, with what restic needs. The certificate central gives
// for restic's --cacert is checked against the fingerprint pinned at
// enrollment (pin, hex SHA-256 of the DER): restic must trust exactly the
// server this agent trusts.
func (c *Client) AccesSauvegarde(ctx context.Context, pin string) (*protocol.AccesSauvegarde, error) {
	var resp protocol.AccesSauvegarde
	if err := c.do(ctx, http.MethodPost, "/v1/sauvegarde/acces", []byte("{}"), &resp); err != nil {
		return nil, err
	}
	block, _ := pem.Decode([]byte(resp.CertificatPEM))
	if block == nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le serveur central n'a pas donné de certificat lisible pour la sauvegarde : contactez la SPL.")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le certificat de sauvegarde donné par le serveur central est illisible : contactez la SPL.")
	}
	sum := sha256.Sum256(block.Bytes)
	if pin != "" && hex.EncodeToString(sum[:]) != pin {
		return nil, xdemat.Errorf(xdemat.EFORBIDDEN, "Le certificat de sauvegarde donné par le serveur central n'est pas celui de la SPL enregistré à l'enrôlement : sauvegarde arrêtée par prudence, contactez la SPL.")
	}
	return &resp, nil
}

// DeposerCle escrows the commune's repository password at central (once;
// ECONFLICT when another one is already there).
func (c *Client) DeposerCle(ctx context.Context, motDePasseDepot string) error {
	body, err := json.Marshal(protocol.CleSauvegarde{MotDePasseDepot: motDePasseDepot})
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPut, "/v1/sauvegarde/cle", body, nil)
}
