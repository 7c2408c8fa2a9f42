package localapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"xdemat"
	"xdemat/agent"
)

// The routes of Xactes. Every route needs a session: its user is the author
// of each change. Sending a batch answers acte by acte, so that one acte
// refused does not hold back the others.

func (s *Server) routesActes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/actes", s.avecActes(s.listerActes))
	mux.HandleFunc("POST /v1/actes", s.avecActes(s.creerActe))
	mux.HandleFunc("GET /v1/actes/proposition-numero", s.avecActes(s.proposerNumero))
	mux.HandleFunc("GET /v1/actes/registre", s.avecActes(s.registreActes))
	mux.HandleFunc("POST /v1/actes/envoyer", s.avecActes(s.envoyerActes))
	mux.HandleFunc("GET /v1/actes/{id}", s.avecActes(s.ficheActe))
	s.routesRechercheActes(mux) // actesrecherche.go: search, CSV export
	mux.HandleFunc("POST /v1/actes/{id}/annuler", s.avecActes(s.annulerActe))
	mux.HandleFunc("GET /v1/actes/{id}/copie-tamponnee", s.avecActes(s.copieTamponnee)) // copietamponnee.go
	mux.HandleFunc("GET /v1/actes/{id}/ar", s.avecActes(s.accuseReception))
}

type actesHandler func(w http.ResponseWriter, r *http.Request, st agent.ActesStore, u *xdemat.Utilisateur)

// avecActes answers 503 when Xactes is not served, 401 without a session.
func (s *Server) avecActes(h actesHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Actes == nil {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Les actes ne sont pas disponibles sur ce poste : mettez à jour le service xdemat."))
			return
		}
		u := s.mustSession(w, r)
		if u == nil {
			return
		}
		h(w, r, s.Actes, u)
	}
}

// entierParametre reads an optional integer query parameter.
func entierParametre(q url.Values, nom string) (int, error) {
	v := q.Get(nom)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, xdemat.Errorf(xdemat.EINVALID, "Le paramètre « %s » doit être un nombre entier positif : mettez à jour l'application xdemat.", nom)
	}
	return n, nil
}

func (s *Server) listerActes(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	q := r.URL.Query()
	if q.Get("q") != "" {
		s.listerActesTrouves(w, r, st) // actesrecherche.go
		return
	}
	f := agent.FiltreActes{Statut: xdemat.StatutActe(q.Get("statut"))}
	var err error
	var nature int
	if nature, err = entierParametre(q, "nature"); err == nil {
		if f.Annee, err = entierParametre(q, "annee"); err == nil {
			f.Limite, err = entierParametre(q, "limite")
		}
	}
	f.Nature = xdemat.NatureActe(nature)
	switch {
	case err != nil:
	case f.Nature != 0 && !f.Nature.Valid():
		err = xdemat.Errorf(xdemat.EINVALID, "Nature d'acte inconnue (%d).", nature)
	case f.Statut != "" && !f.Statut.Valid():
		err = xdemat.Errorf(xdemat.EINVALID, "Statut d'acte inconnu : « %s ».", q.Get("statut"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := st.Actes(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, as)
}

// PropositionNumero is the answer of GET /v1/actes/proposition-numero.
type PropositionNumero struct {
	Numero string `json:"numero"`
}

func (s *Server) proposerNumero(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	q := r.URL.Query()
	nature, err := entierParametre(q, "nature")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	annee, err := entierParametre(q, "annee")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if annee == 0 {
		annee = s.now().In(xdemat.Paris).Year()
	}
	n, err := st.ProposerNumeroActe(r.Context(), xdemat.NatureActe(nature), annee)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PropositionNumero{Numero: n})
}

// creerActe records the acte of the body (its status and préfecture fields
// are ignored); without a numéro, the register's next one is given.
func (s *Server) creerActe(w http.ResponseWriter, r *http.Request, st agent.ActesStore, u *xdemat.Utilisateur) {
	var a xdemat.Acte
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &a); err != nil {
		s.fail(w, r, err)
		return
	}
	if a.NumeroInterne == "" && a.Nature.Valid() && !a.DateDecision.IsZero() {
		n, err := st.ProposerNumeroActe(r.Context(), a.Nature, a.DateDecision.In(xdemat.Paris).Year())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a.NumeroInterne = n
	}
	a.ID = ""
	if err := st.CreerActe(r.Context(), &a, u.ID, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, &a)
	s.changed(r.Context(), agent.EvenementActes, a.ID)
}

func (s *Server) ficheActe(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	f, err := st.FicheActe(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) envoyerActes(w http.ResponseWriter, r *http.Request, st agent.ActesStore, u *xdemat.Utilisateur) {
	var req agent.DemandeEnvoiActes
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case len(req.Actes) == 0:
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Choisissez au moins un acte à envoyer."))
		return
	case len(req.Actes) > agent.MaxLotActes:
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Envoyez au plus %d actes à la fois.", agent.MaxLotActes))
		return
	}
	out := make([]agent.ResultatEnvoiActe, 0, len(req.Actes))
	for _, id := range req.Actes {
		res := agent.ResultatEnvoiActe{ActeID: id}
		a, dossier, err := st.EnvoyerActe(r.Context(), id, u.ID, req.ViaParapheur, req.Etapes, s.now())
		if err != nil {
			if xdemat.ErrorCode(err) == xdemat.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			res.Erreur = xdemat.ErrorMessage(err)
		} else {
			res.Acte, res.DossierID = a, dossier
		}
		out = append(out, res)
	}
	writeJSON(w, http.StatusOK, out)
	s.changed(r.Context(), agent.EvenementActes, "")
	if req.ViaParapheur {
		s.changedParapheur(r, "")
	}
}

// DemandeAnnulationActe is the body of POST /v1/actes/{id}/annuler.
type DemandeAnnulationActe struct {
	Motif string `json:"motif,omitempty"`
}

func (s *Server) annulerActe(w http.ResponseWriter, r *http.Request, st agent.ActesStore, u *xdemat.Utilisateur) {
	var req DemandeAnnulationActe
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := st.AnnulerActe(r.Context(), r.PathValue("id"), u.ID, req.Motif, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
	s.changed(r.Context(), agent.EvenementActes, a.ID)
}

// --- client ---

// Actes lists the actes f selects, newest decision first.
func (c *Client) Actes(ctx context.Context, f agent.FiltreActes) ([]*xdemat.Acte, error) {
	q := url.Values{}
	if f.Nature != 0 {
		q.Set("nature", strconv.Itoa(int(f.Nature)))
	}
	if f.Annee != 0 {
		q.Set("annee", strconv.Itoa(f.Annee))
	}
	if f.Statut != "" {
		q.Set("statut", string(f.Statut))
	}
	if f.Limite > 0 {
		q.Set("limite", strconv.Itoa(f.Limite))
	}
	path := "/v1/actes"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []*xdemat.Acte
	if err := c.call(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ProposerNumeroActe returns the next free numéro of the register of the
// nature for the year (0: this year).
func (c *Client) ProposerNumeroActe(ctx context.Context, nature xdemat.NatureActe, annee int) (string, error) {
	q := url.Values{"nature": {strconv.Itoa(int(nature))}}
	if annee != 0 {
		q.Set("annee", strconv.Itoa(annee))
	}
	var p PropositionNumero
	if err := c.call(ctx, http.MethodGet, "/v1/actes/proposition-numero?"+q.Encode(), nil, &p); err != nil {
		return "", err
	}
	return p.Numero, nil
}

// CreerActe records a new acte (documents already added with AjouterDocument)
// and returns it as stored.
func (c *Client) CreerActe(ctx context.Context, a *xdemat.Acte) (*xdemat.Acte, error) {
	var out xdemat.Acte
	if err := c.call(ctx, http.MethodPost, "/v1/actes", a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FicheActe returns an acte with its history and the préfecture's messages.
func (c *Client) FicheActe(ctx context.Context, id string) (*agent.FicheActe, error) {
	var f agent.FicheActe
	if err := c.call(ctx, http.MethodGet, "/v1/actes/"+url.PathEscape(id), nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// EnvoyerActes sends a batch of actes; each result says what became of one.
func (c *Client) EnvoyerActes(ctx context.Context, req agent.DemandeEnvoiActes) ([]agent.ResultatEnvoiActe, error) {
	var out []agent.ResultatEnvoiActe
	if err := c.call(ctx, http.MethodPost, "/v1/actes/envoyer", req, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AnnulerActe asks for the cancellation of an acte.
func (c *Client) AnnulerActe(ctx context.Context, id, motif string) (*xdemat.Acte, error) {
	var a xdemat.Acte
	if err := c.call(ctx, http.MethodPost, "/v1/actes/"+url.PathEscape(id)+"/annuler", DemandeAnnulationActe{Motif: motif}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
