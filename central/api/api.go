// Package api serves the sync API that the agents of the mairies call: the
// routes listed in the documentation of central/protocol, over a central.Store
// and a blob.Store.
//
// Every route but enrollment is authenticated: the request must be signed by
// an enrolled, non-revoked poste (see protocol.Signer), and the handlers only
// ever reach the store with that poste in the context, so that a poste can
// only read or change its own commune's data.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/backuprepo"
	"xdemat/central/blob"
	"xdemat/central/protocol"
	"xdemat/central/versions"
)

// Server is the sync API. Set the fields, then call Handler once.
type Server struct {
	Store central.Store
	// Blobs holds the documents of every commune.
	Blobs *blob.Store
	// UploadDir holds the uploads in progress, one directory per commune. It
	// must be on the same file system as Blobs: a finished upload is renamed
	// into it.
	UploadDir string
	// Notifier wakes the long-polls of a commune when it has new events. One
	// is made when nil; give the same one to whatever else appends events in
	// this process (the admin console).
	Notifier *Notifier
	// Sauvegarde gives the postes their commune's backup repository; nil
	// when this central offers no backup.
	Sauvegarde *Sauvegarde
	// Versions holds the releases the postes update to; nil when this
	// central publishes none. EtatsMiseAJour keeps what postes report.
	Versions       *versions.Depot
	EtatsMiseAJour versions.Etats
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger

	initOnce sync.Once
	seen     *touchThrottle
	attempts *attemptLimiter
	uploads  *keyedMutex
	parking  *parking
	// handlerWaits counts long-polls waiting in their handler (not parked).
	handlerWaits atomic.Int64
	draining     chan struct{}
	drainMu      sync.Once
}

// Timings of the server's in-memory bookkeeping.
const (
	// touchInterval is how often at most a poste's "seen" time is written.
	touchInterval = 30 * time.Second
	// enrollmentFailuresMax failed enrollments from one address within
	// enrollmentWindow are tolerated; later attempts get 429 until the window ends.
	enrollmentFailuresMax = 10
	enrollmentWindow      = time.Minute
	// eventsLimit bounds the events returned by one request.
	eventsLimit = 500
)

func (s *Server) init() {
	s.initOnce.Do(func() {
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		if s.Notifier == nil {
			s.Notifier = NewNotifier()
		}
		s.seen = newTouchThrottle(touchInterval)
		s.attempts = newAttemptLimiter(enrollmentFailuresMax, enrollmentWindow)
		s.uploads = newKeyedMutex()
		s.draining = make(chan struct{})
		s.parking = newParking(s)
	})
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enrolement", s.handleEnrolement)
	mux.Handle("GET /v1/poste", s.authenticated(protocol.TailleMaxRequeteJSON, s.handlePoste))
	mux.Handle("POST /v1/operations", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleOperations))
	mux.Handle("GET /v1/operations/ack", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleAck))
	mux.Handle("POST /v1/televersements", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleOuvrirTeleversement))
	mux.Handle("PUT /v1/televersements/{sha256}", s.authenticated(protocol.TailleMaxBloc, s.handleBloc))
	mux.Handle("GET /v1/documents/{sha256}", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleDocument))
	mux.Handle("PUT /v1/documents/{sha256}", s.authenticated(protocol.TailleMaxBloc, s.handleDocumentEntier))
	mux.Handle("GET /v1/evenements", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleEvenements))
	mux.HandleFunc("GET /ouvrir/{id}", s.handleOuvrir)
	mux.Handle("POST /v1/sauvegarde/acces", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleAccesSauvegarde))
	mux.Handle("PUT /v1/sauvegarde/cle", s.authenticated(protocol.TailleMaxRequeteJSON, s.handleCleSauvegarde))
	if s.Sauvegarde != nil {
		s.Sauvegarde.Depot.Acces = s.accesDepot
		mux.Handle(backuprepo.Prefix, s.Sauvegarde.Depot)
	}
	s.routesVersions(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, xdemat.Errorf(xdemat.ENOTFOUND, "Adresse inconnue du serveur central (%s %s) : vérifiez la version de l'agent xdemat.", r.Method, r.URL.Path))
	})
	return s.checkVersion(mux)
}

// Drain makes every waiting long-poll answer at once, and later ones answer
// without waiting. Call it when the server shuts down, before
// http.Server.Shutdown: parked long-polls are not net/http's any more, so
// Shutdown neither waits for them nor closes them. It returns once they are
// answered (or after a few seconds).
func (s *Server) Drain() {
	s.init()
	s.drainMu.Do(func() {
		close(s.draining)
		s.parking.drain(5 * time.Second)
	})
}

// WaitingPolls returns how many long-polls are waiting for events.
func (s *Server) WaitingPolls() int {
	s.init()
	return s.parking.parked() + int(s.handlerWaits.Load())
}

// checkVersion refuses requests spoken in a protocol newer than this server's.
func (s *Server) checkVersion(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(protocol.HeaderVersion); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n > protocol.Version {
				s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID,
					"Cet agent xdemat parle la version %q du protocole, que le serveur central (version %d) ne connaît pas : la SPL doit mettre à jour le serveur central ; en attendant, mettez à jour l'agent uniquement avec la version fournie par la SPL.",
					v, protocol.Version))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// writeError answers err as a protocol.ErrorResponse. Internal errors are
// logged with their detail and shown to the client as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := xdemat.ErrorCode(err)
	status := protocol.Status(code)
	if status == http.StatusInternalServerError {
		s.Logger.Error("erreur interne", "methode", r.Method, "chemin", r.URL.Path, "poste", posteID(r), "err", err)
	} else {
		s.Logger.Debug("requête refusée", "methode", r.Method, "chemin", r.URL.Path, "poste", posteID(r), "code", code, "err", err)
	}
	writeJSON(w, status, protocol.ErrorResponse{Code: code, Message: xdemat.ErrorMessage(err)})
}

// writeTooManyAttempts answers 429: the code is EUNAVAILABLE, which agents
// treat as "try again later".
func writeTooManyAttempts(w http.ResponseWriter, retry time.Duration) {
	secs := int(retry.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, protocol.ErrorResponse{
		Code:    xdemat.EUNAVAILABLE,
		Message: "Trop de tentatives d'enrôlement échouées depuis cette adresse : patientez une minute, vérifiez le code donné par la SPL, puis réessayez.",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a JSON request body into v.
func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return xdemat.Errorf(xdemat.EINVALID, "Requête illisible : le contenu envoyé n'est pas du JSON attendu par le serveur central. Mettez l'agent xdemat à jour, puis réessayez.")
	}
	return nil
}

// posteID returns the authenticated poste of r, or the claimed one, for logs.
func posteID(r *http.Request) string {
	if p := xdemat.PosteFromContext(r.Context()); p != nil {
		return p.ID
	}
	return r.Header.Get(protocol.HeaderPoste)
}
