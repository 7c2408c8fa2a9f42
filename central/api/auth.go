package api

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// authedHandler serves a request whose signature was verified; its context
// carries the poste, and body is the whole request body, already read.
type authedHandler func(w http.ResponseWriter, r *http.Request, body []byte)

// authenticated reads the body (at most limit bytes), checks that the request
// is signed by the enrolled poste it names and that this poste is not
// revoked, then calls h with the poste in the context.
//
// The poste is read from the store on every request: a revocation takes
// effect at once.
func (s *Server) authenticated(limit int64, h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(protocol.HeaderPoste)
		if id == "" || len(id) > 128 {
			s.writeError(w, r, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Requête sans identifiant de poste : ce poste doit d'abord être enrôlé auprès de la SPL (xdemat-agent enroll)."))
			return
		}
		if r.ContentLength > limit {
			s.writeError(w, r, tooLarge(limit))
			return
		}
		p, err := s.Store.FindPoste(r.Context(), id)
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			s.writeError(w, r, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Ce poste est inconnu du serveur central : il doit être enrôlé à nouveau par la SPL."))
			return
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		body, err := readBody(r, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		now := s.Now()
		if err := protocol.Verifier(r, p.ClePublique, protocol.HashBody(body), now); err != nil {
			s.writeError(w, r, err)
			return
		}
		// Checked after the signature, so that only the poste itself learns it
		// was revoked.
		if p.Statut == xdemat.PosteRevoque || !p.RevoqueLe.IsZero() {
			s.writeError(w, r, revoked(p))
			return
		}
		ctx := xdemat.NewContextWithPoste(r.Context(), p)
		if s.seen.due(p.ID, now) {
			version := r.Header.Get(protocol.HeaderAgent)
			if len(version) > 64 {
				version = "" // not a version: keep the stored one
			}
			if err := s.Store.TouchPoste(ctx, p.ID, now, version, -1); err != nil {
				s.Logger.Warn("poste vu : enregistrement impossible", "poste", p.ID, "err", err)
			} else {
				p.VuLe = now
				if version != "" {
					p.Version = version
				}
			}
		}
		h(w, r.WithContext(ctx), body)
	})
}

func revoked(p *xdemat.Poste) error {
	if p.RevoqueLe.IsZero() {
		return xdemat.Errorf(xdemat.EFORBIDDEN, "Ce poste a été révoqué par la SPL : il ne peut plus se synchroniser. Contactez la SPL pour l'enrôler à nouveau.")
	}
	return xdemat.Errorf(xdemat.EFORBIDDEN, "Ce poste a été révoqué par la SPL le %s : il ne peut plus se synchroniser. Contactez la SPL pour l'enrôler à nouveau.", p.RevoqueLe.Local().Format("02/01/2006"))
}

func tooLarge(limit int64) error {
	return xdemat.Errorf(xdemat.ETOOLARGE, "La requête dépasse la taille maximale acceptée par le serveur central (%d Mo) : rien n'a été enregistré. Mettez l'agent xdemat à jour, puis réessayez.", limit>>20)
}

// readBody reads the whole body of r, at most limit bytes (ETOOLARGE beyond).
func readBody(r *http.Request, limit int64) ([]byte, error) {
	switch {
	case r.ContentLength > limit:
		return nil, tooLarge(limit)
	case r.ContentLength == 0:
		return nil, nil
	case r.ContentLength > 0:
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, interrupted(err)
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, interrupted(err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge(limit)
	}
	return body, nil
}

func interrupted(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return xdemat.Errorf(xdemat.EINVALID, "La requête a été interrompue pendant l'envoi : rien n'a été enregistré, elle sera reprise.")
}

// touchThrottle remembers when each poste's "seen" time was last written, so
// that hot paths do not write to the store on every request.
type touchThrottle struct {
	mu    sync.Mutex
	every time.Duration
	last  map[string]time.Time
}

func newTouchThrottle(every time.Duration) *touchThrottle {
	return &touchThrottle{every: every, last: make(map[string]time.Time)}
}

// due reports whether the poste's "seen" time should be written at now, and
// if so records that it is.
func (t *touchThrottle) due(id string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l, ok := t.last[id]; ok {
		if d := now.Sub(l); d >= 0 && d < t.every {
			return false
		}
	}
	t.last[id] = now
	return true
}

// mark records that the poste's "seen" time was written at now.
func (t *touchThrottle) mark(id string, now time.Time) {
	t.mu.Lock()
	t.last[id] = now
	t.mu.Unlock()
}
