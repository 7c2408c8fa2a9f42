package registre

import (
	"fmt"
	"strings"
	"time"

	"xdemat"
)

// entree is an acte as entered in the register.
type entree struct {
	acte     *xdemat.Acte
	jour     time.Time // civil day of the decision, in Paris: the séance of a délibération
	ordre    int       // order number within the séance (délibérations), from 1
	feuillet int       // sheet it is printed on, for the tables
}

// avant orders entries by day, then by numéro as people read it
// ("2026_9" before "2026_10"), then by ID so that two printings agree.
func (e *entree) avant(o *entree) bool {
	if !e.jour.Equal(o.jour) {
		return e.jour.Before(o.jour)
	}
	if c := comparerNumeros(e.acte.NumeroInterne, o.acte.NumeroInterne); c != 0 {
		return c < 0
	}
	return e.acte.ID < o.acte.ID
}

// comparerNumeros compares two numéros with their runs of digits read as
// numbers, so that registers whose counter is not zero-padded still sort
// in order.
func comparerNumeros(a, b string) int {
	for a != "" && b != "" {
		da, db := chiffres(a), chiffres(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

// chiffres returns how many leading bytes of s are digits.
func chiffres(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func jourDe(t time.Time) time.Time {
	y, m, d := t.In(xdemat.Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, xdemat.Paris)
}

// transmission says where the acte stands with the préfecture, as the
// register shows it: the AR's date and identifiant unique, or "non transmis",
// and its cancellation.
func transmission(a *xdemat.Acte) string {
	var s string
	switch {
	case !a.DateAR.IsZero() && a.IdentifiantUnique != "":
		s = fmt.Sprintf("accusé de réception du %s, identifiant %s", date(a.DateAR), a.IdentifiantUnique)
	case a.Statut == xdemat.ActeTransmis:
		s = "transmis"
		if !a.TransmisLe.IsZero() {
			s += " le " + date(a.TransmisLe)
		}
		s += ", accusé de réception attendu"
	case a.Statut == xdemat.ActeEnErreur:
		s = "non transmis (refusé par la plateforme, à corriger)"
	default:
		s = "non transmis"
	}
	switch a.Statut {
	case xdemat.ActeAnnulationTransmise:
		s += " ; annulation demandée"
	case xdemat.ActeAnnule:
		if a.AnnuleLe.IsZero() {
			s += " ; annulé"
		} else {
			s += " ; annulé le " + date(a.AnnuleLe)
		}
	}
	return s
}

var (
	nomsMois  = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	nomsJours = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// date writes a civil date in Paris: "12/03/2026".
func date(t time.Time) string { return t.In(xdemat.Paris).Format("02/01/2006") }

// dateLongue writes a date as one says it: "jeudi 12 mars 2026", "1er".
func dateLongue(t time.Time) string {
	t = t.In(xdemat.Paris)
	j := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		j = "1er"
	}
	return fmt.Sprintf("%s %s %s %d", nomsJours[t.Weekday()], j, nomsMois[t.Month()-1], t.Year())
}

// mois writes a month: "mars 2026".
func mois(t time.Time) string {
	t = t.In(xdemat.Paris)
	return fmt.Sprintf("%s %d", nomsMois[t.Month()-1], t.Year())
}
