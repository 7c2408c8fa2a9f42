// Package program is the agent program: it opens the data folder, starts
// the local API, the outbox and the inbox. cmd/xdemat-agent runs it as a
// service; the desktop app runs it in-process (Embarque) on the same data
// folder when no agent service answers.
package program

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/bordereaux"
	"xdemat/agent/centralclient"
	"xdemat/agent/formats"
	"xdemat/agent/inbox"
	"xdemat/agent/indexation"
	"xdemat/agent/localapi"
	"xdemat/agent/outbox"
	"xdemat/agent/sauvegarde"
	"xdemat/agent/sqlite"
	"xdemat/agent/telechargement"
	"xdemat/central/blob"
)

// Main is the agent program, so that tests and the app can run a whole
// agent in-process.
type Main struct {
	DataDir string
	// Logger receives the agent's log; Run tees it into JournalTechnique
	// (GET /v1/diagnostic/journal-technique), secrets masked.
	Logger *slog.Logger
	// Version is reported by the diagnostic; "": xdemat.Version.
	Version string
	// Embarque: the agent runs inside the desktop app, not as a service.
	Embarque bool
	// RetryMax caps the wait between attempts to reach central.
	RetryMax time.Duration
	// EnrollPoll is how often an unenrolled agent looks for an identity
	// written by "xdemat-agent enroll".
	EnrollPoll time.Duration

	Store            *sqlite.Store
	Blobs            *blob.Store
	Bus              *agent.Bus
	Status           *agent.Status
	API              *localapi.Server
	JournalTechnique *agent.JournalTechnique
	// Bordereaux watches the accounting software's export folders and hands
	// the signed PES to central (Hélios). Tests may set it before Run to
	// shorten its delays; Run fills the rest.
	Bordereaux *bordereaux.Service
	// Sauvegarde runs the nightly backup (restic).
	Sauvegarde *sauvegarde.Service
	// Restic is the restic binary; "" finds it (next to the agent, PATH).
	Restic string
	// MiseAJour, when set, runs with the other services and is given
	// central's client once the poste is enrolled. cmd/xdemat-agent sets it;
	// an agent inside the app never replaces binaries.
	MiseAJour MiseAJour

	lock   *lockFile
	closed bool // the store was closed
	mu     sync.Mutex
	outbox *outbox.Outbox
	cancel context.CancelFunc
	done   chan error
}

// NewMain returns an agent with default settings.
func NewMain() *Main {
	return &Main{
		DataDir:    DefaultDataDir(),
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		RetryMax:   2 * time.Minute,
		EnrollPoll: 5 * time.Second,
	}
}

// Run opens the store and starts the local API and, once the poste is
// enrolled, the outbox and the inbox. It returns once they are started; Close
// stops them.
func (m *Main) Run(ctx context.Context) (err error) {
	if err := os.MkdirAll(m.DataDir, 0o750); err != nil {
		return fmt.Errorf("dossier de données %s : %w", m.DataDir, err)
	}
	// Before anything is opened: a second agent on the same folder (the
	// service and an app that started its own, two apps…) stops here.
	if m.lock, err = lock(m.DataDir); err != nil {
		return err
	}
	defer func() {
		if err == nil {
			return
		}
		if m.cancel != nil {
			m.cancel()
		}
		if m.Store != nil {
			m.Store.Close()
			m.Store = nil
		}
		m.release()
	}()
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if m.JournalTechnique == nil {
		m.JournalTechnique = agent.NewJournalTechnique(0)
		m.Logger = slog.New(m.JournalTechnique.Handler(m.Logger.Handler()))
	}
	if m.Store, err = sqlite.Open(filepath.Join(m.DataDir, "agent.db")); err != nil {
		return err
	}
	if m.Blobs, err = blob.Open(filepath.Join(m.DataDir, "documents")); err != nil {
		return err
	}
	version := m.Version
	if version == "" {
		version = xdemat.Version
	}
	m.Bus = agent.NewBus()
	m.Status = &agent.Status{Store: m.Store, Bus: m.Bus, Logger: m.Logger.With("service", "status")}
	m.Sauvegarde = &sauvegarde.Service{Store: m.Store, DataDir: m.DataDir, Restic: m.Restic, Bus: m.Bus, Logger: m.Logger.With("service", "sauvegarde")}
	certificats := &agent.Certificats{Store: m.Store, Lever: m.Status.Lever, Logger: m.Logger.With("service", "certificats")}
	m.API = &localapi.Server{
		Store: m.Store, Blobs: m.Blobs, Bus: m.Bus, Logger: m.Logger.With("service", "localapi"),
		State: m.Status.State, Kick: m.kick,
		Version: version, DemarreLe: time.Now(), Boucles: m.Status.Boucles, JournalTechnique: m.JournalTechnique,
		Sauvegardes: m.Sauvegarde, Certificats: certificats,
		Enroler: func(ctx context.Context, d agent.DemandeEnrolement) (*agent.Identity, error) {
			return Enroler(ctx, m.Store, m.DataDir, d)
		},
		ProposerExports: proposerExports,
		Parapheur:       m.Store, Formats: formats.Disponibles(), Actes: m.Store,
		Helios: m.Store,
	}
	if m.Bordereaux == nil {
		m.Bordereaux = &bordereaux.Service{}
	}
	m.Bordereaux.Store, m.Bordereaux.Blobs, m.Bordereaux.Bus = m.Store, m.Blobs, m.Bus
	m.Bordereaux.Logger = m.Logger.With("service", "helios")
	m.Bordereaux.Kick = m.kick
	m.Bordereaux.Etat = filepath.Join(m.DataDir, "exports-importes.json")
	m.Logger.Info("démarrage de l'agent", "version", version, "dossier", m.DataDir, "embarque", m.Embarque)
	ready := make(chan struct{})
	a := &agent.Agent{
		Logger:          m.Logger,
		MaxRestartDelay: m.RetryMax,
		Services: []agent.Service{
			&apiService{server: m.API, dataDir: m.DataDir, ready: ready},
			&syncService{m: m},
			m.Sauvegarde,
			certificats,
			m.Bordereaux,
			// The text of the actes' PDFs for the search, in the background.
			&indexation.Service{Store: m.Store, Blobs: m.Blobs, Bus: m.Bus, Logger: m.Logger.With("service", "indexation")},
		},
	}
	if m.MiseAJour != nil {
		a.Services = append(a.Services, m.MiseAJour)
	}
	ctx, m.cancel = context.WithCancel(ctx)
	m.done = make(chan error, 1)
	go func() { m.done <- a.Run(ctx) }()
	select {
	case <-ready:
		return nil
	case err := <-m.done:
		m.done <- err
		if err == nil {
			err = ctx.Err()
		}
		return err
	}
}

// Wait blocks until the agent stops by itself (a fatal error) or ctx ends.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case err := <-m.done:
		m.done <- err
		return err
	case <-ctx.Done():
		return nil
	}
}

// Close stops every service, closes the store and releases the data folder.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
		<-m.done
		m.done <- nil
	}
	defer m.release()
	if m.Store != nil && !m.closed {
		m.closed = true
		return m.Store.Close()
	}
	return nil
}

// release lets another agent use the data folder.
func (m *Main) release() {
	if m.lock != nil {
		m.lock.unlock()
		m.lock = nil
	}
}

func (m *Main) kick() {
	m.mu.Lock()
	o := m.outbox
	m.mu.Unlock()
	if o != nil {
		o.Kick()
	}
}

// MiseAJour is the service that updates the agent (agent/versions).
type MiseAJour interface {
	agent.Service
	Relier(*centralclient.Client)
}

// apiService serves the desktop app.
type apiService struct {
	server  *localapi.Server
	dataDir string
	ready   chan struct{}
	once    sync.Once
}

func (s *apiService) Name() string { return "localapi" }

func (s *apiService) Run(ctx context.Context) error {
	if err := s.server.Listen(s.dataDir); err != nil {
		return fmt.Errorf("%w: %v", agent.ErrFatal, err)
	}
	s.once.Do(func() { close(s.ready) })
	return s.server.Serve(ctx, s.dataDir)
}

// syncService waits for the poste to be enrolled, then runs the outbox and
// the inbox with a client pinned to central's certificate.
type syncService struct{ m *Main }

func (s *syncService) Name() string { return "sync" }

func (s *syncService) Run(ctx context.Context) error {
	m := s.m
	id, err := waitIdentity(ctx, m.Store, m.EnrollPoll)
	if err != nil || id == nil {
		return err
	}
	key, err := ReadKey(m.DataDir)
	if err != nil {
		return err
	}
	client := centralclient.New(id.CentralURL, id.PosteID, key, id.CentralCert)
	defer client.HTTP.CloseIdleConnections()
	m.Sauvegarde.Relier(client)
	defer m.Sauvegarde.Relier(nil)
	if m.MiseAJour != nil {
		m.MiseAJour.Relier(client)
		defer m.MiseAJour.Relier(nil)
	}
	ob := outbox.New(m.Store, m.Blobs, client, m.Status, m.Logger.With("service", "outbox"))
	ob.MaxBackoff = m.RetryMax
	ib := inbox.New(m.Store, client, m.Status, m.Bus, m.Logger.With("service", "inbox"))
	ib.MaxBackoff = m.RetryMax
	m.mu.Lock()
	m.outbox = ob
	m.mu.Unlock()
	defer func() { m.mu.Lock(); m.outbox = nil; m.mu.Unlock() }()
	// The parapheur's documents deposited or signed on another poste.
	tl := &telechargement.Service{Store: m.Store, Parapheur: m.Store, Blobs: m.Blobs, Client: client, Bus: m.Bus,
		Logger: m.Logger.With("service", "telechargement"), Poll: m.RetryMax}
	return (&agent.Agent{Logger: m.Logger, MaxRestartDelay: m.RetryMax, Services: []agent.Service{ob, ib, tl}}).Run(ctx)
}

func waitIdentity(ctx context.Context, st agent.Store, poll time.Duration) (*agent.Identity, error) {
	for {
		id, err := st.Identity(ctx)
		if err == nil {
			return id, nil
		}
		if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			return nil, err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil
		case <-t.C:
		}
	}
}

// KeyFile is the name of the poste's private key in the data folder.
const KeyFile = "poste.key"

// ReadKey reads the poste's private key. It lives in its own file, readable by
// the service account only, never in the database (which is backed up).
func ReadKey(dataDir string) (ed25519.PrivateKey, error) {
	seed, err := os.ReadFile(filepath.Join(dataDir, KeyFile))
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINTERNAL, "La clé de ce poste est illisible (%v) : le poste doit être enrôlé à nouveau par la SPL.", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, xdemat.Errorf(xdemat.EINTERNAL, "La clé de ce poste est abîmée : le poste doit être enrôlé à nouveau par la SPL.")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// WriteKey stores the poste's private key (0600), durably.
func WriteKey(dataDir string, key ed25519.PrivateKey) error {
	tmp := filepath.Join(dataDir, KeyFile+".tmp")
	if err := os.WriteFile(tmp, key.Seed(), 0o600); err != nil {
		return err
	}
	f, err := os.Open(tmp)
	if err == nil {
		_ = f.Sync()
		f.Close()
	}
	return os.Rename(tmp, filepath.Join(dataDir, KeyFile))
}

// systemeLinux is the data folder of the agent installed as a service by
// the .deb.
const systemeLinux = "/var/lib/xdemat"

// DefaultDataDir is where the agent keeps its data: a machine-wide folder for
// the service, a per-user one when run by a user (demo, tests) unless the
// service installed by the .deb is there for this user.
func DefaultDataDir() string {
	if d := os.Getenv("XDEMAT_DATA"); d != "" {
		return d
	}
	if runtime.GOOS == "windows" {
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "xdemat")
		}
	}
	if os.Geteuid() == 0 {
		return systemeLinux
	}
	// Installed from the .deb, the agent is a system service with its data
	// in /var/lib/xdemat, readable by the xdemat group: the app of a user
	// of that group talks to it, whether started from the menu or a shell.
	if info, err := os.Stat(systemeLinux); err == nil && info.IsDir() {
		if f, err := os.Open(filepath.Join(systemeLinux, "api.secret")); err == nil {
			f.Close()
			return systemeLinux
		}
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "xdemat")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "xdemat")
}
