package backuprepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"xdemat"
)

// Retention applies the offer's history (xdemat.RetentionSauvegarde) to the
// communes' repositories, on central's side: the postes cannot delete.
type Retention struct {
	Depot     *Server
	Sequestre *Sequestre
	// Restic is the restic binary; found with FindRestic when "".
	Restic string
}

// ErrVerrouille is returned for a repository locked by a running backup:
// its retention waits for the next night.
var ErrVerrouille = errors.New("dépôt verrouillé par une sauvegarde en cours")

// FindRestic returns the restic binary: on the PATH, else in Go's bin folder
// (where installer/deps.sh puts it).
func FindRestic() (string, error) {
	if p, err := exec.LookPath("restic"); err == nil {
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d := os.Getenv("GOPATH"); d != "" {
		dirs = append(dirs, filepath.Join(d, "bin"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "restic")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p, nil
		}
	}
	return "", xdemat.Errorf(xdemat.EUNAVAILABLE, "Programme restic introuvable : installez-le (installer/deps.sh) pour appliquer la durée de conservation des sauvegardes.")
}

// Communes returns the communes with an escrowed repository password.
func (s *Sequestre) Communes() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && xdemat.ValidUUID(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// ResultatRetention is the outcome for one commune.
type ResultatRetention struct {
	CommuneID string
	Err       error // nil, ErrVerrouille, or why it failed
}

// Appliquer runs the retention on every commune with an escrowed password
// and an initialised repository. One commune's failure does not stop the
// others; ctx cancelled stops them all.
func (r *Retention) Appliquer(ctx context.Context) ([]ResultatRetention, error) {
	communes, err := r.Sequestre.Communes()
	if err != nil {
		return nil, err
	}
	var out []ResultatRetention
	for _, c := range communes {
		if _, err := os.Stat(filepath.Join(r.Depot.Dir, c, "config")); err != nil {
			continue // escrowed before the first backup reached central
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, ResultatRetention{c, r.Commune(ctx, c)})
	}
	return out, nil
}

// Commune runs `restic forget --keep-within 3m --prune` on the commune's
// repository directory, then recounts its usage. The password goes through
// the environment, never the command line (visible to every user of the
// server in the process list).
func (r *Retention) Commune(ctx context.Context, communeID string) error {
	if !xdemat.ValidUUID(communeID) {
		return xdemat.Errorf(xdemat.EINVALID, "Identifiant de commune invalide.")
	}
	mdp, err := r.Sequestre.Lire(communeID)
	if err != nil {
		return err
	}
	if mdp == "" {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Aucun mot de passe de sauvegarde en séquestre pour cette commune : son poste ne s'est pas encore sauvegardé.")
	}
	bin := r.Restic
	if bin == "" {
		if bin, err = FindRestic(); err != nil {
			return err
		}
	}
	dir := filepath.Join(r.Depot.Dir, communeID)
	env := append(environ(), "RESTIC_PASSWORD="+mdp)
	// restic never skips a stale lock by itself: a poste killed in the middle
	// of a backup would block the retention for good. `unlock` removes only
	// the stale ones (not refreshed for 30 minutes, as central is another
	// host); a running backup refreshes its lock every 5 minutes.
	unlock := exec.CommandContext(ctx, bin, "-r", dir, "unlock", "--no-cache")
	unlock.Env = env
	unlock.Run()
	cmd := exec.CommandContext(ctx, bin, "-r", dir, "forget", "--keep-within", xdemat.RetentionSauvegarde, "--prune",
		"--group-by", "", "--json", "--no-cache")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	err = cmd.Run()
	// Whatever happened, prune may have removed packs before failing.
	defer r.Depot.Recompter(communeID)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == 11:
		return ErrVerrouille
	case errors.As(err, &exit):
		return fmt.Errorf("restic forget (code %d) : %s", exit.ExitCode(), lastLine(stderr.String()))
	}
	return fmt.Errorf("restic forget : %w", err)
}

// environ is the server's environment without any RESTIC_* variable, so
// that no setting of the operator's shell points restic elsewhere.
func environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RESTIC_") {
			out = append(out, kv)
		}
	}
	return out
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
