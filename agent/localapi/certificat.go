package localapi

import (
	"context"
	"net/http"

	"xdemat"
)

// Certificats keeps the signature certificates the app saw on tokens
// (agent.Certificats).
type Certificats interface {
	Enregistrer(ctx context.Context, c *xdemat.CertificatSignature) error
}

// CertificatRequest is the body of POST /v1/certificats: the certificate
// read on the token, and what the token package says of its policies.
type CertificatRequest struct {
	DER      []byte `json:"der"`
	RGS      bool   `json:"rgs"`
	Qualifie bool   `json:"qualifie"`
}

// enregistrerCertificat keeps a certificate of the session user's token;
// the expiry warnings it is due are raised at once.
func (s *Server) enregistrerCertificat(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	if s.Certificats == nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le suivi des certificats n'est pas disponible sur ce poste."))
		return
	}
	var req CertificatRequest
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody*2), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := xdemat.LireCertificatSignature(req.DER, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c.RGS, c.Qualifie = req.RGS, req.Qualifie
	if err := s.Certificats.Enregistrer(r.Context(), c); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// certificats lists the certificates kept for the session user.
func (s *Server) certificats(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	all, err := s.Store.Certificats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []*xdemat.CertificatSignature{}
	for _, c := range all {
		if c.UtilisateurID == u.ID {
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// EnregistrerCertificat tells the agent about a certificate seen on the
// session user's token (DER), and returns what it keeps.
func (c *Client) EnregistrerCertificat(ctx context.Context, der []byte, rgs, qualifie bool) (*xdemat.CertificatSignature, error) {
	var out xdemat.CertificatSignature
	if err := c.call(ctx, http.MethodPost, "/v1/certificats", CertificatRequest{DER: der, RGS: rgs, Qualifie: qualifie}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Certificats lists the session user's certificates the agent keeps.
func (c *Client) Certificats(ctx context.Context) ([]*xdemat.CertificatSignature, error) {
	var out []*xdemat.CertificatSignature
	err := c.call(ctx, http.MethodGet, "/v1/certificats", nil, &out)
	return out, err
}
