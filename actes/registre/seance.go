package registre

import "time"

// seance is a meeting of the conseil municipal and the délibérations taken
// in it. xdemat has no séance object yet: a séance is the day of decision,
// which is how the délibérations are dated (one séance a day at most, as
// small communes hold them).
type seance struct {
	jour    time.Time
	entrees []*entree
}

// seances groups chronological entries by day.
func seances(es []*entree) []*seance {
	var ss []*seance
	for _, e := range es {
		if n := len(ss); n > 0 && ss[n-1].jour.Equal(e.jour) {
			ss[n-1].entrees = append(ss[n-1].entrees, e)
			continue
		}
		ss = append(ss, &seance{jour: e.jour, entrees: []*entree{e}})
	}
	return ss
}

// parMois groups chronological entries by month of decision: the register
// of the maire's arrêtés is closed and signed at the end of each month.
func parMois(es []*entree) [][]*entree {
	var ms [][]*entree
	for _, e := range es {
		if n := len(ms); n > 0 && ms[n-1][0].jour.Month() == e.jour.Month() && ms[n-1][0].jour.Year() == e.jour.Year() {
			ms[n-1] = append(ms[n-1], e)
			continue
		}
		ms = append(ms, []*entree{e})
	}
	return ms
}
