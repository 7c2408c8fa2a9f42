package localapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"xdemat"
	"xdemat/actes/registre"
	"xdemat/agent"
)

// The registers of the actes: GET /v1/actes/registre prints the registre
// des délibérations or the registre des arrêtés of a year, as a PDF for the
// secretary to print, bind and have signed by hand (package
// actes/registre). It reads the actes the poste holds; the commune's name
// comes from the poste's enrollment, the names of the matières from the
// préfecture's classification when it has arrived, the dates the actes were
// put online from the publications.

// natureParametre reads the nature of the query: its abbreviation ("DE",
// "AR", "AI") or its @CTES number.
func natureParametre(s string) (xdemat.NatureActe, error) {
	s = strings.TrimSpace(s)
	if n, ok := xdemat.NatureActeAbregee(strings.ToUpper(s)); ok {
		return n, nil
	}
	if i, err := strconv.Atoi(s); err == nil && xdemat.NatureActe(i).Valid() {
		return xdemat.NatureActe(i), nil
	}
	if s == "" {
		return 0, xdemat.Errorf(xdemat.EINVALID, "Choisissez le registre : délibérations (DE) ou arrêtés (AR).")
	}
	return 0, xdemat.Errorf(xdemat.EINVALID, "La nature « %s » est inconnue : choisissez DE pour le registre des délibérations ou AR pour celui des arrêtés.", strings.ToValidUTF8(s, "?"))
}

// registreActes answers GET /v1/actes/registre?nature=DE&annee=2026&ordre=chronologique|matiere
// with the register as application/pdf. annee defaults to this year, ordre
// to chronologique.
func (s *Server) registreActes(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	ctx := r.Context()
	q := r.URL.Query()
	nature, err := natureParametre(q.Get("nature"))
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
	ordre, err := registre.LireOrdre(q.Get("ordre"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := s.Store.Identity(ctx)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		err = xdemat.Errorf(xdemat.ENOTFOUND, "Ce poste n'est pas encore enrôlé : le registre porte le nom de la commune, que l'enrôlement lui donne ; le technicien de la SPL doit lancer « xdemat-agent enroll ».")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// A nature without a register (contrats…) reads nothing: Construire
	// says which registers exist.
	var as []*xdemat.Acte
	for _, n := range registre.Natures(nature) {
		l, err := st.Actes(ctx, agent.FiltreActes{Nature: n, Annee: annee})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		as = append(as, l...)
	}
	// The préfecture's classification, once central relayed it, names every
	// level of the matières; until then the register names the first level.
	var matieres registre.Matieres
	if rs, ok := st.(agent.ReponsesActesStore); ok {
		c, err := rs.ClassificationActes(ctx)
		switch {
		case err == nil && c != nil:
			matieres = c
		case err != nil && xdemat.ErrorCode(err) != xdemat.ENOTFOUND:
			s.fail(w, r, err)
			return
		}
	}
	// When the acte was put online on the commune's site (PUB-20).
	var publications map[string]time.Time
	if ps, ok := st.(agent.PublicationStore); ok {
		publications = map[string]time.Time{}
		for _, a := range as {
			le, err := ps.DatePublicationActe(ctx, a.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !le.IsZero() {
				publications[a.ID] = le
			}
		}
	}
	pdf, err := registre.Construire(registre.Registre{Commune: id.Commune.Nom, Annee: annee, Nature: nature, Ordre: ordre, Actes: as,
		Matieres: matieres, Publications: publications, Edite: s.now()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+registre.NomFichier(nature, annee, ordre)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(pdf)
}
