package localapi

import (
	"bufio"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"xdemat"
	"xdemat/agent"
)

// The search of the actes and the export of their list (CSV for Excel).
//
//	GET /v1/actes/recherche?q=&nature=&annee=&statut=&limite=&decalage=  → agent.ResultatRecherche
//	GET /v1/actes/export.csv?q=&nature=&annee=&statut=                   → text/csv (UTF-8 with BOM, ";")
//	GET /v1/actes?q=…                                                    → the actes found, best first
func (s *Server) routesRechercheActes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/actes/recherche", s.avecActes(s.rechercherActes))
	mux.HandleFunc("GET /v1/actes/export.csv", s.avecActes(s.exporterActes))
}

// rechercheDe reads the search of the query string.
func rechercheDe(q url.Values) (agent.RechercheActes, error) {
	r := agent.RechercheActes{Q: q.Get("q"), Statut: xdemat.StatutActe(q.Get("statut"))}
	var nature int
	var err error
	for _, p := range []struct {
		nom string
		v   *int
	}{{"nature", &nature}, {"annee", &r.Annee}, {"limite", &r.Limite}, {"decalage", &r.Decalage}} {
		if *p.v, err = entierParametre(q, p.nom); err != nil {
			return r, err
		}
	}
	r.Nature = xdemat.NatureActe(nature)
	if len(r.Q) > 1000 {
		r.Q = r.Q[:1000]
	}
	return r, r.Normaliser()
}

// rechercheStore is the search of the store, 503 when it has none.
func rechercheStore(st agent.ActesStore) (agent.RechercheActesStore, error) {
	rs, ok := st.(agent.RechercheActesStore)
	if !ok {
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "La recherche des actes n'est pas disponible sur ce poste : mettez à jour le service xdemat.")
	}
	return rs, nil
}

func (s *Server) rechercherActes(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	res, err := s.recherche(r, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) recherche(r *http.Request, st agent.ActesStore) (*agent.ResultatRecherche, error) {
	req, err := rechercheDe(r.URL.Query())
	if err != nil {
		return nil, err
	}
	rs, err := rechercheStore(st)
	if err != nil {
		return nil, err
	}
	return rs.RechercherActes(r.Context(), req)
}

// listerActesTrouves answers GET /v1/actes?q=…: the list of the actes
// found, as GET /v1/actes answers, best first.
func (s *Server) listerActesTrouves(w http.ResponseWriter, r *http.Request, st agent.ActesStore) {
	res, err := s.recherche(r, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]*xdemat.Acte, 0, len(res.Actes))
	for _, t := range res.Actes {
		out = append(out, t.Acte)
	}
	writeJSON(w, http.StatusOK, out)
}

// EnTeteCSVActes is the header line of the export, in French.
var EnTeteCSVActes = []string{"Numéro", "Nature", "Date de décision", "Objet", "Matière", "Statut", "Transmis le", "Date de l'accusé de réception", "Identifiant unique"}

// bomUTF8 makes Excel read the file as UTF-8 (é, œ, €).
const bomUTF8 = "\ufeff"

// ligneCSV is one acte of the export. Dates are ISO 8601: the day of the
// decision (a civil date), the moments with their offset, in Paris.
func ligneCSV(t *agent.ActeTrouve) []string {
	a := t.Acte
	moment := func(v time.Time) string {
		if v.IsZero() {
			return ""
		}
		return v.In(xdemat.Paris).Format(time.RFC3339)
	}
	return []string{
		a.NumeroInterne, a.Nature.Libelle(), a.DateDecision.In(xdemat.Paris).Format(time.DateOnly), sansFormule(a.Objet),
		sansFormule(t.Matiere), a.Statut.Libelle(), moment(a.TransmisLe), moment(a.DateAR), a.IdentifiantUnique,
	}
}

// sansFormule keeps Excel from running a cell as a formula (an objet
// typed "=…" or "+…"): a leading apostrophe makes it text.
func sansFormule(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// EcrireCSVActes writes the export of the actes parcourir gives to w.
func EcrireCSVActes(w io.Writer, parcourir func(func(*agent.ActeTrouve) error) error) error {
	if _, err := io.WriteString(w, bomUTF8); err != nil {
		return err
	}
	c := csv.NewWriter(w)
	c.Comma, c.UseCRLF = ';', true
	if err := c.Write(EnTeteCSVActes); err != nil {
		return err
	}
	err := parcourir(func(t *agent.ActeTrouve) error { return c.Write(ligneCSV(t)) })
	c.Flush()
	if err != nil {
		return err
	}
	return c.Error()
}

func (s *Server) exporterActes(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	req, err := rechercheDe(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rs, err := rechercheStore(st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The search is checked above: what could still fail is internal,
	// said in the log (the file then ends early).
	nom := "actes-" + s.now().In(xdemat.Paris).Format("2006-01-02") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+nom+`"`)
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 64<<10)
	err = EcrireCSVActes(bw, func(ecrire func(*agent.ActeTrouve) error) error {
		return rs.ParcourirActes(r.Context(), req, ecrire)
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil && r.Context().Err() == nil {
		s.logger().Warn("localapi: export des actes interrompu", "err", err)
	}
}
