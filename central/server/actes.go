package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"xdemat/actes/simulateur"
	"xdemat/central"
	"xdemat/central/blob"
	"xdemat/central/ctes"
)

// trigrammeSimulateur is the operator code the in-process @CTES simulator
// expects: the SPL's, as homologation would give it.
const trigrammeSimulateur = "XDM"

// operateurSimulateur is the identity the connector presents to the
// in-process simulator (without TLS, in the X-Certificat-Client header).
const operateurSimulateur = "spl-xdemat"

// actesRun is the @CTES connector's loop and, when no endpoint is
// configured, the simulator it talks to on a loopback port.
type actesRun struct {
	connecteur *ctes.Connecteur
	simulateur *simulateur.Simulateur
	serveur    *http.Server
	arret      context.CancelFunc
	fini       chan struct{}
	reveil     chan struct{}
}

// startActes starts the connector to the préfecture's @CTES platform.
// Without -ctes-url (make run, tests) it starts the simulator in-process on
// 127.0.0.1, its state kept in DataDir/simulateur-actes so that a restart
// of central finds the archives it already took.
func (m *Main) startActes(blobs *blob.Store) error {
	st, ok := m.store.(central.ActesStore)
	if !ok {
		return fmt.Errorf("la base de données ne gère pas les actes")
	}
	url, trigramme, operateur := m.CTESURL, m.CTESTrigramme, m.CTESOperateur
	if url == "" {
		sim, err := simulateur.New(simulateur.Config{Trigramme: trigrammeSimulateur, Operateur: operateurSimulateur,
			Dossier: filepath.Join(m.DataDir, "simulateur-actes")})
		if err != nil {
			return fmt.Errorf("simulateur @CTES : %w", err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("simulateur @CTES : écoute impossible : %w", err)
		}
		m.actes.simulateur = sim
		m.actes.serveur = &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
		go m.actes.serveur.Serve(ln)
		url, trigramme, operateur = "http://"+ln.Addr().String(), trigrammeSimulateur, operateurSimulateur
		m.Logger.Info("simulateur @CTES démarré", "adresse", url)
	}
	if trigramme == "" {
		return fmt.Errorf("indiquez le trigramme d'opérateur @CTES de la SPL (-ctes-trigramme) avec -ctes-url")
	}
	m.actes.connecteur = &ctes.Connecteur{Store: st, Blobs: blobs, URL: url, Trigramme: trigramme, Operateur: operateur,
		Intervalle: m.CTESIntervalle, ApresIntention: m.ApresIntentionActe, Logger: m.Logger.With("service", "actes")}
	ctx, cancel := context.WithCancel(context.Background())
	m.actes.arret, m.actes.fini, m.actes.reveil = cancel, make(chan struct{}), make(chan struct{}, 1)
	go func() {
		defer close(m.actes.fini)
		m.actes.connecteur.Tourner(ctx, m.actes.reveil)
	}()
	return nil
}

// stopActes stops the connector, then the simulator.
func (m *Main) stopActes(ctx context.Context) {
	if m.actes.arret != nil {
		m.actes.arret()
		<-m.actes.fini
	}
	if m.actes.serveur != nil {
		if err := m.actes.serveur.Shutdown(ctx); err != nil {
			m.actes.serveur.Close()
		}
	}
}

// SimulateurActes is the in-process @CTES simulator (nil with -ctes-url),
// so that tests can impose its answers (anomalies, courriers, déférés).
func (m *Main) SimulateurActes() *simulateur.Simulateur { return m.actes.simulateur }

// ReveillerActes makes the connector transmit and fetch the answers at once.
func (m *Main) ReveillerActes() {
	select {
	case m.actes.reveil <- struct{}{}:
	default:
	}
}
