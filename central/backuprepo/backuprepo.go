// Package backuprepo is central's backup repository: restic's REST backend
// protocol (the routes of restic's rest-server), one repository per commune
// under Dir/<communeID>/, spoken to by the restic binary that the agents run.
//
// For the postes it is append-only: they create files and never delete or
// overwrite any (except restic's lock files), so that a compromised mairie PC
// cannot destroy its own history; retention runs on central's side, on the
// local directory. Every upload is checked against its name (the SHA-256 of
// its content) and counted against the commune's quota.
package backuprepo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"xdemat"
)

// Prefix is where the repositories are served on central's sync listener.
const Prefix = "/restic/"

// uploadTimeout bounds the upload of one file (restic's packs are 16 MiB
// by default: 30 minutes is 75 kbit/s).
const uploadTimeout = 30 * time.Minute

// mediaV2 is the content type of restic's v2 list format.
const mediaV2 = "application/vnd.x.restic.rest.v2"

// fileTypes are restic's file types, each a folder of the repository.
var fileTypes = []string{"data", "keys", "locks", "snapshots", "index"}

// Server serves the communes' repositories. Set the fields, then use it as an
// http.Handler mounted at Prefix.
type Server struct {
	// Dir holds one folder per commune.
	Dir string
	// Acces checks restic's HTTP Basic credentials: the poste ID and its
	// current REST password. It returns the poste's commune, or an error
	// (EUNAUTHORIZED, EFORBIDDEN for a revoked poste).
	Acces func(r *http.Request, posteID, motDePasse string) (communeID string, err error)
	// Quota returns the commune's backup space in bytes (QuotaSauvegardeDefaut when nil).
	Quota func(communeID string) int64
	// Seuil is told when a commune's usage crosses a fraction of its quota
	// (0.8, then 1), once per crossing upwards.
	Seuil  func(communeID string, fraction float64, utilise, quota int64)
	Logger *slog.Logger

	mu    sync.Mutex
	usage map[string]int64 // commune → bytes, computed at first use
}

// Utilise returns the bytes stored in a commune's repository.
func (s *Server) Utilise(communeID string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usageLocked(communeID)
}

func (s *Server) usageLocked(communeID string) (int64, error) {
	if s.usage == nil {
		s.usage = map[string]int64{}
	}
	if n, ok := s.usage[communeID]; ok {
		return n, nil
	}
	var n int64
	err := filepath.WalkDir(filepath.Join(s.Dir, communeID), func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.usage[communeID] = n
	return n, nil
}

// Recompter forgets the cached usage of a commune, after central's own
// retention removed files.
func (s *Server) Recompter(communeID string) {
	s.mu.Lock()
	delete(s.usage, communeID)
	s.mu.Unlock()
}

// QuotaDe returns the commune's backup space in bytes.
func (s *Server) QuotaDe(communeID string) int64 { return s.quota(communeID) }

func (s *Server) quota(communeID string) int64 {
	if s.Quota != nil {
		if q := s.Quota(communeID); q > 0 {
			return q
		}
	}
	return xdemat.QuotaSauvegardeDefaut
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// chemin is a parsed request path.
type chemin struct {
	commune string
	typ     string // "" for the repository itself, "config", or a file type
	nom     string // file name, "" for the repository, config or a list
}

// parse reads /restic/<commune>/[config|<type>/[<name>]].
func parse(p string) (chemin, bool) {
	rest, ok := strings.CutPrefix(p, Prefix)
	if !ok {
		return chemin{}, false
	}
	commune, rest, _ := strings.Cut(rest, "/")
	if !xdemat.ValidUUID(commune) {
		return chemin{}, false
	}
	c := chemin{commune: commune}
	switch {
	case rest == "":
		return c, true
	case rest == "config":
		c.typ = "config"
		return c, true
	}
	typ, nom, hasSlash := strings.Cut(rest, "/")
	if !hasSlash || !validType(typ) {
		return chemin{}, false
	}
	c.typ = typ
	if nom == "" {
		return c, true
	}
	if !validName(nom) {
		return chemin{}, false
	}
	c.nom = nom
	return c, true
}

func validType(t string) bool {
	for _, x := range fileTypes {
		if t == x {
			return true
		}
	}
	return false
}

// validName accepts restic's file names: 64 lowercase hex digits.
func validName(n string) bool {
	if len(n) != 64 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil && strings.ToLower(n) == n
}

// ServeHTTP authenticates the poste, then serves restic's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := parse(r.URL.Path)
	if !ok {
		http.Error(w, "Chemin de dépôt de sauvegarde inconnu.", http.StatusNotFound)
		return
	}
	poste, mdp, ok := r.BasicAuth()
	if !ok || s.Acces == nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="xdemat-sauvegarde"`)
		http.Error(w, "Identifiants de sauvegarde absents.", http.StatusUnauthorized)
		return
	}
	commune, err := s.Acces(r, poste, mdp)
	if err != nil {
		status := http.StatusUnauthorized
		if xdemat.ErrorCode(err) == xdemat.EFORBIDDEN {
			status = http.StatusForbidden
		}
		s.logger().Warn("sauvegarde : accès refusé", "poste", poste, "err", err)
		http.Error(w, xdemat.ErrorMessage(err), status)
		return
	}
	if commune != c.commune {
		s.logger().Warn("sauvegarde : dépôt d'une autre commune demandé", "poste", poste, "depot", c.commune)
		http.Error(w, "Ce poste n'a pas accès au dépôt de sauvegarde d'une autre commune.", http.StatusForbidden)
		return
	}
	dir := filepath.Join(s.Dir, c.commune)
	switch {
	case c.typ == "" && r.Method == http.MethodPost:
		s.creer(w, r, dir)
	case c.typ == "" && r.Method == http.MethodDelete:
		http.Error(w, "Un poste ne peut pas supprimer le dépôt de sauvegarde de sa commune.", http.StatusForbidden)
	case c.typ == "config":
		s.fichier(w, r, c, filepath.Join(dir, "config"))
	case c.nom == "" && r.Method == http.MethodGet:
		s.lister(w, r, filepath.Join(dir, c.typ))
	case c.nom != "":
		s.fichier(w, r, c, s.cheminFichier(dir, c))
	default:
		http.Error(w, "Méthode non prise en charge.", http.StatusMethodNotAllowed)
	}
}

// cheminFichier returns where a file is stored: data files in 256 folders
// named by the first two hex digits, as restic's own layout does.
func (s *Server) cheminFichier(dir string, c chemin) string {
	if c.typ == "data" {
		return filepath.Join(dir, "data", c.nom[:2], c.nom)
	}
	return filepath.Join(dir, c.typ, c.nom)
}

// creer answers POST /<commune>/?create=true: the repository's folders.
func (s *Server) creer(w http.ResponseWriter, r *http.Request, dir string) {
	if r.URL.Query().Get("create") != "true" {
		http.Error(w, "Demande de création incomplète.", http.StatusBadRequest)
		return
	}
	for _, t := range fileTypes {
		if err := os.MkdirAll(filepath.Join(dir, t), 0o700); err != nil {
			s.interne(w, "création du dépôt", err)
			return
		}
	}
	for i := 0; i < 256; i++ {
		if err := os.MkdirAll(filepath.Join(dir, "data", fmt.Sprintf("%02x", i)), 0o700); err != nil {
			s.interne(w, "création du dépôt", err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// entree is an item of restic's v2 list.
type entree struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// lister answers GET /<commune>/<type>/.
func (s *Server) lister(w http.ResponseWriter, r *http.Request, dir string) {
	var items []entree
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && validName(d.Name()) {
			info, err := d.Info()
			if err != nil {
				return err
			}
			items = append(items, entree{d.Name(), info.Size()})
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "Dépôt de sauvegarde absent.", http.StatusNotFound)
		return
	}
	if err != nil {
		s.interne(w, "liste", err)
		return
	}
	var body any
	if strings.Contains(r.Header.Get("Accept"), mediaV2) {
		w.Header().Set("Content-Type", mediaV2)
		if items == nil {
			items = []entree{}
		}
		body = items
	} else {
		w.Header().Set("Content-Type", "application/json")
		names := make([]string, 0, len(items))
		for _, it := range items {
			names = append(names, it.Name)
		}
		body = names
	}
	json.NewEncoder(w).Encode(body)
}

// fichier serves HEAD, GET, POST and DELETE of one file (or the config).
func (s *Server) fichier(w http.ResponseWriter, r *http.Request, c chemin, p string) {
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "Fichier absent.", http.StatusNotFound)
			return
		}
		if err != nil {
			s.interne(w, "lecture", err)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			s.interne(w, "lecture", err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		// ServeContent answers HEAD with the length and honours Range (restic
		// reads parts of pack files).
		http.ServeContent(w, r, "", info.ModTime(), f)
	case http.MethodPost:
		s.deposer(w, r, c, p)
	case http.MethodDelete:
		if c.typ != "locks" {
			http.Error(w, "Les sauvegardes ne se suppriment pas depuis un poste : la SPL applique elle-même la durée de conservation.", http.StatusForbidden)
			return
		}
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			w.WriteHeader(http.StatusOK) // already gone: restic retries deletions
			return
		}
		if err == nil {
			err = os.Remove(p)
		}
		if err != nil {
			s.interne(w, "suppression d'un verrou", err)
			return
		}
		s.ajusterTaille(c.commune, -info.Size())
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "Méthode non prise en charge.", http.StatusMethodNotAllowed)
	}
}

// messageQuota is the French refusal of an upload over the quota.
func messageQuota(quota int64) string {
	return fmt.Sprintf("Espace de sauvegarde plein (%s) : rien de plus ne peut être sauvegardé. Contactez la SPL pour agrandir l'espace de la commune.", xdemat.Octets(quota))
}

// deposer stores an uploaded file: written aside, checked against its name,
// synced, then renamed into place; never over an existing file.
func (s *Server) deposer(w http.ResponseWriter, r *http.Request, c chemin, p string) {
	if _, err := os.Stat(p); err == nil {
		http.Error(w, "Ce fichier existe déjà dans le dépôt : une sauvegarde ne se réécrit pas.", http.StatusForbidden)
		return
	}
	quota := s.quota(c.commune)
	used, err := s.Utilise(c.commune)
	if err == nil && r.ContentLength > 0 && used+r.ContentLength > quota {
		// The cached usage may be stale (a retention run by the command
		// line, in another process): count again before refusing.
		s.Recompter(c.commune)
		used, err = s.Utilise(c.commune)
	}
	if err != nil {
		s.interne(w, "espace utilisé", err)
		return
	}
	if r.ContentLength > 0 && used+r.ContentLength > quota {
		s.refusQuota(w, c.commune, used, quota)
		return
	}
	// A pack file of several megabytes may take minutes on a rural line:
	// this request may outlast the server's read timeout (made for JSON).
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		s.interne(w, "dossier", err)
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".depot-*")
	if err != nil {
		s.interne(w, "fichier temporaire", err)
		return
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	// Never more than the space left, whatever the announced length.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r.Body, quota-used+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.logger().Warn("sauvegarde : envoi interrompu", "commune", c.commune, "err", err)
		http.Error(w, "Envoi interrompu : restic le reprendra.", http.StatusBadRequest)
		return
	}
	if used+n > quota {
		s.refusQuota(w, c.commune, used, quota)
		return
	}
	if c.typ != "config" && hex.EncodeToString(h.Sum(nil)) != c.nom {
		http.Error(w, "Le contenu reçu ne correspond pas à son nom (transmission abîmée) : restic le renverra.", http.StatusBadRequest)
		return
	}
	// Link refuses to replace an existing file, unlike rename: two
	// uploads of the same name cannot overwrite each other.
	if err := os.Link(tmp.Name(), p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			http.Error(w, "Ce fichier existe déjà dans le dépôt : une sauvegarde ne se réécrit pas.", http.StatusForbidden)
			return
		}
		s.interne(w, "dépôt", err)
		return
	}
	syncDir(filepath.Dir(p))
	s.ajusterTaille(c.commune, n)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) refusQuota(w http.ResponseWriter, commune string, used, quota int64) {
	s.logger().Warn("sauvegarde : quota atteint", "commune", commune, "utilise", used, "quota", quota)
	if s.Seuil != nil {
		s.Seuil(commune, 1, used, quota)
	}
	http.Error(w, messageQuota(quota), http.StatusInsufficientStorage)
}

// ajusterTaille adds n bytes to the usage and tells Seuil about a crossing.
func (s *Server) ajusterTaille(commune string, n int64) {
	quota := s.quota(commune)
	s.mu.Lock()
	before, err := s.usageLocked(commune)
	after := before + n
	if err == nil {
		s.usage[commune] = after
	}
	s.mu.Unlock()
	if err != nil || s.Seuil == nil {
		return
	}
	for _, f := range []float64{0.8, 1} {
		lim := int64(float64(quota) * f)
		if before < lim && after >= lim {
			s.Seuil(commune, f, after, quota)
		}
	}
}

func (s *Server) interne(w http.ResponseWriter, quoi string, err error) {
	s.logger().Error("sauvegarde : erreur interne", "etape", quoi, "err", err)
	http.Error(w, "Erreur du serveur de sauvegarde : la SPL est prévenue ; restic réessaiera.", http.StatusInternalServerError)
}

// syncDir makes a rename durable (no-op where directories cannot be synced).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
