package localapi

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"xdemat"
	"xdemat/agent"
)

// The routes of the publication on the commune's public pages (served by
// central). Every route needs a session: its user is the author of each
// change. They are served when the actes store also keeps the publications
// (agent.PublicationStore), as the agent's SQLite store does.
//
//	GET    /v1/actes/{id}/publication   agent.EtatPublicationActe
//	POST   /v1/actes/{id}/publication   DemandePublicationActe → xdemat.PublicationActe
//	DELETE /v1/actes/{id}/publication   → xdemat.PublicationActe (retrait, PUB-08)
//	POST   /v1/seances/{date}/pv        the PV as PDF body (header X-Xdemat-Nom) → xdemat.ProcesVerbal
//	GET    /v1/seances/pv               []*xdemat.ProcesVerbal
//	GET    /v1/publicite                agent.EtatPublicite
//	PUT    /v1/publicite                xdemat.Publicite → agent.EtatPublicite

func (s *Server) routesPublication(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/actes/{id}/publication", s.avecPublication(s.etatPublicationActe))
	mux.HandleFunc("POST /v1/actes/{id}/publication", s.avecPublication(s.publierActe))
	mux.HandleFunc("DELETE /v1/actes/{id}/publication", s.avecPublication(s.depublierActe))
	mux.HandleFunc("POST /v1/seances/{date}/pv", s.avecPublication(s.publierPV))
	mux.HandleFunc("GET /v1/seances/pv", s.avecPublication(s.procesVerbaux))
	mux.HandleFunc("GET /v1/publicite", s.avecPublication(s.publicite))
	mux.HandleFunc("PUT /v1/publicite", s.avecPublication(s.choisirPublicite))
}

type publicationHandler func(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, u *xdemat.Utilisateur)

// avecPublication answers 503 when the publication is not served, 401 without a session.
func (s *Server) avecPublication(h publicationHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.Actes.(agent.PublicationStore)
		if !ok {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "La publication des actes n'est pas disponible sur ce poste : mettez à jour le service xdemat."))
			return
		}
		u := s.mustSession(w, r)
		if u == nil {
			return
		}
		h(w, r, st, u)
	}
}

// DemandePublicationActe is the body of POST /v1/actes/{id}/publication.
type DemandePublicationActe struct {
	Auteur xdemat.AuteurActe `json:"auteur"`
}

func (s *Server) etatPublicationActe(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, _ *xdemat.Utilisateur) {
	e, err := st.EtatPublicationActe(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) publierActe(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, u *xdemat.Utilisateur) {
	var req DemandePublicationActe
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := st.PublierActe(r.Context(), r.PathValue("id"), req.Auteur, u.ID, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
	s.changed(r.Context(), agent.EvenementPublication, p.ActeID)
}

func (s *Server) depublierActe(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, u *xdemat.Utilisateur) {
	p, err := st.DepublierActe(r.Context(), r.PathValue("id"), u.ID, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
	s.changed(r.Context(), agent.EvenementPublication, p.ActeID)
}

// publierPV stores the PDF of the body as a document and asks for its publication.
func (s *Server) publierPV(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, u *xdemat.Utilisateur) {
	seance, err := xdemat.ParseJourSeance(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	nom, err := url.QueryUnescape(r.Header.Get(HeaderNom))
	if nom = strings.TrimSpace(nom); err != nil || nom == "" {
		nom = "PV " + r.PathValue("date") + ".pdf"
	}
	max := s.maxDocument()
	if r.ContentLength > max {
		s.fail(w, r, tooLarge(nom, max))
		return
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, max))
	if debut, _ := body.Peek(5); !bytes.Equal(debut, []byte("%PDF-")) {
		io.Copy(io.Discard, body)
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le procès-verbal « %s » n'est pas un PDF : enregistrez-le en PDF (menu Fichier > Exporter en PDF) puis déposez-le de nouveau.", nom))
		return
	}
	hash, size, err := s.Blobs.Put(body, max)
	if xdemat.ErrorCode(err) == xdemat.ETOOLARGE {
		err = tooLarge(nom, max)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &xdemat.Document{SHA256: hash, Taille: size, TypeMedia: "application/pdf", NomOriginal: nom, CreeLe: s.now()}
	if err := d.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Store.AddDocument(r.Context(), d); err != nil {
		s.fail(w, r, err)
		return
	}
	pv, err := st.PublierPV(r.Context(), seance, d, u.ID, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, pv)
	s.changed(r.Context(), agent.EvenementPublication, pv.ID)
}

func (s *Server) procesVerbaux(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, _ *xdemat.Utilisateur) {
	pvs, err := st.ProcesVerbaux(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pvs == nil {
		pvs = []*xdemat.ProcesVerbal{}
	}
	writeJSON(w, http.StatusOK, pvs)
}

func (s *Server) publicite(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, _ *xdemat.Utilisateur) {
	e, err := st.Publicite(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) choisirPublicite(w http.ResponseWriter, r *http.Request, st agent.PublicationStore, u *xdemat.Utilisateur) {
	var p xdemat.Publicite
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &p); err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := st.ChoisirPublicite(r.Context(), p, u.ID, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
	s.changed(r.Context(), agent.EvenementPublication, "")
}
