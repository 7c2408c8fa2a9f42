package localapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"xdemat"
)

// tailleMaxRegistre bounds the PDF the client reads: a year of 1,000
// délibérations makes about 400 Kio.
const tailleMaxRegistre = 64 << 20

// Registre returns the PDF of the register of the nature (DE: délibérations;
// AR or AI: arrêtés) for the year (0: this year), in the order asked
// ("chronologique", "matiere"; "": chronologique). ENOTFOUND, in French,
// when the year has no acte of the register.
func (c *Client) Registre(ctx context.Context, nature xdemat.NatureActe, annee int, ordre string) ([]byte, error) {
	q := url.Values{"nature": {nature.Abrege()}}
	if nature.Abrege() == "" {
		q.Set("nature", strconv.Itoa(int(nature)))
	}
	if annee != 0 {
		q.Set("annee", strconv.Itoa(annee))
	}
	if ordre != "" {
		q.Set("ordre", ordre)
	}
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/actes/registre?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/pdf")
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, tailleMaxRegistre+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err)
	}
	if len(b) > tailleMaxRegistre {
		return nil, xdemat.Errorf(xdemat.ETOOLARGE, "Le registre dépasse %s : il n'a pas pu être lu ; contactez la SPL.", xdemat.Octets(tailleMaxRegistre))
	}
	return b, nil
}
