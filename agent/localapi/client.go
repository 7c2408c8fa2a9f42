package localapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/signature"
)

// MessageIndisponible is the error of every call when the agent does not answer.
const MessageIndisponible = "Le service xdemat ne répond pas : redémarrez le PC ou contactez la SPL."

// Client calls the local API of the agent; the desktop app holds one. Errors
// are *xdemat.Error values (errors.As) carrying the agent's French message.
// It is safe for concurrent use.
type Client struct {
	secret string
	hc     *http.Client

	mu    sync.Mutex
	jeton string // session token, sent with every request once opened
}

// base is the URL prefix of every request; the host is not resolved, the
// transport always dials the agent's socket or loopback port.
const base = "http://xdemat-agent"

// Dial returns a client of the agent whose data directory is dataDir. It
// reads the secret but does not connect: the first call does.
func Dial(dataDir string) (*Client, error) {
	secret, err := readSecret(dataDir)
	if err != nil {
		return nil, secretError(err)
	}
	tr := &http.Transport{
		Proxy:                 nil, // never through a proxy, whatever the environment says
		DialContext:           dialer(dataDir),
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: 2 * time.Second,
		DisableCompression:    true,
	}
	return &Client{secret: secret, hc: &http.Client{Transport: tr}}, nil
}

// Close releases the idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// causeError is a domain error that keeps its technical cause for the logs.
type causeError struct {
	err   *xdemat.Error
	cause error
}

func (e *causeError) Error() string   { return e.err.Error() + ": " + e.cause.Error() }
func (e *causeError) Unwrap() []error { return []error{e.err, e.cause} }

// unavailable is the error of a call that did not reach the agent.
func unavailable(cause error) error {
	return &causeError{err: xdemat.Errorf(xdemat.EUNAVAILABLE, MessageIndisponible), cause: cause}
}

// newRequest builds an authenticated request.
func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	req.Header.Set("Accept", "application/json")
	c.mu.Lock()
	if c.jeton != "" {
		req.Header.Set(HeaderSession, c.jeton)
	}
	c.mu.Unlock()
	return req, nil
}

// send runs req and returns the response of a successful call; any other
// outcome becomes a French error.
func (c *Client) send(ctx context.Context, req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// call sends a request with an optional JSON body and decodes the JSON answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("localapi: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	return decodeBody(resp, out)
}

func decodeBody(resp *http.Response, out any) error {
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &causeError{
			err:   xdemat.Errorf(xdemat.EINTERNAL, "Réponse illisible du service xdemat : mettez à jour l'application xdemat ; si cela persiste, contactez la SPL."),
			cause: err,
		}
	}
	return nil
}

// decodeError returns the agent's error of a failed call.
func decodeError(resp *http.Response) error {
	var e errorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &e) == nil && e.Code != "" && e.Message != "" {
		return &xdemat.Error{Code: e.Code, Message: e.Message}
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Accès refusé par le service xdemat : fermez puis relancez l'application ; si cela persiste, contactez la SPL.")
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return xdemat.Errorf(xdemat.EUNAVAILABLE, MessageIndisponible)
	}
	return xdemat.Errorf(xdemat.EINTERNAL, "Le service xdemat a répondu de façon inattendue (HTTP %d) : mettez à jour l'application xdemat ; si cela persiste, contactez la SPL.", resp.StatusCode)
}

// Etat returns the sync state shown in the status bar.
func (c *Client) Etat(ctx context.Context) (*agent.SyncState, error) {
	var st agent.SyncState
	if err := c.call(ctx, http.MethodGet, "/v1/etat", nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Identite returns the identity of this poste; ENOTFOUND before enrollment.
func (c *Client) Identite(ctx context.Context) (*agent.Identity, error) {
	var id agent.Identity
	if err := c.call(ctx, http.MethodGet, "/v1/identite", nil, &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// AjouterDocument sends the bytes of r to the agent, which keeps them and
// records the document. mediaType may be empty (guessed from the name). r is
// not closed. When its size is known (a file, a bytes.Reader…), a document
// too large is refused before any byte is sent.
func (c *Client) AjouterDocument(ctx context.Context, name, mediaType string, r io.Reader) (*xdemat.Document, error) {
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case *os.File:
		if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
			if off, err := v.Seek(0, io.SeekCurrent); err == nil {
				size = st.Size() - off
			}
		}
	}
	if size > xdemat.TailleMaxDocument {
		return nil, tooLarge(name, xdemat.TailleMaxDocument)
	}
	// The transport must not close the caller's reader; a reader of unknown
	// size is cut at the largest document the agent accepts.
	lr := &limitedReader{r: r, left: xdemat.TailleMaxDocument}
	var body io.Reader = io.NopCloser(lr)
	if size == 0 {
		body = http.NoBody
	}
	req, err := c.newRequest(ctx, http.MethodPost, "/v1/documents", body)
	if err != nil {
		return nil, err
	}
	if size > 0 {
		req.ContentLength = size
	}
	if mediaType == "" {
		mediaType = xdemat.TypeMediaDe(name)
	}
	req.Header.Set("Content-Type", mediaType)
	req.Header.Set(HeaderNom, url.QueryEscape(name))
	req.Header.Set("Expect", "100-continue")
	resp, err := c.send(ctx, req)
	if lr.exceeded.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, tooLarge(name, xdemat.TailleMaxDocument)
	}
	if err != nil {
		return nil, err
	}
	var d xdemat.Document
	if err := decodeBody(resp, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// limitedReader reads at most left bytes from r, then fails and remembers it.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded atomic.Bool
}

var errDocumentTooLarge = errors.New("localapi: document larger than xdemat.TailleMaxDocument")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Is there more? One byte tells.
		var one [1]byte
		n, err := io.ReadFull(l.r, one[:])
		if n > 0 {
			l.exceeded.Store(true)
			return 0, errDocumentTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// CreerOperation commits a user action on the agent and returns it with its
// Seq and ID. payload is marshalled to JSON unless it already is JSON
// (json.RawMessage or []byte); nil means no payload.
func (c *Client) CreerOperation(ctx context.Context, typ, auteur string, payload any, documents []string) (*xdemat.Operation, error) {
	req := OperationRequest{Type: typ, Auteur: auteur, Documents: documents}
	switch p := payload.(type) {
	case nil:
	case json.RawMessage:
		req.Payload = p
	case []byte:
		req.Payload = p
	default:
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le contenu de l'opération ne peut pas être enregistré : %v.", err)
		}
		req.Payload = b
	}
	if len(req.Payload) > 0 && !json.Valid(req.Payload) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le contenu de l'opération n'est pas du JSON valide.")
	}
	var op xdemat.Operation
	if err := c.call(ctx, http.MethodPost, "/v1/operations", req, &op); err != nil {
		return nil, err
	}
	return &op, nil
}

// Journal returns the chained journal of this poste.
func (c *Client) Journal(ctx context.Context) ([]*xdemat.Journal, error) {
	var entries []*xdemat.Journal
	if err := c.call(ctx, http.MethodGet, "/v1/journal", nil, &entries); err != nil {
		return nil, err
	}
	return entries, nil
}

// Evenements returns the events received from central with Curseur > after,
// at most LimiteEvenements of them: ask again after the last one for more.
func (c *Client) Evenements(ctx context.Context, after int64) ([]*xdemat.Evenement, error) {
	var evs []*xdemat.Evenement
	if err := c.call(ctx, http.MethodGet, "/v1/evenements?apres="+strconv.FormatInt(after, 10), nil, &evs); err != nil {
		return nil, err
	}
	return evs, nil
}

// Flux subscribes to the agent's local events. Data of each event is its
// JSON (json.RawMessage), to decode according to Type. The channel is closed
// when ctx ends or the agent stops; subscribe again then.
func (c *Client) Flux(ctx context.Context) (<-chan agent.BusEvent, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/flux", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	ch := make(chan agent.BusEvent, 64)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		readSSE(ctx, resp.Body, ch)
	}()
	return ch, nil
}

// readSSE parses a Server-Sent Events stream into ch until it ends.
func readSSE(ctx context.Context, r io.Reader, ch chan<- agent.BusEvent) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20) // an operation carries up to 256 Ko of payload
	var typ string
	var data []string
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			if len(data) > 0 {
				ev := agent.BusEvent{Type: typ, Data: json.RawMessage(strings.Join(data, "\n"))}
				if ev.Type == "" {
					ev.Type = "message"
				}
				select {
				case ch <- ev:
				case <-ctx.Done():
					return
				}
			}
			typ, data = "", nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // comment: heartbeat
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			typ = value
		case "data":
			data = append(data, value)
		}
	}
}

// IsUnavailable reports whether err means that the agent did not answer.
func IsUnavailable(err error) bool {
	var e *xdemat.Error
	return errors.As(err, &e) && e.Code == xdemat.EUNAVAILABLE
}

// Utilisateurs returns the commune's users, active ones first, each by name.
func (c *Client) Utilisateurs(ctx context.Context) ([]agent.Profil, error) {
	var ps []agent.Profil
	if err := c.call(ctx, http.MethodGet, "/v1/utilisateurs", nil, &ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// EnregistrerUtilisateur creates (empty ID) or updates a user. motDePasse
// sets a new password; "" keeps the current one (u.MotDePasse is ignored).
// Without an open session it works only for the commune's first user.
func (c *Client) EnregistrerUtilisateur(ctx context.Context, u xdemat.Utilisateur, motDePasse string) (*agent.Profil, error) {
	u.MotDePasse = ""
	var p agent.Profil
	if err := c.call(ctx, http.MethodPost, "/v1/utilisateurs", UtilisateurRequest{Utilisateur: u, MotDePasse: motDePasse}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RetirerMotDePasse makes the profile of u open without a password.
func (c *Client) RetirerMotDePasse(ctx context.Context, u xdemat.Utilisateur) (*agent.Profil, error) {
	u.MotDePasse = ""
	var p agent.Profil
	if err := c.call(ctx, http.MethodPost, "/v1/utilisateurs", UtilisateurRequest{Utilisateur: u, RetirerMotDePasse: true}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// OuvrirSession opens a session for the user (a wrong password is
// EUNAUTHORIZED) and sends its token with every later call.
func (c *Client) OuvrirSession(ctx context.Context, utilisateurID, motDePasse string) (*agent.Profil, error) {
	var resp SessionResponse
	if err := c.call(ctx, http.MethodPost, "/v1/sessions", SessionRequest{UtilisateurID: utilisateurID, MotDePasse: motDePasse}, &resp); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.jeton = resp.Jeton
	c.mu.Unlock()
	return &resp.Profil, nil
}

// FermerSession ends the session; the client forgets it even when the agent
// cannot be told.
func (c *Client) FermerSession(ctx context.Context) error {
	err := c.call(ctx, http.MethodDelete, "/v1/sessions", nil, nil)
	c.mu.Lock()
	c.jeton = ""
	c.mu.Unlock()
	return err
}

// Notifications returns the session user's notifications that f selects
// (f.Pour is the session's user), by urgency.
func (c *Client) Notifications(ctx context.Context, f agent.FiltreNotifications) ([]*xdemat.Notification, error) {
	q := url.Values{}
	if f.Service != "" {
		q.Set("service", f.Service)
	}
	if f.AvecFaites {
		q.Set("faites", "1")
	}
	if f.Limite > 0 {
		q.Set("limite", strconv.Itoa(f.Limite))
	}
	path := "/v1/notifications"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var ns []*xdemat.Notification
	if err := c.call(ctx, http.MethodGet, path, nil, &ns); err != nil {
		return nil, err
	}
	return ns, nil
}

// LeverNotification raises n on this poste (ID and CreeLe set by the agent
// when empty) and returns it as recorded.
func (c *Client) LeverNotification(ctx context.Context, n xdemat.Notification) (*xdemat.Notification, error) {
	var out xdemat.Notification
	if err := c.call(ctx, http.MethodPost, "/v1/notifications", n, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MarquerLue and MarquerFaite mark a notification by the session's user.
func (c *Client) MarquerLue(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/notifications/"+url.PathEscape(id)+"/lue", nil, nil)
}

func (c *Client) MarquerFaite(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/notifications/"+url.PathEscape(id)+"/faite", nil, nil)
}

// Preferences returns the session user's preferences.
func (c *Client) Preferences(ctx context.Context) (*xdemat.Preferences, error) {
	var p xdemat.Preferences
	if err := c.call(ctx, http.MethodGet, "/v1/preferences", nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// EnregistrerPreferences records the session user's preferences; p gets the
// recorded version (UtilisateurID, ModifieLe).
func (c *Client) EnregistrerPreferences(ctx context.Context, p *xdemat.Preferences) error {
	var out xdemat.Preferences
	if err := c.call(ctx, http.MethodPut, "/v1/preferences", p, &out); err != nil {
		return err
	}
	*p = out
	return nil
}

// Diagnostic returns what the "À propos / diagnostic" page shows.
func (c *Client) Diagnostic(ctx context.Context) (*agent.Diagnostic, error) {
	var d agent.Diagnostic
	if err := c.call(ctx, http.MethodGet, "/v1/diagnostic", nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// JournalTechnique returns the agent's last log records, as text.
func (c *Client) JournalTechnique(ctx context.Context) ([]byte, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/diagnostic/journal-technique", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, unavailable(err)
	}
	return b, nil
}

// EtatSauvegarde returns what the "Sauvegarde" page shows.
func (c *Client) EtatSauvegarde(ctx context.Context) (*agent.EtatSauvegarde, error) {
	var e agent.EtatSauvegarde
	if err := c.call(ctx, http.MethodGet, "/v1/sauvegarde", nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ConfigurerSauvegarde records the backup settings (journaled under the session user).
func (c *Client) ConfigurerSauvegarde(ctx context.Context, cfg agent.ConfigSauvegarde) error {
	return c.call(ctx, http.MethodPut, "/v1/sauvegarde/reglages", cfg, nil)
}

// LancerSauvegarde starts a backup now; its progress comes on the Flux
// ("sauvegarde", then "sauvegarde.terminee").
func (c *Client) LancerSauvegarde(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/sauvegarde/lancer", nil, nil)
}

// AnnulerSauvegarde stops the backup in progress.
func (c *Client) AnnulerSauvegarde(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/sauvegarde/annuler", nil, nil)
}

// HistoriqueSauvegardes returns the last runs, newest first.
func (c *Client) HistoriqueSauvegardes(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error) {
	var h []*xdemat.Sauvegarde
	err := c.call(ctx, http.MethodGet, "/v1/sauvegarde/historique?limite="+strconv.Itoa(limite), nil, &h)
	return h, err
}

// Instantanes lists the commune's backups, newest first.
func (c *Client) Instantanes(ctx context.Context) ([]agent.Instantane, error) {
	var l []agent.Instantane
	err := c.call(ctx, http.MethodGet, "/v1/sauvegarde/instantanes", nil, &l)
	return l, err
}

// ContenuInstantane lists a folder of a backup ("" for its top).
func (c *Client) ContenuInstantane(ctx context.Context, instantane, chemin string) ([]agent.EntreeInstantane, error) {
	var l []agent.EntreeInstantane
	err := c.call(ctx, http.MethodGet, "/v1/sauvegarde/instantanes/"+url.PathEscape(instantane)+"?chemin="+url.QueryEscape(chemin), nil, &l)
	return l, err
}

// Restaurer restores files of a backup; cancelling ctx stops it.
func (c *Client) Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error) {
	var out resultatRestauration
	if err := c.call(ctx, http.MethodPost, "/v1/sauvegarde/restaurer", d, &out); err != nil {
		return nil, err
	}
	if out.Erreur != nil {
		return nil, &xdemat.Error{Code: out.Erreur.Code, Message: out.Erreur.Message}
	}
	if out.Resultat == nil {
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "La restauration s'est interrompue sans réponse du service xdemat : réessayez.")
	}
	return out.Resultat, nil
}

// --- parapheur ---

// ATraiter returns the dossiers waiting for the session's user, directly or
// by delegation.
func (c *Client) ATraiter(ctx context.Context) ([]agent.DossierATraiter, error) {
	var out []agent.DossierATraiter
	return out, c.call(ctx, http.MethodGet, "/v1/parapheur/a-traiter", nil, &out)
}

// ModeleCircuit returns the usual circuit of a document type.
func (c *Client) ModeleCircuit(ctx context.Context, t xdemat.TypeDossier) ([]xdemat.Etape, error) {
	var out []xdemat.Etape
	return out, c.call(ctx, http.MethodGet, "/v1/parapheur/modeles/"+url.PathEscape(string(t)), nil, &out)
}

// DossiersParapheur returns the dossiers f selects, newest change first.
func (c *Client) DossiersParapheur(ctx context.Context, f agent.FiltreDossiers) ([]*xdemat.DossierParapheur, error) {
	q := url.Values{}
	if f.Etat != "" {
		q.Set("etat", string(f.Etat))
	}
	if f.DeposePar != "" {
		q.Set("deposePar", f.DeposePar)
	}
	if f.Limite > 0 {
		q.Set("limite", strconv.Itoa(f.Limite))
	}
	path := "/v1/parapheur/dossiers"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []*xdemat.DossierParapheur
	return out, c.call(ctx, http.MethodGet, path, nil, &out)
}

// DossierParapheur returns one dossier with its circuit and history.
func (c *Client) DossierParapheur(ctx context.Context, id string) (*xdemat.DossierParapheur, error) {
	var d xdemat.DossierParapheur
	if err := c.call(ctx, http.MethodGet, "/v1/parapheur/dossiers/"+url.PathEscape(id), nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// DeposerDossier deposits documents already added (AjouterDocument) with a
// circuit (empty: the type's template); the session's user deposits.
func (c *Client) DeposerDossier(ctx context.Context, req agent.DemandeDepot) (*xdemat.DossierParapheur, error) {
	var d xdemat.DossierParapheur
	if err := c.call(ctx, http.MethodPost, "/v1/parapheur/dossiers", req, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) agirParapheur(ctx context.Context, id, verbe string, req agent.DemandeAction) (*xdemat.DossierParapheur, error) {
	var d xdemat.DossierParapheur
	if err := c.call(ctx, http.MethodPost, "/v1/parapheur/dossiers/"+url.PathEscape(id)+"/"+verbe, req, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Viser gives the visa of step etape (rank from 1, as shown).
func (c *Client) Viser(ctx context.Context, id string, etape int) (*xdemat.DossierParapheur, error) {
	return c.agirParapheur(ctx, id, "viser", agent.DemandeAction{Etape: etape})
}

// Refuser refuses step etape with a reason (required).
func (c *Client) Refuser(ctx context.Context, id string, etape int, motif string) (*xdemat.DossierParapheur, error) {
	return c.agirParapheur(ctx, id, "refuser", agent.DemandeAction{Etape: etape, Motif: motif})
}

// Retirer withdraws a dossier its depositor deposited, while not signed.
func (c *Client) Retirer(ctx context.Context, id, motif string) (*xdemat.DossierParapheur, error) {
	return c.agirParapheur(ctx, id, "retirer", agent.DemandeAction{Motif: motif})
}

// Annoter adds a note to the dossier's history.
func (c *Client) Annoter(ctx context.Context, id, texte string) (*xdemat.DossierParapheur, error) {
	return c.agirParapheur(ctx, id, "annoter", agent.DemandeAction{Texte: texte})
}

// Delegations returns the commune's delegations, withdrawn ones included.
func (c *Client) Delegations(ctx context.Context) ([]*xdemat.Delegation, error) {
	var out []*xdemat.Delegation
	return out, c.call(ctx, http.MethodGet, "/v1/parapheur/delegations", nil, &out)
}

// EnregistrerDelegation creates (ID empty) or changes a delegation.
func (c *Client) EnregistrerDelegation(ctx context.Context, d xdemat.Delegation) (*xdemat.Delegation, error) {
	var out xdemat.Delegation
	if err := c.call(ctx, http.MethodPost, "/v1/parapheur/delegations", d, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RetirerDelegation ends a delegation now.
func (c *Client) RetirerDelegation(ctx context.Context, id string) (*xdemat.Delegation, error) {
	var out xdemat.Delegation
	if err := c.call(ctx, http.MethodDelete, "/v1/parapheur/delegations/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PreparerSignatures prepares the signature of a batch of dossiers with the
// token's certificate (DER): the empreintes to have the token sign.
func (c *Client) PreparerSignatures(ctx context.Context, dossiers []string, certificat []byte) (*agent.ReponsePreparation, error) {
	var out agent.ReponsePreparation
	if err := c.call(ctx, http.MethodPost, "/v1/parapheur/signatures/preparer", agent.DemandePreparation{Dossiers: dossiers, Certificat: certificat}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FinaliserSignatures sends the token's values; the agent assembles the
// signed documents and advances the circuits.
func (c *Client) FinaliserSignatures(ctx context.Context, signatures []agent.ValeursSignature) (*agent.ReponseFinalisation, error) {
	var out agent.ReponseFinalisation
	if err := c.call(ctx, http.MethodPost, "/v1/parapheur/signatures/finaliser", agent.DemandeFinalisation{Signatures: signatures}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SignerLot signs a batch of dossiers with a key of the token the app has
// logged in to once (PIN typed once): prepare, sign every empreinte, and
// finalise. progress, when not nil, is called after each value. Dossiers
// refused at preparation are in the answer's Refus.
func (c *Client) SignerLot(ctx context.Context, dossiers []string, cert *x509.Certificate, cle crypto.Signer, progress func(fait, total int)) (*agent.ReponseFinalisation, error) {
	prep, err := c.PreparerSignatures(ctx, dossiers, cert.Raw)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, p := range prep.Preparations {
		total += len(p.Empreintes)
	}
	var valeurs []agent.ValeursSignature
	fait := 0
	for _, p := range prep.Preparations {
		v := agent.ValeursSignature{Preparation: p.ID}
		for _, e := range p.Empreintes {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			sig, err := signature.Signer(cle, e)
			if err != nil {
				return nil, xdemat.Errorf(xdemat.EINVALID, "La clé n'a pas signé « %s » : %v.", e.Libelle, err)
			}
			v.Valeurs = append(v.Valeurs, sig)
			fait++
			if progress != nil {
				progress(fait, total)
			}
		}
		valeurs = append(valeurs, v)
	}
	out := &agent.ReponseFinalisation{Signes: []*xdemat.DossierParapheur{}}
	if len(valeurs) > 0 {
		if out, err = c.FinaliserSignatures(ctx, valeurs); err != nil {
			return nil, err
		}
	}
	out.Refus = append(prep.Refus, out.Refus...)
	return out, nil
}

// LireDocument returns the bytes of a stored document (to show it before
// signing) and its record; the caller closes the reader.
func (c *Client) LireDocument(ctx context.Context, sha256 string) (io.ReadCloser, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/documents/"+url.PathEscape(sha256), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
