// Package localapi is the agent's API for the desktop app of the same PC:
// HTTP over a Unix socket (<dataDir>/agent.sock, mode 0660), or on Windows
// over a loopback TCP port written to <dataDir>/agent.addr. Every request
// carries the secret of <dataDir>/api.secret as a bearer token; the file is
// readable only by the agent and by the local users' group. Bodies are JSON;
// errors are {"code": …, "message": …} with a French message for the user.
package localapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/central/blob"
	"xdemat/central/protocol"
)

// Bus event types published by the API.
const (
	EvenementOperationCreee = "operation.creee"
	EvenementDocumentAjoute = "document.ajoute"
	EvenementEtat           = "etat"
)

// LimiteEvenements is the most inbox events one GET /v1/evenements returns;
// ask again after the last Curseur for the next ones.
const LimiteEvenements = 1000

// HeaderNom carries the original file name of an uploaded document,
// URL-query-escaped.
const HeaderNom = "X-Xdemat-Nom"

// Server is the local API. Fill in the exported fields, then call Serve.
type Server struct {
	Store agent.Store
	Blobs *blob.Store
	// Bus carries the events streamed by GET /v1/flux; Handler makes one if nil.
	Bus *agent.Bus
	// State returns the live sync state; nil: Store.SyncState.
	State func(ctx context.Context) (*agent.SyncState, error)
	// Kick wakes the outbox after an operation is committed; it must not
	// block (a send on a buffered channel of one, with default). May be nil.
	Kick   func()
	Logger *slog.Logger // nil: slog.Default()

	// MaxDocument is the largest upload accepted; 0: xdemat.TailleMaxDocument.
	MaxDocument int64
	// Heartbeat is the interval of the keep-alive comments of /v1/flux; 0: 15 s.
	Heartbeat time.Duration
	// Now returns the time of new records; nil: time.Now.
	Now func() time.Time

	// What GET /v1/diagnostic reports besides the store's state.
	Version   string                   // "": xdemat.Version
	DemarreLe time.Time                // when the agent started
	Boucles   func() map[string]string // each loop's state (agent.Status.Boucles); may be nil
	// JournalTechnique serves GET /v1/diagnostic/journal-technique; may be nil.
	JournalTechnique *agent.JournalTechnique
	// Sauvegardes serves the /v1/sauvegarde routes; nil: they answer 503.
	Sauvegardes Sauvegardes
	// Parapheur serves the /v1/parapheur routes; nil: they answer 503.
	Parapheur agent.ParapheurStore
	// Helios serves GET /v1/helios (PES transmissions); nil: 503.
	Helios agent.HeliosStore
	// Actes serves the /v1/actes routes; nil: they answer 503.
	Actes agent.ActesStore
	// Formats are the signature formats by name (agent.FormatPAdES…); a
	// dossier whose format is missing is refused at preparation.
	Formats map[string]agent.FormatSignature
	// Certificats keeps the certificates of POST /v1/certificats; nil: 503.
	Certificats Certificats
	// Enroler enrolls the poste (POST /v1/enrolement, the installation
	// wizard); nil: 503.
	Enroler func(ctx context.Context, d agent.DemandeEnrolement) (*agent.Identity, error)
	// ProposerExports lists the usual export folders of the known
	// accounting software found on this PC; may be nil.
	ProposerExports func() []agent.DossierExport

	mu       sync.Mutex
	ln       net.Listener
	cleanup  func()
	secret   string
	dataDir  string
	stopping chan struct{} // closed when the server shuts down: ends the event streams
	sess     sessions      // guarded by mu
	usersMu  sync.Mutex    // one POST /v1/utilisateurs at a time
}

// Listen creates the secret if needed and opens the socket (the loopback
// port on Windows). Once it has returned, clients may Dial. Serve calls it
// when it has not been called.
func (s *Server) Listen(dataDir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("localapi: already listening")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("localapi: %w", err)
	}
	// The socket first: a second agent fails here, before touching the secret.
	ln, cleanup, err := listen(dataDir)
	if err != nil {
		return err
	}
	secret, err := loadOrCreateSecret(dataDir)
	if err != nil {
		cleanup()
		return err
	}
	s.ln, s.cleanup, s.secret = ln, cleanup, secret
	if abs, err := filepath.Abs(dataDir); err == nil {
		s.dataDir = abs
	} else {
		s.dataDir = dataDir
	}
	return nil
}

// Serve answers requests until ctx ends, then lets the requests in progress
// finish (for at most 10 s), ends the event streams and removes the socket.
func (s *Server) Serve(ctx context.Context, dataDir string) error {
	s.mu.Lock()
	listening := s.ln != nil
	s.mu.Unlock()
	if !listening {
		if err := s.Listen(dataDir); err != nil {
			return err
		}
	}
	s.mu.Lock()
	ln, cleanup := s.ln, s.cleanup
	s.stopping = make(chan struct{})
	stopping := s.stopping
	s.mu.Unlock()
	defer func() {
		cleanup()
		s.mu.Lock()
		s.ln, s.cleanup = nil, nil
		s.mu.Unlock()
	}()

	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger().Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { close(stopping) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("localapi: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		s.logger().Warn("localapi: requests still running at shutdown", "err", err)
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("localapi: %w", err)
	}
	return nil
}

// Handler returns the authenticated API handler. It must be called after
// Listen (the secret is known then).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/etat", s.etat)
	mux.HandleFunc("GET /v1/identite", s.identite)
	mux.HandleFunc("POST /v1/documents", s.ajouterDocument)
	mux.HandleFunc("POST /v1/operations", s.creerOperation)
	mux.HandleFunc("GET /v1/journal", s.journal)
	mux.HandleFunc("GET /v1/evenements", s.evenements)
	mux.HandleFunc("GET /v1/flux", s.flux)
	mux.HandleFunc("GET /v1/utilisateurs", s.utilisateurs)
	mux.HandleFunc("POST /v1/utilisateurs", s.enregistrerUtilisateur)
	mux.HandleFunc("POST /v1/sessions", s.ouvrirSession)
	mux.HandleFunc("DELETE /v1/sessions", s.fermerSession)
	mux.HandleFunc("GET /v1/notifications", s.notifications)
	mux.HandleFunc("POST /v1/notifications", s.leverNotification)
	mux.HandleFunc("POST /v1/notifications/{id}/lue", s.marquer(xdemat.OperationNotificationLue))
	mux.HandleFunc("POST /v1/notifications/{id}/faite", s.marquer(xdemat.OperationNotificationFaite))
	mux.HandleFunc("GET /v1/preferences", s.preferences)
	mux.HandleFunc("PUT /v1/preferences", s.enregistrerPreferences)
	mux.HandleFunc("POST /v1/enrolement", s.enroler)
	mux.HandleFunc("GET /v1/exports", s.exports)
	mux.HandleFunc("PUT /v1/exports", s.configurerExports)
	mux.HandleFunc("GET /v1/certificats", s.certificats)
	mux.HandleFunc("POST /v1/certificats", s.enregistrerCertificat)
	mux.HandleFunc("GET /v1/diagnostic", s.diagnostic)
	mux.HandleFunc("GET /v1/diagnostic/journal-technique", s.journalTechnique)
	s.routesSauvegarde(mux)
	s.routesParapheur(mux)
	s.routesHelios(mux)
	s.routesActes(mux)
	s.routesReponsesActes(mux) // reponseprefecture.go
	s.routesPublication(mux)   // publication.go
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, xdemat.Errorf(xdemat.ENOTFOUND, "Cette fonction n'existe pas dans le service xdemat de ce poste : mettez à jour l'application xdemat."))
	})
	s.mu.Lock()
	want := []byte("Bearer " + s.secret)
	if s.Bus == nil {
		s.Bus = agent.NewBus()
	}
	if s.sess.tokens == nil {
		s.sess = sessions{tokens: map[string]string{}, echecs: map[string]int{}}
	}
	s.mu.Unlock()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if len(want) == len("Bearer ") || subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="xdemat"`)
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Accès refusé : l'application n'a pas présenté la bonne clé d'accès au service xdemat. Fermez puis relancez l'application ; si cela persiste, contactez la SPL."))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) maxDocument() int64 {
	if s.MaxDocument > 0 {
		return s.MaxDocument
	}
	return xdemat.TailleMaxDocument
}

func (s *Server) state(ctx context.Context) (*agent.SyncState, error) {
	if s.State != nil {
		return s.State(ctx)
	}
	return s.Store.SyncState(ctx)
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail answers with the code and French message of err. The detail of an
// internal error goes to the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := xdemat.ErrorCode(err)
	status := protocol.Status(code)
	switch {
	case r.Context().Err() != nil:
		s.logger().Debug("localapi: client left", "method", r.Method, "path", r.URL.Path, "err", err)
	case code == xdemat.EINTERNAL:
		s.logger().Error("localapi: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case status >= 500:
		s.logger().Warn("localapi: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorBody{Code: code, Message: xdemat.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only plain data is encoded: cannot happen
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Code: xdemat.EINTERNAL, Message: xdemat.ErrorMessage(err)})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func (s *Server) etat(w http.ResponseWriter, r *http.Request) {
	st, err := s.state(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) identite(w http.ResponseWriter, r *http.Request) {
	id, err := s.Store.Identity(r.Context())
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		err = xdemat.Errorf(xdemat.ENOTFOUND, "Ce poste n'est pas encore enrôlé : le technicien de la SPL doit lancer « xdemat-agent enroll ».")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, id)
}

// tooLarge is the French refusal of a document over max bytes.
func tooLarge(nom string, max int64) error {
	return xdemat.Errorf(xdemat.ETOOLARGE, "Le document « %s » dépasse la taille maximale de %s : réduisez-le (scan en 200 dpi, noir et blanc) ou découpez-le.", nom, xdemat.Octets(max))
}

// ajouterDocument stores the request body in the blob store, then records the
// document. The blob store writes aside and renames, so a refused or broken
// upload leaves nothing behind.
func (s *Server) ajouterDocument(w http.ResponseWriter, r *http.Request) {
	nom, err := url.QueryUnescape(r.Header.Get(HeaderNom))
	nom = strings.TrimSpace(nom)
	if err != nil || nom == "" {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le nom du fichier est absent ou illisible : mettez à jour l'application xdemat."))
		return
	}
	// Check the name before reading a single byte.
	probe := xdemat.Document{SHA256: xdemat.GenesisHash, NomOriginal: nom, TypeMedia: "application/octet-stream"}
	if err := probe.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	max := s.maxDocument()
	if r.ContentLength > max {
		s.fail(w, r, tooLarge(nom, max))
		return
	}
	typ := ""
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt != "application/octet-stream" {
		typ = mime.FormatMediaType(mt, params) // normalized; "" when unusable, then guessed from the name
	}
	hash, size, err := s.Blobs.Put(r.Body, max)
	if xdemat.ErrorCode(err) == xdemat.ETOOLARGE {
		// A body of unknown length is still coming: read it out (up to the
		// largest a client of ours may send), so that the client, still
		// writing, reads the refusal instead of a broken connection.
		io.CopyN(io.Discard, r.Body, xdemat.TailleMaxDocument)
		err = tooLarge(nom, max)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &xdemat.Document{SHA256: hash, Taille: size, TypeMedia: typ, NomOriginal: nom, CreeLe: s.now()}
	if err := s.Store.AddDocument(r.Context(), d); err != nil {
		s.fail(w, r, err)
		return
	}
	// The same content may have been added before under another name: answer
	// with the record that holds.
	stored, err := s.Store.FindDocument(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Bus.Publish(agent.BusEvent{Type: EvenementDocumentAjoute, Data: stored})
	writeJSON(w, http.StatusCreated, stored)
}

// OperationRequest is the body of POST /v1/operations.
type OperationRequest struct {
	Type      string          `json:"type"`
	Auteur    string          `json:"auteur,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Documents []string        `json:"documents,omitempty"`
}

// maxOperationBody bounds POST /v1/operations: the payload and some room.
const maxOperationBody = xdemat.TailleMaxPayload + 64<<10

func (s *Server) creerOperation(w http.ResponseWriter, r *http.Request) {
	var req OperationRequest
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxOperationBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	payload := req.Payload
	if strings.TrimSpace(string(payload)) == "null" {
		payload = nil
	}
	// Whoever works on the poste is the author, whatever the body says.
	auteur := req.Auteur
	if u, err := s.sessionUser(r); err != nil {
		s.fail(w, r, err)
		return
	} else if u != nil {
		auteur = u.ID
	}
	op, err := s.Store.Enqueue(r.Context(), req.Type, auteur, payload, req.Documents, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, op)
	s.Bus.Publish(agent.BusEvent{Type: EvenementOperationCreee, Data: op})
	if s.Kick != nil {
		s.Kick()
	}
	// The count of pending operations changed: refresh the status bars.
	if st, err := s.state(context.WithoutCancel(r.Context())); err == nil {
		s.Bus.Publish(agent.BusEvent{Type: EvenementEtat, Data: st})
	} else {
		s.logger().Warn("localapi: sync state after operation", "err", err)
	}
}

// decodeStrict decodes exactly one JSON object with known fields into v, and
// turns any failure into a French EINVALID (ETOOLARGE past the size limit).
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errTrailingData
		}
	}
	if err == nil {
		return nil
	}
	var (
		tooBig  *http.MaxBytesError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		detail  string
	)
	switch {
	case errors.As(err, &tooBig):
		return xdemat.Errorf(xdemat.ETOOLARGE, "La requête dépasse %s : joignez les fichiers comme documents plutôt que dans le contenu de l'opération.", xdemat.Octets(tooBig.Limit))
	case errors.Is(err, io.EOF):
		detail = "le corps de la requête est vide"
	case errors.As(err, &syntax):
		detail = fmt.Sprintf("JSON invalide à l'octet %d", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		detail = "JSON incomplet"
	case errors.As(err, &typeErr):
		detail = fmt.Sprintf("le champ « %s » n'a pas le bon type", typeErr.Field)
	case errors.Is(err, errTrailingData):
		detail = "données en trop après l'objet JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		detail = "champ inconnu " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		detail = "le corps n'est pas un objet JSON valide"
	}
	return xdemat.Errorf(xdemat.EINVALID, "Requête illisible : %s. Mettez à jour l'application xdemat ; si cela persiste, contactez la SPL.", detail)
}

var errTrailingData = errors.New("trailing data")

func (s *Server) journal(w http.ResponseWriter, r *http.Request) {
	entries, err := s.Store.Journal(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if entries == nil {
		entries = []*xdemat.Journal{}
	}
	writeJSON(w, http.StatusOK, entries)
}

func (s *Server) evenements(w http.ResponseWriter, r *http.Request) {
	var after int64
	if v := r.URL.Query().Get("apres"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le paramètre « apres » doit être un nombre entier positif : mettez à jour l'application xdemat."))
			return
		}
		after = n
	}
	evs, err := s.Store.Events(r.Context(), after, LimiteEvenements)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []*xdemat.Evenement{}
	}
	writeJSON(w, http.StatusOK, evs)
}

// flux streams the bus as Server-Sent Events until the client leaves or the
// server stops, with a comment line every Heartbeat to keep it alive.
func (s *Server) flux(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	stopping := s.stopping
	s.mu.Unlock()
	rc := http.NewResponseController(w)
	events, unsubscribe := s.Bus.Subscribe()
	defer unsubscribe()

	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	send := func(text string) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(w, text); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// A first comment lets the client know the subscription is in place.
	if !send(": xdemat\n\n") {
		return
	}
	every := s.Heartbeat
	if every <= 0 {
		every = 15 * time.Second
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-stopping:
			return
		case <-ticker.C:
			if !send(": ping\n\n") {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			data, err := json.Marshal(ev.Data)
			if err != nil {
				s.logger().Error("localapi: bus event not encodable", "type", ev.Type, "err", err)
				continue
			}
			// JSON holds no raw newline; the type must not either.
			typ := strings.NewReplacer("\r", "", "\n", "").Replace(ev.Type)
			if !send("event: " + typ + "\ndata: " + string(data) + "\n\n") {
				return
			}
		}
	}
}
