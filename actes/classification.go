package actes

import (
	"strconv"
	"strings"

	"xdemat"
)

// RetourClassification is the préfecture's classification (7-2): the natures
// of actes with the typologies of pieces each allows, and the tree of
// matières (up to 5 levels) an acte is classified in. Every acte sent names
// the date of the classification it was prepared with.
type RetourClassification struct {
	DateClassification Date         `xml:"DateClassification"`
	NaturesActes       []NatureActe `xml:"NaturesActes>NatureActe"`
	Matieres           []Matiere    `xml:"Matieres>Matiere1"`
}

// NatureActe is a nature of actes in the classification, with its typologies.
type NatureActe struct {
	CodeNatureActe int         `xml:"CodeNatureActe,attr"`
	Libelle        string      `xml:"Libelle,attr"`
	TypeAbrege     string      `xml:"TypeAbrege,attr"`
	TypesPJ        []TypePiece `xml:"TypePJNatureActe"`
}

// TypePiece is a typologie de pièce: "99_DE" "Délibération".
type TypePiece struct {
	CodeTypePJ string `xml:"CodeTypePJ,attr"`
	Libelle    string `xml:"Libelle,attr"`
}

// Matiere is a node of the tree of matières. Its children are read from the
// element of the next level (Matiere2 under Matiere1…).
type Matiere struct {
	CodeMatiere int       `xml:"CodeMatiere,attr"`
	Libelle     string    `xml:"Libelle,attr"`
	Matiere2    []Matiere `xml:"Matiere2"`
	Matiere3    []Matiere `xml:"Matiere3"`
	Matiere4    []Matiere `xml:"Matiere4"`
	Matiere5    []Matiere `xml:"Matiere5"`
}

// SousMatieres returns the children of m, whatever their level.
func (m *Matiere) SousMatieres() []Matiere {
	switch {
	case len(m.Matiere2) > 0:
		return m.Matiere2
	case len(m.Matiere3) > 0:
		return m.Matiere3
	case len(m.Matiere4) > 0:
		return m.Matiere4
	}
	return m.Matiere5
}

func (*RetourClassification) Code() CodeMessage { return CodeRetourClassification }
func (m *RetourClassification) noeud() *noeud {
	natures := el("NaturesActes")
	for _, n := range m.NaturesActes {
		ne := el("NatureActe", "actes:CodeNatureActe", strconv.Itoa(n.CodeNatureActe), "actes:Libelle", n.Libelle, "actes:TypeAbrege", n.TypeAbrege)
		for _, t := range n.TypesPJ {
			ne.add(el("TypePJNatureActe", "actes:CodeTypePJ", t.CodeTypePJ, "actes:Libelle", t.Libelle))
		}
		natures.add(ne)
	}
	var matiere func(m Matiere, niveau int) *noeud
	matiere = func(m Matiere, niveau int) *noeud {
		n := el("Matiere"+strconv.Itoa(niveau), "actes:CodeMatiere", strconv.Itoa(m.CodeMatiere), "actes:Libelle", m.Libelle)
		for _, s := range m.SousMatieres() {
			n.add(matiere(s, niveau+1))
		}
		return n
	}
	matieres := el("Matieres")
	for _, x := range m.Matieres {
		matieres.add(matiere(x, 1))
	}
	return el("RetourClassification").add(texte("DateClassification", m.DateClassification.String()), natures, matieres)
}

// Nature returns the classification's entry for nature n, or nil.
func (m *RetourClassification) Nature(n xdemat.NatureActe) *NatureActe {
	for i := range m.NaturesActes {
		if m.NaturesActes[i].CodeNatureActe == int(n) {
			return &m.NaturesActes[i]
		}
	}
	return nil
}

// TypePieceAutorise reports whether typologie code may be used for an acte of
// nature n.
func (m *RetourClassification) TypePieceAutorise(n xdemat.NatureActe, code string) bool {
	if na := m.Nature(n); na != nil {
		for _, t := range na.TypesPJ {
			if t.CodeTypePJ == code {
				return true
			}
		}
	}
	return false
}

// Libelles returns the labels of the matières along c ("Finances locales",
// "Fiscalité"…), or nil when the classification does not hold c.
func (m *RetourClassification) Libelles(c xdemat.Classification) []string {
	niveaux := c.Niveaux()
	if niveaux == nil {
		return nil
	}
	var out []string
	courant := m.Matieres
	for _, code := range niveaux {
		trouve := false
		for i := range courant {
			if courant[i].CodeMatiere == code {
				out = append(out, courant[i].Libelle)
				courant = courant[i].SousMatieres()
				trouve = true
				break
			}
		}
		if !trouve {
			return nil
		}
	}
	return out
}

// Contient reports whether c is a matière of the classification.
func (m *RetourClassification) Contient(c xdemat.Classification) bool {
	return m.Libelles(c) != nil
}

// VerifierActe checks what needs the préfecture's classification: the
// version used, the nature, the matière and the typologie of every piece.
func (m *RetourClassification) VerifierActe(a *xdemat.Acte) error {
	if !Jour(a.DateClassification).Equal(m.DateClassification.Time) {
		return xdemat.Errorf(xdemat.ECONFLICT, "L'acte a été préparé avec la classification du %s ; la préfecture utilise celle du %s : choisissez de nouveau la matière.",
			Jour(a.DateClassification).Format("02/01/2006"), m.DateClassification.Format("02/01/2006"))
	}
	if m.Nature(a.Nature) == nil {
		return xdemat.Errorf(xdemat.EINVALID, "La préfecture n'accepte pas d'acte de nature « %s ».", a.Nature.Libelle())
	}
	if !m.Contient(a.Classification) {
		return xdemat.Errorf(xdemat.EINVALID, "La matière %s n'existe pas dans la classification de la préfecture : choisissez-la dans la liste.", strings.ToValidUTF8(string(a.Classification), "?"))
	}
	for _, p := range a.Documents() {
		if !m.TypePieceAutorise(a.Nature, p.TypePiece) {
			return xdemat.Errorf(xdemat.EINVALID, "Le type de pièce %s de « %s » n'est pas permis pour un acte de nature « %s » : choisissez-en un dans la liste de la préfecture.",
				strings.ToValidUTF8(p.TypePiece, "?"), strings.ToValidUTF8(p.Nom, "?"), a.Nature.Libelle())
		}
	}
	return nil
}
