// Package restic runs the restic binary for the agent's backups: never its
// code, only its command line and its --json output. Secrets reach restic
// through files and environment variables, never through its arguments
// (visible to every user of the PC in the process list).
package restic

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"xdemat"
)

// Depot is a repository and the credentials to open it.
type Depot struct {
	// URL is restic's repository: rest:https://…/ or a local folder.
	URL string
	// FichierMotDePasse holds the repository password (0600).
	FichierMotDePasse string
	// Utilisateur and MotDePasseREST are the HTTP Basic credentials of a
	// REST repository.
	Utilisateur, MotDePasseREST string
	// CACert is the PEM file of the server's certificate.
	CACert string
	// Cache is restic's cache folder (under the agent's data folder).
	Cache string
}

// Restic runs one restic binary against one repository.
type Restic struct {
	Bin   string
	Depot Depot
	// Arret is how long restic has, after an interrupt, to end cleanly
	// (release its lock) before it is killed.
	Arret time.Duration
	// Images is how many progress lines per second restic prints; 0 means
	// one, enough for the app's bar and cheap for restic.
	Images int
}

// Trouver returns the restic to use: next to the agent's executable first
// (the Windows package ships restic.exe there), then the PATH, then Go's bin
// folder (where installer/deps.sh puts it on a development machine).
func Trouver() (string, error) {
	nom := "restic"
	if runtime.GOOS == "windows" {
		nom = "restic.exe"
	}
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), nom); existe(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(nom); err == nil {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, "go", "bin", nom); existe(p) {
			return p, nil
		}
	}
	return "", xdemat.Errorf(xdemat.EUNAVAILABLE, "Le programme de sauvegarde restic est introuvable sur ce poste : réinstallez xdemat (il est livré avec).")
}

func existe(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir()
}

// Exit codes the agent acts upon.
const (
	// CodePartiel: some files could not be read; the snapshot was made.
	CodePartiel = codePartiel
	// CodeVerrou: the repository is locked (maybe by a restic that was killed).
	CodeVerrou = codeVerrou
)

// Codes de sortie de restic 0.18 (doc/075_scripting.rst).
const (
	codeOK         = 0
	codeEchec      = 1
	codeGo         = 2
	codePartiel    = 3
	codeSansDepot  = 10
	codeVerrou     = 11
	codeMotDePasse = 12
	codeInterrompu = 130
)

// Erreur is a failed restic run: its exit code, a French message that says
// what to do, and the end of what restic printed (for the technical log).
type Erreur struct {
	Code    int
	Message string
	Sortie  string
}

func (e *Erreur) Error() string { return fmt.Sprintf("restic : code %d : %s", e.Code, e.Message) }

// Quota reports whether central refused an upload because the commune's
// space is full (HTTP 507).
func (e *Erreur) Quota() bool { return strings.Contains(e.Sortie, "(507)") }

// message maps an exit code to what the secretary reads.
func message(code int, sortie string) string {
	switch {
	// restic says "unexpected HTTP response (507): …" for a REST refusal.
	case strings.Contains(sortie, "(507)"):
		return "L'espace de sauvegarde de la commune est plein : rien de plus n'a été sauvegardé. Contactez la SPL pour l'agrandir."
	case strings.Contains(sortie, "(401)"), strings.Contains(sortie, "(403)"):
		return "Le serveur de la SPL a refusé l'accès à la sauvegarde : si cela se reproduit demain, contactez la SPL."
	}
	switch code {
	case codeEchec:
		return "La sauvegarde a échoué (réseau coupé ou serveur de la SPL injoignable ?) : elle sera retentée ; si cela dure, contactez la SPL."
	case codeGo:
		return "Le programme de sauvegarde s'est arrêté sur une erreur interne : contactez la SPL avec le journal technique."
	case codeSansDepot:
		return "Le dépôt de sauvegarde de la commune n'existe pas encore : il sera créé à la prochaine sauvegarde."
	case codeVerrou:
		return "Le dépôt de sauvegarde est occupé par une autre opération : la sauvegarde sera retentée."
	case codeMotDePasse:
		return "Le mot de passe du dépôt de sauvegarde ne correspond pas : contactez la SPL (le poste a peut-être été réinstallé sans restaurer sa clé)."
	case codeInterrompu:
		return "La sauvegarde a été interrompue."
	}
	return fmt.Sprintf("Le programme de sauvegarde a échoué (code %d) : contactez la SPL avec le journal technique.", code)
}

// env returns restic's environment: the agent's own, minus any RESTIC_
// variable, plus the repository's.
func (r *Restic) env() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "RESTIC_") {
			env = append(env, e)
		}
	}
	d := r.Depot
	images := max(r.Images, 1)
	env = append(env, "RESTIC_REPOSITORY="+d.URL, "RESTIC_PASSWORD_FILE="+d.FichierMotDePasse, fmt.Sprintf("RESTIC_PROGRESS_FPS=%d", images))
	if d.Utilisateur != "" {
		env = append(env, "RESTIC_REST_USERNAME="+d.Utilisateur, "RESTIC_REST_PASSWORD="+d.MotDePasseREST)
	}
	if d.CACert != "" {
		env = append(env, "RESTIC_CACERT="+d.CACert)
	}
	if d.Cache != "" {
		env = append(env, "RESTIC_CACHE_DIR="+d.Cache)
	}
	return env
}

// run starts restic with args, hands each stdout line to ligne, and maps its
// exit. Cancelling ctx interrupts restic (so that it releases its lock),
// then kills it after Arret.
func (r *Restic) run(ctx context.Context, ligne func([]byte), args ...string) error {
	cmd := exec.Command(r.Bin, args...)
	cmd.Env = r.env()
	lierAuParent(cmd)
	var stderr queue
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return xdemat.Errorf(xdemat.EUNAVAILABLE, "Le programme de sauvegarde ne démarre pas (%v) : réinstallez xdemat.", err)
	}
	stop := context.AfterFunc(ctx, func() {
		interrompre(cmd.Process)
		arret := r.Arret
		if arret <= 0 {
			arret = 30 * time.Second
		}
		time.AfterFunc(arret, func() { cmd.Process.Kill() })
	})
	defer stop()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var stdout queue
	for sc.Scan() {
		stdout.Write(append(sc.Bytes(), '\n'))
		if ligne != nil {
			ligne(sc.Bytes())
		}
	}
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	if err == nil {
		return nil
	}
	code := -1
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	if ctx.Err() != nil {
		code = codeInterrompu
	}
	sortie := stderr.String() + stdout.String()
	return &Erreur{Code: code, Message: message(code, sortie), Sortie: sortie}
}

// interrompre asks restic to stop cleanly (SIGINT; on Windows, where there
// is no such signal for a child, it is killed and the next run unlocks).
func interrompre(p *os.Process) {
	if runtime.GOOS == "windows" {
		p.Kill()
		return
	}
	p.Signal(syscall.SIGINT)
}

// queue keeps the last 16 KiB written to it: restic's messages for the log.
type queue struct{ b []byte }

func (q *queue) Write(p []byte) (int, error) {
	q.b = append(q.b, p...)
	if len(q.b) > 16<<10 {
		q.b = q.b[len(q.b)-16<<10:]
	}
	return len(p), nil
}

func (q *queue) String() string { return string(q.b) }

// Init creates the repository; an existing one is fine.
func (r *Restic) Init(ctx context.Context) error {
	err := r.run(ctx, nil, "init", "--json")
	var e *Erreur
	if errors.As(err, &e) && (strings.Contains(e.Sortie, "already exists") || strings.Contains(e.Sortie, "already initialized")) {
		return nil
	}
	return err
}

// Unlock removes the locks left by a restic that was killed.
func (r *Restic) Unlock(ctx context.Context) error { return r.run(ctx, nil, "unlock") }

// Progression is one status line of restic backup or restore.
type Progression struct {
	Fraction      float64  `json:"percent_done"`
	FichiersTotal int64    `json:"total_files"`
	FichiersFaits int64    `json:"files_done"`
	OctetsTotal   int64    `json:"total_bytes"`
	OctetsFaits   int64    `json:"bytes_done"`
	Courants      []string `json:"current_files"`
}

// Resume is the summary of restic backup.
type Resume struct {
	FichiersNouveaux  int64     `json:"files_new"`
	FichiersModifies  int64     `json:"files_changed"`
	FichiersInchanges int64     `json:"files_unmodified"`
	OctetsAjoutes     int64     `json:"data_added_packed"`
	OctetsTraites     int64     `json:"total_bytes_processed"`
	Debut             time.Time `json:"backup_start"`
	Fin               time.Time `json:"backup_end"`
	Instantane        string    `json:"snapshot_id"`
	// FichiersIllisibles counts the "error" lines (files restic could not read).
	FichiersIllisibles int64 `json:"-"`
}

// ligneJSON is any line of restic's --json output.
type ligneJSON struct {
	Type string `json:"message_type"`
}

// Backup backs up paths (absolute) under host, calling progress for each
// status line. A partial backup (unreadable files, exit 3) returns the
// summary and an *Erreur with Code 3.
func (r *Restic) Backup(ctx context.Context, host string, paths []string, exclure []string, progress func(Progression)) (*Resume, error) {
	args := []string{"backup", "--json", "--host", host, "--tag", "xdemat"}
	for _, x := range exclure {
		args = append(args, "--exclude", x)
	}
	args = append(append(args, "--"), paths...)
	var res Resume
	var illisibles int64
	err := r.run(ctx, func(l []byte) {
		var t ligneJSON
		if json.Unmarshal(l, &t) != nil {
			return
		}
		switch t.Type {
		case "status":
			var p Progression
			if json.Unmarshal(l, &p) == nil && progress != nil {
				progress(p)
			}
		case "summary":
			json.Unmarshal(l, &res)
		case "error":
			illisibles++
		}
	}, args...)
	res.FichiersIllisibles = illisibles
	var e *Erreur
	if errors.As(err, &e) && e.Code == codePartiel {
		e.Message = fmt.Sprintf("Sauvegarde faite, mais %d fichier(s) n'ont pas pu être lus (ouverts par un autre programme ?) : ils le seront la nuit prochaine.", illisibles)
		return &res, e
	}
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// Instantane is one snapshot as restic lists it.
type Instantane struct {
	ID      string    `json:"id"`
	Date    time.Time `json:"time"`
	Host    string    `json:"hostname"`
	Chemins []string  `json:"paths"`
}

// Snapshots lists the repository's snapshots, oldest first.
func (r *Restic) Snapshots(ctx context.Context) ([]Instantane, error) {
	var out bytes.Buffer
	if err := r.run(ctx, func(l []byte) { out.Write(l) }, "snapshots", "--json", "--no-lock"); err != nil {
		return nil, err
	}
	var s []Instantane
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		return nil, fmt.Errorf("restic snapshots : %w", err)
	}
	return s, nil
}

// Restore restores the given paths of a snapshot ("latest" allowed) under
// target (paths keep their absolute layout below it). No path: everything.
// progress, when not nil, receives restic's status lines.
func (r *Restic) Restore(ctx context.Context, instantane, target string, paths []string, progress func(Progression)) error {
	args := []string{"restore", instantane, "--json", "--target", target}
	for _, p := range paths {
		args = append(args, "--include", p)
	}
	return r.run(ctx, func(l []byte) {
		// restore names its counters apart from backup's.
		var st struct {
			Type          string  `json:"message_type"`
			Fraction      float64 `json:"percent_done"`
			FichiersTotal int64   `json:"total_files"`
			FichiersFaits int64   `json:"files_restored"`
			OctetsTotal   int64   `json:"total_bytes"`
			OctetsFaits   int64   `json:"bytes_restored"`
		}
		if progress == nil || json.Unmarshal(l, &st) != nil {
			return
		}
		if st.Type == "summary" {
			st.Type, st.Fraction = "status", 1
		}
		if st.Type == "status" {
			progress(Progression{Fraction: st.Fraction, FichiersTotal: st.FichiersTotal, FichiersFaits: st.FichiersFaits, OctetsTotal: st.OctetsTotal, OctetsFaits: st.OctetsFaits})
		}
	}, args...)
}

// Check verifies the repository, reading the given share of the data
// ("1/10"; "" reads none of it).
func (r *Restic) Check(ctx context.Context, subset string) error {
	args := []string{"check"}
	if subset != "" {
		args = append(args, "--read-data-subset", subset)
	}
	return r.run(ctx, nil, args...)
}

// Noeud is a file or folder of a snapshot, from restic ls --json.
type Noeud struct {
	Nom     string    `json:"name"`
	Type    string    `json:"type"` // "file", "dir", "symlink"…
	Chemin  string    `json:"path"`
	Taille  int64     `json:"size"`
	Modifie time.Time `json:"mtime"`
	Struct  string    `json:"struct_type"`
}

// Ls lists what a snapshot holds directly under dir ("/" for its top).
func (r *Restic) Ls(ctx context.Context, instantane, dir string) ([]Noeud, error) {
	var out []Noeud
	err := r.run(ctx, func(l []byte) {
		var n Noeud
		if json.Unmarshal(l, &n) == nil && n.Struct == "node" && n.Chemin != dir && parent(n.Chemin) == dir {
			out = append(out, n)
		}
	}, "ls", "--json", "--no-lock", instantane, dir)
	return out, err
}

// parent returns the folder of a snapshot path (always with forward slashes).
func parent(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// Fichiers lists every file of a snapshot.
func (r *Restic) Fichiers(ctx context.Context, instantane string) ([]Noeud, error) {
	var out []Noeud
	err := r.run(ctx, func(l []byte) {
		var n Noeud
		if json.Unmarshal(l, &n) == nil && n.Struct == "node" && n.Type == "file" {
			out = append(out, n)
		}
	}, "ls", "--json", "--no-lock", instantane)
	return out, err
}
