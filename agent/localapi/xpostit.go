package localapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// Who works on this poste: the app opens a session for a user of the commune
// (password checked here, the hash never leaves the agent's side), then every
// request carries the session token in HeaderSession. Sessions live in memory
// only: after a restart of the agent the app asks again who works
// (EUNAUTHORIZED, MessageSansSession).

// HeaderSession carries the session token.
const HeaderSession = "X-Xdemat-Session"

// MessageSansSession is the refusal of a request that needs to know who works.
const MessageSansSession = "Choisissez qui travaille sur ce poste."

// UtilisateurRequest is the body of POST /v1/utilisateurs. MotDePasse sets a
// new password; "" keeps the current one, unless RetirerMotDePasse.
type UtilisateurRequest struct {
	Utilisateur       xdemat.Utilisateur `json:"utilisateur"`
	MotDePasse        string             `json:"motDePasse,omitempty"`
	RetirerMotDePasse bool               `json:"retirerMotDePasse,omitempty"`
}

// SessionRequest is the body of POST /v1/sessions.
type SessionRequest struct {
	UtilisateurID string `json:"utilisateurId"`
	MotDePasse    string `json:"motDePasse,omitempty"`
}

// SessionResponse answers POST /v1/sessions.
type SessionResponse struct {
	Jeton  string       `json:"jeton"`
	Profil agent.Profil `json:"profil"`
}

// maxSmallBody bounds the bodies of users, sessions, notifications, preferences.
const maxSmallBody = 64 << 10

// sessions is the in-memory table of open sessions.
type sessions struct {
	tokens map[string]string // token → Utilisateur.ID
	echecs map[string]int    // Utilisateur.ID → wrong passwords in a row
}

// sessionUser returns the user of the request's session: nil when the
// request carries none, EUNAUTHORIZED when its token is unknown (the agent
// restarted) or its user was deactivated meanwhile.
func (s *Server) sessionUser(r *http.Request) (*xdemat.Utilisateur, error) {
	token := r.Header.Get(HeaderSession)
	if token == "" {
		return nil, nil
	}
	s.mu.Lock()
	id, ok := s.sess.tokens[token]
	s.mu.Unlock()
	if !ok {
		return nil, xdemat.Errorf(xdemat.EUNAUTHORIZED, MessageSansSession)
	}
	u, err := s.Store.FindUtilisateur(r.Context(), id)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND || (err == nil && !u.Actif) {
		s.mu.Lock()
		delete(s.sess.tokens, token)
		s.mu.Unlock()
		return nil, xdemat.Errorf(xdemat.EUNAUTHORIZED, MessageSansSession)
	}
	return u, err
}

// mustSession returns the session's user, or answers EUNAUTHORIZED.
func (s *Server) mustSession(w http.ResponseWriter, r *http.Request) *xdemat.Utilisateur {
	u, err := s.sessionUser(r)
	if err == nil && u == nil {
		err = xdemat.Errorf(xdemat.EUNAUTHORIZED, MessageSansSession)
	}
	if err != nil {
		s.fail(w, r, err)
		return nil
	}
	return u
}

// changed tells the app and the outbox that something was committed.
func (s *Server) changed(ctx context.Context, typ string, data any) {
	s.Bus.Publish(agent.BusEvent{Type: typ, Data: data})
	if s.Kick != nil {
		s.Kick()
	}
	if st, err := s.state(context.WithoutCancel(ctx)); err == nil {
		s.Bus.Publish(agent.BusEvent{Type: EvenementEtat, Data: st})
	}
}

func (s *Server) utilisateurs(w http.ResponseWriter, r *http.Request) {
	us, err := s.Store.Utilisateurs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	profils := make([]agent.Profil, 0, len(us))
	for _, actif := range []bool{true, false} { // active users first, each by name
		for _, u := range us {
			if u.Actif == actif {
				profils = append(profils, agent.NewProfil(u))
			}
		}
	}
	writeJSON(w, http.StatusOK, profils)
}

// enregistrerUtilisateur creates or updates a user. Without a session it is
// allowed only while the commune has no user at all (first start of the app).
func (s *Server) enregistrerUtilisateur(w http.ResponseWriter, r *http.Request) {
	var req UtilisateurRequest
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	by, err := s.sessionUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// One user saved at a time: two first starts cannot both skip the session.
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	if by == nil {
		us, err := s.Store.Utilisateurs(ctx)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(us) > 0 {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAUTHORIZED, MessageSansSession))
			return
		}
	}
	u := req.Utilisateur
	u.MotDePasse = "" // never taken from the app: computed below
	if u.ID == "" {
		u.ID = uuid.NewString()
	} else if !xdemat.ValidUUID(u.ID) {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Identifiant d'utilisateur invalide : mettez à jour l'application xdemat."))
		return
	} else if old, err := s.Store.FindUtilisateur(ctx, u.ID); err == nil {
		if !req.RetirerMotDePasse {
			u.MotDePasse = old.MotDePasse
		}
	} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	if u.CommuneID == "" && u.Role != xdemat.RoleAdministrateur && u.Role != xdemat.RoleTechnicien {
		if id, err := s.Store.Identity(ctx); err == nil {
			u.CommuneID = id.Commune.ID
		}
	}
	if u.Telephone, err = xdemat.NormaliserTelephone(u.Telephone); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.MotDePasse != "" {
		if u.MotDePasse, err = xdemat.HacherMotDePasse(req.MotDePasse); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	auteur := u.ID // the first user creates themself
	if by != nil {
		auteur = by.ID
	}
	if err := s.Store.SaveUtilisateur(ctx, &u, auteur, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	if !u.Actif { // a deactivated user's sessions end at once
		s.mu.Lock()
		for token, id := range s.sess.tokens {
			if id == u.ID {
				delete(s.sess.tokens, token)
			}
		}
		s.mu.Unlock()
	}
	p := agent.NewProfil(&u)
	writeJSON(w, http.StatusOK, p)
	s.changed(ctx, agent.EvenementUtilisateurs, p)
}

// ouvrirSession checks the user's password and opens a session.
func (s *Server) ouvrirSession(w http.ResponseWriter, r *http.Request) {
	var req SessionRequest
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u, err := s.Store.FindUtilisateur(ctx, req.UtilisateurID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !u.Actif {
		s.fail(w, r, xdemat.Errorf(xdemat.EFORBIDDEN, "Le profil de %s est désactivé : demandez à un collègue de le réactiver.", u.NomComplet()))
		return
	}
	if !xdemat.VerifierMotDePasse(u.MotDePasse, req.MotDePasse) {
		// Each wrong password in a row waits a little longer (up to 2 s).
		s.mu.Lock()
		s.sess.echecs[u.ID]++
		n := s.sess.echecs[u.ID]
		s.mu.Unlock()
		t := time.NewTimer(min(time.Duration(n-1)*250*time.Millisecond, 2*time.Second))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Mot de passe incorrect pour %s.", u.NomComplet()))
		return
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	s.mu.Lock()
	delete(s.sess.echecs, u.ID)
	s.sess.tokens[token] = u.ID
	s.mu.Unlock()
	s.logger().Info("session ouverte", "utilisateur", u.ID)
	writeJSON(w, http.StatusOK, SessionResponse{Jeton: token, Profil: agent.NewProfil(u)})
}

func (s *Server) fermerSession(w http.ResponseWriter, r *http.Request) {
	if token := r.Header.Get(HeaderSession); token != "" {
		s.mu.Lock()
		delete(s.sess.tokens, token)
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	q := r.URL.Query()
	f := agent.FiltreNotifications{Pour: u.ID, Service: q.Get("service"), AvecFaites: q.Get("faites") == "1"}
	if v := q.Get("limite"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le paramètre « limite » doit être un nombre entier positif : mettez à jour l'application xdemat."))
			return
		}
		f.Limite = n
	}
	// What the user took out of the app is not listed; critical types are
	// never taken out (xdemat.Preferences.Canaux forces them).
	prefs, err := s.Store.Preferences(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for code := range prefs.ParType {
		if !prefs.Canaux(code).App {
			f.Masques = append(f.Masques, code)
		}
	}
	ns, err := s.Store.Notifications(r.Context(), f, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ns)
}

func (s *Server) leverNotification(w http.ResponseWriter, r *http.Request) {
	if s.mustSession(w, r) == nil {
		return
	}
	var n xdemat.Notification
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &n); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.RaiseNotification(r.Context(), &n, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, &n)
	s.changed(r.Context(), agent.EvenementNotifications, &n)
}

func (s *Server) marquer(typ string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := s.mustSession(w, r)
		if u == nil {
			return
		}
		etat := xdemat.NotificationEtat{ID: r.PathValue("id"), Le: s.now(), Par: u.ID}
		if err := s.Store.MarkNotification(r.Context(), typ, etat.ID, u.ID, etat.Le); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		s.changed(r.Context(), agent.EvenementNotifications, etat)
	}
}

func (s *Server) preferences(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	p, err := s.Store.Preferences(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) enregistrerPreferences(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	var p xdemat.Preferences
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &p); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.UtilisateurID == "" {
		p.UtilisateurID = u.ID
	}
	if p.UtilisateurID != u.ID {
		s.fail(w, r, xdemat.Errorf(xdemat.EFORBIDDEN, "Chacun règle ses propres notifications : %s ne peut pas modifier celles d'un collègue.", u.NomComplet()))
		return
	}
	if err := s.Store.SavePreferences(r.Context(), &p, u.ID, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &p)
	s.changed(r.Context(), "preferences", &p)
}

func (s *Server) diagnostic(w http.ResponseWriter, r *http.Request) {
	d := agent.Diagnostic{
		Version:        s.Version,
		DossierDonnees: s.dataDir,
		DemarreLe:      s.DemarreLe,
		Systeme:        runtime.GOOS + "/" + runtime.GOARCH,
	}
	if d.Version == "" {
		d.Version = xdemat.Version
	}
	if id, err := s.Store.Identity(r.Context()); err == nil {
		d.Identite = id
	} else if xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	st, err := s.state(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Etat = *st
	if s.Boucles != nil {
		d.Boucles = s.Boucles()
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) journalTechnique(w http.ResponseWriter, r *http.Request) {
	var text []byte
	if s.JournalTechnique != nil {
		text = s.JournalTechnique.Texte()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(text)
}
