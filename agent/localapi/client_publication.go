package localapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"xdemat"
	"xdemat/agent"
)

// EtatPublicationActe returns the publication of an acte, or the author to propose.
func (c *Client) EtatPublicationActe(ctx context.Context, acteID string) (*agent.EtatPublicationActe, error) {
	var e agent.EtatPublicationActe
	if err := c.call(ctx, http.MethodGet, "/v1/actes/"+url.PathEscape(acteID)+"/publication", nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// PublierActe asks to put the acte online on the commune's public pages.
func (c *Client) PublierActe(ctx context.Context, acteID string, auteur xdemat.AuteurActe) (*xdemat.PublicationActe, error) {
	var p xdemat.PublicationActe
	if err := c.call(ctx, http.MethodPost, "/v1/actes/"+url.PathEscape(acteID)+"/publication", DemandePublicationActe{Auteur: auteur}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// DepublierActe asks to take the acte offline (not before two months online).
func (c *Client) DepublierActe(ctx context.Context, acteID string) (*xdemat.PublicationActe, error) {
	var p xdemat.PublicationActe
	if err := c.call(ctx, http.MethodDelete, "/v1/actes/"+url.PathEscape(acteID)+"/publication", nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// PublierPV sends the procès-verbal of the séance of that date (a PDF read
// from r) and asks for its publication.
func (c *Client) PublierPV(ctx context.Context, seance time.Time, nom string, r io.Reader) (*xdemat.ProcesVerbal, error) {
	lr := &limitedReader{r: r, left: xdemat.TailleMaxDocument}
	req, err := c.newRequest(ctx, http.MethodPost, "/v1/seances/"+xdemat.JourSeance(seance)+"/pv", io.NopCloser(lr))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/pdf")
	req.Header.Set(HeaderNom, url.QueryEscape(nom))
	resp, err := c.send(ctx, req)
	if lr.exceeded.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, tooLarge(nom, xdemat.TailleMaxDocument)
	}
	if err != nil {
		return nil, err
	}
	var pv xdemat.ProcesVerbal
	if err := decodeBody(resp, &pv); err != nil {
		return nil, err
	}
	return &pv, nil
}

// ProcesVerbaux returns the procès-verbaux published, newest séance first.
func (c *Client) ProcesVerbaux(ctx context.Context) ([]*xdemat.ProcesVerbal, error) {
	var out []*xdemat.ProcesVerbal
	if err := c.call(ctx, http.MethodGet, "/v1/seances/pv", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Publicite returns the mode de publicité of the commune.
func (c *Client) Publicite(ctx context.Context) (*agent.EtatPublicite, error) {
	var e agent.EtatPublicite
	if err := c.call(ctx, http.MethodGet, "/v1/publicite", nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ChoisirPublicite records the mode de publicité the council chose.
func (c *Client) ChoisirPublicite(ctx context.Context, p xdemat.Publicite) (*agent.EtatPublicite, error) {
	var e agent.EtatPublicite
	if err := c.call(ctx, http.MethodPut, "/v1/publicite", p, &e); err != nil {
		return nil, err
	}
	return &e, nil
}
