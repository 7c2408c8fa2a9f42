package surveillance

import (
	"errors"
	"time"
)

// Fichier is a complete file found in a watched folder, handed to the
// Traitement. It is still at Chemin during the call; it is moved afterwards.
type Fichier struct {
	Chemin    string    `json:"chemin"`
	Nom       string    `json:"nom"`
	Dossier   string    `json:"dossier"`   // the watched folder
	Empreinte string    `json:"empreinte"` // SHA-256 of the content, hex
	Taille    int64     `json:"taille"`
	Modifie   time.Time `json:"modifie"`
}

// Refus is returned by a Traitement to refuse a file for good: it goes to the
// "refusés" subfolder with a .txt holding Motif. Any other error leaves the
// file in place to be tried again later.
type Refus struct {
	Motif string // French: what is wrong and what to do
}

func (r *Refus) Error() string { return r.Motif }

// Refuser makes a Refus.
func Refuser(motif string) error { return &Refus{Motif: motif} }

func estRefus(err error) (*Refus, bool) {
	var r *Refus
	ok := errors.As(err, &r)
	return r, ok
}
