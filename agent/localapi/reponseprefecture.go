package localapi

import (
	"context"
	"net/http"
	"net/url"

	"xdemat"
	"xdemat/agent"
)

// The routes of the answers to the préfecture, of the correction of a
// refused acte and of the préfecture's classification. The documents (the
// letter, the pieces, the corrected main document) are added first with
// POST /v1/documents, as for an acte's creation.
//
//	POST /v1/actes/{id}/messages/{mid}/reponse  agent.DemandeReponse → 201 xdemat.ReponsePrefecture
//	POST /v1/actes/{id}/corriger                xdemat.CorrectionActe → 200 xdemat.Acte (sent again)
//	GET  /v1/actes/classification               → 200 xdemat.ClassificationPrefecture, 404 when none arrived

func (s *Server) routesReponsesActes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/actes/{id}/messages/{mid}/reponse", s.avecReponses(s.repondreMessage))
	mux.HandleFunc("POST /v1/actes/{id}/corriger", s.avecReponses(s.corrigerActe))
	mux.HandleFunc("GET /v1/actes/classification", s.avecReponses(s.classificationActes))
}

type reponsesHandler func(w http.ResponseWriter, r *http.Request, st agent.ReponsesActesStore, u *xdemat.Utilisateur)

// avecReponses answers 503 when the store does not hold the answers.
func (s *Server) avecReponses(h reponsesHandler) http.HandlerFunc {
	return s.avecActes(func(w http.ResponseWriter, r *http.Request, st agent.ActesStore, u *xdemat.Utilisateur) {
		rs, ok := st.(agent.ReponsesActesStore)
		if !ok {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Les réponses à la préfecture ne sont pas disponibles sur ce poste : mettez à jour le service xdemat."))
			return
		}
		h(w, r, rs, u)
	})
}

func (s *Server) repondreMessage(w http.ResponseWriter, r *http.Request, st agent.ReponsesActesStore, u *xdemat.Utilisateur) {
	var d agent.DemandeReponse
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &d); err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := st.RepondreMessage(r.Context(), r.PathValue("id"), r.PathValue("mid"), u.ID, d, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rep)
	s.changed(r.Context(), agent.EvenementActes, rep.ActeID)
}

func (s *Server) corrigerActe(w http.ResponseWriter, r *http.Request, st agent.ReponsesActesStore, u *xdemat.Utilisateur) {
	var c xdemat.CorrectionActe
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &c); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := st.CorrigerActe(r.Context(), r.PathValue("id"), u.ID, c, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
	s.changed(r.Context(), agent.EvenementActes, a.ID)
}

func (s *Server) classificationActes(w http.ResponseWriter, r *http.Request, st agent.ReponsesActesStore, _ *xdemat.Utilisateur) {
	c, err := st.ClassificationActes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// --- client ---

// RepondreMessage answers the message mid of the préfecture about the acte
// (documents added first with AjouterDocument).
func (c *Client) RepondreMessage(ctx context.Context, acteID, mid string, d agent.DemandeReponse) (*xdemat.ReponsePrefecture, error) {
	var out xdemat.ReponsePrefecture
	if err := c.call(ctx, http.MethodPost, "/v1/actes/"+url.PathEscape(acteID)+"/messages/"+url.PathEscape(mid)+"/reponse", d, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CorrigerActe corrects an acte refused by the préfecture and sends it again.
func (c *Client) CorrigerActe(ctx context.Context, id string, corr xdemat.CorrectionActe) (*xdemat.Acte, error) {
	var out xdemat.Acte
	if err := c.call(ctx, http.MethodPost, "/v1/actes/"+url.PathEscape(id)+"/corriger", corr, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ClassificationActes returns the préfecture's classification (ENOTFOUND
// while none has arrived: use the default one).
func (c *Client) ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error) {
	var out xdemat.ClassificationPrefecture
	if err := c.call(ctx, http.MethodGet, "/v1/actes/classification", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
