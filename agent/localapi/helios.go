package localapi

import (
	"context"
	"net/http"

	"xdemat"
)

// The Hélios routes: the PES imported from the accounting software and where
// each stands (à signer, signé, transmis, acquitté, refusé with the reasons),
// and per bordereau the mandats and titres the Trésorerie reported on
// (PES_Retour: pris en charge, payé, rejeté with the reason).
func (s *Server) routesHelios(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/helios", s.transmissionsPES)
}

func (s *Server) transmissionsPES(w http.ResponseWriter, r *http.Request) {
	if s.Helios == nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le suivi des envois à la trésorerie n'est pas disponible sur ce poste : mettez à jour le service xdemat."))
		return
	}
	if u := s.mustSession(w, r); u == nil {
		return
	}
	ts, err := s.Helios.TransmissionsPES(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ts)
}

// TransmissionsPES returns the PES imported on this poste (or relayed from
// another) with their statuses, newest first.
func (c *Client) TransmissionsPES(ctx context.Context) ([]*xdemat.TransmissionPES, error) {
	var out []*xdemat.TransmissionPES
	if err := c.call(ctx, http.MethodGet, "/v1/helios", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
