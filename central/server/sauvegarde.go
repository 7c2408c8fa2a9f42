package server

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"path/filepath"
	"time"

	"xdemat/central/api"
	"xdemat/central/backuprepo"
)

// sauvegarde sets up the communes' backup repositories under DataDir:
// sauvegardes/ (one restic repository per commune), sauvegardes-acces/ (the
// postes' REST password hashes), sauvegardes-cles/ (the escrowed repository
// passwords, encrypted with sauvegarde.key, 0600).
func (m *Main) sauvegarde(cert tls.Certificate, publicURL string) (*api.Sauvegarde, error) {
	seq, err := backuprepo.OuvrirSequestre(filepath.Join(m.DataDir, "sauvegardes-cles"), filepath.Join(m.DataDir, "sauvegarde.key"))
	if err != nil {
		return nil, err
	}
	logger := m.Logger.With("service", "sauvegarde")
	depot := &backuprepo.Server{
		Dir:    filepath.Join(m.DataDir, "sauvegardes"),
		Logger: logger,
		Seuil: func(communeID string, fraction float64, utilise, quota int64) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := api.SeuilSauvegarde(ctx, m.store, communeID, fraction, utilise, quota, time.Now()); err != nil {
				logger.Warn("alerte d'espace de sauvegarde non levée", "commune", communeID, "err", err)
			}
		},
	}
	return &api.Sauvegarde{
		Depot:         depot,
		Jetons:        &backuprepo.Jetons{Dir: filepath.Join(m.DataDir, "sauvegardes-acces")},
		Sequestre:     seq,
		URL:           publicURL,
		CertificatPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})),
	}, nil
}
