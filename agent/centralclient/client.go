// Package centralclient is the agent's side of the sync protocol: every
// request to central is signed with the poste's Ed25519 key and travels over
// TLS to a server whose certificate was pinned at enrollment.
package centralclient

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// Client talks to central on behalf of one enrolled poste.
type Client struct {
	BaseURL string // "https://central.example:8443"
	PosteID string
	Key     ed25519.PrivateKey
	Version string // agent version, reported to the console
	HTTP    *http.Client
	Now     func() time.Time
	// BlocSize is the upload chunk size; protocol.TailleBloc when zero.
	BlocSize int
}

// New returns a client for an enrolled poste, pinned to central's certificate.
func New(baseURL, posteID string, key ed25519.PrivateKey, pin string) *Client {
	return &Client{BaseURL: baseURL, PosteID: posteID, Key: key, Version: xdemat.Version, HTTP: NewHTTPClient(pin, nil), Now: time.Now}
}

// Poste asks central who this poste is (and checks that it is still enrolled).
func (c *Client) Poste(ctx context.Context) (*protocol.PosteResponse, error) {
	var resp protocol.PosteResponse
	return &resp, c.do(ctx, http.MethodGet, "/v1/poste", nil, &resp)
}

// PushOperations sends operations in Seq order and returns central's
// acknowledgement: every operation up to that Seq is held by central.
func (c *Client) PushOperations(ctx context.Context, ops []*xdemat.Operation, enAttente int64) (int64, error) {
	body, err := json.Marshal(protocol.OperationsRequest{Operations: ops, EnAttente: enAttente})
	if err != nil {
		return 0, err
	}
	var resp protocol.OperationsResponse
	if err := c.do(ctx, http.MethodPost, "/v1/operations", body, &resp); err != nil {
		return 0, err
	}
	return resp.Ack, nil
}

// Ack returns the last Seq central holds for this poste.
func (c *Client) Ack(ctx context.Context) (int64, error) {
	var resp protocol.OperationsResponse
	if err := c.do(ctx, http.MethodGet, "/v1/operations/ack", nil, &resp); err != nil {
		return 0, err
	}
	return resp.Ack, nil
}

// Events pulls the commune's events after cursor, waiting up to wait for one.
func (c *Client) Events(ctx context.Context, after int64, wait time.Duration) (*protocol.EvenementsResponse, error) {
	var resp protocol.EvenementsResponse
	q := url.Values{"apres": {strconv.FormatInt(after, 10)}, "attente": {strconv.Itoa(int(wait / time.Second))}}
	return &resp, c.do(ctx, http.MethodGet, "/v1/evenements?"+q.Encode(), nil, &resp)
}

// Download writes the document of hash, as central holds it, to w.
func (c *Client) Download(ctx context.Context, hash string, w io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/documents/"+hash, nil)
	if err != nil {
		return err
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return decodeError(res)
	}
	_, err = io.Copy(w, res.Body)
	return err
}

func (c *Client) newRequest(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	return c.newSignedRequest(ctx, method, path, body, protocol.HashBody(body))
}

func (c *Client) newSignedRequest(ctx context.Context, method, path string, body []byte, bodyHash string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(protocol.HeaderAgent, c.Version)
	protocol.Signer(req, c.Key, c.PosteID, bodyHash, c.now())
	return req, nil
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	return c.send(ctx, req, out)
}

func (c *Client) send(ctx context.Context, req *http.Request, out any) error {
	res, err := c.HTTP.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return decodeError(res)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return &Error{Transient: true, Err: xdemat.Errorf(xdemat.EUNAVAILABLE, "Réponse incomplète du serveur de la SPL : l'envoi sera repris.")}
	}
	return nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Error is an error of an exchange with central. Transient errors (no
// network, central down or overloaded) are retried with backoff; permanent
// ones (refused, revoked, invalid) are reported to the user.
type Error struct {
	Status    int // HTTP status, 0 when central was not reached
	Transient bool
	Err       error // *xdemat.Error with the French message
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying later.
func IsTransient(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Transient
	}
	return !errors.Is(err, context.Canceled)
}

// IsOffline reports whether err means central could not be reached at all.
func IsOffline(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 0 && e.Transient
}

func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var pin *PinError
	if errors.As(err, &pin) {
		return &Error{Err: xdemat.Errorf(xdemat.EFORBIDDEN, "Le serveur joint n'est pas celui de la SPL (certificat inattendu) : rien n'a été envoyé. Contactez la SPL.")}
	}
	msg := "Le serveur de la SPL est injoignable : les envois attendent sur ce poste et partiront dès le retour de la connexion."
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		msg = "La connexion au serveur de la SPL est trop lente : les envois attendent sur ce poste et seront repris."
	}
	return &Error{Transient: true, Err: &xdemat.Error{Code: xdemat.EUNAVAILABLE, Message: msg}}
}

func decodeError(res *http.Response) error {
	var body protocol.ErrorResponse
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if json.Unmarshal(data, &body) != nil || body.Message == "" {
		body = protocol.ErrorResponse{Code: xdemat.EUNAVAILABLE, Message: fmt.Sprintf("Le serveur de la SPL a répondu par une erreur (%s) : l'envoi sera repris.", res.Status)}
	}
	transient := res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout
	return &Error{Status: res.StatusCode, Transient: transient, Err: &xdemat.Error{Code: body.Code, Message: body.Message}}
}
