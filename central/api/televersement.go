package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// Uploads are resumable: the bytes received so far for a document live in
// <UploadDir>/<commune>/<sha256>.part, next to <sha256>.json which records the
// announced document. A chunk is accepted only at the current end of the part
// file, written and synced before it is acknowledged. Once the part holds the
// announced size, its SHA-256 is checked as it moves into the blob store, and
// only then is the document recorded for the commune.
//
// Sessions are per commune: a poste never learns whether another commune holds
// or is sending the same bytes.

// uploadMeta is the content of <sha256>.json.
type uploadMeta struct {
	Document xdemat.Document `json:"document"`
	PosteID  string          `json:"posteId"`
	OuvertLe time.Time       `json:"ouvertLe"`
}

// upload names the files of one commune's upload of one document.
type upload struct {
	dir, part, meta string
}

func (s *Server) upload(communeID, sha string) (upload, error) {
	if communeID == "" || communeID == "." || communeID == ".." || strings.ContainsAny(communeID, `/\:`) || !xdemat.ValidSHA256(sha) {
		return upload{}, fmt.Errorf("upload: unusable names %q/%q", communeID, sha)
	}
	dir := filepath.Join(s.UploadDir, communeID)
	return upload{dir: dir, part: filepath.Join(dir, sha+".part"), meta: filepath.Join(dir, sha+".json")}, nil
}

// readMeta returns the session's metadata, or nil when there is no session.
func (u upload) readMeta() (*uploadMeta, error) {
	b, err := os.ReadFile(u.meta)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	var m uploadMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("upload: metadata %s: %w", u.meta, err)
	}
	return &m, nil
}

// writeMeta records the session durably (temporary file, sync, rename).
func (u upload) writeMeta(m *uploadMeta) error {
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	tmp := u.meta + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, u.meta)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("upload: %w", err)
	}
	return nil
}

// partSize returns how many bytes were received.
func (u upload) partSize() (int64, error) {
	fi, err := os.Stat(u.part)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("upload: %w", err)
	}
	return fi.Size(), nil
}

// remove deletes the session.
func (u upload) remove() error {
	var errs []error
	for _, p := range []string{u.part, u.meta} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeAt writes chunk at offset in the part file and syncs it.
func (u upload) writeAt(chunk []byte, offset int64) error {
	f, err := os.OpenFile(u.part, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	_, err = f.WriteAt(chunk, offset)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	return nil
}

// handleOuvrirTeleversement serves POST /v1/televersements: it opens (or
// finds) the upload of a document and says from which offset to send it.
func (s *Server) handleOuvrirTeleversement(w http.ResponseWriter, r *http.Request, body []byte) {
	var req protocol.TeleversementRequest
	if err := decodeJSON(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	d := req.Document
	if err := d.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := xdemat.PosteFromContext(r.Context())
	defer s.uploads.lock(p.CommuneID + "/" + d.SHA256)()
	etat, err := s.openUpload(r.Context(), p, &d)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, etat)
}

func (s *Server) openUpload(ctx context.Context, p *xdemat.Poste, d *xdemat.Document) (*protocol.TeleversementEtat, error) {
	if held, err := s.Store.FindDocument(ctx, d.SHA256); err == nil {
		return &protocol.TeleversementEtat{SHA256: held.SHA256, Taille: held.Taille, Offset: held.Taille, Complet: true}, nil
	} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		return nil, err
	}
	u, err := s.upload(p.CommuneID, d.SHA256)
	if err != nil {
		return nil, err
	}
	m, err := u.readMeta()
	if err != nil {
		return nil, err
	}
	if m == nil || m.Document.Taille != d.Taille {
		// A new upload, or one announced with another size: whatever was
		// received cannot be this document, start afresh.
		if err := u.remove(); err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		if d.CreeLe.IsZero() {
			d.CreeLe = s.Now()
		}
		m = &uploadMeta{Document: *d, PosteID: p.ID, OuvertLe: s.Now()}
		if err := u.writeMeta(m); err != nil {
			return nil, err
		}
		s.Logger.Debug("téléversement ouvert", "commune", p.CommuneID, "poste", p.ID, "sha256", d.SHA256, "taille", d.Taille)
	}
	size, err := u.partSize()
	if err != nil {
		return nil, err
	}
	if size > m.Document.Taille {
		if err := os.Remove(u.part); err != nil {
			return nil, fmt.Errorf("upload: %w", err)
		}
		size = 0
	}
	if size == m.Document.Taille {
		// Everything was received but not recorded (a crash, or an empty
		// document): finish now.
		return s.finishUpload(ctx, p, u, m)
	}
	return &protocol.TeleversementEtat{SHA256: d.SHA256, Taille: m.Document.Taille, Offset: size}, nil
}

// handleBloc serves PUT /v1/televersements/{sha256}?offset=N: the next chunk
// of an open upload. The middleware has already checked the chunk against
// its signed hash.
func (s *Server) handleBloc(w http.ResponseWriter, r *http.Request, chunk []byte) {
	sha := r.PathValue("sha256")
	if !xdemat.ValidSHA256(sha) {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "L'empreinte du document est invalide (64 caractères hexadécimaux minuscules attendus)."))
		return
	}
	offset, err := queryInt(r.URL.Query().Get("offset"))
	if err != nil || r.URL.Query().Get("offset") == "" {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "Position du bloc absente ou invalide (paramètre offset) : mettez l'agent xdemat à jour."))
		return
	}
	p := xdemat.PosteFromContext(r.Context())
	defer s.uploads.lock(p.CommuneID + "/" + sha)()
	etat, err := s.writeChunk(r.Context(), p, sha, offset, chunk)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, etat)
}

func (s *Server) writeChunk(ctx context.Context, p *xdemat.Poste, sha string, offset int64, chunk []byte) (*protocol.TeleversementEtat, error) {
	u, err := s.upload(p.CommuneID, sha)
	if err != nil {
		return nil, err
	}
	m, err := u.readMeta()
	if err != nil {
		return nil, err
	}
	if m == nil {
		// The last chunk may be sent again when its answer was lost.
		if held, err := s.Store.FindDocument(ctx, sha); err == nil {
			return &protocol.TeleversementEtat{SHA256: sha, Taille: held.Taille, Offset: held.Taille, Complet: true}, nil
		} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			return nil, err
		}
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucun téléversement en cours pour ce document : ouvrez d'abord le téléversement (POST /v1/televersements), puis envoyez les blocs.")
	}
	size, err := u.partSize()
	if err != nil {
		return nil, err
	}
	if offset != size {
		return nil, xdemat.Errorf(xdemat.ECONFLICT, "Le serveur central a reçu %d octets de ce document, pas %d : redemandez où reprendre (POST /v1/televersements), puis reprenez à partir de là.", size, offset)
	}
	end := offset + int64(len(chunk))
	if end > m.Document.Taille {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Ce bloc dépasse la taille annoncée du document (%d octets) : rien n'a été enregistré, le téléversement sera repris.", m.Document.Taille)
	}
	if len(chunk) > 0 {
		if err := u.writeAt(chunk, offset); err != nil {
			return nil, err
		}
	}
	if end == m.Document.Taille {
		return s.finishUpload(ctx, p, u, m)
	}
	return &protocol.TeleversementEtat{SHA256: sha, Taille: m.Document.Taille, Offset: end}, nil
}

// finishUpload moves a fully received part into the blob store, checking its
// hash, and records the document for the commune. On a hash mismatch the
// session is deleted: the document will be sent again from the start.
func (s *Server) finishUpload(ctx context.Context, p *xdemat.Poste, u upload, m *uploadMeta) (*protocol.TeleversementEtat, error) {
	d := m.Document
	if d.Taille == 0 {
		if err := u.writeAt(nil, 0); err != nil {
			return nil, err
		}
	}
	if err := s.Blobs.Adopt(u.part, d.SHA256); err != nil {
		if xdemat.ErrorCode(err) == xdemat.EINVALID {
			s.Logger.Warn("téléversement : empreinte incorrecte, reprise du début", "commune", p.CommuneID, "poste", p.ID, "sha256", d.SHA256)
			if rerr := u.remove(); rerr != nil {
				s.Logger.Error("téléversement : suppression impossible", "fichier", u.meta, "err", rerr)
			}
		}
		return nil, err
	}
	if err := s.Store.CreateDocument(ctx, &d, s.Now()); err != nil {
		// The part has moved into the blob store; without the record the
		// commune does not hold the document, so the upload starts afresh.
		if rerr := u.remove(); rerr != nil {
			s.Logger.Error("téléversement : suppression impossible", "fichier", u.meta, "err", rerr)
		}
		return nil, err
	}
	if err := u.remove(); err != nil {
		s.Logger.Error("téléversement : suppression impossible", "fichier", u.meta, "err", err)
	}
	s.Notifier.Notify(p.CommuneID)
	s.Logger.Info("document reçu", "commune", p.CommuneID, "poste", p.ID, "sha256", d.SHA256, "taille", d.Taille)
	return &protocol.TeleversementEtat{SHA256: d.SHA256, Taille: d.Taille, Offset: d.Taille, Complet: true}, nil
}

// DureeTeleversementAbandonne is how long an upload that no poste resumes is
// kept. A poste offline for weeks (a closed mairie in August) starts the
// document again, which costs only bandwidth.
const DureeTeleversementAbandonne = 30 * 24 * time.Hour

// PurgeUploads removes the uploads in progress that were opened before
// olderThan ago, and returns how many. It takes each upload's lock, so an
// upload that a poste is resuming right now is never cut under it.
func (s *Server) PurgeUploads(olderThan time.Duration) (int, error) {
	s.init()
	metas, err := filepath.Glob(filepath.Join(s.UploadDir, "*", "*.json"))
	if err != nil {
		return 0, fmt.Errorf("upload purge: %w", err)
	}
	limit := s.Now().Add(-olderThan)
	n := 0
	var errs []error
	for _, meta := range metas {
		communeID := filepath.Base(filepath.Dir(meta))
		sha := strings.TrimSuffix(filepath.Base(meta), ".json")
		u, err := s.upload(communeID, sha)
		if err != nil {
			continue // not one of ours
		}
		unlock := s.uploads.lock(communeID + "/" + sha)
		m, err := u.readMeta()
		if err == nil && m != nil && m.OuvertLe.Before(limit) {
			if err = u.remove(); err == nil {
				n++
				s.Logger.Info("téléversement abandonné supprimé", "commune", communeID, "sha256", sha, "ouvert_le", m.OuvertLe)
			}
		}
		unlock()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// handleDocumentEntier serves PUT /v1/documents/{sha256}?nom=…&type=…: a
// document small enough to travel in one request (most actes, bordereaux and
// scans), sent whole. It saves the opening exchange and the part file of the
// chunked path; there is nothing to resume: if the answer is lost, the agent
// sends it again and is told that central holds it.
func (s *Server) handleDocumentEntier(w http.ResponseWriter, r *http.Request, body []byte) {
	sha := r.PathValue("sha256")
	if !xdemat.ValidSHA256(sha) {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "L'empreinte du document est invalide (64 caractères hexadécimaux minuscules attendus)."))
		return
	}
	q := r.URL.Query()
	d := xdemat.Document{SHA256: sha, Taille: int64(len(body)), TypeMedia: q.Get("type"), NomOriginal: q.Get("nom"), CreeLe: s.Now()}
	if err := d.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The middleware checked the body against the signed header: the header
	// must be the document's own hash.
	if r.Header.Get(protocol.HeaderContenu) != sha {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "Le document reçu ne correspond pas à son empreinte : rien n'a été enregistré, il sera renvoyé."))
		return
	}
	p := xdemat.PosteFromContext(r.Context())
	defer s.uploads.lock(p.CommuneID + "/" + sha)()
	etat := &protocol.TeleversementEtat{SHA256: sha, Taille: d.Taille, Offset: d.Taille, Complet: true}
	if _, err := s.Store.FindDocument(r.Context(), sha); err == nil {
		writeJSON(w, http.StatusOK, etat)
		return
	} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		s.writeError(w, r, err)
		return
	}
	if err := s.Blobs.PutVerified(body, sha); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Store.CreateDocument(r.Context(), &d, s.Now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.Notifier.Notify(p.CommuneID)
	s.Logger.Info("document reçu", "commune", p.CommuneID, "poste", p.ID, "sha256", sha, "taille", d.Taille)
	writeJSON(w, http.StatusOK, etat)
}

// handleDocument serves GET /v1/documents/{sha256}, only to the postes of a
// commune that holds the document.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request, _ []byte) {
	sha := r.PathValue("sha256")
	if !xdemat.ValidSHA256(sha) {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "L'empreinte du document est invalide (64 caractères hexadécimaux minuscules attendus)."))
		return
	}
	d, err := s.Store.FindDocument(r.Context(), sha)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Blobs.Open(sha)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("document %s recorded for commune %s but not readable: %w", sha, xdemat.CommuneIDFromContext(r.Context()), err))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", d.TypeMedia)
	w.Header().Set("ETag", `"`+sha+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", d.CreeLe, f)
}

// keyedMutex serialises work per key; a key's lock is forgotten once free.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

func newKeyedMutex() *keyedMutex { return &keyedMutex{locks: make(map[string]*keyedLock)} }

// lock takes the lock of key and returns its unlock function.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	l, ok := k.locks[key]
	if !ok {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
