package xdemat

import (
	"strings"
	"time"
)

// EvenementActeClassification brings the préfecture's classification to
// the commune's postes, each time central receives a new version (7-2).
// Payload: ClassificationPrefecture.
const EvenementActeClassification = "acte.classification"

// ClassificationPrefecture is the préfecture's classification as the postes
// use it: its version (date), the natures with the typologies of pieces each
// allows, and the tree of matières (up to five levels).
type ClassificationPrefecture struct {
	Date     time.Time               `json:"date"` // DateClassification: every acte names it
	RecueLe  time.Time               `json:"recueLe,omitzero"`
	Natures  []NatureClassification  `json:"natures"`
	Matieres []MatiereClassification `json:"matieres"`
}

// NatureClassification is a nature of actes and its typologies de pièces.
type NatureClassification struct {
	Code        NatureActe                `json:"code"`
	Libelle     string                    `json:"libelle"`
	TypesPieces []TypePieceClassification `json:"typesPieces"`
}

// TypePieceClassification is a typologie de pièce: "99_DE" "Délibération".
type TypePieceClassification struct {
	Code    string `json:"code"`
	Libelle string `json:"libelle"`
}

// MatiereClassification is a node of the tree of matières.
type MatiereClassification struct {
	Code         int                     `json:"code"`
	Libelle      string                  `json:"libelle"`
	SousMatieres []MatiereClassification `json:"sousMatieres,omitempty"`
}

// MaxMatieresClassification bounds the nodes of a classification we accept
// (a real préfecture's counts a few hundred).
const MaxMatieresClassification = 20000

// Validate checks a classification relayed by central.
func (c *ClassificationPrefecture) Validate() error {
	if c.Date.IsZero() {
		return Errorf(EINVALID, "La classification de la préfecture n'a pas de date de version.")
	}
	if len(c.Matieres) == 0 || len(c.Natures) == 0 {
		return Errorf(EINVALID, "La classification de la préfecture est vide.")
	}
	n := 0
	var parcourir func(ms []MatiereClassification, niveau int) error
	parcourir = func(ms []MatiereClassification, niveau int) error {
		for i := range ms {
			n++
			m := &ms[i]
			if niveau > 5 || m.Code < 1 || m.Code > 99 || !texteValide(m.Libelle, 500) || n > MaxMatieresClassification {
				return Errorf(EINVALID, "La classification de la préfecture est mal formée (matière %d au niveau %d).", m.Code, niveau)
			}
			if err := parcourir(m.SousMatieres, niveau+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := parcourir(c.Matieres, 1); err != nil {
		return err
	}
	for _, na := range c.Natures {
		if !texteValide(na.Libelle, 200) {
			return Errorf(EINVALID, "La classification de la préfecture est mal formée (nature %d).", na.Code)
		}
		for _, t := range na.TypesPieces {
			if !ValidTypePiece(t.Code) || !texteValide(t.Libelle, 500) {
				return Errorf(EINVALID, "La classification de la préfecture est mal formée (type de pièce « %s »).", strings.ToValidUTF8(t.Code, "?"))
			}
		}
	}
	return nil
}

// Libelles returns the labels of the matières along cl, nil when the
// classification does not hold cl.
func (c *ClassificationPrefecture) Libelles(cl Classification) []string {
	niveaux := cl.Niveaux()
	if niveaux == nil {
		return nil
	}
	var out []string
	courant := c.Matieres
	for _, code := range niveaux {
		trouve := false
		for i := range courant {
			if courant[i].Code == code {
				out = append(out, courant[i].Libelle)
				courant = courant[i].SousMatieres
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

// VerifierMatiere checks that cl is a matière of the classification and
// says in French what to do when it is not.
func (c *ClassificationPrefecture) VerifierMatiere(cl Classification) error {
	if c.Libelles(cl) == nil {
		return Errorf(EINVALID, "La matière %s n'existe pas dans la classification de la préfecture (version du %s) : choisissez-en une autre.",
			strings.ToValidUTF8(string(cl), "?"), c.Date.In(Paris).Format("02/01/2006"))
	}
	return nil
}

// Matiere is one entry of the flat list of matières, for pick lists.
type Matiere struct {
	Classification Classification `json:"classification"`
	Libelle        string         `json:"libelle"` // the labels along the path, joined by " > "
}

// Liste returns the matières of at least two levels (the least @CTES
// accepts), depth first, in the order of the file.
func (c *ClassificationPrefecture) Liste() []Matiere {
	var out []Matiere
	var parcourir func(ms []MatiereClassification, codes []int, libelles []string)
	parcourir = func(ms []MatiereClassification, codes []int, libelles []string) {
		for _, m := range ms {
			cs := append(append([]int(nil), codes...), m.Code)
			ls := append(append([]string(nil), libelles...), m.Libelle)
			if len(cs) >= 2 {
				out = append(out, Matiere{Classification: NouvelleClassification(cs...), Libelle: strings.Join(ls, " > ")})
			}
			parcourir(m.SousMatieres, cs, ls)
		}
	}
	parcourir(c.Matieres, nil, nil)
	return out
}
