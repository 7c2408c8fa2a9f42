package xdemat

import (
	"strings"
	"time"
)

// OperationActeCorriger records the correction of an acte the préfecture
// (or the platform) refused: new objet, matière or main document. It is
// followed by acte.transmettre, which sends the corrected acte as a new
// transmission of the same acte (a new archive). Payload: CorrectionActe.
// Central relays it as is to the commune's postes.
const OperationActeCorriger = "acte.corriger"

// CorrectionActe is what the secretary changed in a refused acte. Empty
// fields keep the acte's value.
type CorrectionActe struct {
	ActeID             string         `json:"acteId"`
	Objet              string         `json:"objet,omitempty"`
	Classification     Classification `json:"classification,omitempty"`
	DateClassification time.Time      `json:"dateClassification,omitzero"`
	DocumentPrincipal  *PieceActe     `json:"documentPrincipal,omitempty"`
	Par                string         `json:"par,omitempty"`
	Le                 time.Time      `json:"le"`
}

// Validate checks the shape of a correction; Appliquer checks the result.
func (c *CorrectionActe) Validate() error {
	if !ValidUUID(c.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if c.Objet == "" && c.Classification == "" && c.DocumentPrincipal == nil {
		return Errorf(EINVALID, "Rien n'a été corrigé : changez l'objet, la matière ou le document de l'acte avant de le renvoyer.")
	}
	if !texteValide(c.Par, 128) {
		return Errorf(EINVALID, "Auteur illisible.")
	}
	if c.Le.IsZero() {
		return Errorf(EINVALID, "La date de la correction est absente.")
	}
	return nil
}

// Appliquer corrects a, which must be en erreur (refused), and checks the
// corrected acte as a new one would be. a is unchanged on error.
func (c *CorrectionActe) Appliquer(a *Acte) error {
	if a.Statut != ActeEnErreur {
		return Errorf(ECONFLICT, "L'acte %s est « %s » : seul un acte refusé par la préfecture peut être corrigé et renvoyé.", a.NumeroInterne, a.Statut.Libelle())
	}
	v := *a
	v.Annexes = append([]PieceActe(nil), a.Annexes...)
	if c.Objet != "" {
		v.Objet = strings.TrimSpace(c.Objet)
	}
	if c.Classification != "" {
		v.Classification = c.Classification
		if !c.DateClassification.IsZero() {
			v.DateClassification = c.DateClassification
		}
	}
	if c.DocumentPrincipal != nil {
		v.DocumentPrincipal = *c.DocumentPrincipal
	}
	// Validate checks a date of decision against today: a refused acte keeps
	// its date, which is in the past.
	if err := v.Validate(); err != nil {
		return err
	}
	*a = v
	return nil
}

// Resume says in French what the correction changed, for the history.
func (c *CorrectionActe) Resume() string {
	var parts []string
	if c.Objet != "" {
		parts = append(parts, "objet « "+strings.TrimSpace(c.Objet)+" »")
	}
	if c.Classification != "" {
		parts = append(parts, "matière "+string(c.Classification))
	}
	if c.DocumentPrincipal != nil {
		parts = append(parts, "document principal « "+c.DocumentPrincipal.Nom+" »")
	}
	return "Corrigé après le refus : " + strings.Join(parts, ", ") + "."
}
