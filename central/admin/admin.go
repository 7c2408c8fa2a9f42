// Package admin is the SPL's administration console: a small French web
// application, meant for a loopback listener, to manage communes, their
// postes and the enrollment codes that enroll them. It also holds what the
// console and the command line share: enrollment codes and the console's
// password file.
package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/protocol"
	"xdemat/central/versions"
)

//go:embed templates/*.html static/*
var files embed.FS

// User is the console's only user name.
const User = "admin"

// Server is the console. Set the fields, then call Handler.
type Server struct {
	Store central.Store
	// Password is the console's password (the content of admin.secret).
	Password []byte
	// CentralURL is the address of the sync API that postes enroll with,
	// shown in the enrollment command.
	CentralURL string
	// Fingerprint is the SHA-256 of the sync API's certificate, given to the
	// agent at enrollment so that it checks the server from the first contact.
	Fingerprint string
	// Utilise returns the bytes a commune's backups take on central (nil:
	// shown as 0, for a central without backups).
	Utilise func(communeID string) (int64, error)
	// Versions holds the published releases and EtatsMiseAJour what the
	// postes report about their updates (the "Versions" page); may be nil.
	Versions       *versions.Depot
	EtatsMiseAJour versions.Etats
	// Notifier is told when a revocation or a message appends events; may be nil.
	Notifier central.EventNotifier
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger

	initOnce sync.Once
	pages    map[string]*template.Template
	csrf     string
}

var pageNames = []string{"communes.html", "commune.html", "code.html", "revocation.html", "erreur.html", "sauvegardes.html", "versions.html"}

func (s *Server) init() {
	s.initOnce.Do(func() {
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		mac := hmac.New(sha256.New, s.Password)
		mac.Write([]byte("csrf"))
		s.csrf = hex.EncodeToString(mac.Sum(nil))
		funcs := template.FuncMap{
			"date":        FormatDate,
			"jour":        formatDay,
			"code":        FormatCode,
			"nombre":      formatNumber,
			"etatCode":    s.codeState,
			"codeActif":   func(c *xdemat.CodeEnrolement) bool { return c.Utilisable(s.Now()) == nil },
			"statutEnvoi": central.LibelleStatutEnvoi,
			"octets":      xdemat.Octets,
			"duree":       dureeSauvegarde,
			"canal": func(c string) string {
				if c == central.CanalSMS {
					return "SMS"
				}
				return "courriel"
			},
		}
		s.pages = make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			s.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name))
		}
	})
}

// Handler returns the console's HTTP handler, behind HTTP Basic
// authentication.
func (s *Server) Handler() http.Handler {
	s.init()
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // embedded at build time
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.handleCommunes)
	mux.HandleFunc("POST /communes", s.handleCreateCommune)
	mux.HandleFunc("GET /communes/{id}", s.handleCommune)
	mux.HandleFunc("POST /communes/{id}/codes", s.handleIssueCode)
	mux.HandleFunc("POST /communes/{id}/notifications", s.handleSendNotification)
	mux.HandleFunc("GET /communes/{id}/codes/{code}", s.handleCode)
	mux.HandleFunc("GET /sauvegardes", s.handleSauvegardes)
	mux.HandleFunc("GET /versions", s.handleVersions)
	mux.HandleFunc("POST /communes/{id}/sauvegarde/quota", s.handleQuotaSauvegarde)
	mux.HandleFunc("POST /communes/{id}/codes/{code}/revocation", s.handleRevokeCode)
	mux.HandleFunc("GET /postes/{id}/revocation", s.handleConfirmRevokePoste)
	mux.HandleFunc("POST /postes/{id}/revocation", s.handleRevokePoste)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, xdemat.Errorf(xdemat.ENOTFOUND, "Cette page n'existe pas : revenez à la liste des communes."))
	})
	return s.securityHeaders(s.requireAuth(s.checkCSRF(mux)))
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// requireAuth checks HTTP Basic credentials in constant time (hashes are
// compared, so that not even the password's length leaks).
func (s *Server) requireAuth(next http.Handler) http.Handler {
	want := sha256.Sum256(s.Password)
	wantUser := sha256.Sum256([]byte(User))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		gotUser := sha256.Sum256([]byte(user))
		got := sha256.Sum256([]byte(pass))
		if !ok || len(s.Password) == 0 ||
			subtle.ConstantTimeCompare(gotUser[:], wantUser[:])&subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			if ok {
				s.Logger.Warn("console : identifiants refusés", "adresse", r.RemoteAddr, "utilisateur", user)
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="Console xdemat de la SPL", charset="UTF-8"`)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintln(w, "Identifiez-vous : utilisateur « admin », mot de passe dans le fichier admin.secret du dossier de données de xdemat-central.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkCSRF refuses a POST whose form does not carry the console's token, or
// that a page of another origin sent.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if origin := r.Header.Get("Origin"); origin != "" {
				u, err := url.Parse(origin)
				if err != nil || u.Host != r.Host {
					s.Logger.Warn("console : requête d'une autre origine refusée", "origine", origin, "hote", r.Host)
					s.renderError(w, r, xdemat.Errorf(xdemat.EFORBIDDEN, "Formulaire envoyé depuis un autre site (%s) : il a été refusé. Ouvrez la console directement, puis recommencez.", origin))
					return
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			token := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) != 1 {
				s.renderError(w, r, xdemat.Errorf(xdemat.EFORBIDDEN, "Formulaire expiré ou incomplet : rechargez la page, puis recommencez."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// page is the data every template gets.
type page struct {
	CSRF        string
	Erreur      string
	Titre       string
	CentralURL  string
	Fingerprint string
	Maintenant  time.Time

	Communes []*xdemat.Commune
	Commune  *xdemat.Commune
	Postes   []*xdemat.Poste
	Poste    *xdemat.Poste
	Codes    []*xdemat.CodeEnrolement
	Code     *xdemat.CodeEnrolement
	Commande string
	Form     communeForm

	Utilisateurs []*xdemat.Utilisateur
	Envois       []*central.Envoi
	// Noms maps the users' IDs to their names, for the envois.
	Noms    map[string]string
	Message messageForm
	Envoye  bool // a message was just sent

	Sauvegardes []ligneSauvegarde
	Historique  []*xdemat.Sauvegarde
	Espace      ligneSauvegarde
	QuotaGo     string

	Parc            []lignePoste
	DerniereVersion string
}

type messageForm struct {
	Type, Titre, Texte, Echeance string
}

type communeForm struct {
	Nom, SIREN, Departement, Population string
}

func (s *Server) newPage(title string) *page {
	return &page{CSRF: s.csrf, Titre: title, CentralURL: s.CentralURL, Fingerprint: s.Fingerprint, Maintenant: s.Now()}
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		s.Logger.Error("console : rendu de page impossible", "page", name, "err", err)
	}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := protocol.Status(xdemat.ErrorCode(err))
	if status == http.StatusInternalServerError {
		s.Logger.Error("console : erreur interne", "methode", r.Method, "chemin", r.URL.Path, "err", err)
	}
	p := s.newPage("Erreur")
	p.Erreur = xdemat.ErrorMessage(err)
	s.render(w, status, "erreur.html", p)
}

func (s *Server) handleCommunes(w http.ResponseWriter, r *http.Request) {
	s.renderCommunes(w, r, http.StatusOK, communeForm{}, "")
}

func (s *Server) renderCommunes(w http.ResponseWriter, r *http.Request, status int, form communeForm, message string) {
	communes, err := s.Store.ListCommunes(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sort.SliceStable(communes, func(i, j int) bool {
		return strings.ToLower(communes[i].Nom) < strings.ToLower(communes[j].Nom)
	})
	p := s.newPage("Communes")
	p.Communes, p.Form, p.Erreur = communes, form, message
	s.render(w, status, "communes.html", p)
}

func (s *Server) handleCreateCommune(w http.ResponseWriter, r *http.Request) {
	form := communeForm{
		Nom:         strings.TrimSpace(r.PostFormValue("nom")),
		SIREN:       strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("siren")), " ", ""),
		Departement: strings.ToUpper(strings.TrimSpace(r.PostFormValue("departement"))),
		Population:  strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("population")), " ", ""),
	}
	c := &xdemat.Commune{Nom: form.Nom, SIREN: form.SIREN, Departement: form.Departement, CreeLe: s.Now()}
	err := error(nil)
	if form.Population != "" {
		if c.Population, err = strconv.Atoi(form.Population); err != nil {
			err = xdemat.Errorf(xdemat.EINVALID, "La population %q n'est pas un nombre : saisissez la population municipale, par exemple 180.", form.Population)
		}
	}
	if err == nil {
		err = c.Validate()
	}
	if err == nil {
		err = s.Store.CreateCommune(r.Context(), c)
	}
	if err != nil {
		if status := protocol.Status(xdemat.ErrorCode(err)); status != http.StatusInternalServerError {
			s.renderCommunes(w, r, status, form, xdemat.ErrorMessage(err))
		} else {
			s.renderError(w, r, err)
		}
		return
	}
	s.Logger.Info("commune créée", "commune", c.ID, "nom", c.Nom, "siren", c.SIREN)
	http.Redirect(w, r, "/communes/"+url.PathEscape(c.ID), http.StatusSeeOther)
}

// communePage loads what the page of a commune shows.
func (s *Server) communePage(r *http.Request, id string) (*page, error) {
	c, err := s.Store.FindCommune(r.Context(), id)
	if err != nil {
		return nil, err
	}
	postes, err := s.Store.ListPostes(r.Context(), id)
	if err != nil {
		return nil, err
	}
	codes, err := s.Store.ListCodes(r.Context(), id)
	if err != nil {
		return nil, err
	}
	users, err := s.Store.ListUtilisateurs(r.Context(), id)
	if err != nil {
		return nil, err
	}
	envois, err := s.Store.ListEnvois(r.Context(), id, 20)
	if err != nil {
		return nil, err
	}
	p := s.newPage(c.Nom)
	p.Commune, p.Postes, p.Codes, p.Utilisateurs, p.Envois = c, postes, codes, users, envois
	p.Noms = make(map[string]string, len(users))
	for _, u := range users {
		p.Noms[u.ID] = u.NomComplet()
	}
	p.Message.Type = xdemat.NotificationMessageSPL
	if err := s.sauvegardeCommune(r, p); err != nil {
		return nil, err
	}
	return p, nil
}

// handleSendNotification raises a message or an alert of the SPL for the
// commune: shown on its postes, and sent by e-mail and SMS as each person
// chose.
func (s *Server) handleSendNotification(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := messageForm{
		Type:     r.PostFormValue("type"),
		Titre:    r.PostFormValue("titre"),
		Texte:    r.PostFormValue("texte"),
		Echeance: r.PostFormValue("echeance"),
	}
	if _, err := s.Store.FindCommune(r.Context(), id); err != nil {
		s.renderError(w, r, err)
		return
	}
	n, err := NotificationSPL(id, form.Type, form.Titre, form.Texte, form.Echeance, s.Now())
	if err == nil {
		err = s.Store.RaiseNotification(r.Context(), n)
	}
	if err != nil {
		if status := protocol.Status(xdemat.ErrorCode(err)); status != http.StatusInternalServerError {
			p, perr := s.communePage(r, id)
			if perr != nil {
				s.renderError(w, r, perr)
				return
			}
			p.Message, p.Erreur = form, xdemat.ErrorMessage(err)
			s.render(w, status, "commune.html", p)
		} else {
			s.renderError(w, r, err)
		}
		return
	}
	if s.Notifier != nil {
		s.Notifier.Notify(id)
	}
	s.Logger.Info("message de la SPL envoyé", "commune", id, "notification", n.ID, "type", n.Type)
	http.Redirect(w, r, "/communes/"+url.PathEscape(id)+"?envoye=1", http.StatusSeeOther)
}

func (s *Server) handleCommune(w http.ResponseWriter, r *http.Request) {
	p, err := s.communePage(r, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Envoye = r.URL.Query().Get("envoye") == "1"
	s.render(w, http.StatusOK, "commune.html", p)
}

func (s *Server) handleIssueCode(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := IssueCode(r.Context(), s.Store, id, s.Now())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Logger.Info("code d'enrôlement émis", "commune", id, "expire", c.ExpireLe)
	http.Redirect(w, r, "/communes/"+url.PathEscape(id)+"/codes/"+url.PathEscape(c.Code), http.StatusSeeOther)
}

// findCode returns the code of the commune, ENOTFOUND otherwise.
func (s *Server) findCode(r *http.Request, communeID, code string) (*xdemat.CodeEnrolement, error) {
	code = NormalizeCode(code)
	codes, err := s.Store.ListCodes(r.Context(), communeID)
	if err != nil {
		return nil, err
	}
	for _, c := range codes {
		if c.Code == code {
			return c, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce code d'enrôlement n'existe pas pour cette commune.")
}

func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	commune, err := s.Store.FindCommune(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.findCode(r, id, r.PathValue("code"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage("Code d'enrôlement — " + commune.Nom)
	p.Commune, p.Code = commune, c
	p.Commande = EnrollCommand(s.CentralURL, c.Code, s.Fingerprint)
	s.render(w, http.StatusOK, "code.html", p)
}

func (s *Server) handleRevokeCode(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := s.findCode(r, id, r.PathValue("code"))
	if err == nil {
		err = s.Store.RevokeCode(r.Context(), c.Code, s.Now())
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Logger.Info("code d'enrôlement annulé", "commune", id)
	http.Redirect(w, r, "/communes/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *Server) handleConfirmRevokePoste(w http.ResponseWriter, r *http.Request) {
	p, err := s.Store.FindPoste(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	c, err := s.Store.FindCommune(r.Context(), p.CommuneID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pg := s.newPage("Révoquer le poste " + p.Nom)
	pg.Poste, pg.Commune = p, c
	s.render(w, http.StatusOK, "revocation.html", pg)
}

func (s *Server) handleRevokePoste(w http.ResponseWriter, r *http.Request) {
	p, err := s.Store.FindPoste(r.Context(), r.PathValue("id"))
	if err == nil && p.Statut == xdemat.PosteRevoque {
		err = xdemat.Errorf(xdemat.ECONFLICT, "Ce poste est déjà révoqué depuis le %s.", formatDay(p.RevoqueLe))
	}
	if err == nil {
		err = s.Store.RevokePoste(r.Context(), p.ID, s.Now())
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.Notifier != nil {
		s.Notifier.Notify(p.CommuneID)
	}
	s.Logger.Info("poste révoqué", "poste", p.ID, "commune", p.CommuneID, "nom", p.Nom)
	http.Redirect(w, r, "/communes/"+url.PathEscape(p.CommuneID), http.StatusSeeOther)
}

// codeState describes a code for people.
func (s *Server) codeState(c *xdemat.CodeEnrolement) string { return CodeState(c, s.Now()) }

// CodeState describes the state of an enrollment code at now, for people:
// "valable", "expiré", "utilisé le …", "annulé le …".
func CodeState(c *xdemat.CodeEnrolement, now time.Time) string {
	switch {
	case !c.RevoqueLe.IsZero():
		return "annulé le " + FormatDate(c.RevoqueLe)
	case !c.UtiliseLe.IsZero():
		return "utilisé le " + FormatDate(c.UtiliseLe)
	case !now.Before(c.ExpireLe):
		return "expiré"
	}
	return "valable"
}

// FormatDate formats a time for people: "25/11/2026 à 14:05", "—" when unset.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("02/01/2006 à 15:04")
}

// formatDay formats a date for people: "25/11/2026", "—" when unset.
func formatDay(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("02/01/2006")
}

// formatNumber formats an integer the French way: "12 345".
func formatNumber(v any) string {
	var s string
	switch n := v.(type) {
	case int:
		s = strconv.Itoa(n)
	case int64:
		s = strconv.FormatInt(n, 10)
	default:
		return fmt.Sprint(v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
