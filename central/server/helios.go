package server

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"xdemat/central/blob"
	"xdemat/central/helios"
	"xdemat/helios/simulateur"
)

// heliosRun is the Hélios connector and, when no endpoint is configured,
// the simulator it talks to on a loopback port.
type heliosRun struct {
	connecteur *helios.Connecteur
	simulateur *simulateur.Simulateur
	serveur    *http.Server
}

// startHelios starts the connector to the DGFiP. Without -helios-url (make
// run, tests) it starts the Hélios simulator in-process on 127.0.0.1; the
// simulator checks the XAdES signatures against the CAs of -helios-racines
// (PEM), or, without it, checks the signatures but not their chain; its
// state lives in DataDir/simulateur-helios.
func (m *Main) startHelios(blobs *blob.Store) error {
	st, ok := m.store.(helios.Store)
	if !ok {
		return fmt.Errorf("la base de données ne gère pas les envois Hélios")
	}
	url := m.HeliosURL
	if url == "" {
		racines, err := lireRacines(m.HeliosRacines)
		if err != nil {
			return err
		}
		// Its state is kept in DataDir/simulateur-helios: a PES received
		// before a restart of central still gets its acquit after it.
		sim, err := simulateur.Ouvrir(simulateur.Options{Racines: racines, Dossier: filepath.Join(m.DataDir, "simulateur-helios")})
		if err != nil {
			return err
		}
		m.helios.simulateur = sim
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("simulateur Hélios : écoute impossible : %w", err)
		}
		m.helios.serveur = &http.Server{Handler: m.helios.simulateur, ReadHeaderTimeout: 10 * time.Second}
		go m.helios.serveur.Serve(ln)
		url = "http://" + ln.Addr().String()
		m.Logger.Info("simulateur Hélios démarré", "adresse", url, "racines", len(racines))
	}
	poll := m.HeliosPoll
	if poll <= 0 && m.HeliosURL == "" {
		// The simulator answers at once: make run shows the acquit within seconds.
		poll = 2 * time.Second
	}
	m.helios.connecteur = &helios.Connecteur{Store: st, Blobs: blobs, URL: url, Poll: poll, Logger: m.Logger.With("service", "helios")}
	m.helios.connecteur.Start()
	return nil
}

// stopHelios stops the connector, then the simulator.
func (m *Main) stopHelios(ctx context.Context) {
	if m.helios.connecteur != nil {
		m.helios.connecteur.Stop()
	}
	if m.helios.serveur != nil {
		if err := m.helios.serveur.Shutdown(ctx); err != nil {
			m.helios.serveur.Close()
		}
	}
}

// SimulateurHelios is the in-process Hélios simulator (nil with -helios-url),
// so that tests can impose its behaviour (refusals, breakdowns).
func (m *Main) SimulateurHelios() *simulateur.Simulateur { return m.helios.simulateur }

// ReveillerHelios makes the connector send and fetch at once.
func (m *Main) ReveillerHelios() {
	if m.helios.connecteur != nil {
		m.helios.connecteur.Wake()
	}
}

func lireRacines(chemin string) ([]*x509.Certificate, error) {
	if chemin == "" {
		return nil, nil
	}
	b, err := os.ReadFile(chemin)
	if err != nil {
		return nil, fmt.Errorf("autorités de certification du simulateur Hélios (-helios-racines) : %w", err)
	}
	var out []*x509.Certificate
	for {
		var bl *pem.Block
		bl, b = pem.Decode(b)
		if bl == nil {
			break
		}
		if bl.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(bl.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s : certificat illisible : %w", chemin, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s ne contient aucun certificat PEM", chemin)
	}
	return out, nil
}
