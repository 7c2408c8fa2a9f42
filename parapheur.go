package xdemat

import (
	"slices"
	"strings"
	"time"
)

// The parapheur (Xparaph): a document deposited with a circuit of visas and
// signatures, acted on step by step by the commune's people, on any poste of
// the commune. The same pure functions decide on the poste (at once, offline)
// and on central (authoritative, in order of arrival), so both agree on what
// an action does; central settles concurrent actions: the first applied wins.

// TypeDossier is the kind of document deposited. Persisted as text.
type TypeDossier string

const (
	DossierDeliberation TypeDossier = "deliberation"
	DossierArrete       TypeDossier = "arrete"
	DossierDevis        TypeDossier = "devis"
	DossierFacture      TypeDossier = "facture" // facture pour visa
	DossierCourrier     TypeDossier = "courrier"
	DossierBordereau    TypeDossier = "bordereau_pes"
)

// Libelle returns the French name of the document type.
func (t TypeDossier) Libelle() string {
	switch t {
	case DossierDeliberation:
		return "Délibération"
	case DossierArrete:
		return "Arrêté"
	case DossierDevis:
		return "Devis"
	case DossierFacture:
		return "Facture pour visa"
	case DossierCourrier:
		return "Courrier"
	case DossierBordereau:
		return "Bordereau PES"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t TypeDossier) Valid() bool { return t.Libelle() != string(t) }

// EtatDossier is where a dossier stands. Persisted as text.
type EtatDossier string

const (
	DossierEnCours EtatDossier = "en_cours"
	DossierSigne   EtatDossier = "signe"
	DossierVise    EtatDossier = "vise" // a circuit of visas only, all given
	DossierRefuse  EtatDossier = "refuse"
	DossierRetire  EtatDossier = "retire"
)

// Libelle returns the French label of the state.
func (e EtatDossier) Libelle() string {
	switch e {
	case DossierEnCours:
		return "En cours"
	case DossierSigne:
		return "Signé"
	case DossierVise:
		return "Visé"
	case DossierRefuse:
		return "Refusé"
	case DossierRetire:
		return "Retiré"
	}
	return string(e)
}

// Termine reports whether nothing more can happen to the circuit.
func (e EtatDossier) Termine() bool { return e != DossierEnCours }

// DossierParapheur is a document in the parapheur with its circuit and its
// history. Documents holds the current version (the first one is the
// document to sign, the others are annexes): a signature replaces the first
// one by the signed document, a new SHA-256; the history keeps each version.
type DossierParapheur struct {
	ID        string      `json:"id"`
	CommuneID string      `json:"communeId,omitempty"`
	Titre     string      `json:"titre"`
	Type      TypeDossier `json:"type"`
	Documents []string    `json:"documents"`
	DeposePar string      `json:"deposePar"`
	DeposeLe  time.Time   `json:"deposeLe"`
	Etapes    []Etape     `json:"etapes"`
	// EtapeCourante is the index in Etapes of the step waiting; len(Etapes)
	// once the circuit is done.
	EtapeCourante int                `json:"etapeCourante"`
	Etat          EtatDossier        `json:"etat"`
	Historique    []EntreeHistorique `json:"historique"`
	// Version counts the actions applied (1 after the deposit): central's
	// copy, the authority, decides between postes with it.
	Version   int64     `json:"version"`
	ModifieLe time.Time `json:"modifieLe"`
}

// EntreeHistorique is one line of a dossier's history: who did what, when,
// on behalf of whom.
type EntreeHistorique struct {
	Action         string                `json:"action"` // an OperationParapheur* type
	Par            string                `json:"par"`    // Utilisateur.ID
	PourLeCompteDe string                `json:"pourLeCompteDe,omitempty"`
	Le             time.Time             `json:"le"`
	Etape          int                   `json:"etape,omitempty"` // rank from 1; 0 when not about a step
	Motif          string                `json:"motif,omitempty"`
	Texte          string                `json:"texte,omitempty"`
	Document       string                `json:"document,omitempty"` // SHA-256 deposited or signed
	Certificat     *CertificatSignataire `json:"certificat,omitempty"`
}

// Mention returns what is printed next to the entry's author: "par
// délégation" when done for someone else.
func (h *EntreeHistorique) Mention() string {
	if h.PourLeCompteDe != "" {
		return MentionDelegation
	}
	return ""
}

// Operation types of the parapheur. A poste sends them with the payload
// named; central applies them to its copy of the dossier and relays to every
// poste of the commune an event of the same type whose payload is the
// dossier as central holds it after the action (DossierParapheur), or the
// Delegation. An action central cannot apply (another poste acted first) is
// still acknowledged, and relayed as EvenementParapheurActionRefusee.
const (
	OperationParapheurDepose = "parapheur.depose" // payload: DossierParapheur
	// Payload: ActionParapheur.
	OperationParapheurVise   = "parapheur.vise"
	OperationParapheurSigne  = "parapheur.signe"
	OperationParapheurRefuse = "parapheur.refuse"
	OperationParapheurRetire = "parapheur.retire"
	OperationParapheurAnnote = "parapheur.annote"
	// Payload: Delegation (created, changed or withdrawn: the newest
	// ModifieLe wins).
	OperationParapheurDelegation = "parapheur.delegation"
	// Event only. Payload: RefusParapheur.
	EvenementParapheurActionRefusee = "parapheur.action_refusee"
)

// EstOperationParapheur reports whether typ is an action on a dossier
// (deposit excluded).
func EstOperationParapheur(typ string) bool {
	switch typ {
	case OperationParapheurVise, OperationParapheurSigne, OperationParapheurRefuse, OperationParapheurRetire, OperationParapheurAnnote:
		return true
	}
	return false
}

// ActionParapheur is the payload of an action on a dossier.
type ActionParapheur struct {
	DossierID string `json:"dossierId"`
	// Etape is the rank (from 1) of the step acted on, for a visa, a
	// signature or a refusal: central refuses the action when that step is
	// no longer the one waiting.
	Etape int       `json:"etape,omitempty"`
	Par   string    `json:"par"`
	Le    time.Time `json:"le"`
	Motif string    `json:"motif,omitempty"` // refusal
	Texte string    `json:"texte,omitempty"` // annotation
	// Document is the SHA-256 of the signed document (signature). When
	// Detachee, it is a detached signature (CAdES .p7s) of the first
	// document, added to the dossier's documents; otherwise it is the
	// signed document itself (PAdES, XAdES enveloped), which replaces the
	// first document.
	Document   string                `json:"document,omitempty"`
	Detachee   bool                  `json:"detachee,omitempty"`
	Certificat *CertificatSignataire `json:"certificat,omitempty"`
}

// Validate checks the action's fields for the operation type typ.
func (a *ActionParapheur) Validate(typ string) error {
	if !EstOperationParapheur(typ) {
		return Errorf(EINVALID, "Action de parapheur inconnue : %q.", typ)
	}
	if !ValidUUID(a.DossierID) {
		return Errorf(EINVALID, "Identifiant de dossier du parapheur invalide.")
	}
	if a.Par == "" || !texteValide(a.Par, 128) {
		return Errorf(EINVALID, "L'auteur de l'action est absent ou illisible.")
	}
	if a.Le.IsZero() {
		return Errorf(EINVALID, "La date de l'action est absente.")
	}
	if !texteValideMultiligne(a.Motif, 2000) || !texteValideMultiligne(a.Texte, 4000) {
		return Errorf(EINVALID, "Le motif ou l'annotation est trop long ou contient des caractères interdits.")
	}
	switch typ {
	case OperationParapheurVise, OperationParapheurSigne, OperationParapheurRefuse:
		if a.Etape < 1 || a.Etape > MaxEtapes {
			return Errorf(EINVALID, "Étape du circuit invalide (%d).", a.Etape)
		}
	}
	switch typ {
	case OperationParapheurRefuse:
		if strings.TrimSpace(a.Motif) == "" {
			return Errorf(EINVALID, "Indiquez le motif du refus : il sera montré à la personne qui a déposé le document.")
		}
	case OperationParapheurAnnote:
		if strings.TrimSpace(a.Texte) == "" {
			return Errorf(EINVALID, "L'annotation est vide.")
		}
	case OperationParapheurSigne:
		if !ValidSHA256(a.Document) {
			return Errorf(EINVALID, "Empreinte du document signé invalide.")
		}
		if a.Certificat == nil {
			return Errorf(EINVALID, "Le résumé du certificat de signature est absent.")
		}
		return a.Certificat.Validate()
	}
	return nil
}

// RefusParapheur is the payload of EvenementParapheurActionRefusee: an
// action a poste made (offline, or at the same time as another poste) that
// central could not apply, why (in French), and the dossier as it stands.
type RefusParapheur struct {
	OperationID string            `json:"operationId"`
	Type        string            `json:"type"`
	Action      ActionParapheur   `json:"action"`
	Motif       string            `json:"motif"`
	Dossier     *DossierParapheur `json:"dossier,omitempty"`
}

// TailleMaxTitre bounds a dossier's title.
const TailleMaxTitre = 300

// MaxDocumentsDossier bounds the documents of a dossier (the document and
// its annexes).
const MaxDocumentsDossier = 50

// Validate checks a dossier's own fields (not its history).
func (d *DossierParapheur) Validate() error {
	if !ValidUUID(d.ID) {
		return Errorf(EINVALID, "Identifiant de dossier du parapheur invalide.")
	}
	if strings.TrimSpace(d.Titre) == "" {
		return Errorf(EINVALID, "Donnez un titre au document déposé (par exemple « Arrêté de voirie rue des Écoles »).")
	}
	if !texteValide(d.Titre, TailleMaxTitre) {
		return Errorf(EINVALID, "Le titre est trop long (%d caractères au plus) ou contient des caractères interdits.", TailleMaxTitre)
	}
	if !d.Type.Valid() {
		return Errorf(EINVALID, "Type de document inconnu : %q. Choisissez délibération, arrêté, devis, facture, courrier ou bordereau.", d.Type)
	}
	if len(d.Documents) == 0 {
		return Errorf(EINVALID, "Joignez le document à faire viser ou signer.")
	}
	if len(d.Documents) > MaxDocumentsDossier {
		return Errorf(EINVALID, "Trop de pièces jointes (%d au plus).", MaxDocumentsDossier)
	}
	for _, h := range d.Documents {
		if !ValidSHA256(h) {
			return Errorf(EINVALID, "Empreinte de document invalide dans le dossier.")
		}
	}
	if d.DeposePar == "" || !texteValide(d.DeposePar, 128) {
		return Errorf(EINVALID, "La personne qui dépose le document est absente.")
	}
	if len(d.Etapes) == 0 {
		return Errorf(EINVALID, "Le circuit est vide : ajoutez au moins une étape de visa ou de signature.")
	}
	if len(d.Etapes) > MaxEtapes {
		return Errorf(EINVALID, "Le circuit a trop d'étapes (%d au plus).", MaxEtapes)
	}
	for i := range d.Etapes {
		e := &d.Etapes[i]
		if err := e.Validate(); err != nil {
			return err
		}
		if e.Nature == EtapeSignature && e.Role != "" && !e.Role.PeutSigner() {
			return Errorf(EINVALID, "L'étape %d demande la signature du rôle « %s » : seuls le maire et ses adjoints signent pour la commune.", i+1, e.Role.Libelle())
		}
	}
	return nil
}

// Deposer makes d a new dossier deposited by par at le: its circuit starts
// at the first step, its history at the deposit.
func (d *DossierParapheur) Deposer(par string, le time.Time) error {
	d.DeposePar, d.DeposeLe = par, le
	for i := range d.Etapes {
		e := &d.Etapes[i]
		e.FaiteLe, e.FaitePar, e.PourLeCompteDe = time.Time{}, "", ""
	}
	if err := d.Validate(); err != nil {
		return err
	}
	d.EtapeCourante, d.Etat, d.Version, d.ModifieLe = 0, DossierEnCours, 1, le
	d.Historique = []EntreeHistorique{{Action: OperationParapheurDepose, Par: par, Le: le, Document: d.Documents[0]}}
	return nil
}

// Courante returns the step waiting, nil once the circuit is done.
func (d *DossierParapheur) Courante() *Etape {
	if d.Etat != DossierEnCours || d.EtapeCourante < 0 || d.EtapeCourante >= len(d.Etapes) {
		return nil
	}
	return &d.Etapes[d.EtapeCourante]
}

// Habilitation tells whether u may act on the waiting step at t: as the
// person named, as holder of the role named, or by a delegation active at t
// from that person or from an élu of that role. pourLeCompteDe is the
// delegant when acting by delegation ("" otherwise).
func (d *DossierParapheur) Habilitation(u *Utilisateur, delegations []*Delegation, t time.Time) (pourLeCompteDe string, err error) {
	e := d.Courante()
	if e == nil {
		return "", d.plusEnAttente()
	}
	if u == nil || !u.Actif {
		return "", Errorf(EFORBIDDEN, "Ce profil est désactivé : il ne peut pas agir dans le parapheur.")
	}
	if (e.UtilisateurID != "" && e.UtilisateurID == u.ID) || (e.Role != "" && e.Role == u.Role) {
		return "", nil
	}
	for _, del := range delegations {
		if del.Delegataire != u.ID || !del.Active(t) {
			continue
		}
		if (e.UtilisateurID != "" && del.Delegant == e.UtilisateurID) || (e.Role != "" && del.DelegantRole == e.Role) {
			return del.Delegant, nil
		}
	}
	qui := "la personne désignée"
	if e.Role != "" {
		qui = "le rôle « " + e.Role.Libelle() + " »"
	}
	return "", Errorf(EFORBIDDEN, "L'étape %d (%s) de « %s » revient à %s, et %s n'a pas de délégation en cours pour elle.", d.EtapeCourante+1, strings.ToLower(e.Nature.Libelle()), d.Titre, qui, u.NomComplet())
}

// AttendPour reports whether the dossier waits for u at t (directly or by delegation).
func (d *DossierParapheur) AttendPour(u *Utilisateur, delegations []*Delegation, t time.Time) bool {
	_, err := d.Habilitation(u, delegations, t)
	return err == nil
}

// Destinataires returns who is told that the waiting step is theirs: the
// person named, or every active user of the role named.
func (d *DossierParapheur) Destinataires(us []*Utilisateur) []string {
	e := d.Courante()
	if e == nil {
		return nil
	}
	if e.UtilisateurID != "" {
		return []string{e.UtilisateurID}
	}
	var out []string
	for _, u := range us {
		if u.Actif && u.Role == e.Role {
			out = append(out, u.ID)
		}
	}
	return out
}

// plusEnAttente is the refusal of an action on a dossier whose circuit is over.
func (d *DossierParapheur) plusEnAttente() error {
	return Errorf(ECONFLICT, "« %s » n'attend plus rien : il est %s.", d.Titre, strings.ToLower(d.Etat.Libelle()))
}

// Appliquer applies the action typ (an OperationParapheur* action type)
// made by u, with the delegations of the commune, and returns the history
// entry it added. Nothing changes when it returns an error: ECONFLICT when
// the dossier moved on (the step was already done, the circuit is over),
// EFORBIDDEN when u may not act, EINVALID for a malformed action.
func (d *DossierParapheur) Appliquer(typ string, a *ActionParapheur, u *Utilisateur, delegations []*Delegation) (*EntreeHistorique, error) {
	if err := a.Validate(typ); err != nil {
		return nil, err
	}
	if a.DossierID != d.ID {
		return nil, Errorf(EINVALID, "L'action vise un autre dossier.")
	}
	if u == nil || u.ID != a.Par {
		return nil, Errorf(EFORBIDDEN, "L'auteur de l'action n'est pas un utilisateur connu de la commune.")
	}
	h := EntreeHistorique{Action: typ, Par: a.Par, Le: a.Le}
	switch typ {
	case OperationParapheurAnnote:
		if !u.Actif {
			return nil, Errorf(EFORBIDDEN, "Ce profil est désactivé : il ne peut pas annoter.")
		}
		h.Texte = strings.TrimSpace(a.Texte)

	case OperationParapheurRetire:
		if d.Etat.Termine() {
			return nil, d.plusEnAttente()
		}
		if a.Par != d.DeposePar {
			return nil, Errorf(EFORBIDDEN, "Seule la personne qui a déposé « %s » peut le retirer du parapheur.", d.Titre)
		}
		for _, e := range d.Etapes {
			if e.Nature == EtapeSignature && e.Faite() {
				return nil, Errorf(ECONFLICT, "« %s » est déjà signé : un document signé ne se retire plus.", d.Titre)
			}
		}
		if strings.TrimSpace(a.Motif) != "" {
			h.Motif = strings.TrimSpace(a.Motif)
		}

	default: // vise, signe, refuse: the waiting step
		e := d.Courante()
		if e == nil {
			return nil, d.plusEnAttente()
		}
		if a.Etape != d.EtapeCourante+1 {
			return nil, d.etapeDejaTraitee(a.Etape)
		}
		pour, err := d.Habilitation(u, delegations, a.Le)
		if err != nil {
			return nil, err
		}
		h.PourLeCompteDe, h.Etape = pour, a.Etape
		switch typ {
		case OperationParapheurRefuse:
			h.Motif = strings.TrimSpace(a.Motif)
		case OperationParapheurVise:
			if e.Nature != EtapeVisa {
				return nil, Errorf(EINVALID, "L'étape %d de « %s » demande une signature, pas un visa.", a.Etape, d.Titre)
			}
		case OperationParapheurSigne:
			if e.Nature != EtapeSignature {
				return nil, Errorf(EINVALID, "L'étape %d de « %s » demande un visa, pas une signature.", a.Etape, d.Titre)
			}
			if err := a.Certificat.ValideA(a.Le); err != nil {
				return nil, err
			}
			if slices.Contains(d.Documents, a.Document) {
				return nil, Errorf(EINVALID, "Le document signé doit être une nouvelle version du document.")
			}
			c := *a.Certificat
			h.Document, h.Certificat = a.Document, &c
		}
	}

	// Every check passed: change the dossier.
	switch typ {
	case OperationParapheurRetire:
		d.Etat = DossierRetire
	case OperationParapheurRefuse:
		d.Etat = DossierRefuse
	case OperationParapheurVise, OperationParapheurSigne:
		e := &d.Etapes[d.EtapeCourante]
		e.FaiteLe, e.FaitePar, e.PourLeCompteDe = a.Le, a.Par, h.PourLeCompteDe
		switch {
		case typ != OperationParapheurSigne:
		case a.Detachee:
			d.Documents = append(d.Documents, a.Document)
		default:
			d.Documents = append([]string{a.Document}, d.Documents[1:]...)
		}
		d.EtapeCourante++
		if d.EtapeCourante == len(d.Etapes) {
			d.Etat = DossierVise
			for _, e := range d.Etapes {
				if e.Nature == EtapeSignature {
					d.Etat = DossierSigne
				}
			}
		}
	}
	d.Historique = append(d.Historique, h)
	d.Version++
	if a.Le.After(d.ModifieLe) {
		d.ModifieLe = a.Le
	}
	return &d.Historique[len(d.Historique)-1], nil
}

// etapeDejaTraitee explains why an action on step rang is refused.
func (d *DossierParapheur) etapeDejaTraitee(rang int) error {
	if rang >= 1 && rang <= len(d.Etapes) && d.Etapes[rang-1].Faite() {
		e := d.Etapes[rang-1]
		return Errorf(ECONFLICT, "L'étape %d de « %s » a déjà été traitée (%s le %s) : votre action n'a pas été prise en compte.",
			rang, d.Titre, strings.ToLower(e.Nature.Libelle()), e.FaiteLe.Local().Format("02/01/2006 à 15:04"))
	}
	return Errorf(ECONFLICT, "« %s » attend l'étape %d, pas l'étape %d : rouvrez le dossier pour voir où il en est.", d.Titre, d.EtapeCourante+1, rang)
}

// Copie returns a deep copy of d, so that a failed action leaves no trace.
func (d *DossierParapheur) Copie() *DossierParapheur {
	c := *d
	c.Documents = slices.Clone(d.Documents)
	c.Etapes = slices.Clone(d.Etapes)
	c.Historique = slices.Clone(d.Historique)
	return &c
}
