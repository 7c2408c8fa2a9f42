package program

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"strings"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
)

// Enroler enrolls this poste with central: a new key pair (the private key
// stays in dataDir, 0600), the code exchanged for the poste's identity, the
// identity stored. A running agent sees the identity at its next look and
// starts syncing. Refused when the poste is already enrolled.
func Enroler(ctx context.Context, st agent.Store, dataDir string, d agent.DemandeEnrolement) (*agent.Identity, error) {
	if id, err := st.Identity(ctx); err == nil {
		return nil, xdemat.Errorf(xdemat.ECONFLICT, "Ce poste est déjà enrôlé pour %s (poste %s) : pour le rattacher ailleurs, la SPL doit d'abord le révoquer et le dossier %s être vidé.", id.Commune.Nom, id.PosteID, dataDir)
	}
	central := strings.TrimRight(strings.TrimSpace(d.Central), "/")
	code := strings.ToUpper(strings.TrimSpace(d.Code))
	if !strings.HasPrefix(central, "https://") {
		return nil, xdemat.Errorf(xdemat.EINVALID, "L'adresse du serveur de la SPL doit commencer par https:// (par exemple https://xdemat.spl-grand-est.fr).")
	}
	if code == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Tapez le code d'enrôlement donné par la SPL pour cette commune.")
	}
	nom := strings.TrimSpace(d.Nom)
	if nom == "" {
		nom, _ = os.Hostname()
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	resp, fingerprint, err := centralclient.Enroll(ctx, central, code, nom, key, strings.ToLower(strings.TrimSpace(d.Empreinte)))
	if err != nil {
		return nil, err
	}
	// The key first: an identity without its key would be unusable, a key
	// without identity is simply overwritten by the next enrollment.
	if err := WriteKey(dataDir, key); err != nil {
		return nil, err
	}
	id := &agent.Identity{PosteID: resp.PosteID, Commune: resp.Commune, CentralURL: central, CentralCert: fingerprint, EnrolleLe: time.Now().UTC()}
	if err := st.SaveIdentity(ctx, id); err != nil {
		return nil, err
	}
	return id, nil
}
