package api

import (
	"encoding/json"
	"net/http"

	"xdemat"
	"xdemat/central/protocol"
	"xdemat/miseajour"
)

// Routes of the updates (central/versions): every poste may fetch the
// releases, which are the same for all communes; a report is recorded for
// the authenticated poste only.
const (
	RouteDerniereVersion = "GET /v1/versions/derniere"
	RouteBinaireVersion  = "GET /v1/versions/{version}/{plateforme}/{nom}"
	RouteEtatMiseAJour   = "POST /v1/versions/etat"
)

func (s *Server) routesVersions(mux *http.ServeMux) {
	if s.Versions == nil {
		return
	}
	mux.Handle(RouteDerniereVersion, s.authenticated(protocol.TailleMaxRequeteJSON, s.handleDerniereVersion))
	mux.Handle(RouteBinaireVersion, s.authenticated(protocol.TailleMaxRequeteJSON, s.handleBinaireVersion))
	mux.Handle(RouteEtatMiseAJour, s.authenticated(protocol.TailleMaxRequeteJSON, s.handleEtatMiseAJour))
}

func (s *Server) handleDerniereVersion(w http.ResponseWriter, r *http.Request, _ []byte) {
	p, err := s.Versions.Derniere()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handleBinaireVersion serves a binary with Range support, so that an agent
// on a poor line resumes a download instead of starting over.
func (s *Server) handleBinaireVersion(w http.ResponseWriter, r *http.Request, _ []byte) {
	f, err := s.Versions.Binaire(r.PathValue("version"), r.PathValue("plateforme"), r.PathValue("nom"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func (s *Server) handleEtatMiseAJour(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.EtatsMiseAJour == nil {
		w.WriteHeader(http.StatusNoContent) // nothing kept: not an error for the poste
		return
	}
	var e miseajour.Etat
	if err := json.Unmarshal(body, &e); err != nil {
		s.writeError(w, r, xdemat.Errorf(xdemat.EINVALID, "État de mise à jour illisible : mettez l'agent xdemat à jour avec la version fournie par la SPL."))
		return
	}
	now := s.Now()
	if err := s.EtatsMiseAJour.EnregistrerEtatMiseAJour(r.Context(), &e, now); err != nil {
		s.writeError(w, r, err)
		return
	}
	// The version a poste runs is otherwise written at most every
	// touchInterval: right after an update, the console must show the new one.
	if p := xdemat.PosteFromContext(r.Context()); p != nil && e.Version != "" && e.Version != p.Version {
		if err := s.Store.TouchPoste(r.Context(), p.ID, now, e.Version, -1); err != nil {
			s.Logger.Warn("version du poste non enregistrée", "poste", p.ID, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
