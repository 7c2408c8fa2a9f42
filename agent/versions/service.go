package versions

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"xdemat"
	"xdemat/agent/centralclient"
	"xdemat/miseajour"
)

// Client is what the service asks of central (centralclient.Client).
type Client interface {
	DerniereVersion(ctx context.Context) (*miseajour.Publication, error)
	TelechargerBinaire(ctx context.Context, version, plateforme, nom string, offset int64, w io.Writer) error
	EtatMiseAJour(ctx context.Context, e *miseajour.Etat) error
}

// Defaults of the service.
const (
	DefaultIntervalle        = 24 * time.Hour
	DefaultHeureInstallation = 3 // 3 a.m., local time
	// retry is the wait after a failed check (central unreachable).
	retry = 15 * time.Minute
)

// Service checks for updates at start-up and then every Intervalle,
// downloads and verifies a newer release, and at the install hour returns
// ErrRedemarrage so that Demarrage installs it at the next start.
type Service struct {
	DataDir string
	Version string            // the version running
	Cle     ed25519.PublicKey // release key; nil: updates disabled
	// Intervalle between two checks; DefaultIntervalle when zero.
	Intervalle time.Duration
	// HeureInstallation is the local hour (0-23) a downloaded release is
	// installed at; -1 installs it as soon as it is verified.
	HeureInstallation int
	Logger            *slog.Logger
	Now               func() time.Time

	mu     sync.Mutex
	client Client
	relie  chan struct{} // closed and replaced when the client changes
}

// NewService returns the service with default settings.
func NewService(dataDir, version string, cle ed25519.PublicKey, logger *slog.Logger) *Service {
	return &Service{DataDir: dataDir, Version: version, Cle: cle, HeureInstallation: DefaultHeureInstallation, Logger: logger}
}

// Name is the service's name in the logs.
func (s *Service) Name() string { return "miseajour" }

// Relier gives the service central's client once the poste is enrolled
// (nil when the sync stops).
func (s *Service) Relier(c *centralclient.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c == nil {
		s.client = nil
	} else {
		s.client = c
	}
	if s.relie != nil {
		close(s.relie)
	}
	s.relie = make(chan struct{})
}

func (s *Service) currentClient() (Client, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.relie == nil {
		s.relie = make(chan struct{})
	}
	return s.client, s.relie
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Run checks and downloads until ctx ends, or returns ErrRedemarrage when a
// verified release is due for installation.
func (s *Service) Run(ctx context.Context) error {
	log := s.logger()
	if len(s.Cle) == 0 {
		log.Info("mises à jour automatiques désactivées : cet agent a été construit sans clé de publication de la SPL")
		<-ctx.Done()
		return nil
	}
	if _, err := miseajour.LireVersion(s.Version); err != nil {
		log.Info("mises à jour automatiques désactivées : version de développement", "version", s.Version)
		<-ctx.Done()
		return nil
	}
	var client Client
	for {
		c, relie := s.currentClient()
		if c != nil && c != client {
			client = c
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-relie:
		}
	}
	intervalle := s.Intervalle
	if intervalle <= 0 {
		intervalle = DefaultIntervalle
	}
	for {
		s.signaler(ctx, client)
		wait := intervalle
		if err := s.Verifier(ctx, client); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("vérification des mises à jour", "err", err)
			wait = min(retry, intervalle)
		}
		s.signaler(ctx, client)
		if due, ok := s.echeance(); ok {
			if !s.now().Before(due) {
				log.Info("installation de la mise à jour : redémarrage de l'agent")
				return ErrRedemarrage
			}
			wait = min(wait, due.Sub(s.now()))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if c, _ := s.currentClient(); c != nil {
			client = c
		}
	}
}

// echeance returns when the staged release is to be installed.
func (s *Service) echeance() (time.Time, bool) {
	e, err := lireEtat(s.DataDir)
	if err != nil || e.AttenteDepuis.IsZero() {
		return time.Time{}, false
	}
	if _, err := os.Stat(dossier(s.DataDir, dossierAttente, "manifeste.json")); err != nil {
		return time.Time{}, false
	}
	return Echeance(e.AttenteDepuis, s.HeureInstallation), true
}

// Echeance returns the first time at hour (local, 0-23) after since: when a
// release verified at since is installed. hour < 0: at once.
func Echeance(since time.Time, hour int) time.Time {
	if hour < 0 || hour > 23 {
		return since
	}
	since = since.Local()
	t := time.Date(since.Year(), since.Month(), since.Day(), hour, 0, 0, 0, since.Location())
	if !t.After(since) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// signaler sends the local state to central when it has not received it.
func (s *Service) signaler(ctx context.Context, client Client) {
	e, err := lireEtat(s.DataDir)
	if err != nil || e.Signale {
		return
	}
	if e.Statut == "" {
		e.Etat = miseajour.Etat{Version: s.Version, Statut: miseajour.AJour, Le: s.now().UTC()}
	}
	e.Version = s.Version
	if err := client.EtatMiseAJour(ctx, &e.Etat); err != nil {
		s.logger().Debug("état de mise à jour non transmis", "err", err)
		return
	}
	// Read again: Verifier may have changed it meanwhile in another goroutine
	// (it does not, the service is one goroutine, but the file is the truth).
	if cur, err := lireEtat(s.DataDir); err == nil && cur.Etat == e.Etat {
		cur.Signale = true
		_ = ecrireEtat(s.DataDir, cur)
	}
}

// noter records a new state, to be reported to central.
func (s *Service) noter(statut miseajour.Statut, cible, message string, change func(*etatLocal)) error {
	e, err := lireEtat(s.DataDir)
	if err != nil {
		e = new(etatLocal)
	}
	e.Etat = miseajour.Etat{Version: s.Version, Statut: statut, Cible: cible, Message: message, Le: s.now().UTC()}
	e.Signale = false
	if change != nil {
		change(e)
	}
	return ecrireEtat(s.DataDir, e)
}

// Verifier asks central for its latest release and, when it is newer than
// the running version, downloads and verifies this platform's binaries and
// stages them. A refused release leaves everything as it was, with the French
// reason in the state reported to central.
func (s *Service) Verifier(ctx context.Context, client Client) error {
	log := s.logger()
	pub, err := client.DerniereVersion(ctx)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		return nil // nothing published yet
	} else if err != nil {
		return err
	}
	m, err := miseajour.Verifier(s.Cle, pub)
	if err != nil {
		log.Warn("mise à jour refusée", "err", err)
		return s.noter(miseajour.Refusee, "", xdemat.ErrorMessage(err), nil)
	}
	etat, err := lireEtat(s.DataDir)
	if err != nil {
		return err
	}
	switch {
	case !miseajour.PlusRecente(m.Version, s.Version):
		if etat.Statut == "" || etat.Statut == miseajour.Refusee && etat.Cible == "" {
			return s.noter(miseajour.AJour, "", "", nil)
		}
		return nil
	case etat.refusee(m.Version):
		return nil // failed its trial here: wait for the next release
	}
	if staged, err := LireAttente(s.DataDir, s.Cle); err == nil && staged.Version == m.Version {
		return nil // already downloaded
	}
	binaires := m.Pour(runtime.GOOS, runtime.GOARCH)
	if len(binaires) == 0 || binaires[0].Role != miseajour.RoleAgent {
		log.Info("la version publiée ne comprend pas cette plateforme", "version", m.Version, "plateforme", runtime.GOOS+"-"+runtime.GOARCH)
		return nil
	}
	log.Info("téléchargement de la mise à jour", "version", m.Version)
	dl := dossier(s.DataDir, dossierTelecharge, m.Version)
	if err := os.MkdirAll(dl, 0o750); err != nil {
		return err
	}
	for _, b := range binaires {
		if err := telecharger(ctx, client, m.Version, b, dl); err != nil {
			var refus *refusBinaire
			if errors.As(err, &refus) {
				os.RemoveAll(dl)
				log.Warn("mise à jour refusée", "version", m.Version, "err", err)
				return s.noter(miseajour.Refusee, m.Version, refus.message, nil)
			}
			return err
		}
	}
	if err := ecrireFichier(filepath.Join(dl, "manifeste.json"), pub.Manifeste); err != nil {
		return err
	}
	if err := ecrireFichier(filepath.Join(dl, "manifeste.sig"), pub.Signature); err != nil {
		return err
	}
	attente := dossier(s.DataDir, dossierAttente)
	if err := os.RemoveAll(attente); err != nil {
		return err
	}
	if err := os.Rename(dl, attente); err != nil {
		return err
	}
	now := s.now()
	log.Info("mise à jour vérifiée, installée à l'heure prévue", "version", m.Version, "installation", Echeance(now, s.HeureInstallation))
	return s.noter(miseajour.Telechargee, m.Version, "", func(e *etatLocal) { e.AttenteDepuis = now.UTC() })
}

// refusBinaire: a downloaded binary does not match the signed manifest.
type refusBinaire struct{ message string }

func (e *refusBinaire) Error() string { return e.message }

// telecharger downloads b into dir (resuming a partial file) and checks its
// size and SHA-256 against the signed manifest.
func telecharger(ctx context.Context, client Client, version string, b miseajour.Binaire, dir string) error {
	part := filepath.Join(dir, b.Nom+".part")
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o750)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	offset := fi.Size()
	if offset > b.Taille {
		offset = 0
		if err := f.Truncate(0); err != nil {
			return err
		}
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	// At most one byte more than announced: enough to see it is too long.
	lw := &limitWriter{w: f, n: b.Taille - offset + 1}
	if err := client.TelechargerBinaire(ctx, version, b.Plateforme(), b.Nom, offset, lw); err != nil && !lw.over {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	n, h, err := empreinte(part)
	if err != nil {
		return err
	}
	if n != b.Taille || h != b.SHA256 {
		os.Remove(part)
		return &refusBinaire{fmt.Sprintf("Le fichier %s de la version %s reçu du serveur ne correspond pas au manifeste signé par la SPL (taille %d au lieu de %d, ou empreinte SHA-256 différente) : la mise à jour est refusée et rien n'a été modifié sur ce poste. Prévenez la SPL.", b.Nom, version, n, b.Taille)}
	}
	f.Close()
	return os.Rename(part, filepath.Join(dir, b.Nom))
}

type limitWriter struct {
	w    io.Writer
	n    int64
	over bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		l.over = true
		n, _ := l.w.Write(p[:l.n])
		l.n -= int64(n)
		return n, errors.New("fichier plus long que le manifeste")
	}
	n, err := l.w.Write(p)
	l.n -= int64(n)
	return n, err
}

// empreinte returns a file's size and SHA-256.
func empreinte(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// copierFichier copies src to dst (created with perm) durably, returning
// the size and SHA-256 of what was written.
func copierFichier(src, dst string, perm os.FileMode) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func ecrireFichier(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// LireAttente returns the staged release's manifest, verified again (the
// files on disk are not trusted more than the network).
func LireAttente(dataDir string, cle ed25519.PublicKey) (*miseajour.Manifeste, error) {
	dir := dossier(dataDir, dossierAttente)
	var p miseajour.Publication
	var err error
	if p.Manifeste, err = os.ReadFile(filepath.Join(dir, "manifeste.json")); err != nil {
		return nil, err
	}
	if p.Signature, err = os.ReadFile(filepath.Join(dir, "manifeste.sig")); err != nil {
		return nil, err
	}
	return miseajour.Verifier(cle, &p)
}
