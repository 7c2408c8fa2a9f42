package versions

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"xdemat"
	"xdemat/miseajour"
)

// Defaults of Demarrage.
const (
	DefaultDureeEssai = 2 * time.Minute
	DefaultStabilite  = 3 * time.Second
	DefaultEssaisMax  = 3
)

// Demarrage is what the agent does at each start, before it opens the data
// folder: install a staged release that is due (after its trial), count
// the starts of a release just installed, roll it back when it keeps
// failing. See the package documentation.
type Demarrage struct {
	DataDir string
	Version string            // the version of this binary
	Exe     string            // path of this binary, as the service manager starts it
	Cle     ed25519.PublicKey // release key; nil: nothing is installed
	// HeureInstallation: see Service.
	HeureInstallation int
	// DureeEssai bounds the trial of a new binary; Stabilite is how long it
	// must stay up once ready; EssaisMax is how many failed starts after
	// installation trigger a rollback.
	DureeEssai time.Duration
	Stabilite  time.Duration
	EssaisMax  int
	Logger     *slog.Logger
	Now        func() time.Time
}

func (d *Demarrage) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Demarrage) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Demarrage) noter(version string, statut miseajour.Statut, cible, message string, change func(*etatLocal)) {
	e, err := lireEtat(d.DataDir)
	if err != nil {
		e = new(etatLocal)
	}
	e.Etat = miseajour.Etat{Version: version, Statut: statut, Cible: cible, Message: message, Le: d.now().UTC()}
	e.Signale = false
	if change != nil {
		change(e)
	}
	if err := ecrireEtat(d.DataDir, e); err != nil {
		d.logger().Warn("état de mise à jour non enregistré", "err", err)
	}
}

// Preparer runs before the agent opens its data folder. It returns
// ErrRedemarrage when the binaries were swapped (installed or rolled back):
// the agent must then exit, for the service manager to start the binary now
// in place. Other errors are logged by the caller, which goes on starting:
// a failed update never keeps the agent from running.
func (d *Demarrage) Preparer(ctx context.Context) error {
	if err := os.MkdirAll(dossier(d.DataDir), 0o750); err != nil {
		return err
	}
	var es essai
	if ok, err := lireJSON(dossier(d.DataDir, fichierEssai), &es); err != nil {
		d.logger().Warn("marqueur d'essai illisible : ignoré", "err", err)
		os.Remove(dossier(d.DataDir, fichierEssai))
	} else if ok {
		if es.Version != d.Version {
			// Not the release the marker is about (rolled back, or reinstalled
			// by hand): nothing to count any more.
			d.finirEssai()
		} else {
			es.Demarrages++
			if es.Demarrages > d.essaisMax() {
				return d.retablir(&es, fmt.Sprintf("La version %s s'est arrêtée %d fois au démarrage sur ce poste : la version %s a été rétablie, avec les données d'avant l'installation.", es.Version, es.Demarrages-1, es.Precedente))
			}
			if err := ecrireJSON(dossier(d.DataDir, fichierEssai), &es); err != nil {
				return err
			}
			return nil
		}
	}
	if len(d.Cle) == 0 {
		return nil
	}
	m, err := LireAttente(d.DataDir, d.Cle)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		os.RemoveAll(dossier(d.DataDir, dossierAttente))
		d.noter(d.Version, miseajour.Refusee, "", xdemat.ErrorMessage(err), nil)
		return err
	}
	etat, err := lireEtat(d.DataDir)
	if err != nil {
		return err
	}
	switch {
	case !miseajour.PlusRecente(m.Version, d.Version) || etat.refusee(m.Version):
		// Older, equal or refused: never installed.
		return os.RemoveAll(dossier(d.DataDir, dossierAttente))
	case etat.AttenteDepuis.IsZero() || d.now().Before(Echeance(etat.AttenteDepuis, d.HeureInstallation)):
		return nil // not yet the night
	}
	return d.installer(ctx, m)
}

func (d *Demarrage) essaisMax() int {
	if d.EssaisMax > 0 {
		return d.EssaisMax
	}
	return DefaultEssaisMax
}

// installer tries the staged release m, then puts its binaries in place.
func (d *Demarrage) installer(ctx context.Context, m *miseajour.Manifeste) error {
	log := d.logger().With("version", m.Version, "precedente", d.Version)
	attente := dossier(d.DataDir, dossierAttente)
	binaires := m.Pour(runtime.GOOS, runtime.GOARCH)
	if len(binaires) == 0 || binaires[0].Role != miseajour.RoleAgent {
		return os.RemoveAll(attente)
	}
	// The staged files are checked again: the data folder is not trusted
	// more than the network.
	for _, b := range binaires {
		if n, h, err := empreinte(filepath.Join(attente, b.Nom)); err != nil || n != b.Taille || h != b.SHA256 {
			os.RemoveAll(attente)
			msg := fmt.Sprintf("Le fichier %s de la version %s a été modifié sur ce poste depuis son téléchargement : la mise à jour est refusée et sera téléchargée à nouveau.", b.Nom, m.Version)
			d.noter(d.Version, miseajour.Refusee, m.Version, msg, nil)
			return xdemat.Errorf(xdemat.EINVALID, "%s", msg)
		}
	}
	if err := d.copierBase(); err != nil {
		return fmt.Errorf("copie de la base avant installation : %w", err)
	}
	log.Info("essai de la nouvelle version")
	ok, detail := d.essayer(ctx, filepath.Join(attente, binaires[0].Nom), m.Version)
	switch {
	case ok:
	case detail == MarqueEssaiOccupe:
		log.Info("installation remise : le dossier de données est utilisé par un autre agent")
		return d.supprimerCopieBase()
	case detail == essaiInterrompu:
		// The agent is being stopped (the PC shuts down): the release is
		// tried again at the next start, on the data as they were.
		log.Info("essai interrompu : installation remise au prochain démarrage")
		if err := d.remettreBase(); err != nil {
			return err
		}
		return ctx.Err()
	default:
		log.Warn("la nouvelle version ne démarre pas : elle n'est pas installée", "detail", detail)
		if err := d.remettreBase(); err != nil {
			log.Error("base d'avant l'essai non remise", "err", err)
		}
		os.RemoveAll(attente)
		d.noter(d.Version, miseajour.Retablie, m.Version,
			fmt.Sprintf("La version %s n'a pas démarré sur ce poste (%s) : elle n'est pas installée et la version %s continue, avec ses données. Prévenez la SPL.", m.Version, detail, d.Version),
			func(e *etatLocal) { e.Refusees = appendUnique(e.Refusees, m.Version); e.AttenteDepuis = time.Time{} })
		return nil
	}
	// The trial passed: swap the binaries, the agent last (it is the one
	// that matters to come back).
	es := essai{Version: m.Version, Precedente: d.Version}
	dir := filepath.Dir(d.Exe)
	for i := len(binaires) - 1; i >= 0; i-- {
		b := binaires[i]
		dst := filepath.Join(dir, b.Nom)
		if b.Role == miseajour.RoleAgent {
			dst = d.Exe
		}
		if err := d.poser(filepath.Join(attente, b.Nom), dst, b); err != nil {
			log.Error("remplacement impossible : retour à la version précédente", "fichier", dst, "err", err)
			for _, f := range es.Fichiers {
				retablir(f, f+SuffixePrecedent)
			}
			d.supprimerCopieBase()
			d.noter(d.Version, miseajour.Erreur, m.Version, fmt.Sprintf("La version %s n'a pas pu être installée (fichier %s : %v) : la version %s continue ; nouvel essai à la prochaine vérification.", m.Version, b.Nom, err, d.Version), func(e *etatLocal) { e.AttenteDepuis = time.Time{} })
			os.RemoveAll(attente)
			return nil
		}
		es.Fichiers = append(es.Fichiers, dst)
	}
	if err := ecrireJSON(dossier(d.DataDir, fichierEssai), &es); err != nil {
		return err
	}
	os.RemoveAll(attente)
	d.noter(d.Version, miseajour.Telechargee, m.Version, "", func(e *etatLocal) { e.AttenteDepuis = time.Time{} })
	log.Info("nouvelle version en place : redémarrage")
	return ErrRedemarrage
}

// poser copies the staged binary next to dst, checks the copy, then
// replaces dst with it.
func (d *Demarrage) poser(src, dst string, b miseajour.Binaire) error {
	nouveau := dst + suffixeNouveau
	n, h, err := copierFichier(src, nouveau, 0o755)
	if err == nil && (n != b.Taille || h != b.SHA256) {
		err = errors.New("copie différente du manifeste")
	}
	if err != nil {
		os.Remove(nouveau)
		return err
	}
	return remplacer(dst, nouveau, dst+SuffixePrecedent)
}

// essayer runs the new agent as "essai" on the data folder and reports
// whether it started: the French reason when it did not, or
// MarqueEssaiOccupe when another agent holds the folder.
func (d *Demarrage) essayer(ctx context.Context, exe, version string) (bool, string) {
	duree := d.DureeEssai
	if duree <= 0 {
		duree = DefaultDureeEssai
	}
	stab := d.Stabilite
	if stab <= 0 {
		stab = DefaultStabilite
	}
	ctx, cancel := context.WithTimeout(ctx, duree)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "essai", "-data", d.DataDir, "-stabilite", stab.String())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	sortie := out.String()
	switch {
	case strings.Contains(sortie, MarqueEssaiOccupe):
		return false, MarqueEssaiOccupe
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return false, fmt.Sprintf("pas prête au bout de %v", duree)
	case ctx.Err() != nil:
		return false, essaiInterrompu
	case err != nil:
		return false, "arrêt au démarrage : " + resume(err.Error()+" "+errOut.String())
	case !strings.Contains(sortie, MarqueEssaiReussi+version+"\n"):
		return false, fmt.Sprintf("elle annonce une autre version que %s", version)
	}
	return true, ""
}

// essaiInterrompu: the trial was cut short by the agent's own stop.
const essaiInterrompu = "interrompu"

func resume(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// retablir puts the previous binaries and database back after a release
// that keeps failing to start.
func (d *Demarrage) retablir(es *essai, message string) error {
	log := d.logger()
	log.Error("la nouvelle version ne démarre pas : retour à la précédente", "version", es.Version, "precedente", es.Precedente)
	var errs []error
	for _, f := range es.Fichiers {
		if err := retablir(f, f+SuffixePrecedent); err != nil {
			errs = append(errs, fmt.Errorf("%s : %w", f, err))
		}
	}
	if len(errs) > 0 {
		// Left as it is: counting goes on, and the next start tries again.
		return errors.Join(errs...)
	}
	if err := d.remettreBase(); err != nil {
		log.Error("base d'avant l'installation non remise", "err", err)
	}
	d.noter(es.Precedente, miseajour.Retablie, es.Version, message,
		func(e *etatLocal) { e.Refusees = appendUnique(e.Refusees, es.Version) })
	os.Remove(dossier(d.DataDir, fichierEssai))
	return ErrRedemarrage
}

// Sain is called once the agent runs (store open, local API listening): a
// release just installed has proved it starts.
func (d *Demarrage) Sain() {
	var es essai
	if ok, _ := lireJSON(dossier(d.DataDir, fichierEssai), &es); ok && es.Version == d.Version {
		d.finirEssai()
		d.logger().Info("mise à jour installée", "version", d.Version, "precedente", es.Precedente)
		d.noter(d.Version, miseajour.Installee, "", fmt.Sprintf("Version %s installée (la version %s reste à côté, en %s).", d.Version, es.Precedente, SuffixePrecedent), nil)
		return
	}
	if e, err := lireEtat(d.DataDir); err == nil && e.Version != "" && e.Version != d.Version {
		// Installed by other means (the installer): report it.
		d.noter(d.Version, miseajour.AJour, "", "", nil)
	}
}

func (d *Demarrage) finirEssai() {
	os.Remove(dossier(d.DataDir, fichierEssai))
	d.supprimerCopieBase()
}

// fichiersBase are the database's files: the WAL is part of it when the
// agent did not stop cleanly.
var fichiersBase = []string{"agent.db", "agent.db-wal"}

func (d *Demarrage) copierBase() error {
	dir := dossier(d.DataDir, dossierCopieBase)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range fichiersBase {
		src := filepath.Join(d.DataDir, f)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if _, _, err := copierFichier(src, filepath.Join(dir, f), 0o600); err != nil {
			return err
		}
	}
	return ecrireFichier(filepath.Join(dir, "complete"), nil)
}

// remettreBase puts the database copied before the installation back.
func (d *Demarrage) remettreBase() error {
	dir := dossier(d.DataDir, dossierCopieBase)
	if _, err := os.Stat(filepath.Join(dir, "complete")); err != nil {
		return nil // no complete copy: the database stays as it is
	}
	for _, f := range append(fichiersBase, "agent.db-shm") {
		os.Remove(filepath.Join(d.DataDir, f))
	}
	for _, f := range fichiersBase {
		src := filepath.Join(dir, f)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if _, _, err := copierFichier(src, filepath.Join(d.DataDir, f), 0o600); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}

func (d *Demarrage) supprimerCopieBase() error {
	return os.RemoveAll(dossier(d.DataDir, dossierCopieBase))
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
