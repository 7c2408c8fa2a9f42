package xdemat

import "time"

// StatutPiecePES is where a mandat or titre stands at the Trésorerie, from
// the PES_Retour files (EtatPce). Persisted as text and sent over the wire.
type StatutPiecePES string

const (
	PieceEnInstance             StatutPiecePES = "en_instance"
	PiecePriseEnCharge          StatutPiecePES = "prise_en_charge"
	PiecePriseEnChargePartielle StatutPiecePES = "prise_en_charge_partielle"
	PieceRejetee                StatutPiecePES = "rejetee"
	PieceSoldee                 StatutPiecePES = "soldee"
	PieceAnnulee                StatutPiecePES = "annulee"
)

// EvenementHeliosRetour tells the postes what the Trésorerie did with the
// pièces of a transmission (a PES_Retour); payload: RetourPES.
const EvenementHeliosRetour = "helios.retour"

// MaxPiecesRetour bounds the pièces of one RetourPES, so that an event stays
// well under TailleMaxPayload (MaxPhrasePiece each); central splits a larger
// PES_Retour into parts (RetourPES.Partie).
const MaxPiecesRetour = 150

// MaxPhrasePiece bounds the French sentence of one pièce, in bytes.
const MaxPhrasePiece = 1200

// Libelle returns the French label shown to the secrétaire.
func (s StatutPiecePES) Libelle() string {
	switch s {
	case PieceEnInstance:
		return "En instance à la trésorerie"
	case PiecePriseEnCharge:
		return "Prise en charge"
	case PiecePriseEnChargePartielle:
		return "Prise en charge en partie"
	case PieceRejetee:
		return "Rejetée par la trésorerie"
	case PieceSoldee:
		return "Payée (soldée)"
	case PieceAnnulee:
		return "Annulée"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s StatutPiecePES) Valid() bool { return s.rang() > 0 }

// rang orders the states so that a late or replayed retour never moves a
// pièce backwards: on hold, taken in charge (partly, then fully), then a
// final state (paid, rejected, cancelled) that nothing changes.
func (s StatutPiecePES) rang() int {
	switch s {
	case PieceEnInstance:
		return 1
	case PiecePriseEnChargePartielle:
		return 2
	case PiecePriseEnCharge:
		return 3
	case PieceSoldee, PieceRejetee, PieceAnnulee:
		return 4
	}
	return 0
}

// PiecePES is one mandat (dépense) or titre (recette) of a bordereau, as the
// Trésorerie reported it last.
type PiecePES struct {
	Numero string         `json:"numero"` // IdPce
	Statut StatutPiecePES `json:"statut"`
	// Phrase says in French what happened and, for a rejection, why and
	// what to do (helios.PieceRetour.Phrase).
	Phrase string    `json:"phrase,omitempty"`
	Le     time.Time `json:"le"`
}

// RetourBordereauPES is the pièces of one bordereau in a PES_Retour.
type RetourBordereauPES struct {
	Domaine  string     `json:"domaine"`
	Exercice string     `json:"exercice"`
	Numero   string     `json:"numero"`
	Pieces   []PiecePES `json:"pieces"`
}

// RetourPES is what central tells the postes when a PES_Retour concerns a
// transmission: the new state of some of its pièces.
type RetourPES struct {
	TransmissionID string `json:"transmissionId"`
	DossierID      string `json:"dossierId"`
	NomFic         string `json:"nomFic"`
	NomRetour      string `json:"nomRetour"` // NomFic of the PES_Retour
	// Partie numbers the parts of a retour too large for one event (0 for
	// the first or only one).
	Partie     int                  `json:"partie,omitempty"`
	Bordereaux []RetourBordereauPES `json:"bordereaux"`
	Le         time.Time            `json:"le"`
}

// Validate checks a retour event.
func (r *RetourPES) Validate() error {
	if !ValidUUID(r.TransmissionID) || !ValidUUID(r.DossierID) {
		return Errorf(EINVALID, "Retour de la trésorerie sans transmission valide.")
	}
	if r.NomRetour == "" || !texteValide(r.NomRetour, TailleMaxNomFic) || r.Partie < 0 {
		return Errorf(EINVALID, "Le retour de la trésorerie n'a pas de nom lisible.")
	}
	if len(r.Bordereaux) == 0 {
		return Errorf(EINVALID, "Le retour de la trésorerie %s ne concerne aucun bordereau.", safe(r.NomRetour))
	}
	n := 0
	for _, b := range r.Bordereaux {
		if (b.Domaine != "depense" && b.Domaine != "recette") || b.Numero == "" || !texteValide(b.Numero, 32) || !texteValide(b.Exercice, 8) {
			return Errorf(EINVALID, "Le retour de la trésorerie %s cite un bordereau illisible.", safe(r.NomRetour))
		}
		for _, p := range b.Pieces {
			if p.Numero == "" || !texteValide(p.Numero, 32) {
				return Errorf(EINVALID, "Le retour de la trésorerie %s cite une pièce sans numéro lisible.", safe(r.NomRetour))
			}
			if !p.Statut.Valid() {
				return Errorf(EINVALID, "État inconnu pour la pièce n° %s : %q.", safe(p.Numero), p.Statut)
			}
			if len(p.Phrase) > MaxPhrasePiece {
				return Errorf(ETOOLARGE, "L'explication de la pièce n° %s est trop longue.", safe(p.Numero))
			}
		}
		n += len(b.Pieces)
	}
	if n > MaxPiecesRetour {
		return Errorf(ETOOLARGE, "Le retour de la trésorerie %s cite plus de %d pièces.", safe(r.NomRetour), MaxPiecesRetour)
	}
	return nil
}

// AppliquerRetour records on t the pièce states of r. A state older than or
// equal to the one known (a retour replayed or relayed late) changes nothing;
// a final state is never changed. It returns the pièces that moved.
func (t *TransmissionPES) AppliquerRetour(r *RetourPES) ([]PiecePES, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.TransmissionID != t.ID {
		return nil, Errorf(EINVALID, "Ce retour concerne une autre transmission.")
	}
	var bouge []PiecePES
	for _, rb := range r.Bordereaux {
		var b *BordereauPES
		for i := range t.Bordereaux {
			if c := &t.Bordereaux[i]; c.Domaine == rb.Domaine && c.Exercice == rb.Exercice && memeNumero(c.Numero, rb.Numero) {
				b = c
			}
		}
		if b == nil {
			continue // not ours: the retour lists the collectivité's other bordereaux too
		}
		for _, p := range rb.Pieces {
			j := -1
			for i := range b.Pieces {
				if memeNumero(b.Pieces[i].Numero, p.Numero) {
					j = i
				}
			}
			switch {
			case j < 0:
				if p.Le.IsZero() {
					p.Le = r.Le
				}
				b.Pieces = append(b.Pieces, p)
			case b.Pieces[j].Statut.rang() >= p.Statut.rang():
				continue
			default:
				if p.Le.IsZero() {
					p.Le = r.Le
				}
				b.Pieces[j] = p
			}
			bouge = append(bouge, p)
		}
	}
	return bouge, nil
}

// memeNumero compares PES numbers, which the DGFiP may pad with zeros.
func memeNumero(a, b string) bool {
	for len(a) > 1 && a[0] == '0' {
		a = a[1:]
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	return a == b
}
