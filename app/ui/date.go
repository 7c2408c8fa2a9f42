package ui

import (
	"fmt"
	"time"
)

var mois = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// jour writes a date the way one says it: "3 décembre", with the year only
// when it is not this year's ("3 décembre 2027"); "1er" for the first.
func (u *UI) jour(t time.Time) string {
	t = t.In(u.fuseau())
	j := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		j = "1er"
	}
	s := j + " " + mois[t.Month()-1]
	if t.Year() != u.maintenant().In(u.fuseau()).Year() {
		s += fmt.Sprintf(" %d", t.Year())
	}
	return s
}

// moment writes a date and time: "aujourd'hui à 09:42", "hier à 09:42",
// "demain à 02:00", "le 3 décembre à 09:42".
func (u *UI) moment(t time.Time) string {
	t = t.In(u.fuseau())
	now := u.maintenant().In(u.fuseau())
	heure := t.Format("15:04")
	switch jourDe(t) {
	case jourDe(now):
		return "aujourd'hui à " + heure
	case jourDe(now.AddDate(0, 0, -1)):
		return "hier à " + heure
	case jourDe(now.AddDate(0, 0, 1)):
		return "demain à " + heure
	}
	return "le " + u.jour(t) + " à " + heure
}

var joursSemaine = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// dateComplete writes a date that must not be mistaken, with the weekday
// and the year: "mardi 24 novembre 2026 à 02:00" (the date of a backup to
// restore).
func (u *UI) dateComplete(t time.Time) string {
	t = t.In(u.fuseau())
	j := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		j = "1er"
	}
	return fmt.Sprintf("%s %s %s %d à %s", joursSemaine[t.Weekday()], j, mois[t.Month()-1], t.Year(), t.Format("15:04"))
}

func jourDe(t time.Time) string { return t.Format("2006-01-02") }
