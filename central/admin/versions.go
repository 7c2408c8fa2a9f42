package admin

import (
	"net/http"
	"sort"
	"strings"

	"xdemat"
	"xdemat/miseajour"
)

// lignePoste is one poste of the "Versions" page.
type lignePoste struct {
	Poste   *xdemat.Poste
	Commune string
	// Etat is the poste's last update report; nil before its first.
	Etat *miseajour.Etat
	// EnRetard: the poste runs a release older than the last published.
	EnRetard bool
}

// Classe returns the row's CSS class: postes that failed an update, or lag
// behind the last release, stand out.
func (l lignePoste) Classe() string {
	if l.EnRetard || (l.Etat != nil && (l.Etat.Statut == miseajour.Refusee || l.Etat.Statut == miseajour.Retablie)) {
		return "alerte"
	}
	return ""
}

// handleVersions lists every active poste with the version it runs, when it
// was last seen and where it stands with its updates.
func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	postes, err := s.Store.ListPostes(ctx, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	communes, err := s.Store.ListCommunes(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	noms := make(map[string]string, len(communes))
	for _, c := range communes {
		noms[c.ID] = c.Nom
	}
	var etats map[string]*miseajour.Etat
	if s.EtatsMiseAJour != nil {
		if etats, err = s.EtatsMiseAJour.EtatsMiseAJour(ctx); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	p := s.newPage("Versions des postes")
	if s.Versions != nil {
		if vs, err := s.Versions.Versions(); err != nil {
			s.Logger.Warn("console : versions publiées illisibles", "err", err)
		} else if len(vs) > 0 {
			p.DerniereVersion = vs[len(vs)-1]
		}
	}
	for _, po := range postes {
		if po.Statut == xdemat.PosteRevoque {
			continue
		}
		l := lignePoste{Poste: po, Commune: noms[po.CommuneID], Etat: etats[po.ID]}
		l.EnRetard = p.DerniereVersion != "" && miseajour.PlusRecente(p.DerniereVersion, po.Version)
		p.Parc = append(p.Parc, l)
	}
	sort.SliceStable(p.Parc, func(i, j int) bool {
		return strings.ToLower(p.Parc[i].Commune) < strings.ToLower(p.Parc[j].Commune)
	})
	s.render(w, http.StatusOK, "versions.html", p)
}
