package api

import (
	"crypto/ed25519"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central/admin"
	"xdemat/central/protocol"
)

// handleEnrolement serves POST /v1/enrolement. The request is not
// authenticated by a known poste but signed with the key being enrolled, which
// proves that the device holds it. Failed attempts are counted per client
// address, against guessing codes.
func (s *Server) handleEnrolement(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	client := clientKey(r)
	if retry, blocked := s.attempts.blocked(client, now); blocked {
		s.Logger.Warn("enrôlement : trop de tentatives échouées", "adresse", client)
		writeTooManyAttempts(w, retry)
		return
	}
	resp, err := s.enroll(r, now)
	if err != nil {
		if c := xdemat.ErrorCode(err); c != xdemat.EINTERNAL && c != xdemat.EUNAVAILABLE {
			s.attempts.fail(client, now)
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) enroll(r *http.Request, now time.Time) (*protocol.EnrolementResponse, error) {
	if r.Header.Get(protocol.HeaderPoste) != "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Une demande d'enrôlement ne doit pas porter d'identifiant de poste : mettez l'agent xdemat à jour, puis recommencez l'enrôlement.")
	}
	body, err := readBody(r, protocol.TailleMaxRequeteJSON)
	if err != nil {
		return nil, err
	}
	var req protocol.EnrolementRequest
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	if len(req.ClePublique) != ed25519.PublicKeySize {
		return nil, xdemat.Errorf(xdemat.EINVALID, "La clé publique du poste est invalide : mettez l'agent xdemat à jour, puis recommencez l'enrôlement.")
	}
	if err := protocol.Verifier(r, ed25519.PublicKey(req.ClePublique), protocol.HashBody(body), now); err != nil {
		return nil, err
	}
	code := admin.NormalizeCode(req.Code)
	if code == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Saisissez le code d'enrôlement donné par la SPL (12 caractères, par exemple ABCD-EFGH-JKMN).")
	}
	nom := strings.TrimSpace(req.Nom)
	if err := (&xdemat.Poste{Nom: nom}).ValidateNom(); err != nil {
		return nil, err
	}
	if len(req.Version) > 64 {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Version de l'agent illisible : mettez l'agent xdemat à jour.")
	}
	p := &xdemat.Poste{Nom: nom, ClePublique: req.ClePublique, Version: req.Version}
	if err := s.Store.Enroll(r.Context(), code, p, now); err != nil {
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce code d'enrôlement est inconnu : vérifiez la saisie (12 caractères, par exemple ABCD-EFGH-JKMN) ou demandez un nouveau code à la SPL.")
		}
		return nil, err
	}
	s.Notifier.Notify(p.CommuneID)
	c, err := s.Store.FindCommune(r.Context(), p.CommuneID)
	if err != nil {
		return nil, err
	}
	s.Logger.Info("poste enrôlé", "poste", p.ID, "commune", p.CommuneID, "nom", p.Nom, "version", p.Version)
	return &protocol.EnrolementResponse{PosteID: p.ID, Commune: *c}, nil
}

// clientKey returns the address that enrollment attempts are counted by: the
// client's IPv4 address, or its IPv6 /64 network (one subscriber's).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}

// attemptLimiter counts failures per key in fixed windows.
type attemptLimiter struct {
	mu        sync.Mutex
	max       int
	window    time.Duration
	byKey     map[string]*attemptWindow
	lastSweep time.Time
}

type attemptWindow struct {
	start    time.Time
	failures int
}

func newAttemptLimiter(max int, window time.Duration) *attemptLimiter {
	return &attemptLimiter{max: max, window: window, byKey: make(map[string]*attemptWindow)}
}

// blocked reports whether key has used up its failures in the current
// window, and how long until the window ends.
func (l *attemptLimiter) blocked(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.byKey[key]
	if !ok {
		return 0, false
	}
	left := a.start.Add(l.window).Sub(now)
	if left <= 0 {
		delete(l.byKey, key)
		return 0, false
	}
	return left, a.failures >= l.max
}

// fail counts a failure for key.
func (l *attemptLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.window {
		for k, a := range l.byKey {
			if now.Sub(a.start) >= l.window {
				delete(l.byKey, k)
			}
		}
		l.lastSweep = now
	}
	a, ok := l.byKey[key]
	if !ok || now.Sub(a.start) >= l.window {
		a = &attemptWindow{start: now}
		l.byKey[key] = a
	}
	a.failures++
}
