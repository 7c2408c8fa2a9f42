package localapi

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"xdemat"
)

// CopieTamponnee returns the main document of the acknowledged acte id with
// the préfecture's stamp, as a PDF. ECONFLICT (in French) while the acte is
// not acknowledged; EUNAVAILABLE while its document is not on this poste.
func (c *Client) CopieTamponnee(ctx context.Context, id string) ([]byte, error) {
	return c.fichierActe(ctx, id, "copie-tamponnee", "application/pdf")
}

// AccuseReception returns the AR file (ARActe XML) of the acknowledged
// acte id, as the préfecture sent it. ECONFLICT while the acte is not
// acknowledged; EUNAVAILABLE while the file is not on this poste.
func (c *Client) AccuseReception(ctx context.Context, id string) ([]byte, error) {
	return c.fichierActe(ctx, id, "ar", "application/xml")
}

func (c *Client) fichierActe(ctx context.Context, id, quoi, typ string) ([]byte, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/actes/"+url.PathEscape(id)+"/"+quoi, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", typ)
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// The stamped copy is the acte plus a few Kio: the acte's own bound.
	const max = xdemat.TailleMaxActe + 1<<20
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err)
	}
	if len(b) > max {
		return nil, xdemat.Errorf(xdemat.ETOOLARGE, "Le fichier de l'acte dépasse %s : il n'a pas pu être lu ; contactez la SPL.", xdemat.Octets(max))
	}
	return b, nil
}
