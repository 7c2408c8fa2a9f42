// Package public serves the public pages of central: for each commune, the
// actes it published (PUB-03, PUB-06, PUB-07), the liste des délibérations
// examinées of each séance (CM-26) and the procès-verbaux (CM-25). No
// account, no script, no form: read-only pages in French. A commune is
// named by its SIREN in the address, and a page shows only what that
// commune has online; everything else is a 404, even an acte's real ID.
package public

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/signature/pades"
)

//go:embed templates/*.html static/*
var files embed.FS

// Documents is where the published files are read: central's blob store.
type Documents interface {
	Open(hash string) (*os.File, error)
}

// Server is the public web site.
type Server struct {
	Store     central.PublicationStore
	Documents Documents
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger

	initOnce sync.Once
	pages    map[string]*template.Template
	// tampons bounds the stamped copies made at once: each holds a whole
	// PDF (up to 150 Mo) in memory.
	tampons chan struct{}
}

// tamponsSimultanes is how many stamped copies are made at once.
const tamponsSimultanes = 2

var pageNames = []string{"accueil.html", "commune.html", "acte.html", "seance.html", "erreur.html"}

var moisFr = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// DateFr writes a civil date in Paris as French readers expect it: "14 mars 2026".
func DateFr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(xdemat.Paris)
	jour := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		jour = "1er"
	}
	return fmt.Sprintf("%s %s %d", jour, moisFr[t.Month()-1], t.Year())
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		s.tampons = make(chan struct{}, tamponsSimultanes)
		funcs := template.FuncMap{
			"date":        DateFr,
			"jourSeance":  xdemat.JourSeance,
			"octets":      xdemat.Octets,
			"departement": func(d string) string { return "département " + d },
		}
		s.pages = make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			s.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name))
		}
	})
}

// Handler returns the site's HTTP handler.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/style.css", s.handleStyle)
	mux.HandleFunc("GET /{$}", s.handleAccueil)
	mux.HandleFunc("GET /communes/{siren}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/communes/"+r.PathValue("siren")+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /communes/{siren}/{$}", s.avecCommune(s.handleCommune))
	mux.HandleFunc("GET /communes/{siren}/actes/{fichier}", s.avecCommune(s.handleActe))
	mux.HandleFunc("GET /communes/{siren}/seances/{date}", s.avecCommune(s.handleSeance))
	mux.HandleFunc("GET /communes/{siren}/proces-verbaux/{fichier}", s.avecCommune(s.handleProcesVerbal))
	// Anything else, directories included, is not found: nothing is listed.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.renderError(w, r, http.StatusMethodNotAllowed, "Action impossible", "Ce site se consulte seulement : il n'accepte aucun envoi.")
			return
		}
		s.notFound(w, r)
	})
	return securityHeaders(mux)
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// page is the data every template gets.
type page struct {
	Titre    string
	Erreur   string
	Commune  *central.CommunePublique
	Communes []*central.CommunePublique
	Actes    []*central.ActePublie
	Seances  []time.Time
	Acte     *central.ActePublie
	Seance   *central.SeancePublique
	// The commune's list is paged: its page, the pages around (0: none),
	// and how many actes are online.
	Page, Precedente, Suivante, Total int
}

// Pages change when a poste publishes: caches keep them a few minutes at most.
const cachePages = "public, max-age=300"

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Logger.Error("page publique", "page", name, "err", err)
		status, buf = http.StatusInternalServerError, bytes.Buffer{}
		buf.WriteString("<!doctype html><html lang=\"fr\"><title>Service indisponible</title><p>Le service est momentanément indisponible. Réessayez dans quelques minutes.</p></html>")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// On pages only: a policy on the PDFs would get in the way of the
	// browsers' built-in viewers.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	if status == http.StatusOK {
		h.Set("Cache-Control", cachePages)
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, titre, texte string) {
	s.render(w, r, status, "erreur.html", &page{Titre: titre, Erreur: texte})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "Page introuvable", "Cette page n'existe pas, ou le document n'est pas ou plus publié. Vérifiez l'adresse, ou choisissez la commune dans la liste.")
}

// fail answers an error of the store: 404 for what does not exist, 500 otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch xdemat.ErrorCode(err) {
	case xdemat.ENOTFOUND, xdemat.EINVALID:
		s.notFound(w, r)
	default:
		s.Logger.Error("page publique", "chemin", r.URL.Path, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "Service indisponible", "Le service est momentanément indisponible. Réessayez dans quelques minutes.")
	}
}

func (s *Server) handleStyle(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(files, "static/style.css")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}

func (s *Server) handleAccueil(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Store.CommunesPubliques(r.Context(), s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "accueil.html", &page{Titre: "Actes publiés des communes", Communes: cs})
}

type communeHandler func(w http.ResponseWriter, r *http.Request, c *central.CommunePublique)

// avecCommune finds the commune of the SIREN in the address.
func (s *Server) avecCommune(h communeHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		siren := r.PathValue("siren")
		if !xdemat.ValidSIREN(siren) {
			s.notFound(w, r)
			return
		}
		c, err := s.Store.CommunePublique(r.Context(), siren)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, c)
	}
}

// ActesParPage is how many actes a page of the commune lists.
const ActesParPage = 50

func (s *Server) handleCommune(w http.ResponseWriter, r *http.Request, c *central.CommunePublique) {
	now := s.Now()
	numero := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			s.notFound(w, r)
			return
		}
		numero = n
	}
	as, total, err := s.Store.ActesPublies(r.Context(), c.Commune.ID, now, ActesParPage, (numero-1)*ActesParPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if numero > 1 && len(as) == 0 {
		s.notFound(w, r)
		return
	}
	js, err := s.Store.SeancesPubliees(r.Context(), c.Commune.ID, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Titre: c.Commune.Nom + " — actes publiés", Commune: c, Actes: as, Seances: js, Page: numero, Total: total}
	if numero > 1 {
		p.Precedente = numero - 1
	}
	if numero*ActesParPage < total {
		p.Suivante = numero + 1
	}
	s.render(w, r, http.StatusOK, "commune.html", p)
}

// handleActe serves the fiche of an acte (…/actes/ID) or its file (…/actes/ID.pdf).
func (s *Server) handleActe(w http.ResponseWriter, r *http.Request, c *central.CommunePublique) {
	id, pdf := strings.CutSuffix(r.PathValue("fichier"), ".pdf")
	if !xdemat.ValidUUID(id) {
		s.notFound(w, r)
		return
	}
	ap, err := s.Store.ActePublie(r.Context(), c.Commune.ID, id, s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !pdf {
		s.render(w, r, http.StatusOK, "acte.html", &page{Titre: ap.Acte.Nature.Libelle() + " n° " + ap.Acte.NumeroInterne + " — " + c.Commune.Nom, Commune: c, Acte: ap})
		return
	}
	s.serveActe(w, r, ap, c.Commune.SIREN+"-"+ap.Acte.NumeroInterne+".pdf")
}

// serveActe sends the published document with the stamp of the
// préfecture's acknowledgement and of its publication ("Reçu en préfecture
// le…", "Publié le…", identifiant unique), as the secretary's stamped copy
// has it; an acte not acknowledged (not transmitted, or not subject to
// transmission) is sent as put online, the fiche showing the mentions.
func (s *Server) serveActe(w http.ResponseWriter, r *http.Request, ap *central.ActePublie, nom string) {
	lignes, err := ap.Acte.LignesTampon(ap.Publication.PublieLe)
	if err != nil {
		s.serveDocument(w, r, ap.Publication.DocumentSHA256, nom, ap.Publication.PublieLe)
		return
	}
	select {
	case s.tampons <- struct{}{}:
		defer func() { <-s.tampons }()
	case <-r.Context().Done():
		return
	}
	f, err := s.Documents.Open(ap.Publication.DocumentSHA256)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	copie, err := pades.Tamponner(pdf, pades.Tampon{Lignes: lignes})
	if err != nil {
		// A PDF the stamp cannot be drawn on is still the acte in full.
		s.Logger.Warn("acte publié servi sans tampon", "acte", ap.Acte.ID, "err", err)
		copie = pdf
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", nom))
	h.Set("Cache-Control", "public, max-age=3600")
	sum := sha256.Sum256(copie)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	http.ServeContent(w, r, "", ap.Publication.PublieLe, bytes.NewReader(copie))
}

func (s *Server) handleSeance(w http.ResponseWriter, r *http.Request, c *central.CommunePublique) {
	date, err := xdemat.ParseJourSeance(r.PathValue("date"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	se, err := s.Store.SeancePubliee(r.Context(), c.Commune.ID, date, s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "seance.html", &page{Titre: "Séance du " + DateFr(date) + " — " + c.Commune.Nom, Commune: c, Seance: se})
}

func (s *Server) handleProcesVerbal(w http.ResponseWriter, r *http.Request, c *central.CommunePublique) {
	id, pdf := strings.CutSuffix(r.PathValue("fichier"), ".pdf")
	if !pdf || !xdemat.ValidUUID(id) {
		s.notFound(w, r)
		return
	}
	pv, err := s.Store.ProcesVerbal(r.Context(), c.Commune.ID, id, s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveDocument(w, r, pv.DocumentSHA256, c.Commune.SIREN+"-PV-"+xdemat.JourSeance(pv.DateSeance)+".pdf", pv.PublieLe)
}

// serveDocument sends a published PDF, with ranges for large files.
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, hash, nom string, le time.Time) {
	f, err := s.Documents.Open(hash)
	if err != nil {
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			s.Logger.Error("document publié absent du magasin", "sha256", hash)
			err = fmt.Errorf("document %s absent", hash)
		}
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", nom))
	// The bytes of a hash never change; whether they are still online may.
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", `"`+hash+`"`)
	http.ServeContent(w, r, "", le, f)
}
