package centralclient

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"xdemat/miseajour"
)

// DerniereVersion returns the newest release central publishes, as signed
// by the SPL; the caller verifies it (miseajour.Verifier).
func (c *Client) DerniereVersion(ctx context.Context) (*miseajour.Publication, error) {
	var p miseajour.Publication
	return &p, c.do(ctx, http.MethodGet, "/v1/versions/derniere", nil, &p)
}

// TelechargerBinaire writes the file nom of platform (os-arch) of a release
// to w, from offset on (to resume a download cut short).
func (c *Client) TelechargerBinaire(ctx context.Context, version, plateforme, nom string, offset int64, w io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/versions/"+url.PathEscape(version)+"/"+url.PathEscape(plateforme)+"/"+url.PathEscape(nom), nil)
	if err != nil {
		return err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK && !(offset > 0 && res.StatusCode == http.StatusPartialContent) {
		return decodeError(res)
	}
	if offset > 0 && res.StatusCode == http.StatusOK {
		// The server ignored the range: skip what we have.
		if _, err := io.CopyN(io.Discard, res.Body, offset); err != nil {
			return transportError(ctx, err)
		}
	}
	if _, err := io.Copy(w, res.Body); err != nil {
		return transportError(ctx, err)
	}
	return nil
}

// EtatMiseAJour reports where this poste stands with its updates.
func (c *Client) EtatMiseAJour(ctx context.Context, e *miseajour.Etat) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/v1/versions/etat", body, nil)
}
