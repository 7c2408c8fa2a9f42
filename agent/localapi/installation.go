package localapi

import (
	"context"
	"net/http"

	"xdemat"
	"xdemat/agent"
)

// What the technician's installation wizard asks of the agent: enrollment,
// and the export folders of the accounting software to watch.

// enroler enrolls the poste. No session: nobody works on a poste that is
// not enrolled yet; the local secret still restricts who may call.
func (s *Server) enroler(w http.ResponseWriter, r *http.Request) {
	if s.Enroler == nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "L'enrôlement n'est pas disponible sur ce poste : utilisez la commande xdemat-agent enroll."))
		return
	}
	var d agent.DemandeEnrolement
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &d); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := s.Enroler(r.Context(), d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, id)
}

func (s *Server) exports(w http.ResponseWriter, r *http.Request) {
	if u := s.mustSession(w, r); u == nil {
		return
	}
	c, err := s.Store.ConfigExports(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := agent.EtatExports{Config: *c}
	if s.ProposerExports != nil {
		e.Propositions = s.ProposerExports()
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) configurerExports(w http.ResponseWriter, r *http.Request) {
	u := s.mustSession(w, r)
	if u == nil {
		return
	}
	var c agent.ConfigExports
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &c); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.SaveConfigExports(r.Context(), &c, u.ID, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &c)
}

// Enroler enrolls this poste with central (the technician's wizard).
func (c *Client) Enroler(ctx context.Context, d agent.DemandeEnrolement) (*agent.Identity, error) {
	var id agent.Identity
	if err := c.call(ctx, http.MethodPost, "/v1/enrolement", d, &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// Exports returns the watched export folders and the usual ones found here.
func (c *Client) Exports(ctx context.Context) (*agent.EtatExports, error) {
	var e agent.EtatExports
	if err := c.call(ctx, http.MethodGet, "/v1/exports", nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ConfigurerExports records the export folders to watch.
func (c *Client) ConfigurerExports(ctx context.Context, cfg agent.ConfigExports) error {
	return c.call(ctx, http.MethodPut, "/v1/exports", cfg, nil)
}
