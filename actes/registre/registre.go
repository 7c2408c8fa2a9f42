// Package registre prints the registers a commune keeps on paper: the
// registre des délibérations of the conseil municipal and the registre des
// arrêtés of the maire, for one year, as an A4 PDF ready to print, bind and
// sign by hand.
//
// The law asks for a paper register even when the actes are signed and
// transmitted electronically (CGCT R2121-9, R2122-7): xdemat prints the
// sheets, the maire and the secrétaire(s) de séance sign them by hand once
// per séance. Two orderings are printed: chronological (the legal one, with
// a closing sheet per séance) and by matière (a search aid); both end with
// the table of dates and the table of subjects required when the sheets are
// bound.
package registre

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"xdemat"
)

// Ordre is how the entries of a register are ordered.
type Ordre int

const (
	// Chronologique is the legal register: in date order (CM-27, PUB-20),
	// délibérations grouped by séance with a closing sheet after each.
	Chronologique Ordre = iota
	// ParMatiere groups the entries under their matière of the
	// préfecture's classification, chronological inside each.
	ParMatiere
)

// String returns the name used in the local API's query ("chronologique",
// "matiere").
func (o Ordre) String() string {
	if o == ParMatiere {
		return "matiere"
	}
	return "chronologique"
}

// LireOrdre reads an ordering as the local API's query names it; "" is the
// chronological one.
func LireOrdre(s string) (Ordre, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "chronologique":
		return Chronologique, nil
	case "matiere", "matière", "par-matiere", "parmatiere":
		return ParMatiere, nil
	}
	return 0, xdemat.Errorf(xdemat.EINVALID, "L'ordre « %s » du registre est inconnu : choisissez « chronologique » ou « matiere ».", strings.ToValidUTF8(s, "?"))
}

// Registre is what a register prints.
type Registre struct {
	Commune string            // the commune's name, as on every sheet
	Annee   int               // the year of the decisions, in Paris
	Nature  xdemat.NatureActe // DE: délibérations; AR or AI: arrêtés (both natures)
	Ordre   Ordre
	// Actes may hold actes of any nature and year: only those of the
	// register (Natures) decided in Annee are printed.
	Actes []*xdemat.Acte
	// Matieres names the matières of the classification; nil: only the
	// nine matières of the national nomenclature are named, the lower
	// levels are shown by their code.
	Matieres Matieres
	// Publications are the dates the actes were put online on the
	// commune's site, by acte ID (PUB-20: the register also records the
	// publication of the maire's acts); may be nil.
	Publications map[string]time.Time
	Edite        time.Time // when the register is printed; zero: now
}

// Natures returns the natures of the actes entered in the register of
// nature n, nil when the commune keeps no register for n.
//
// The registre des délibérations also holds the documents budgétaires (BF):
// a budget or a compte administratif is adopted by a délibération of the
// conseil, and @CTES only carries it under its own nature; leaving it out
// would leave a gap in the séance's order numbers. The registre des arrêtés
// holds the maire's arrêtés, réglementaires and individuels alike (PUB-20
// asks for the nature of each act on the sheet, which is printed).
func Natures(n xdemat.NatureActe) []xdemat.NatureActe {
	switch n {
	case xdemat.NatureDeliberation:
		return []xdemat.NatureActe{xdemat.NatureDeliberation, xdemat.NatureDocumentBudgetaire}
	case xdemat.NatureActeReglementaire, xdemat.NatureActeIndividuel:
		return []xdemat.NatureActe{xdemat.NatureActeReglementaire, xdemat.NatureActeIndividuel}
	}
	return nil
}

// Titre returns the title of the register of nature n.
func Titre(n xdemat.NatureActe) string {
	if estDeliberations(n) {
		return "Registre des délibérations du conseil municipal"
	}
	return "Registre des arrêtés du maire"
}

// NomFichier is the name proposed when the register is saved:
// "registre-deliberations-2026.pdf", "registre-arretes-2026-par-matiere.pdf".
func NomFichier(n xdemat.NatureActe, annee int, o Ordre) string {
	s := "registre-arretes-"
	if estDeliberations(n) {
		s = "registre-deliberations-"
	}
	s += strconv.Itoa(annee)
	if o == ParMatiere {
		s += "-par-matiere"
	}
	return s + ".pdf"
}

func estDeliberations(n xdemat.NatureActe) bool {
	return n == xdemat.NatureDeliberation || n == xdemat.NatureDocumentBudgetaire
}

// Construire prints the register r. It says in French what to do when there
// is nothing to print (ENOTFOUND) or when r is incomplete (EINVALID).
func Construire(r Registre) ([]byte, error) {
	if err := r.valider(); err != nil {
		return nil, err
	}
	es := r.entrees()
	if len(es) == 0 {
		quoi := "aucune délibération datée"
		if !estDeliberations(r.Nature) {
			quoi = "aucun arrêté daté"
		}
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ce poste ne connaît %s de %d : choisissez une autre année, ou enregistrez d'abord les actes de l'année (page Actes, « Nouvel acte »).", quoi, r.Annee)
	}
	if r.Edite.IsZero() {
		r.Edite = time.Now()
	}
	return imprimer(&r, es)
}

func (r *Registre) valider() error {
	r.Commune = strings.TrimSpace(r.Commune)
	switch {
	case Natures(r.Nature) == nil:
		return xdemat.Errorf(xdemat.EINVALID, "La commune ne tient de registre que pour les délibérations et les arrêtés du maire : choisissez l'un des deux (la nature « %s » n'en a pas).", r.Nature.Libelle())
	case r.Annee < 1900 || r.Annee > 9999:
		return xdemat.Errorf(xdemat.EINVALID, "L'année %d du registre n'est pas valide : choisissez une année à quatre chiffres, par exemple %d.", r.Annee, time.Now().In(xdemat.Paris).Year())
	case r.Commune == "":
		return xdemat.Errorf(xdemat.EINVALID, "Le nom de la commune manque : chaque feuillet du registre doit le porter ; terminez l'enrôlement du poste.")
	case r.Ordre != Chronologique && r.Ordre != ParMatiere:
		return xdemat.Errorf(xdemat.EINVALID, "L'ordre du registre est inconnu : choisissez « chronologique » ou « par matière ».")
	}
	return nil
}

// entrees selects the actes of the register and puts them in date order,
// numéro order within a day; délibérations get their order number within
// their séance.
func (r *Registre) entrees() []*entree {
	natures := Natures(r.Nature)
	var es []*entree
	for _, a := range r.Actes {
		if a == nil || !contient(natures, a.Nature) || a.DateDecision.IsZero() {
			continue
		}
		j := jourDe(a.DateDecision)
		if j.Year() != r.Annee {
			continue
		}
		es = append(es, &entree{acte: a, jour: j})
	}
	sort.SliceStable(es, func(i, k int) bool { return es[i].avant(es[k]) })
	if estDeliberations(r.Nature) {
		for _, s := range seances(es) {
			for i, e := range s.entrees {
				e.ordre = i + 1
			}
		}
	}
	return es
}

func contient(ns []xdemat.NatureActe, n xdemat.NatureActe) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}
