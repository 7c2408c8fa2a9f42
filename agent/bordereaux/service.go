// Package bordereaux is the agent's Hélios service: it watches the export
// folders of the accounting software, imports each new PES_Aller into the
// parapheur (the maire signs it), and once the dossier is signed queues its
// transmission to central, which sends it to the DGFiP and relays the acquit.
package bordereaux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/surveillance"
	"xdemat/central/blob"
	"xdemat/helios"
	"xdemat/pes"
)

// Store is what the service needs of the agent's database.
type Store interface {
	agent.HeliosStore
	ConfigExports(ctx context.Context) (*agent.ConfigExports, error)
	AddDocument(ctx context.Context, d *xdemat.Document) error
	Utilisateurs(ctx context.Context) ([]*xdemat.Utilisateur, error)
}

// Service runs the watch folders and the hand-over of signed PES.
type Service struct {
	Store  Store
	Blobs  *blob.Store
	Bus    *agent.Bus
	Logger *slog.Logger
	// Etat is the surveillance state file (which contents were imported).
	Etat string
	// Periode is how often the configuration is re-read and the signed
	// dossiers looked for (a parapheur event on the bus also triggers the
	// latter). 10 s when zero.
	Periode time.Duration
	// Surveillance tunes the watcher (tests shorten its delays); Dossiers,
	// Etat and Traitement are set by the service.
	Surveillance surveillance.Config
	Now          func() time.Time
	// Kick wakes the outbox once an operation is queued (nil: it finds it
	// at its next round).
	Kick func()
}

func (s *Service) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// Name implements agent.Service.
func (s *Service) Name() string { return "helios" }

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

// Run implements agent.Service: it restarts the watcher whenever the
// configured folders change.
func (s *Service) Run(ctx context.Context) error {
	periode := s.Periode
	if periode <= 0 {
		periode = 10 * time.Second
	}
	var evs <-chan agent.BusEvent
	if s.Bus != nil {
		ch, stop := s.Bus.Subscribe()
		defer stop()
		evs = ch
	}
	var courants []string
	var w *veille
	defer func() { w.arreter() }()
	t := time.NewTicker(periode)
	defer t.Stop()
	for {
		dossiers, err := s.dossiers(ctx)
		if err != nil {
			return err
		}
		if w.termine() {
			w.arreter()
			s.logger().Warn("surveillance des dossiers d'export arrêtée ; reprise")
			w, courants = nil, nil
		}
		if w == nil || !slices.Equal(dossiers, courants) {
			w.arreter()
			w, courants = nil, dossiers
			if len(dossiers) > 0 {
				c := s.Surveillance
				c.Dossiers, c.Etat, c.Traitement = dossiers, s.Etat, s.Importer
				if c.Journal == nil {
					c.Journal = s.logger()
				}
				sv, err := surveillance.Nouveau(c)
				if err != nil {
					return err
				}
				w = demarrer(ctx, sv)
				s.logger().Info("dossiers d'export surveillés", "dossiers", dossiers)
			}
		}
		s.transmettre(ctx)
		if !attendre(ctx, t.C, evs) {
			return nil
		}
	}
}

// attendre waits for the next tick or for a bus event that may mean a
// dossier was signed (here, or relayed from another poste); false when ctx
// ends.
func attendre(ctx context.Context, tic <-chan time.Time, evs <-chan agent.BusEvent) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tic:
			return true
		case ev := <-evs:
			switch ev.Type {
			case agent.EvenementParapheur, agent.EvenementHelios, "evenement.recu":
				return true
			}
		}
	}
}

// veille is one running Surveillant.
type veille struct {
	cancel context.CancelFunc
	fini   chan error
}

func demarrer(ctx context.Context, sv *surveillance.Surveillant) *veille {
	ctx, cancel := context.WithCancel(ctx)
	w := &veille{cancel: cancel, fini: make(chan error, 1)}
	go func() { w.fini <- sv.Executer(ctx) }()
	return w
}

// arreter stops the watcher and waits for it (nil: nothing to stop).
func (w *veille) arreter() {
	if w == nil {
		return
	}
	w.cancel()
	err := <-w.fini
	w.fini <- err
}

// termine reports whether the watcher stopped by itself.
func (w *veille) termine() bool {
	if w == nil {
		return false
	}
	select {
	case err := <-w.fini:
		w.fini <- err
		return true
	default:
		return false
	}
}

func (s *Service) dossiers(ctx context.Context) ([]string, error) {
	c, err := s.Store.ConfigExports(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range c.Dossiers {
		out = append(out, filepath.Clean(d.Chemin))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// transmettre queues the PES whose dossier was signed.
func (s *Service) transmettre(ctx context.Context) {
	ts, err := s.Store.TransmettrePESSignes(ctx, s.Blobs.Has, s.now())
	if err != nil {
		s.logger().Error("PES signés non confiés à la SPL", "err", err)
		return
	}
	if len(ts) > 0 {
		s.kick()
	}
	for _, t := range ts {
		s.logger().Info("PES signé confié à la SPL", "nomFic", t.NomFic, "transmission", t.ID)
		if s.Bus != nil {
			s.Bus.Publish(agent.BusEvent{Type: agent.EvenementHelios, Data: t.ID})
		}
	}
}

// Importer is the surveillance.Traitement: it reads f as a PES_Aller and
// deposits it in the parapheur. A file that is not a good PES, or one
// already imported, is refused with the French reason (the watcher puts it
// in "refusés" with a .txt); any other error leaves it to be tried again.
func (s *Service) Importer(ctx context.Context, f surveillance.Fichier) error {
	if f.Taille > helios.TailleMaxDepot {
		return surveillance.Refuser(fmt.Sprintf("Le fichier %s pèse %d Mo, au-delà des %d Mo qu'Hélios accepte : faites produire le PES en plusieurs fichiers par le logiciel de comptabilité.", f.Nom, f.Taille>>20, helios.TailleMaxDepot>>20))
	}
	fic, err := pes.LireFichier(f.Chemin)
	if err != nil {
		var pe *pes.Erreur
		if errors.As(err, &pe) {
			return surveillance.Refuser(fmt.Sprintf("Le fichier %s n'a pas été importé : %s", f.Nom, pe.Message))
		}
		return err
	}
	t, err := Transmission(fic)
	if err != nil {
		return surveillance.Refuser(fmt.Sprintf("Le fichier %s n'a pas été importé : %s", f.Nom, xdemat.ErrorMessage(err)))
	}
	deposant, err := s.deposant(ctx)
	if err != nil {
		return err
	}
	in, err := os.Open(f.Chemin)
	if err != nil {
		return err
	}
	hash, taille, err := s.Blobs.Put(in, helios.TailleMaxDepot)
	in.Close()
	if err != nil {
		return err
	}
	if hash != f.Empreinte {
		return fmt.Errorf("le fichier %s a changé pendant l'import", f.Nom) // tried again once stable
	}
	t.Original = hash
	doc := &xdemat.Document{SHA256: hash, Taille: taille, TypeMedia: "application/xml", NomOriginal: nomDocument(f.Nom), CreeLe: s.now()}
	if err := s.Store.AddDocument(ctx, doc); err != nil {
		return err
	}
	d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: Titre(fic), Type: xdemat.DossierBordereau, Documents: []string{hash}, DeposePar: deposant}
	if err := s.Store.ImporterPES(ctx, t, d, s.now()); err != nil {
		switch xdemat.ErrorCode(err) {
		case xdemat.ECONFLICT, xdemat.EINVALID:
			return surveillance.Refuser(fmt.Sprintf("Le fichier %s n'a pas été importé : %s", f.Nom, xdemat.ErrorMessage(err)))
		}
		return err
	}
	s.logger().Info("PES importé dans le parapheur", "fichier", f.Nom, "nomFic", t.NomFic, "dossier", d.ID)
	s.kick()
	if s.Bus != nil {
		s.Bus.Publish(agent.BusEvent{Type: agent.EvenementParapheur, Data: d.ID})
		s.Bus.Publish(agent.BusEvent{Type: agent.EvenementHelios, Data: t.ID})
	}
	return nil
}

// deposant chooses who the imported dossier is deposited by: the
// secrétaire, who prepared the mandats, else anyone who cannot sign.
func (s *Service) deposant(ctx context.Context) (string, error) {
	us, err := s.Store.Utilisateurs(ctx)
	if err != nil {
		return "", err
	}
	var autre string
	for _, u := range us {
		if u.Role == xdemat.RoleSecretaire {
			return u.ID, nil
		}
		if autre == "" && !u.Role.PeutSigner() {
			autre = u.ID
		}
	}
	if autre == "" && len(us) > 0 {
		autre = us[0].ID
	}
	if autre == "" {
		// Not a refusal: the file waits until the commune's people are known.
		return "", xdemat.Errorf(xdemat.EUNAVAILABLE, "Personne n'est encore enregistré sur ce poste : le PES sera importé dès que la secrétaire le sera.")
	}
	return autre, nil
}

func nomDocument(nom string) string {
	nom = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, nom)
	if len(nom) > 200 {
		nom = nom[:200]
	}
	return nom
}
