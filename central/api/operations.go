package api

import (
	"net/http"

	"xdemat"
	"xdemat/central/protocol"
)

// handlePoste serves GET /v1/poste: who the authenticated poste is.
func (s *Server) handlePoste(w http.ResponseWriter, r *http.Request, _ []byte) {
	p := xdemat.PosteFromContext(r.Context())
	c, err := s.Store.FindCommune(r.Context(), p.CommuneID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, protocol.PosteResponse{Poste: *p, Commune: *c})
}

// handleOperations serves POST /v1/operations: the next operations of the
// poste, acknowledged up to the returned Seq. Replays are no-ops; a gap in
// the sequence stores nothing (409).
func (s *Server) handleOperations(w http.ResponseWriter, r *http.Request, body []byte) {
	var req protocol.OperationsRequest
	if err := decodeJSON(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Operations) > protocol.MaxOperationsParLot {
		s.writeError(w, r, xdemat.Errorf(xdemat.ETOOLARGE, "Lot de %d opérations refusé : envoyez-en au plus %d par requête (mettez l'agent xdemat à jour).", len(req.Operations), protocol.MaxOperationsParLot))
		return
	}
	for i, op := range req.Operations {
		if op == nil {
			s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "Opération n°%d vide dans le lot : rien n'a été enregistré.", i+1))
			return
		}
		if err := op.Validate(); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	p := xdemat.PosteFromContext(r.Context())
	now := s.Now()
	var ack int64
	var err error
	if len(req.Operations) == 0 {
		ack, err = s.Store.Ack(r.Context())
	} else {
		ack, err = s.Store.ApplyOperations(r.Context(), req.Operations, now)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ack > p.DernierSeq {
		s.Notifier.Notify(p.CommuneID)
	}
	// A second write transaction per request would halve the rate central
	// sustains on SQLite: record the poste only when what the console shows
	// changed, or when "seen" is due anyway.
	version := r.Header.Get(protocol.HeaderAgent)
	if enAttente := max(req.EnAttente, 0); enAttente != p.EnAttente || (version != "" && version != p.Version) || s.seen.due(p.ID, now) {
		if err := s.Store.TouchPoste(r.Context(), p.ID, now, version, enAttente); err != nil {
			s.Logger.Warn("poste vu : enregistrement impossible", "poste", p.ID, "err", err)
		} else {
			s.seen.mark(p.ID, now)
		}
	}
	writeJSON(w, http.StatusOK, protocol.OperationsResponse{Ack: ack})
}

// handleAck serves GET /v1/operations/ack: how far central has acknowledged
// the poste's operations.
func (s *Server) handleAck(w http.ResponseWriter, r *http.Request, _ []byte) {
	ack, err := s.Store.Ack(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, protocol.OperationsResponse{Ack: ack})
}
