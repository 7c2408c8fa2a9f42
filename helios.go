package xdemat

import (
	"regexp"
	"time"
)

// StatutHelios is where a PES file, or one of its bordereaux, stands on its
// way to the DGFiP. Persisted as text and sent over the wire.
type StatutHelios string

const (
	HeliosASigner  StatutHelios = "a_signer"
	HeliosSigne    StatutHelios = "signe"
	HeliosTransmis StatutHelios = "transmis"
	HeliosAcquitte StatutHelios = "acquitte"
	HeliosRefuse   StatutHelios = "refuse"
)

// Libelle returns the French label shown to the secrétaire.
func (s StatutHelios) Libelle() string {
	switch s {
	case HeliosASigner:
		return "À signer"
	case HeliosSigne:
		return "Signé"
	case HeliosTransmis:
		return "Transmis à la trésorerie"
	case HeliosAcquitte:
		return "Acquitté par la trésorerie"
	case HeliosRefuse:
		return "Refusé par la trésorerie"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s StatutHelios) Valid() bool { return s.rang() > 0 }

// Final reports whether the DGFiP has answered: nothing moves after that.
func (s StatutHelios) Final() bool { return s == HeliosAcquitte || s == HeliosRefuse }

// rang orders the statuses along the flow, so that a replayed or late status
// never moves a file backwards.
func (s StatutHelios) rang() int {
	switch s {
	case HeliosASigner:
		return 1
	case HeliosSigne:
		return 2
	case HeliosTransmis:
		return 3
	case HeliosAcquitte, HeliosRefuse:
		return 4
	}
	return 0
}

// BordereauPES is one bordereau of a transmitted PES_Aller and its own
// verdict: Hélios accepts or refuses each bordereau separately.
type BordereauPES struct {
	Domaine  string       `json:"domaine"`  // "depense" or "recette"
	Exercice string       `json:"exercice"` // year
	Numero   string       `json:"numero"`   // IdBord
	Type     string       `json:"type"`     // TypBord code (01 ordinaire…)
	Montant  int64        `json:"montant"`  // TTC, in euro cents
	NbPieces int          `json:"nbPieces"`
	Statut   StatutHelios `json:"statut"`
	// Pieces are the mandats or titres the Trésorerie reported on in its
	// PES_Retour files (none until the first one).
	Pieces []PiecePES `json:"pieces,omitempty"`
	// Explications are the French sentences for each anomaly of a refusal.
	Explications []string `json:"explications,omitempty"`
}

// TransmissionPES is a PES_Aller file on its way to the DGFiP: imported from
// the accounting software's export folder, signed in the parapheur, sent by
// central, answered by an acquit. NomFic and CodCol identify it for Hélios:
// a commune never sends the same pair twice.
type TransmissionPES struct {
	ID        string `json:"id"` // UUID made by the poste that imported it
	CommuneID string `json:"-"`
	DossierID string `json:"dossierId"` // the parapheur dossier it is signed in
	// Original is the SHA-256 of the file as exported; Document that of the
	// signed file actually sent (empty until signed).
	Original string `json:"original"`
	Document string `json:"document,omitempty"`

	NomFic string `json:"nomFic"`
	CodCol string `json:"codCol"`
	IdPost string `json:"idPost"`
	CodBud string `json:"codBud"`
	IdColl string `json:"idColl,omitempty"` // SIRET
	TypFic string `json:"typFic,omitempty"` // PESALR1, PESALR2…
	// NomTransport is the name given on the transport (PESALR2_<siret>_…),
	// chosen by central when it sends the file.
	NomTransport string `json:"nomTransport,omitempty"`

	Bordereaux   []BordereauPES `json:"bordereaux"`
	Statut       StatutHelios   `json:"statut"`
	Explications []string       `json:"explications,omitempty"` // whole-file refusal (non-acquit)

	ImporteLe  time.Time `json:"importeLe"`
	SigneLe    time.Time `json:"signeLe,omitzero"`
	TransmisLe time.Time `json:"transmisLe,omitzero"`
	ReponduLe  time.Time `json:"reponduLe,omitzero"`
}

// Operation and event types of the Hélios flow.
const (
	// OperationHeliosTransmettre asks central to send a signed PES to the
	// DGFiP; payload: TransmissionPES with Document set.
	OperationHeliosTransmettre = "helios.transmettre"
	// EvenementHeliosStatut tells the postes where a transmission stands;
	// payload: StatutTransmissionPES.
	EvenementHeliosStatut = "helios.statut"
)

// TailleMaxNomFic bounds NomFic and the other PES identifiers we keep.
const TailleMaxNomFic = 100

// MaxBordereauxPES bounds the bordereaux of one transmission (a payload stays small).
const MaxBordereauxPES = 1000

var codColRE = regexp.MustCompile(`^[0-9A-Za-z]{1,3}$`)

// CleUniquePES is the uniqueness key of a PES file for Hélios.
func CleUniquePES(nomFic, codCol string) string { return codCol + "/" + nomFic }

// Cle is the uniqueness key of t (NomFic and CodCol).
func (t *TransmissionPES) Cle() string { return CleUniquePES(t.NomFic, t.CodCol) }

// Validate checks a transmission before it is stored or sent.
func (t *TransmissionPES) Validate() error {
	if !ValidUUID(t.ID) {
		return Errorf(EINVALID, "Identifiant de transmission PES invalide.")
	}
	if !ValidUUID(t.DossierID) {
		return Errorf(EINVALID, "Le PES n'est rattaché à aucun dossier du parapheur valide.")
	}
	if !ValidSHA256(t.Original) {
		return Errorf(EINVALID, "Le fichier PES importé n'a pas d'empreinte valide : importez-le de nouveau.")
	}
	if t.Document != "" && !ValidSHA256(t.Document) {
		return Errorf(EINVALID, "Le PES signé n'a pas d'empreinte valide : signez-le de nouveau.")
	}
	if t.NomFic == "" || !texteValide(t.NomFic, TailleMaxNomFic) {
		return Errorf(EINVALID, "Le PES n'a pas de nom de fichier (NomFic) lisible : faites-le produire de nouveau par le logiciel de comptabilité.")
	}
	if !codColRE.MatchString(t.CodCol) {
		return Errorf(EINVALID, "Le code collectivité (CodCol) « %s » du PES est invalide : vérifiez le paramétrage du logiciel de comptabilité.", safe(t.CodCol))
	}
	for _, v := range []string{t.IdPost, t.CodBud, t.IdColl, t.TypFic, t.NomTransport} {
		if !texteValide(v, TailleMaxNomFic) {
			return Errorf(EINVALID, "L'en-tête du PES « %s » contient des caractères illisibles.", safe(t.NomFic))
		}
	}
	if !t.Statut.Valid() {
		return Errorf(EINVALID, "Statut de transmission PES inconnu : %q.", t.Statut)
	}
	if t.Statut.rang() >= HeliosSigne.rang() && t.Document == "" {
		return Errorf(EINVALID, "Le PES « %s » est dit signé mais le fichier signé manque : signez-le de nouveau.", safe(t.NomFic))
	}
	if len(t.Bordereaux) == 0 {
		return Errorf(EINVALID, "Le PES « %s » ne contient aucun bordereau : rien à transmettre.", safe(t.NomFic))
	}
	if len(t.Bordereaux) > MaxBordereauxPES {
		return Errorf(ETOOLARGE, "Le PES « %s » contient plus de %d bordereaux : découpez-le dans le logiciel de comptabilité.", safe(t.NomFic), MaxBordereauxPES)
	}
	vus := make(map[string]bool, len(t.Bordereaux))
	for i := range t.Bordereaux {
		b := &t.Bordereaux[i]
		if b.Domaine != "depense" && b.Domaine != "recette" {
			return Errorf(EINVALID, "Le bordereau n° %s du PES n'est ni de dépense ni de recette.", safe(b.Numero))
		}
		if b.Exercice == "" || b.Numero == "" || !texteValide(b.Exercice, 8) || !texteValide(b.Numero, 32) || !texteValide(b.Type, 8) {
			return Errorf(EINVALID, "Un bordereau du PES « %s » n'a pas d'exercice ou de numéro lisible.", safe(t.NomFic))
		}
		if !b.Statut.Valid() {
			return Errorf(EINVALID, "Statut inconnu pour le bordereau n° %s : %q.", b.Numero, b.Statut)
		}
		if b.NbPieces < 0 {
			return Errorf(EINVALID, "Le bordereau n° %s annonce un nombre de pièces négatif.", b.Numero)
		}
		k := b.Domaine + "/" + b.Exercice + "/" + b.Numero
		if vus[k] {
			return Errorf(EINVALID, "Le bordereau de %s n° %s (exercice %s) figure deux fois dans le PES : corrigez-le dans le logiciel de comptabilité.", b.Domaine, b.Numero, b.Exercice)
		}
		vus[k] = true
	}
	return nil
}

// StatutTransmissionPES is what central tells the postes when a transmission
// moves: sent, or answered by the DGFiP (per bordereau).
type StatutTransmissionPES struct {
	TransmissionID string       `json:"transmissionId"`
	DossierID      string       `json:"dossierId"`
	NomFic         string       `json:"nomFic"`
	CodCol         string       `json:"codCol"`
	NomTransport   string       `json:"nomTransport,omitempty"`
	Statut         StatutHelios `json:"statut"`
	// Bordereaux gives each bordereau's verdict; empty when the statut
	// applies to all of them (transmis, non-acquit).
	Bordereaux   []StatutBordereauPES `json:"bordereaux,omitempty"`
	Explications []string             `json:"explications,omitempty"`
	Le           time.Time            `json:"le"`
}

// StatutBordereauPES is the verdict on one bordereau.
type StatutBordereauPES struct {
	Domaine      string       `json:"domaine"`
	Exercice     string       `json:"exercice"`
	Numero       string       `json:"numero"`
	Statut       StatutHelios `json:"statut"`
	Explications []string     `json:"explications,omitempty"`
}

// Validate checks a status event.
func (s *StatutTransmissionPES) Validate() error {
	if !ValidUUID(s.TransmissionID) || !ValidUUID(s.DossierID) {
		return Errorf(EINVALID, "Statut Hélios sans transmission valide.")
	}
	if s.Statut.rang() < HeliosTransmis.rang() {
		return Errorf(EINVALID, "Central ne peut annoncer que « transmis », « acquitté » ou « refusé », pas %q.", s.Statut)
	}
	for _, b := range s.Bordereaux {
		if !b.Statut.Valid() {
			return Errorf(EINVALID, "Statut inconnu pour le bordereau n° %s : %q.", safe(b.Numero), b.Statut)
		}
	}
	return nil
}

// Appliquer moves t to the status s. A status older than t's (an event
// replayed, or relayed late) changes nothing and returns false; a second,
// different verdict after a final one is a conflict.
func (t *TransmissionPES) Appliquer(s *StatutTransmissionPES) (bool, error) {
	if err := s.Validate(); err != nil {
		return false, err
	}
	if s.TransmissionID != t.ID {
		return false, Errorf(EINVALID, "Ce statut concerne une autre transmission.")
	}
	if t.Statut.Final() {
		if s.Statut.Final() && s.Statut != t.Statut {
			return false, Errorf(ECONFLICT, "La trésorerie a déjà répondu « %s » pour le PES « %s » ; la nouvelle réponse « %s » est ignorée.", t.Statut.Libelle(), t.NomFic, s.Statut.Libelle())
		}
		return false, nil
	}
	if s.Statut.rang() < t.Statut.rang() || s.Statut == t.Statut {
		return false, nil
	}
	t.Statut = s.Statut
	if s.NomTransport != "" {
		t.NomTransport = s.NomTransport
	}
	t.Explications = s.Explications
	switch s.Statut {
	case HeliosTransmis:
		t.TransmisLe = s.Le
	default:
		t.ReponduLe = s.Le
	}
	for i := range t.Bordereaux {
		b := &t.Bordereaux[i]
		b.Statut, b.Explications = s.Statut, nil
		if s.Statut == HeliosRefuse && len(s.Bordereaux) == 0 {
			b.Explications = s.Explications
		}
		for _, v := range s.Bordereaux {
			if v.Domaine == b.Domaine && v.Exercice == b.Exercice && v.Numero == b.Numero {
				b.Statut, b.Explications = v.Statut, v.Explications
			}
		}
	}
	return true, nil
}

// Refusee reports whether any bordereau, or the file, was refused.
func (t *TransmissionPES) Refusee() bool {
	if t.Statut == HeliosRefuse {
		return true
	}
	for _, b := range t.Bordereaux {
		if b.Statut == HeliosRefuse {
			return true
		}
	}
	return false
}

// safe keeps a value from outside printable in a French message.
func safe(s string) string {
	if len(s) > TailleMaxNomFic {
		s = s[:TailleMaxNomFic]
	}
	r := []rune(s)
	for i, c := range r {
		if c < 0x20 || c == 0x7f {
			r[i] = '?'
		}
	}
	return string(r)
}
