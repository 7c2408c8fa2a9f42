package registre

import (
	"sort"
	"strconv"
	"strings"

	"xdemat"
)

// Matieres names the matières of the préfecture's classification;
// *actes.RetourClassification satisfies it.
type Matieres interface {
	// Libelles returns the labels along c, from the most general, or nil
	// when the classification does not hold c.
	Libelles(c xdemat.Classification) []string
}

// matieresNationales are the nine matières of the first level of the
// national nomenclature, the same in every préfecture: they name the
// groups even when the poste has not received its préfecture's file.
var matieresNationales = map[int]string{
	1: "Commande publique",
	2: "Urbanisme",
	3: "Domaine et patrimoine",
	4: "Fonction publique",
	5: "Institutions et vie politique",
	6: "Libertés publiques et pouvoirs de police",
	7: "Finances locales",
	8: "Domaines de compétences par thèmes",
	9: "Autres domaines de compétences",
}

// libelles returns the labels of c along its levels: those the
// classification gives, else the national first level alone.
func (r *Registre) libelles(c xdemat.Classification) []string {
	if r.Matieres != nil {
		if l := r.Matieres.Libelles(c); len(l) > 0 {
			return l
		}
	}
	if n := c.Niveaux(); len(n) > 0 {
		if l, ok := matieresNationales[n[0]]; ok {
			return []string{l}
		}
	}
	return nil
}

// matiere writes a classification with its labels:
// "7.1 Finances locales › Décisions budgétaires"; an empty or malformed one
// says so.
func (r *Registre) matiere(c xdemat.Classification) string {
	if c == "" {
		return "matière non renseignée"
	}
	l := r.libelles(c)
	if len(l) == 0 {
		return string(c)
	}
	return string(c) + " " + strings.Join(l, " › ")
}

// premierNiveau writes the first level of c: "7 Finances locales".
func (r *Registre) premierNiveau(c xdemat.Classification) string {
	n := c.Niveaux()
	if len(n) == 0 {
		return "Matière non renseignée"
	}
	code := xdemat.NouvelleClassification(n[0])
	if l := r.libelles(c); len(l) > 0 {
		return string(code) + " " + l[0]
	}
	return string(code)
}

// groupeMatiere is the entries of one classification, chronological.
type groupeMatiere struct {
	classification xdemat.Classification
	entrees        []*entree
}

// parMatiere groups the entries (already chronological) by classification,
// the groups in the classification's order (7.1 before 7.10); entries
// without a readable classification come last.
func parMatiere(es []*entree) []*groupeMatiere {
	idx := map[xdemat.Classification]*groupeMatiere{}
	var gs []*groupeMatiere
	for _, e := range es {
		c := e.acte.Classification
		if c.Niveaux() == nil {
			c = ""
		}
		g := idx[c]
		if g == nil {
			g = &groupeMatiere{classification: c}
			idx[c] = g
			gs = append(gs, g)
		}
		g.entrees = append(g.entrees, e)
	}
	sort.SliceStable(gs, func(i, k int) bool { return avantMatiere(gs[i].classification, gs[k].classification) })
	return gs
}

func avantMatiere(a, b xdemat.Classification) bool {
	na, nb := a.Niveaux(), b.Niveaux()
	switch {
	case na == nil || nb == nil:
		return na != nil && nb == nil
	}
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return len(na) < len(nb)
}

// codePremierNiveau returns the first level's code of c, 0 when unreadable.
func codePremierNiveau(c xdemat.Classification) string {
	if n := c.Niveaux(); len(n) > 0 {
		return strconv.Itoa(n[0])
	}
	return ""
}
