package localapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"xdemat/agent"
)

// requeteRecherche is the query string of r.
func requeteRecherche(r agent.RechercheActes) string {
	q := url.Values{}
	if r.Q != "" {
		q.Set("q", r.Q)
	}
	for nom, v := range map[string]int{"nature": int(r.Nature), "annee": r.Annee, "limite": r.Limite, "decalage": r.Decalage} {
		if v != 0 {
			q.Set(nom, strconv.Itoa(v))
		}
	}
	if r.Statut != "" {
		q.Set("statut", string(r.Statut))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// RechercherActes searches the actes: what the secretary typed (any text)
// and the filters; a page of results, best first, with their extract.
func (c *Client) RechercherActes(ctx context.Context, r agent.RechercheActes) (*agent.ResultatRecherche, error) {
	var out agent.ResultatRecherche
	if err := c.call(ctx, http.MethodGet, "/v1/actes/recherche"+requeteRecherche(r), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExporterActesCSV writes to w the list of the actes r selects (all of
// them: Limite and Decalage are ignored) as a CSV file for Excel, and
// returns its size.
func (c *Client) ExporterActesCSV(ctx context.Context, r agent.RechercheActes, w io.Writer) (int64, error) {
	r.Limite, r.Decalage = 0, 0
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/actes/export.csv"+requeteRecherche(r), nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		return n, unavailable(err)
	}
	return n, nil
}
