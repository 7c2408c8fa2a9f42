// Package surveillance watches the folders where the accounting software
// exports its PES_Aller files: each new file, once complete, is handed once
// (by content) to a Traitement, then moved to a "traités" subfolder, or to
// "refusés" with a .txt saying why. Nothing is ever deleted, a file dropped
// while the agent was stopped is picked at start-up, and a failed hand-over
// leaves the file in place to be tried again.
//
// fsnotify gives the events (not recursive: only the folder itself is
// watched), a quiet delay after the last one debounces a copy that writes in
// many steps, and the file must keep the same size and date for a while and
// read as a whole XML document before it is taken. A periodic rescan covers
// lost events (overflow, network shares on Windows that send none).
package surveillance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Names of the subfolders, created when first needed.
const (
	DossierTraites = "traités"
	DossierRefuses = "refusés"
)

// Config sets up a Surveillant. Zero durations take the defaults.
type Config struct {
	// Dossiers are the watched folders (see Logiciel.Dossiers). A folder
	// missing at start-up is watched as soon as it appears (next rescan).
	Dossiers []string
	// Etat is the JSON file remembering the files handed over (required):
	// without it a restart would import them again.
	Etat string
	// Traitement receives each new complete file once. nil: accepted. A
	// *Refus (Refuser): the file goes to "refusés". Another error: the file
	// stays and is tried again after Reessai (doubling, at most 32×).
	Traitement func(ctx context.Context, f Fichier) error
	// Extensions taken, lower-case with the dot; [".xml"] by default. Other
	// files are left alone.
	Extensions []string
	// Attente is the quiet time after the last event (300 ms).
	Attente time.Duration
	// Stabilite is how long size and modification date must not change (1 s).
	Stabilite time.Duration
	// Abandon: a file still not a whole XML document that long after its last
	// change is refused as incomplete (10 min).
	Abandon time.Duration
	// Reessai is the first delay after a failed Traitement (1 min).
	Reessai time.Duration
	// Rescan is the period of the full rescan (1 min).
	Rescan time.Duration
	// Journal receives technical messages (slog.Default() when nil).
	Journal *slog.Logger
}

func (c *Config) defauts() {
	if len(c.Extensions) == 0 {
		c.Extensions = []string{".xml"}
	}
	for i, e := range c.Extensions {
		c.Extensions[i] = strings.ToLower(e)
	}
	if c.Attente <= 0 {
		c.Attente = 300 * time.Millisecond
	}
	if c.Stabilite <= 0 {
		c.Stabilite = time.Second
	}
	if c.Abandon <= 0 {
		c.Abandon = 10 * time.Minute
	}
	if c.Reessai <= 0 {
		c.Reessai = time.Minute
	}
	if c.Rescan <= 0 {
		c.Rescan = time.Minute
	}
	if c.Journal == nil {
		c.Journal = slog.Default()
	}
}

// Surveillant watches the folders of a Config; start it with Executer.
type Surveillant struct {
	cfg    Config
	etat   *etat
	racine map[string]string // cleaned folder → folder as configured

	mu      sync.Mutex
	suivis  map[string]*suivi
	minuts  map[string]*time.Timer
	file    []string
	enFile  map[string]bool
	reveil  chan struct{}
	surveil map[string]bool // folders with an active fsnotify watch
}

// suivi is what is known of a file not handed over yet.
type suivi struct {
	taille  int64
	modifie time.Time
	depuis  time.Time // when this size and date were first seen
	essais  int       // failed Traitement calls
}

// Nouveau checks the configuration and loads the state file.
func Nouveau(c Config) (*Surveillant, error) {
	if c.Etat == "" {
		return nil, errors.New("surveillance : le fichier d'état (Etat) est obligatoire, sinon un redémarrage importerait de nouveau les fichiers")
	}
	if c.Traitement == nil {
		return nil, errors.New("surveillance : Traitement est obligatoire")
	}
	c.defauts()
	e, err := chargerEtat(c.Etat)
	if err != nil {
		return nil, err
	}
	s := &Surveillant{
		cfg: c, etat: e, racine: map[string]string{},
		suivis: map[string]*suivi{}, minuts: map[string]*time.Timer{}, enFile: map[string]bool{},
		reveil: make(chan struct{}, 1), surveil: map[string]bool{},
	}
	for _, d := range c.Dossiers {
		s.racine[filepath.Clean(d)] = d
	}
	return s, nil
}

// Executer watches until ctx is cancelled. Files already in the folders are
// examined first. It returns nil on cancellation.
func (s *Surveillant) Executer(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("surveillance : impossible de surveiller les dossiers : %w", err)
	}
	defer w.Close()
	defer s.arreterMinuteurs()

	s.parcourir(w)
	ticker := time.NewTicker(s.cfg.Rescan)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			s.evenement(ev)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// Overflow or a folder gone: a rescan finds what was missed.
			s.cfg.Journal.Warn("surveillance : événements perdus, nouveau parcours des dossiers", "err", err)
			s.parcourir(w)
		case <-ticker.C:
			s.parcourir(w)
		case <-s.reveil:
			for _, chemin := range s.vider() {
				if ctx.Err() != nil {
					return nil
				}
				s.examiner(ctx, chemin)
			}
		}
	}
}

// parcourir (re)adds the watches and queues every candidate file: at
// start-up, on overflow and periodically.
func (s *Surveillant) parcourir(w *fsnotify.Watcher) {
	for propre := range s.racine {
		s.mu.Lock()
		deja := s.surveil[propre]
		s.mu.Unlock()
		if !deja {
			if err := w.Add(propre); err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					s.cfg.Journal.Warn("surveillance : dossier non surveillé", "dossier", propre, "err", err)
				}
				continue
			}
			s.mu.Lock()
			s.surveil[propre] = true
			s.mu.Unlock()
		}
		entrees, err := os.ReadDir(propre)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// Removed folder: add the watch again when it comes back.
				s.mu.Lock()
				delete(s.surveil, propre)
				s.mu.Unlock()
				_ = w.Remove(propre)
			}
			continue
		}
		for _, e := range entrees {
			if e.Type().IsRegular() && s.candidat(e.Name()) {
				s.planifier(filepath.Join(propre, e.Name()), 0)
			}
		}
	}
}

func (s *Surveillant) evenement(ev fsnotify.Event) {
	chemin := filepath.Clean(ev.Name)
	if _, ok := s.racine[filepath.Dir(chemin)]; !ok || !s.candidat(filepath.Base(chemin)) {
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		// Gone (or renamed away): a file renamed in arrives as Create.
		s.mu.Lock()
		delete(s.suivis, chemin)
		s.mu.Unlock()
		return
	}
	s.planifier(chemin, s.cfg.Attente)
}

// candidat keeps the exported files and leaves out temporary ones (Office
// locks, partial downloads) and our own .txt.
func (s *Surveillant) candidat(nom string) bool {
	bas := strings.ToLower(nom)
	if strings.HasPrefix(bas, "~") || strings.HasPrefix(bas, ".") {
		return false
	}
	for _, suffixe := range []string{".tmp", ".part", ".crdownload", ".partial"} {
		if strings.HasSuffix(bas, suffixe) {
			return false
		}
	}
	return slices.Contains(s.cfg.Extensions, strings.ToLower(filepath.Ext(nom)))
}

// planifier queues chemin after delai, replacing any earlier timer: each new
// event pushes the examination back (debounce).
func (s *Surveillant) planifier(chemin string, delai time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.minuts[chemin]; ok {
		t.Stop()
		delete(s.minuts, chemin)
	}
	if delai <= 0 {
		s.enfiler(chemin)
		return
	}
	var t *time.Timer
	t = time.AfterFunc(delai, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.minuts[chemin] == t {
			delete(s.minuts, chemin)
			s.enfiler(chemin)
		}
	})
	s.minuts[chemin] = t
}

// enfiler adds chemin to the queue once (mu held).
func (s *Surveillant) enfiler(chemin string) {
	if !s.enFile[chemin] {
		s.enFile[chemin] = true
		s.file = append(s.file, chemin)
	}
	select {
	case s.reveil <- struct{}{}:
	default:
	}
}

func (s *Surveillant) vider() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.file
	s.file = nil
	clear(s.enFile)
	return f
}

func (s *Surveillant) arreterMinuteurs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.minuts {
		t.Stop()
	}
	clear(s.minuts)
}

// examiner takes one step for chemin: wait for it to be stable and whole,
// then hand it over and move it.
func (s *Surveillant) examiner(ctx context.Context, chemin string) {
	info, err := os.Stat(chemin)
	if err != nil || !info.Mode().IsRegular() {
		s.mu.Lock()
		delete(s.suivis, chemin)
		s.mu.Unlock()
		return
	}
	maintenant := time.Now()
	s.mu.Lock()
	sv, ok := s.suivis[chemin]
	if !ok || sv.taille != info.Size() || !sv.modifie.Equal(info.ModTime()) {
		essais := 0
		if ok {
			essais = sv.essais
		}
		s.suivis[chemin] = &suivi{taille: info.Size(), modifie: info.ModTime(), depuis: maintenant, essais: essais}
		s.mu.Unlock()
		s.planifier(chemin, s.cfg.Stabilite)
		return
	}
	stableDepuis := maintenant.Sub(sv.depuis)
	s.mu.Unlock()
	if stableDepuis < s.cfg.Stabilite {
		s.planifier(chemin, s.cfg.Stabilite-stableDepuis)
		return
	}

	l, err := lire(chemin)
	if err != nil {
		// Still held by the software (Windows sharing violation) or gone.
		s.planifier(chemin, s.cfg.Stabilite)
		return
	}
	if l.taille != info.Size() {
		s.planifier(chemin, s.cfg.Stabilite)
		return
	}
	if l.incomplet != "" {
		if stableDepuis < s.cfg.Abandon {
			s.planifier(chemin, s.cfg.Stabilite)
			return
		}
		s.refuser(chemin, l.empreinte, fmt.Sprintf("Le fichier n'est pas un document XML complet : %s. Il n'a pas changé depuis %s, il ne sera donc pas complété : exportez-le de nouveau depuis le logiciel de comptabilité.", l.incomplet, duree(stableDepuis)))
		return
	}

	dossier := s.racine[filepath.Dir(chemin)]
	if imp, deja := s.etat.lire(l.empreinte); deja {
		if !imp.Range && imp.Nom == filepath.Base(chemin) {
			// Handed over before a stop, not moved yet: finish the move only.
			s.ranger(chemin, l.empreinte, imp)
			return
		}
		s.refuser(chemin, l.empreinte, fmt.Sprintf("Ce fichier a déjà été importé le %s sous le nom « %s » (contenu identique) : il n'est pas importé une seconde fois. S'il s'agit d'un nouveau bordereau, vérifiez qu'il a bien été exporté de nouveau depuis le logiciel de comptabilité.", imp.Date.Local().Format("02/01/2006 à 15:04"), imp.Nom))
		return
	}
	f := Fichier{Chemin: chemin, Nom: filepath.Base(chemin), Dossier: dossier, Empreinte: l.empreinte, Taille: l.taille, Modifie: info.ModTime()}
	err = s.cfg.Traitement(ctx, f)
	if r, ok := estRefus(err); ok {
		s.refuser(chemin, l.empreinte, r.Motif)
		return
	}
	if err != nil {
		s.mu.Lock()
		sv.essais++
		n := min(sv.essais-1, 5)
		s.mu.Unlock()
		delai := s.cfg.Reessai << n
		s.cfg.Journal.Warn("surveillance : traitement en échec, nouvel essai plus tard", "fichier", chemin, "essai", sv.essais, "delai", delai, "err", err)
		s.planifier(chemin, delai)
		return
	}
	imp := Import{Nom: f.Nom, Dossier: dossier, Date: maintenant}
	if err := s.etat.ecrire(l.empreinte, imp); err != nil {
		// The Traitement has the file; without the state a restart would hand
		// it over again, which the Traitement must tolerate (it checks NomFic).
		s.cfg.Journal.Error("surveillance : état non enregistré", "fichier", chemin, "err", err)
	}
	s.ranger(chemin, l.empreinte, imp)
}

// ranger moves a handed-over file to "traités" and records it.
func (s *Surveillant) ranger(chemin, empreinte string, imp Import) {
	if _, err := deplacer(chemin, DossierTraites); err != nil {
		s.cfg.Journal.Warn("surveillance : déplacement vers traités impossible, nouvel essai plus tard", "fichier", chemin, "err", err)
		s.planifier(chemin, s.cfg.Reessai)
		return
	}
	imp.Range = true
	if err := s.etat.ecrire(empreinte, imp); err != nil {
		s.cfg.Journal.Error("surveillance : état non enregistré", "fichier", chemin, "err", err)
	}
	s.oublier(chemin)
}

// refuser moves the file to "refusés" with a .txt of the reason.
func (s *Surveillant) refuser(chemin, empreinte, motif string) {
	dest, err := deplacer(chemin, DossierRefuses)
	if err != nil {
		s.cfg.Journal.Warn("surveillance : déplacement vers refusés impossible, nouvel essai plus tard", "fichier", chemin, "err", err)
		s.planifier(chemin, s.cfg.Reessai)
		return
	}
	texte := fmt.Sprintf("Fichier : %s\nRefusé le : %s\nEmpreinte SHA-256 : %s\n\n%s\n", filepath.Base(chemin), time.Now().Local().Format("02/01/2006 à 15:04:05"), empreinte, motif)
	if err := os.WriteFile(dest+".txt", []byte(texte), 0o644); err != nil {
		s.cfg.Journal.Warn("surveillance : motif du refus non écrit", "fichier", dest, "err", err)
	}
	s.cfg.Journal.Info("surveillance : fichier refusé", "fichier", dest, "motif", motif)
	s.oublier(chemin)
}

func (s *Surveillant) oublier(chemin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.suivis, chemin)
}

// deplacer renames chemin into the subfolder sous of its folder, under a
// name not taken yet: an earlier file of the same name is never overwritten.
func deplacer(chemin, sous string) (string, error) {
	dir := filepath.Join(filepath.Dir(chemin), sous)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	nom := filepath.Base(chemin)
	ext := filepath.Ext(nom)
	base := strings.TrimSuffix(nom, ext)
	for i := 1; ; i++ {
		dest := filepath.Join(dir, nom)
		if i > 1 {
			dest = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", base, i, ext))
		}
		if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) {
			return dest, os.Rename(chemin, dest)
		}
		if i > 10000 {
			return "", fmt.Errorf("trop de fichiers nommés %s dans %s", nom, dir)
		}
	}
}

// duree writes d for the secrétaire: "12 min", "40 s".
func duree(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
}
