package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// sauvegardeEnRetard is when the last successful backup turns the status bar
// orange: one missed night plus the morning of the next one.
const sauvegardeEnRetard = 36 * time.Hour

// resumeSauvegarde is the status bar's sentence about the backup of this
// poste, and its colour: the secretary reads at a glance whether last night
// went well.
func (u *UI) resumeSauvegarde(e *agent.EtatSauvegarde) (string, widget.Importance) {
	switch {
	case e == nil || !e.Config.Active:
		return "Sauvegarde : pas encore configurée", widget.MediumImportance
	case e.Probleme != "":
		return "Sauvegarde impossible : voir la page Sauvegarde", widget.DangerImportance
	case e.EnCours != nil:
		return libelleEnCours(e.EnCours) + fmt.Sprintf(" : %d %%", pourcent(e.EnCours.Fraction)), widget.MediumImportance
	}
	now := u.maintenant()
	texte, imp := "Sauvegarde : aucune encore", widget.WarningImportance
	if r := e.DerniereReussie; r != nil {
		texte = "Dernière sauvegarde : " + u.ilYA(r.Fin)
		imp = widget.SuccessImportance
		if now.Sub(r.Fin) > sauvegardeEnRetard {
			imp = widget.WarningImportance
		}
	}
	if d := e.Derniere; d != nil && echec(d) {
		texte += " — échec " + u.ilYA(d.Fin)
		imp = widget.DangerImportance
	}
	return texte, imp
}

// echec reports whether a run left nothing usable for a reason that needs
// someone (a run stopped on purpose is not a failure).
func echec(s *xdemat.Sauvegarde) bool {
	return s.Statut == xdemat.SauvegardeEchouee || s.Statut == xdemat.SauvegardeRefusee
}

// ilYA says when a nightly run happened, the way one says it: "cette nuit à
// 02:14", "aujourd'hui à 14:05", "hier à 02:14", "il y a 3 jours".
func (u *UI) ilYA(t time.Time) string {
	t = t.In(u.fuseau())
	now := u.maintenant().In(u.fuseau())
	heure := t.Format("15:04")
	jours := joursEntre(t, now)
	switch {
	case jours == 0 && t.Hour() < 6:
		return "cette nuit à " + heure
	case jours == 0:
		return "aujourd'hui à " + heure
	case jours == 1:
		return "hier à " + heure
	case jours > 1:
		return fmt.Sprintf("il y a %d jours", jours)
	}
	return "le " + u.jour(t) + " à " + heure // a clock set back
}

// joursEntre counts the calendar days from a to b, in their zone.
func joursEntre(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}

// libelleEnCours names what the agent is doing.
func libelleEnCours(p *agent.ProgressionSauvegarde) string {
	switch p.Type {
	case xdemat.TypeExercice:
		return "Essai de restauration en cours"
	case typeRestauration:
		return "Restauration en cours"
	}
	return "Sauvegarde en cours"
}

// typeRestauration is the ProgressionSauvegarde.Type of a restore.
const typeRestauration = agent.TypeRestauration

// libelleType names a run of the history.
func libelleType(t string) string {
	if t == xdemat.TypeExercice {
		return "Essai de restauration"
	}
	return "Sauvegarde"
}

func pourcent(f float64) int {
	return int(max(0, min(1, f))*100 + 0.5)
}

// duree writes a run's duration: "45 s", "14 min 05 s", "1 h 02 min".
func duree(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %02d min", int(d.Hours()), int(d.Minutes())%60)
}

// nombre writes n with French thousands separators: "4 812".
func nombre(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + nombre(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f') // narrow no-break space, as French typography wants
		}
		b.WriteRune(c)
	}
	return b.String()
}

// pluriel writes "0 fichier", "1 fichier", "12 fichiers": French keeps the
// singular below two.
func pluriel(n int64, singulier, plurielS string) string {
	if n < 2 {
		return nombre(n) + " " + singulier
	}
	return nombre(n) + " " + plurielS
}

// decoder reads the Data of an agent event: json.RawMessage from the local
// API, the value itself when the agent runs in the app's process.
func decoder[T any](data any) (T, bool) {
	var v T
	if x, ok := data.(T); ok {
		return x, true
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return v, false
	}
	return v, json.Unmarshal(raw, &v) == nil
}
