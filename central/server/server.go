// Package server is the whole xdemat-central program, the SPL's server: the sync API the mairies' agents
// call (TLS, signed requests), the document store, the administration
// console, and a command line to manage communes, codes and postes.
//
//	xdemat-central [serve]                      run the server (default)
//	xdemat-central commune create -siren … -nom … -departement … -population …
//	xdemat-central commune list
//	xdemat-central code issue -commune ID       issue an enrollment code
//	xdemat-central code list [-commune ID]
//	xdemat-central code revoke CODE
//	xdemat-central poste list [-commune ID]
//	xdemat-central poste revoke ID
//	xdemat-central utilisateur create -commune SIREN -nom … -role … [-email …] [-telephone …]
//	xdemat-central utilisateur list -commune SIREN
//	xdemat-central notification send -commune SIREN -type spl.message -titre … [-texte …] [-echeance 2026-12-01]
//	xdemat-central version
//
// Flags common to every command: -data DIR, -db URL, -addr, -admin-addr,
// -public-addr (the communes' public pages), -tls-cert, -tls-key, -url, -smtp, -smtp-from, -sms, -resume-heure.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/admin"
	"xdemat/central/api"
	"xdemat/central/blob"
	"xdemat/central/postgres"
	"xdemat/central/sqlite"
	"xdemat/central/tlscert"
	"xdemat/central/versions"
	"xdemat/central/xpostit"
)

// Main is the program, so that tests can run a whole central in-process.
type Main struct {
	DataDir         string // data directory: database, documents, certificate, console password
	DBURL           string // "" = SQLite in DataDir; postgres://… = PostgreSQL; otherwise an SQLite file
	ListenAddr      string // sync API (TLS), flag -addr
	AdminListenAddr string // administration console, meant for loopback, flag -admin-addr
	// PublicListenAddr serves the communes' public pages (published actes),
	// flag -public-addr; "" = not served.
	PublicListenAddr string
	TLSCert          string // certificate and key files; "" = self-signed, kept in DataDir/tls
	TLSKey           string
	PublicURL        string // address postes enroll with; "" = https://<host name>:<port of Addr>

	// Delivery of notifications (central/xpostit).
	SMTPURL     string // smtp://user:pass@host:port?tls=…; "" = .eml files in DataDir/courriels
	SMTPFrom    string // sender address; "" = ne-pas-repondre@<host of the public address>
	SMS         string // SMS provider: "simulateur" (the only one yet) or "" for none
	ResumeHeure int    // hour of the daily digest, Europe/Paris
	// RetentionHeure is the hour (Europe/Paris) the backups' retention runs.
	RetentionHeure int
	// Restic is the restic binary central runs for the retention; found on
	// the PATH or in Go's bin folder when "".
	Restic string

	// Hélios (central/helios): the DGFiP's transport address; "" starts the
	// simulator in-process, trusting the CAs of HeliosRacines (PEM file).
	HeliosURL     string
	HeliosRacines string
	HeliosPoll    time.Duration // how often answers are fetched; 30 s when 0

	// Xactes (central/ctes): the @CTES platform's address; "" starts the
	// simulator in-process. CTESTrigramme and CTESOperateur are the SPL's
	// operator code and identity there.
	CTESURL        string
	CTESTrigramme  string
	CTESOperateur  string
	CTESIntervalle time.Duration // between passes of the connector; 30 s when 0
	// ApresIntentionActe, for tests, is called once an archive is recorded
	// and before it is posted; an error stops the pass there.
	ApresIntentionActe func(ctx context.Context, nom string) error

	// ShutdownTimeout bounds how long Close waits for requests in flight.
	ShutdownTimeout time.Duration

	Stdout io.Writer // command output
	Stderr io.Writer // messages for people
	Logger *slog.Logger

	// command runs the chosen command; set by ParseFlags.
	command func(ctx context.Context) error
	serving bool

	store       central.Store
	fingerprint string
	api         *api.Server
	syncServer  *http.Server
	adminServer *http.Server
	syncLn      net.Listener
	adminLn     net.Listener
	errc        chan error
	purgeStop   chan struct{}
	purgeDone   chan struct{}
	dispatcher  *xpostit.Dispatcher
	sauvegardes *sauvegardes
	veilleStop  chan struct{}
	veilleDone  chan struct{}
	helios      heliosRun
	actes       actesRun
	public      publicRun
	closeOnce   sync.Once
	closeErr    error
}

// NewMain returns a program with default settings.
func NewMain() *Main {
	return &Main{
		DataDir:          DefaultDataDir(),
		ListenAddr:       ":8443",
		AdminListenAddr:  "127.0.0.1:8444",
		PublicListenAddr: DefaultPublicListenAddr,
		ShutdownTimeout:  10 * time.Second,
		SMS:              "simulateur",
		ResumeHeure:      xpostit.DefaultHeureResume,
		RetentionHeure:   DefaultRetentionHeure,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Logger:           slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		errc:             make(chan error, 2),
	}
}

// DefaultDataDir returns where central keeps its data by default:
// %ProgramData%\xdemat-central on Windows, $XDG_STATE_HOME/xdemat-central or
// ~/.local/state/xdemat-central elsewhere.
func DefaultDataDir() string {
	if runtime.GOOS == "windows" {
		if d := os.Getenv("ProgramData"); d != "" {
			return filepath.Join(d, "xdemat-central")
		}
		return `C:\ProgramData\xdemat-central`
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "xdemat-central")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "xdemat-central")
	}
	return "xdemat-central"
}

// ParseFlags reads the command line: common flags, then the command and its
// own flags (common flags are accepted after the command too).
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	fs := m.flagSet("xdemat-central")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return m.parseCommand(fs.Args())
}

// Run runs the command. For serve, it opens the store, starts listening and
// returns once both servers accept connections; Close stops them.
func (m *Main) Run(ctx context.Context) error {
	if m.command == nil {
		if err := m.parseCommand(nil); err != nil {
			return err
		}
	}
	return m.command(ctx)
}

// Wait blocks until ctx ends, or a server stops by itself (returned as an
// error). It returns at once for commands other than serve.
func (m *Main) Wait(ctx context.Context) error {
	if !m.serving {
		return nil
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.errc:
		return err
	}
}

// Close stops the servers gracefully (waiting long-polls answer at once) and
// closes the store.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		var errs []error
		if m.api != nil {
			m.api.Drain()
		}
		if m.purgeStop != nil {
			close(m.purgeStop)
			<-m.purgeDone
		}
		if m.veilleStop != nil {
			close(m.veilleStop)
			<-m.veilleDone
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.ShutdownTimeout)
		defer cancel()
		for _, srv := range []*http.Server{m.syncServer, m.adminServer} {
			if srv == nil {
				continue
			}
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
				errs = append(errs, fmt.Errorf("arrêt du serveur %s : %w", srv.Addr, err))
			}
		}
		m.stopHelios(ctx)
		m.stopActes(ctx)
		m.stopPublic(ctx)
		if m.dispatcher != nil {
			m.dispatcher.Stop()
		}
		if m.store != nil {
			if err := m.store.Close(); err != nil {
				errs = append(errs, fmt.Errorf("fermeture de la base : %w", err))
			}
		}
		if m.serving {
			m.Logger.Info("serveur central arrêté")
		}
		m.closeErr = errors.Join(errs...)
	})
	return m.closeErr
}

// Addr returns the address the sync API listens on. When it listens on every
// interface, the host is 127.0.0.1, so that the address can be dialled.
func (m *Main) Addr() string { return dialable(m.syncLn) }

// AdminAddr returns the address the console listens on, like Addr.
func (m *Main) AdminAddr() string { return dialable(m.adminLn) }

// CertFingerprint returns the hex SHA-256 of the sync API's certificate,
// which agents pin.
func (m *Main) CertFingerprint() string { return m.fingerprint }

// Store returns the open store (nil before Run).
func (m *Main) Store() central.Store { return m.store }

func dialable(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	a, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return ln.Addr().String()
	}
	if a.IP == nil || a.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(a.Port))
	}
	return a.String()
}

// serve opens everything and starts both servers.
func (m *Main) serve(ctx context.Context) error {
	m.serving = true
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return fmt.Errorf("dossier de données %s : %w", m.DataDir, err)
	}
	if err := m.openStore(ctx); err != nil {
		return err
	}
	blobs, err := blob.Open(filepath.Join(m.DataDir, "documents"))
	if err != nil {
		return fmt.Errorf("magasin de documents : %w", err)
	}
	uploadDir := filepath.Join(m.DataDir, "televersements")
	if err := sameFileSystem(uploadDir, blobs.TempDir()); err != nil {
		return err
	}
	cert, err := m.certificate()
	if err != nil {
		return err
	}
	m.fingerprint = tlscert.Fingerprint(cert)
	password, err := admin.LoadOrCreatePassword(filepath.Join(m.DataDir, "admin.secret"))
	if err != nil {
		return err
	}

	if m.syncLn, err = net.Listen("tcp", m.ListenAddr); err != nil {
		return fmt.Errorf("écoute de l'API de synchronisation sur %s impossible (port déjà pris ?) : %w", m.ListenAddr, err)
	}
	if m.adminLn, err = net.Listen("tcp", m.AdminListenAddr); err != nil {
		m.syncLn.Close()
		return fmt.Errorf("écoute de la console sur %s impossible (port déjà pris ?) : %w", m.AdminListenAddr, err)
	}
	notifier := api.NewNotifier()
	// Every change that appends events wakes the commune's postes, be it made
	// by the API, the console or the dispatcher.
	if w, ok := m.store.(central.EventWaker); ok {
		w.OnEvenements(notifier.Notify)
	}
	sauvegarde, err := m.sauvegarde(cert, m.centralURL(m.syncLn))
	if err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	m.api = &api.Server{
		Store:      m.store,
		Blobs:      blobs,
		UploadDir:  uploadDir,
		Notifier:   notifier,
		Sauvegarde: sauvegarde,
		Logger:     m.Logger.With("service", "api"),
	}
	// The releases the postes update to, and what they report about it.
	releases, err := versions.Ouvrir(m.releasesDir())
	if err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	etats, _ := m.store.(versions.Etats)
	m.api.Versions, m.api.EtatsMiseAJour = releases, etats
	console := &admin.Server{
		Store:       m.store,
		Password:    password,
		CentralURL:  m.centralURL(m.syncLn),
		Fingerprint: m.fingerprint,
		Notifier:    notifier,
		Utilise:     sauvegarde.Depot.Utilise,
		Logger:      m.Logger.With("service", "admin"),
	}
	console.Versions, console.EtatsMiseAJour = releases, etats
	if err := m.startDispatcher(console.CentralURL); err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	if err := m.startHelios(blobs); err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	if err := m.startActes(blobs); err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	if err := m.startPublic(blobs); err != nil {
		m.syncLn.Close()
		m.adminLn.Close()
		return err
	}
	// The command line, run apart, gives the same address in the enrollment
	// commands it prints.
	if err := os.WriteFile(filepath.Join(m.DataDir, publicURLFile), []byte(console.CentralURL+"\n"), 0o644); err != nil {
		m.Logger.Warn("adresse publique non enregistrée", "err", err)
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	// HTTP/1.1 only: agents speak it, and an idle long-poll then costs one
	// connection and one goroutine, nothing more.
	h1 := new(http.Protocols)
	h1.SetHTTP1(true)
	m.syncServer = &http.Server{
		Addr:              m.syncLn.Addr().String(),
		Handler:           m.api.Handler(),
		TLSConfig:         tlsConfig,
		Protocols:         h1,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a chunk of 8 Mo on a slow line
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.With("service", "api").Handler(), slog.LevelDebug),
	}
	m.syncServer.RegisterOnShutdown(m.api.Drain)
	m.purgeStop, m.purgeDone = make(chan struct{}), make(chan struct{})
	go m.purgeUploads(24 * time.Hour)
	m.veilleStop, m.veilleDone = make(chan struct{}), make(chan struct{})
	go m.veilleSauvegardes(time.Hour)
	m.adminServer = &http.Server{
		Addr:              m.adminLn.Addr().String(),
		Handler:           console.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.With("service", "admin").Handler(), slog.LevelDebug),
	}
	adminScheme := "http"
	if !isLoopback(m.adminLn) {
		// Off loopback, the console's password must not travel in clear.
		m.adminServer.TLSConfig = tlsConfig.Clone()
		adminScheme = "https"
		m.Logger.Warn("la console d'administration écoute hors de la boucle locale : elle est servie en HTTPS, réservez-la au réseau de la SPL", "adresse", m.AdminListenAddr)
	}
	go m.runServer(m.syncServer, func() error { return m.syncServer.ServeTLS(m.syncLn, "", "") })
	go m.runServer(m.adminServer, func() error {
		if adminScheme == "https" {
			return m.adminServer.ServeTLS(m.adminLn, "", "")
		}
		return m.adminServer.Serve(m.adminLn)
	})
	m.Logger.Info("serveur central démarré",
		"version", xdemat.Version,
		"synchronisation", "https://"+m.Addr(),
		"adresse_publique", console.CentralURL,
		"console", adminScheme+"://"+m.AdminAddr(),
		"mot_de_passe_console", filepath.Join(m.DataDir, "admin.secret"),
		"empreinte_certificat", m.fingerprint,
		"courriels", m.mailDescription(),
		"sms", m.SMS,
		"donnees", m.DataDir)
	return nil
}

// purgeUploads removes abandoned uploads at start and then every interval,
// until Close.
func (m *Main) purgeUploads(interval time.Duration) {
	defer close(m.purgeDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := m.api.PurgeUploads(api.DureeTeleversementAbandonne); err != nil {
			m.Logger.Warn("purge des téléversements abandonnés incomplète", "supprimés", n, "err", err)
		}
		select {
		case <-m.purgeStop:
			return
		case <-t.C:
		}
	}
}

func (m *Main) runServer(srv *http.Server, serve func() error) {
	if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		m.errc <- fmt.Errorf("le serveur %s s'est arrêté : %w", srv.Addr, err)
	}
}

// openStore opens the database named by DBURL.
func (m *Main) openStore(ctx context.Context) error {
	var err error
	switch u := m.DBURL; {
	case strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://"):
		m.store, err = postgres.Open(ctx, u)
	case u == "":
		m.store, err = sqlite.Open(filepath.Join(m.DataDir, "central.db"))
	default:
		m.store, err = sqlite.Open(strings.TrimPrefix(u, "sqlite://"))
	}
	if err != nil {
		m.store = nil
		return fmt.Errorf("ouverture de la base : %s", xdemat.ErrorMessage(err)+detail(err))
	}
	return nil
}

// detail adds an internal error's text, for the administrator at the console.
func detail(err error) string {
	if xdemat.ErrorCode(err) == xdemat.EINTERNAL {
		return " (" + err.Error() + ")"
	}
	return ""
}

// certificate returns the sync API's certificate: the files given, or the
// self-signed one kept in DataDir/tls (made at first start).
func (m *Main) certificate() (tls.Certificate, error) {
	if m.TLSCert != "" || m.TLSKey != "" {
		if m.TLSCert == "" || m.TLSKey == "" {
			return tls.Certificate{}, errors.New("indiquez à la fois -tls-cert et -tls-key, ou aucun des deux pour un certificat autosigné")
		}
		return tlscert.Load(m.TLSCert, m.TLSKey)
	}
	var hosts []string
	if m.PublicURL != "" {
		if h, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimRight(m.PublicURL, "/"), "https://")); err == nil {
			hosts = append(hosts, h)
		} else {
			hosts = append(hosts, strings.TrimPrefix(strings.TrimRight(m.PublicURL, "/"), "https://"))
		}
	}
	return tlscert.LoadOrCreate(filepath.Join(m.DataDir, "tls"), hosts...)
}

// publicURLFile, in the data directory, holds the address postes enroll
// with, as the running server computed it.
const publicURLFile = "central.url"

// centralURL returns the address postes enroll with: -url, or for the
// command line the running server's, or https://<host name>:<port>.
func (m *Main) centralURL(ln net.Listener) string {
	if m.PublicURL != "" {
		return strings.TrimRight(m.PublicURL, "/")
	}
	if ln == nil {
		if b, err := os.ReadFile(filepath.Join(m.DataDir, publicURLFile)); err == nil && strings.HasPrefix(string(b), "https://") {
			return strings.TrimSpace(string(b))
		}
	}
	_, port, err := net.SplitHostPort(m.ListenAddr)
	if ln != nil {
		_, port, err = net.SplitHostPort(ln.Addr().String())
	}
	if err != nil || port == "" {
		port = "8443"
	}
	host, _, _ := net.SplitHostPort(m.ListenAddr)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if host, err = os.Hostname(); err != nil || host == "" {
			host = "localhost"
		}
	}
	return "https://" + net.JoinHostPort(host, port)
}

func isLoopback(ln net.Listener) bool {
	a, ok := ln.Addr().(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}

// sameFileSystem checks that a finished upload can be renamed from dir into
// the blob store (whose temporary directory is blobTmp).
func sameFileSystem(dir, blobTmp string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("dossier des téléversements %s : %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".verification-*")
	if err != nil {
		return fmt.Errorf("dossier des téléversements %s : %w", dir, err)
	}
	f.Close()
	target := filepath.Join(blobTmp, filepath.Base(f.Name()))
	if err := os.Rename(f.Name(), target); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("les dossiers %s et %s doivent être sur le même disque : %w", dir, filepath.Dir(blobTmp), err)
	}
	return os.Remove(target)
}
