package localapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"xdemat"
	"xdemat/agent"
)

// Sauvegardes is the backup service the API serves (agent/sauvegarde).
type Sauvegardes interface {
	Etat(ctx context.Context) (*agent.EtatSauvegarde, error)
	Configurer(ctx context.Context, c agent.ConfigSauvegarde, auteur string) error
	Lancer() error
	Annuler()
	Historique(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error)
	Instantanes(ctx context.Context) ([]agent.Instantane, error)
	Contenu(ctx context.Context, instantane, chemin string) ([]agent.EntreeInstantane, error)
	Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error)
}

func (s *Server) routesSauvegarde(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/sauvegarde", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		e, err := sv.Etat(r.Context())
		s.repondre(w, r, e, err)
	}))
	mux.HandleFunc("PUT /v1/sauvegarde/reglages", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, u *xdemat.Utilisateur) {
		var c agent.ConfigSauvegarde
		if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &c); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := sv.Configurer(r.Context(), c, u.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("POST /v1/sauvegarde/lancer", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		if err := sv.Lancer(); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	mux.HandleFunc("POST /v1/sauvegarde/annuler", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		sv.Annuler()
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /v1/sauvegarde/historique", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		n, _ := strconv.Atoi(r.URL.Query().Get("limite"))
		h, err := sv.Historique(r.Context(), n)
		s.repondre(w, r, h, err)
	}))
	mux.HandleFunc("GET /v1/sauvegarde/instantanes", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		l, err := sv.Instantanes(r.Context())
		s.repondre(w, r, l, err)
	}))
	mux.HandleFunc("GET /v1/sauvegarde/instantanes/{id}", s.avecSauvegarde(func(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
		l, err := sv.Contenu(r.Context(), r.PathValue("id"), r.URL.Query().Get("chemin"))
		s.repondre(w, r, l, err)
	}))
	mux.HandleFunc("POST /v1/sauvegarde/restaurer", s.avecSauvegarde(s.restaurer))
}

// avecSauvegarde wraps a backup route: a session is needed (every change is
// journaled under its user) and the service must be there.
func (s *Server) avecSauvegarde(h func(http.ResponseWriter, *http.Request, Sauvegardes, *xdemat.Utilisateur)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := s.mustSession(w, r)
		if u == nil {
			return
		}
		if s.Sauvegardes == nil {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "La sauvegarde n'est pas disponible dans ce service xdemat : mettez-le à jour."))
			return
		}
		h(w, r, s.Sauvegardes, u)
	}
}

func (s *Server) repondre(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// resultatRestauration is the body of POST /v1/sauvegarde/restaurer. A
// restore may last longer than the client waits for headers: the answer
// starts at once and its body carries the outcome.
type resultatRestauration struct {
	Resultat *agent.ResultatRestauration `json:"resultat,omitempty"`
	Erreur   *errorBody                  `json:"erreur,omitempty"`
}

func (s *Server) restaurer(w http.ResponseWriter, r *http.Request, sv Sauvegardes, _ *xdemat.Utilisateur) {
	var d agent.DemandeRestauration
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &d); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	res, err := sv.Restaurer(r.Context(), d)
	out := resultatRestauration{Resultat: res}
	if err != nil {
		out = resultatRestauration{Erreur: &errorBody{Code: xdemat.ErrorCode(err), Message: xdemat.ErrorMessage(err)}}
		if xdemat.ErrorCode(err) == xdemat.EINTERNAL {
			s.logger().Error("localapi: restauration", "err", err)
		}
	}
	json.NewEncoder(w).Encode(out)
}
