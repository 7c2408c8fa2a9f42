package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"xdemat"
	"xdemat/central"
)

// dureeBilan is the window of the run counts shown.
const dureeBilan = 30 * 24 * time.Hour

// retardSauvegarde is how old a commune's last success may be before the
// console shows it late (as the missed-night alert does).
const retardSauvegarde = 36 * time.Hour

// ligneSauvegarde is one commune of the "Sauvegardes" page.
type ligneSauvegarde struct {
	*central.BilanSauvegarde
	Utilise int64
	// Pourcentage of the quota used, rounded down.
	Pourcentage int64
	EnRetard    bool
}

// Classe returns the row's CSS class: late or nearly full communes stand out.
func (l ligneSauvegarde) Classe() string {
	if l.EnRetard || l.Pourcentage >= 80 || (l.DernierEchec != nil && (l.DerniereReussie == nil || l.DernierEchec.Fin.After(l.DerniereReussie.Fin))) {
		return "alerte"
	}
	return ""
}

func (s *Server) utilise(communeID string) int64 {
	if s.Utilise == nil {
		return 0
	}
	n, err := s.Utilise(communeID)
	if err != nil {
		s.Logger.Warn("espace de sauvegarde illisible", "commune", communeID, "err", err)
	}
	return n
}

func (s *Server) ligne(b *central.BilanSauvegarde, now time.Time) ligneSauvegarde {
	l := ligneSauvegarde{BilanSauvegarde: b, Utilise: s.utilise(b.Commune.ID)}
	if b.Quota > 0 {
		l.Pourcentage = l.Utilise * 100 / b.Quota
	}
	switch {
	case b.DerniereReussie != nil:
		l.EnRetard = now.Sub(b.DerniereReussie.Fin) > retardSauvegarde
	case !b.Premiere.IsZero():
		l.EnRetard = now.Sub(b.Premiere) > retardSauvegarde
	}
	return l
}

// handleSauvegardes shows the backups of every commune.
func (s *Server) handleSauvegardes(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	bilans, err := s.Store.BilansSauvegarde(r.Context(), now.Add(-dureeBilan))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p := s.newPage("Sauvegardes")
	for _, b := range bilans {
		p.Sauvegardes = append(p.Sauvegardes, s.ligne(b, now))
	}
	s.render(w, http.StatusOK, "sauvegardes.html", p)
}

// sauvegardeCommune fills the backup section of the commune page.
func (s *Server) sauvegardeCommune(r *http.Request, p *page) error {
	hist, err := s.Store.ListSauvegardes(r.Context(), p.Commune.ID, 30)
	if err != nil {
		return err
	}
	q, err := s.Store.QuotaSauvegarde(r.Context(), p.Commune.ID)
	if err != nil {
		return err
	}
	p.Historique = hist
	p.Espace = s.ligne(&central.BilanSauvegarde{Commune: p.Commune, Quota: q}, s.Now())
	p.QuotaGo = strconv.FormatInt(q>>30, 10)
	return nil
}

// handleQuotaSauvegarde sets the commune's backup space, in Go (Gio).
func (s *Server) handleQuotaSauvegarde(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	saisie := strings.TrimSpace(r.PostFormValue("go"))
	gio, err := strconv.ParseInt(saisie, 10, 64)
	if err != nil || gio < 0 || gio > 1<<20 {
		p, perr := s.communePage(r, id)
		if perr != nil {
			s.renderError(w, r, perr)
			return
		}
		p.Erreur, p.QuotaGo = "Espace de sauvegarde invalide : indiquez un nombre entier de Go (0 rétablit les 50 Go de l'offre).", saisie
		s.render(w, http.StatusUnprocessableEntity, "commune.html", p)
		return
	}
	if err := s.Store.SetQuotaSauvegarde(r.Context(), id, gio<<30, s.Now()); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Logger.Info("espace de sauvegarde changé", "commune", id, "go", gio)
	http.Redirect(w, r, "/communes/"+url.PathEscape(id)+"#sauvegardes", http.StatusSeeOther)
}

// dureeSauvegarde formats how long a run took: "7 min 12 s".
func dureeSauvegarde(sv *xdemat.Sauvegarde) string {
	d := sv.Duree().Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min " + strconv.Itoa(int(d.Seconds())%60) + " s"
	}
	return strconv.Itoa(int(d.Hours())) + " h " + strconv.Itoa(int(d.Minutes())%60) + " min"
}
