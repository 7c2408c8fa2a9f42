// Package sauvegarde is the agent's nightly backup to the SPL: it keeps the
// commune's repository password (escrowed at central), runs restic through
// agent/restic at the chosen hour (and at start when the PC was off at that
// hour), records each run with its operation for central, raises a
// notification when a night failed, checks the repository once a month by
// restoring a sample, and restores files.
package sauvegarde

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/restic"
	"xdemat/central/protocol"
)

// Store is what the service needs of the agent's store (agent/sqlite).
type Store interface {
	Identity(ctx context.Context) (*agent.Identity, error)
	ConfigSauvegarde(ctx context.Context) (*agent.ConfigSauvegarde, error)
	SaveConfigSauvegarde(ctx context.Context, c *agent.ConfigSauvegarde, auteur string, now time.Time) error
	RecordSauvegarde(ctx context.Context, r *xdemat.Sauvegarde, n *xdemat.Notification, now time.Time) error
	Sauvegardes(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error)
	CopieCoherente(ctx context.Context, path string) error
}

// Central is what the service asks central (agent/centralclient).
type Central interface {
	AccesSauvegarde(ctx context.Context, pin string) (*protocol.AccesSauvegarde, error)
	DeposerCle(ctx context.Context, motDePasseDepot string) error
}

// Delays of the schedule.
const (
	// Reessai is the wait after a failed night before trying again: a cut
	// line or a busy repository usually comes back within the hour.
	Reessai = time.Hour
	// PeriodeExercice is how often the restore drill runs.
	PeriodeExercice = 30 * 24 * time.Hour
)

// Service runs the backups of one poste.
type Service struct {
	Store Store
	// DataDir is the agent's data folder; the service works in DataDir/sauvegarde.
	DataDir string
	// Restic is restic's path; found by restic.Trouver when empty.
	Restic string
	Bus    *agent.Bus
	Logger *slog.Logger
	// Now and Minuteur are the clock (tests replace them).
	Now      func() time.Time
	Minuteur func(d time.Duration) <-chan time.Time
	// Images is restic's progress lines per second (0: one).
	Images int

	mu sync.Mutex
	// central is nil before enrollment (Relier sets it): backups wait.
	central    Central
	enCours    *agent.ProgressionSauvegarde
	annuler    context.CancelFunc
	base       context.Context // Run's, for the runs Lancer starts
	quota      int64
	utilise    int64
	initialise string // repository known to exist
	reveil     chan struct{}
	once       sync.Once

	accesMu    sync.Mutex
	accesGarde *protocol.AccesSauvegarde
}

func (s *Service) init() {
	s.once.Do(func() {
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Minuteur == nil {
			s.Minuteur = time.After
		}
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		s.reveil = make(chan struct{}, 1)
	})
}

// Relier gives the service central's client once the poste is enrolled
// (nil when the sync stops).
func (s *Service) Relier(c Central) {
	s.init()
	s.mu.Lock()
	s.central = c
	s.mu.Unlock()
	s.accesMu.Lock()
	s.accesGarde = nil
	s.accesMu.Unlock()
	s.reveiller()
}

func (s *Service) reveiller() {
	select {
	case s.reveil <- struct{}{}:
	default:
	}
}

func (s *Service) centralClient() Central {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.central
}

func (s *Service) dir() string { return filepath.Join(s.DataDir, "sauvegarde") }

// Name is the loop's name in the diagnostic.
func (s *Service) Name() string { return "sauvegarde" }

// Run waits for each nightly hour and backs up, until ctx ends. At start, a
// night missed while the PC was off is caught up at once. After a good
// night, the monthly restore drill runs when due.
func (s *Service) Run(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.base = ctx
	s.mu.Unlock()
	nettoyer(s.dir())
	for {
		c, err := s.Store.ConfigSauvegarde(ctx)
		if err != nil {
			return err
		}
		var attente <-chan time.Time
		if c.Active && len(c.Dossiers) > 0 && s.centralClient() != nil {
			due, err := s.Echeance(ctx)
			if err != nil {
				return err
			}
			attente = s.Minuteur(max(due.Sub(s.Now()), 0))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.reveil:
			continue // settings changed, or the poste got enrolled
		case <-attente:
		}
		r, err := s.Sauvegarder(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil || (r != nil && !r.Statut.Reussie()) {
			s.Logger.Warn("sauvegarde de la nuit", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-s.Minuteur(Reessai):
			}
			continue
		}
		if du, err := s.exerciceDu(ctx); err == nil && du {
			if _, err := s.Exercice(ctx); err != nil && ctx.Err() == nil {
				s.Logger.Warn("exercice de restauration", "err", err)
			}
		}
	}
}

// Echeance returns when the next backup is due: the last scheduled hour if
// no successful backup happened since (the PC was off, or the night
// failed), else the next one. Zero when backups are off.
func (s *Service) Echeance(ctx context.Context) (time.Time, error) {
	s.init()
	c, err := s.Store.ConfigSauvegarde(ctx)
	if err != nil || !c.Active || len(c.Dossiers) == 0 {
		return time.Time{}, err
	}
	prevue := Precedente(s.Now(), c.Heure)
	hist, err := s.Store.Sauvegardes(ctx, 50)
	if err != nil {
		return time.Time{}, err
	}
	for _, h := range hist {
		if h.Type == xdemat.TypeSauvegarde && h.Statut.Reussie() && !h.Debut.Before(prevue) {
			return Precedente(prevue.Add(36*time.Hour), c.Heure), nil
		}
	}
	return prevue, nil
}

// Precedente returns the last time it was heure o'clock (local time) at or
// before now.
func Precedente(now time.Time, heure int) time.Time {
	y, m, d := now.Date()
	t := time.Date(y, m, d, heure, 0, 0, 0, now.Location())
	if t.After(now) {
		y, m, d = now.AddDate(0, 0, -1).Date()
		t = time.Date(y, m, d, heure, 0, 0, 0, now.Location())
	}
	return t
}

// Configurer records new settings and reschedules.
func (s *Service) Configurer(ctx context.Context, c agent.ConfigSauvegarde, auteur string) error {
	s.init()
	for i, d := range c.Dossiers {
		if !filepath.IsAbs(d) {
			return xdemat.Errorf(xdemat.EINVALID, "Le dossier %q n'est pas un chemin complet : choisissez-le avec « Ajouter un dossier… ».", d)
		}
		c.Dossiers[i] = filepath.Clean(d)
	}
	if c.Dossiers == nil {
		c.Dossiers = []string{}
	}
	if err := s.Store.SaveConfigSauvegarde(ctx, &c, auteur, s.Now()); err != nil {
		return err
	}
	s.reveiller()
	return nil
}

// Etat returns what the app's page shows.
func (s *Service) Etat(ctx context.Context) (*agent.EtatSauvegarde, error) {
	s.init()
	c, err := s.Store.ConfigSauvegarde(ctx)
	if err != nil {
		return nil, err
	}
	e := &agent.EtatSauvegarde{Config: *c}
	if len(c.Dossiers) == 0 {
		e.Propositions = Propositions()
	}
	hist, err := s.Store.Sauvegardes(ctx, 50)
	if err != nil {
		return nil, err
	}
	for _, h := range hist {
		if h.Type != xdemat.TypeSauvegarde {
			continue
		}
		if e.Derniere == nil {
			e.Derniere = h
		}
		if h.Statut.Reussie() {
			e.DerniereReussie = h
			break
		}
	}
	if e.Prochaine, err = s.Echeance(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.enCours != nil {
		p := *s.enCours
		e.EnCours = &p
	}
	e.Quota, e.Utilise = s.quota, s.utilise
	s.mu.Unlock()
	if s.centralClient() == nil {
		e.Probleme = "Ce poste n'est pas encore enrôlé : la sauvegarde commencera après son enrôlement."
	} else if _, err := s.restic(); err != nil {
		e.Probleme = xdemat.ErrorMessage(err)
	}
	return e, nil
}

// Historique returns the last runs, newest first.
func (s *Service) Historique(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error) {
	return s.Store.Sauvegardes(ctx, limite)
}

// Lancer starts a backup now, in the background; its progress and end go
// on the bus.
func (s *Service) Lancer() error {
	s.init()
	s.mu.Lock()
	busy := s.enCours != nil
	ctx := s.base
	s.mu.Unlock()
	if busy {
		return xdemat.Errorf(xdemat.ECONFLICT, "Une sauvegarde est déjà en cours : attendez qu'elle se termine.")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	go func() {
		if _, err := s.Sauvegarder(ctx); err != nil {
			s.Logger.Warn("sauvegarde demandée", "err", err)
		}
	}()
	return nil
}

// Annuler stops the run in progress, if any.
func (s *Service) Annuler() {
	s.mu.Lock()
	if s.annuler != nil {
		s.annuler()
	}
	s.mu.Unlock()
}

func (s *Service) restic() (string, error) {
	if s.Restic != "" {
		return s.Restic, nil
	}
	return restic.Trouver()
}

// commencer marks a run of typ as in progress; ECONFLICT when one is.
func (s *Service) commencer(ctx context.Context, typ string) (context.Context, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.enCours != nil {
		cancel()
		return nil, nil, xdemat.Errorf(xdemat.ECONFLICT, "Une sauvegarde est déjà en cours : attendez qu'elle se termine.")
	}
	s.enCours = &agent.ProgressionSauvegarde{Type: typ, Debut: s.Now()}
	s.annuler = cancel
	s.Bus.Publish(agent.BusEvent{Type: "sauvegarde", Data: *s.enCours})
	return ctx, func() {
		cancel()
		s.mu.Lock()
		s.enCours, s.annuler = nil, nil
		s.mu.Unlock()
	}, nil
}

// Sauvegarder runs one backup now and records it. The returned error is
// the run's failure (also in the report), or why it could not be recorded.
func (s *Service) Sauvegarder(ctx context.Context) (*xdemat.Sauvegarde, error) {
	s.init()
	ctx, fin, err := s.commencer(ctx, xdemat.TypeSauvegarde)
	if err != nil {
		return nil, err
	}
	defer fin()
	rapport := &xdemat.Sauvegarde{ID: uuid.NewString(), Type: xdemat.TypeSauvegarde, Debut: s.Now()}
	res, err := s.sauvegarder(ctx, rapport.Debut)
	if res != nil {
		rapport.Instantane = res.Instantane
		rapport.FichiersNouveaux, rapport.FichiersModifies, rapport.FichiersInchanges = res.FichiersNouveaux, res.FichiersModifies, res.FichiersInchanges
		rapport.OctetsAjoutes, rapport.OctetsTraites, rapport.FichiersIllisibles = res.OctetsAjoutes, res.OctetsTraites, res.FichiersIllisibles
	}
	var e *restic.Erreur
	switch {
	case err == nil:
		rapport.Statut = xdemat.SauvegardeReussie
	case errors.As(err, &e) && e.Code == restic.CodePartiel && res != nil:
		rapport.Statut, rapport.Erreur = xdemat.SauvegardePartielle, e.Message
	case ctx.Err() != nil:
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeAnnulee, "Sauvegarde arrêtée avant la fin ; la suivante reprendra où elle en était."
	case errors.As(err, &e) && e.Quota():
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeRefusee, e.Message
	default:
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeEchouee, xdemat.ErrorMessage(err)
		if errors.As(err, &e) {
			rapport.Erreur = e.Message
			s.Logger.Warn("restic a échoué", "code", e.Code, "sortie", e.Sortie)
		} else if xdemat.ErrorCode(err) == xdemat.EINTERNAL {
			s.Logger.Error("sauvegarde", "err", err)
			rapport.Erreur = "La sauvegarde a échoué sur une erreur du poste : contactez la SPL avec le journal technique."
		}
	}
	rapport.Fin = s.Now()
	if res != nil && rapport.Statut.Reussie() {
		// Central counts the space at the next access; until then the
		// page shows what this run added (packed, as stored).
		s.mu.Lock()
		s.utilise += res.OctetsAjoutes
		s.mu.Unlock()
	}
	var n *xdemat.Notification
	if rapport.Statut == xdemat.SauvegardeEchouee || rapport.Statut == xdemat.SauvegardeRefusee {
		n = s.notification(xdemat.NotificationSauvegardeEchec, "La sauvegarde de la mairie a échoué", rapport)
	}
	if err := s.enregistrer(ctx, rapport, n); err != nil {
		return rapport, err
	}
	if rapport.Statut.Reussie() || rapport.Statut == xdemat.SauvegardeAnnulee {
		return rapport, nil
	}
	return rapport, err
}

// notification is the alert of a failed run: one a day per type, whatever
// the number of retries (its ID is derived from the type and the day).
func (s *Service) notification(typ, titre string, r *xdemat.Sauvegarde) *xdemat.Notification {
	jour := r.Debut.Format("2006-01-02")
	return &xdemat.Notification{
		ID:   uuid.NewSHA1(uuid.NameSpaceOID, []byte("xdemat/"+typ+"/"+jour)).String(),
		Type: typ, Severite: xdemat.SeveriteUrgent, Titre: titre, Texte: r.Erreur,
		Objet: xdemat.Lien{Ecran: "sauvegarde"}, CreeLe: r.Fin,
	}
}

// enregistrer records a finished run (with its operation for central and
// its alert, in one transaction) and tells the app.
func (s *Service) enregistrer(ctx context.Context, r *xdemat.Sauvegarde, n *xdemat.Notification) error {
	if id, err := s.Store.Identity(ctx); err == nil {
		r.PosteID = id.PosteID
	}
	// Recorded even when the run was cancelled by the agent stopping.
	if err := s.Store.RecordSauvegarde(context.WithoutCancel(ctx), r, n, r.Fin); err != nil {
		return err
	}
	s.Bus.Publish(agent.BusEvent{Type: "sauvegarde.terminee", Data: r})
	if n != nil {
		s.Bus.Publish(agent.BusEvent{Type: agent.EvenementNotifications, Data: n})
	}
	return nil
}

func (s *Service) sauvegarder(ctx context.Context, debut time.Time) (*restic.Resume, error) {
	c, err := s.Store.ConfigSauvegarde(ctx)
	if err != nil {
		return nil, err
	}
	if len(c.Dossiers) == 0 {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Aucun dossier à sauvegarder n'est choisi : ajoutez-en dans la page Sauvegarde.")
	}
	var chemins []string
	for _, d := range c.Dossiers {
		if _, err := os.Stat(d); err == nil {
			chemins = append(chemins, d)
		} else {
			s.Logger.Warn("dossier à sauvegarder absent", "dossier", d)
		}
	}
	// The agent's own store goes as a consistent copy, never the live file
	// (its WAL may hold what the main file does not yet).
	copie := filepath.Join(s.dir(), "base")
	if err := os.MkdirAll(copie, 0o700); err != nil {
		return nil, err
	}
	if err := s.Store.CopieCoherente(ctx, filepath.Join(copie, "agent.db")); err != nil {
		return nil, err
	}
	chemins = append(chemins, copie)
	host := "poste"
	if id, err := s.Store.Identity(ctx); err == nil {
		host = id.PosteID
	}
	// A marker outlives a run killed with the agent or the PC: its restic
	// left a lock, which the next successful run removes.
	marque := filepath.Join(s.dir(), "en-cours")
	_, errMarque := os.Stat(marque)
	interrompue := errMarque == nil
	if err := os.WriteFile(marque, nil, 0o600); err != nil {
		return nil, err
	}
	var res *restic.Resume
	err = s.avecDepot(ctx, func(r *restic.Restic) error {
		var err error
		res, err = r.Backup(ctx, host, chemins, nil, func(p restic.Progression) { s.progresser(xdemat.TypeSauvegarde, debut, p) })
		var e *restic.Erreur
		if errors.As(err, &e) && e.Code == restic.CodeVerrou && ctx.Err() == nil {
			// A lock left by a restic that was killed (PC switched off in
			// the middle): unlock removes only stale ones, then retry.
			s.Logger.Info("verrou du dépôt : restic unlock puis nouvel essai")
			if r.Unlock(ctx) == nil {
				res, err = r.Backup(ctx, host, chemins, nil, func(p restic.Progression) { s.progresser(xdemat.TypeSauvegarde, debut, p) })
			}
		}
		if err == nil && interrompue {
			// A backup ignores the dead run's lock, but check, prune and
			// central's retention need the repository alone. unlock
			// removes only the locks of dead processes of this poste.
			if e := r.Unlock(ctx); e != nil {
				s.Logger.Warn("restic unlock après une sauvegarde interrompue", "err", e)
			}
		}
		return err
	})
	if ctx.Err() == nil {
		os.Remove(marque)
	}
	return res, err
}

func (s *Service) progresser(typ string, debut time.Time, p restic.Progression) {
	prog := agent.ProgressionSauvegarde{Type: typ, Debut: debut, Fraction: p.Fraction,
		FichiersFaits: p.FichiersFaits, FichiersTotal: p.FichiersTotal, OctetsFaits: p.OctetsFaits, OctetsTotal: p.OctetsTotal}
	if len(p.Courants) > 0 {
		prog.FichierCourant = p.Courants[0]
	}
	s.mu.Lock()
	if s.enCours != nil {
		*s.enCours = prog
	}
	s.mu.Unlock()
	s.Bus.Publish(agent.BusEvent{Type: "sauvegarde", Data: prog})
}
