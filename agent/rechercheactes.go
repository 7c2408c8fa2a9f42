package agent

import (
	"context"

	"xdemat"
)

// The search of the actes on the poste: full text over the numéro, the
// objet, the matière (code and label), the nature and the text of the PDFs,
// with the filters of the list, instant on a commune's whole history.

// RechercheActes is a search of the actes. Q is what the secretary typed:
// any text, searched word by word (every word must match, accents and case
// ignored, each word also as the beginning of a longer one); quotes and
// operators are plain text. Q empty: the filtered list, newest first.
type RechercheActes struct {
	Q        string            `json:"q,omitempty"`
	Nature   xdemat.NatureActe `json:"nature,omitempty"` // 0: all
	Annee    int               `json:"annee,omitempty"`  // year of the decision; 0: all
	Statut   xdemat.StatutActe `json:"statut,omitempty"` // "": all
	Limite   int               `json:"limite,omitempty"` // 0: LimiteRechercheParDefaut; at most LimiteRechercheMax
	Decalage int               `json:"decalage,omitempty"`
}

// Limits of one page of results.
const (
	LimiteRechercheParDefaut = 50
	LimiteRechercheMax       = 500
)

// The marks around the words found in ActeTrouve.Extrait (control
// characters, never in the text of an acte, so that the app can show the
// words in bold).
const (
	DebutSurligne = "\x02"
	FinSurligne   = "\x03"
)

// ActeTrouve is one result of a search.
type ActeTrouve struct {
	Acte *xdemat.Acte `json:"acte"`
	// Matiere is the classification code followed by its label when the
	// poste knows it: "7.1 Finances locales > Décisions budgétaires".
	Matiere string `json:"matiere"`
	// Extrait shows where the words were found (a few words around them,
	// marked with DebutSurligne/FinSurligne); empty without Q.
	Extrait string `json:"extrait,omitempty"`
}

// ResultatRecherche is a page of results, best first (newest first without Q).
type ResultatRecherche struct {
	Actes []ActeTrouve `json:"actes"`
	Total int          `json:"total"` // of all pages
	// Plafonne: so many actes match (Total is then a floor) that only the
	// most recently recorded ones were ranked: add a word or a filter.
	Plafonne bool `json:"plafonne,omitempty"`
}

// RechercheActesStore is the search part of the agent's database.
type RechercheActesStore interface {
	// RechercherActes returns a page of the actes r selects, ranked.
	RechercherActes(ctx context.Context, r RechercheActes) (*ResultatRecherche, error)
	// ParcourirActes calls fn with every acte r selects (Limite and
	// Decalage ignored), in the order of RechercherActes, for the exports.
	ParcourirActes(ctx context.Context, r RechercheActes, fn func(*ActeTrouve) error) error
	// EnregistrerLibellesMatieres replaces the labels of the matières
	// (code → label, the levels joined by " > ") and updates the index.
	EnregistrerLibellesMatieres(ctx context.Context, libelles map[xdemat.Classification]string) error
}

// TexteAIndexer is an acte whose documents' text is not (all) in the index.
type TexteAIndexer struct {
	Rang     int64 // position, for the next page
	ActeID   string
	Pieces   []xdemat.PieceActe // all its documents, main one first
	Indexees []string           // SHA-256 of those whose text is already in the index
}

// TextesActesStore is what the indexing pass needs from the database.
type TextesActesStore interface {
	// TextesAIndexer returns up to limite actes after rang whose text is
	// to be read.
	TextesAIndexer(ctx context.Context, apres int64, limite int) ([]TexteAIndexer, error)
	// EnregistrerTexteActe puts texte in the index of the acte, read from
	// the documents pieces (SHA-256). A stale call (the acte's documents
	// changed meanwhile) still records what it read.
	EnregistrerTexteActe(ctx context.Context, acteID string, pieces []string, texte string) error
}

// Normaliser checks the filters of r, says in French what is wrong, and
// brings Limite and Decalage within bounds.
func (r *RechercheActes) Normaliser() error {
	switch {
	case r.Nature != 0 && !r.Nature.Valid():
		return xdemat.Errorf(xdemat.EINVALID, "Nature d'acte inconnue (%d) : choisissez-la dans la liste.", int(r.Nature))
	case r.Statut != "" && !r.Statut.Valid():
		return xdemat.Errorf(xdemat.EINVALID, "Statut d'acte inconnu : choisissez-le dans la liste.")
	case r.Annee != 0 && (r.Annee < 1900 || r.Annee > 9999):
		return xdemat.Errorf(xdemat.EINVALID, "L'année %d n'est pas valide : écrivez-la sur quatre chiffres.", r.Annee)
	case r.Limite < 0 || r.Decalage < 0:
		return xdemat.Errorf(xdemat.EINVALID, "La page de résultats demandée n'existe pas : recommencez la recherche.")
	}
	if r.Limite == 0 {
		r.Limite = LimiteRechercheParDefaut
	}
	r.Limite = min(r.Limite, LimiteRechercheMax)
	return nil
}
