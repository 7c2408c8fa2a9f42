package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/blob"
	"xdemat/central/public"
)

// DefaultPublicListenAddr is where the public pages listen by default: on
// loopback, behind the SPL's reverse proxy (TLS, rate limits) in production.
const DefaultPublicListenAddr = "127.0.0.1:8445"

// intervalleRappels is how often central looks for séances whose liste des
// délibérations or PV is due online soon (CM-25, CM-26).
const intervalleRappels = time.Hour

// publicRun is the public web site and the reminder of the séances'
// publication.
type publicRun struct {
	serveur *http.Server
	ln      net.Listener
	arret   context.CancelFunc
	fini    chan struct{}
}

// startPublic serves the public pages on PublicListenAddr ("" = none) and
// starts the reminder pass. The pages are not what the postes need to
// work: when the default address is taken (another central on the same
// machine, tests), central runs without them and says so.
func (m *Main) startPublic(blobs *blob.Store) error {
	st, ok := m.store.(central.PublicationStore)
	if !ok {
		return fmt.Errorf("la base de données ne gère pas la publication des actes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.public.arret, m.public.fini = cancel, make(chan struct{})
	go func() {
		defer close(m.public.fini)
		m.rappelerPublications(ctx, st, intervalleRappels)
	}()
	if m.PublicListenAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.PublicListenAddr)
	if err != nil {
		if m.PublicListenAddr == DefaultPublicListenAddr {
			m.Logger.Warn("pages publiques non servies : adresse déjà prise ; choisissez-en une autre avec -public-addr", "adresse", m.PublicListenAddr, "err", err)
			return nil
		}
		return fmt.Errorf("écoute des pages publiques sur %s impossible (port déjà pris ?) : %w", m.PublicListenAddr, err)
	}
	site := &public.Server{Store: st, Documents: blobs, Logger: m.Logger.With("service", "public")}
	m.public.ln = ln
	m.public.serveur = &http.Server{
		Addr:              ln.Addr().String(),
		Handler:           http.MaxBytesHandler(site.Handler(), 8<<10),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // a large PDF on a slow line
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.With("service", "public").Handler(), slog.LevelDebug),
	}
	go m.runServer(m.public.serveur, func() error { return m.public.serveur.Serve(ln) })
	m.Logger.Info("pages publiques des communes", "adresse", "http://"+m.PublicAddr()+"/")
	return nil
}

// rappelerPublications runs the reminder pass at start and then every interval.
func (m *Main) rappelerPublications(ctx context.Context, st central.PublicationStore, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := st.RappelerPublications(ctx, time.Now()); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Warn("rappel des publications de séance incomplet", "err", xdemat.ErrorMessage(err)+detail(err))
		} else if n > 0 {
			m.Logger.Info("rappels de publication de séance envoyés", "nombre", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// stopPublic stops the reminder and the site.
func (m *Main) stopPublic(ctx context.Context) {
	if m.public.arret != nil {
		m.public.arret()
		<-m.public.fini
	}
	if m.public.serveur != nil {
		if err := m.public.serveur.Shutdown(ctx); err != nil {
			m.public.serveur.Close()
		}
	}
}

// PublicAddr returns the address the public pages listen on ("" when not
// served), like Addr.
func (m *Main) PublicAddr() string { return dialable(m.public.ln) }
