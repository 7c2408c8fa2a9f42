package agent

import (
	"context"
	"crypto/x509"
	"time"

	"xdemat"
	"xdemat/signature"
)

// The parapheur on the poste: the store's part (ParapheurStore, one local
// transaction per action), the signature formats (FormatSignature, two
// steps) and the types the local API and the app exchange.

// EvenementParapheur is the bus event published when a dossier or a
// delegation changed, here or on another poste (Data: the dossier ID, or "").
const EvenementParapheur = "parapheur"

// FiltreDossiers selects dossiers for the app's lists.
type FiltreDossiers struct {
	// Etat keeps one state ("" for all).
	Etat xdemat.EtatDossier `json:"etat,omitempty"`
	// DeposePar keeps the dossiers a user deposited ("" for all).
	DeposePar string `json:"deposePar,omitempty"`
	// Limite caps the count (0: no cap), newest changes first.
	Limite int `json:"limite,omitempty"`
}

// Preparation is a signature prepared for one dossier: what the app must
// have the token sign, and what the agent keeps (in its database, so that it
// survives a restart) to assemble the signed document afterwards.
type Preparation struct {
	ID            string    `json:"id"`
	DossierID     string    `json:"dossierId"`
	UtilisateurID string    `json:"utilisateurId"`
	Etape         int       `json:"etape"`   // rank from 1
	Version       int64     `json:"version"` // of the dossier when prepared
	Document      string    `json:"document"`
	Format        string    `json:"format"`
	Certificat    []byte    `json:"certificat"` // DER
	Etat          []byte    `json:"etat"`       // the format's state between the two steps
	CreeLe        time.Time `json:"creeLe"`
	// PourLeCompteDe is the élu signed for, by delegation ("" otherwise).
	PourLeCompteDe string                `json:"pourLeCompteDe,omitempty"`
	Empreintes     []signature.Empreinte `json:"empreintes"`
}

// DureePreparation is how long a prepared signature may wait for the token's
// values; after it, the app prepares again.
const DureePreparation = 24 * time.Hour

// ParapheurStore is the parapheur's part of the agent's database. Each
// action changes the dossier, adds its history entry, queues the operation
// for central, appends the journal entry naming the document's hash and
// raises the notification of whoever acts next, in one transaction.
type ParapheurStore interface {
	// DossiersParapheur returns what f selects, newest change first.
	DossiersParapheur(ctx context.Context, f FiltreDossiers) ([]*xdemat.DossierParapheur, error)
	// FindDossierParapheur returns ENOTFOUND for an unknown dossier.
	FindDossierParapheur(ctx context.Context, id string) (*xdemat.DossierParapheur, error)
	// DeposerDossier records a new dossier (ID assigned when empty) deposited
	// by d.DeposePar at now. Its documents must have been added.
	DeposerDossier(ctx context.Context, d *xdemat.DossierParapheur, now time.Time) error
	// AgirSurDossier applies an action (xdemat.OperationParapheur* type) and
	// returns the dossier after it.
	AgirSurDossier(ctx context.Context, typ string, a *xdemat.ActionParapheur, now time.Time) (*xdemat.DossierParapheur, error)
	// Delegations returns the commune's delegations, withdrawn ones included.
	Delegations(ctx context.Context) ([]*xdemat.Delegation, error)
	// EnregistrerDelegation records a new or changed delegation (ID assigned
	// when empty; ModifieLe = now) by auteur.
	EnregistrerDelegation(ctx context.Context, del *xdemat.Delegation, auteur string, now time.Time) error
	// SavePreparations records prepared signatures, all or none.
	SavePreparations(ctx context.Context, ps []*Preparation) error
	// FindPreparation returns ENOTFOUND for an unknown (or finished) one.
	FindPreparation(ctx context.Context, id string) (*Preparation, error)
	// DeletePreparation forgets a prepared signature (done, or abandoned).
	DeletePreparation(ctx context.Context, id string) error
	// DocumentsManquants returns the documents of the parapheur's dossiers
	// this poste does not hold yet (deposited or signed on another poste).
	DocumentsManquants(ctx context.Context) ([]DocumentManquant, error)
}

// FormatSignature is one signature format in two steps (PAdES, XAdES, CAdES).
type FormatSignature interface {
	// Preparer computes the digests the token must sign for doc and cert;
	// etat is what Assembler needs (kept in the database meanwhile).
	Preparer(doc []byte, cert *x509.Certificate, o OptionsSignature) (etat []byte, empreintes []signature.Empreinte, err error)
	// Assembler builds the signed document (or the detached signature) from
	// the token's values, in the order of the empreintes.
	Assembler(doc []byte, etat []byte, valeurs [][]byte) ([]byte, error)
	// Detachee reports whether Assembler returns a detached signature.
	Detachee() bool
	// Extension is the file name suffix of what Assembler returns (".pdf", ".p7s"…).
	Extension() string
}

// OptionsSignature tells the format about the signature to prepare.
type OptionsSignature struct {
	Le      time.Time // claimed signing time
	Libelle string    // the document, for the app's progress ("Arrêté 2026-012")
	// Signataire and Qualite are printed in a visible signature block;
	// Mention is xdemat.MentionDelegation when signing by delegation.
	Signataire string
	Qualite    string
	Mention    string
}

// Formats names the signature formats.
const (
	FormatPAdES = "pades"
	FormatXAdES = "xades"
	FormatCAdES = "cades"
)

// FormatPour chooses the format of a dossier's document: XAdES for a PES
// bordereau, PAdES for a PDF, a detached CAdES for anything else.
func FormatPour(t xdemat.TypeDossier, d *xdemat.Document) string {
	switch {
	case t == xdemat.DossierBordereau:
		return FormatXAdES
	case d != nil && d.TypeMedia == "application/pdf":
		return FormatPAdES
	}
	return FormatCAdES
}

// DemandeDepot is the body of POST /v1/parapheur/dossiers: the dossier to
// deposit (ID, DeposePar and the state are set by the agent). Etapes empty:
// the template of the type (xdemat.ModeleCircuit).
type DemandeDepot struct {
	Titre     string             `json:"titre"`
	Type      xdemat.TypeDossier `json:"type"`
	Documents []string           `json:"documents"`
	Etapes    []xdemat.Etape     `json:"etapes,omitempty"`
}

// DemandeAction is the body of the action routes (viser, refuser, retirer,
// annoter): the step acted on (as the app showed it), the reason, the text.
type DemandeAction struct {
	Etape int    `json:"etape,omitempty"`
	Motif string `json:"motif,omitempty"`
	Texte string `json:"texte,omitempty"`
}

// DemandePreparation is the body of POST /v1/parapheur/signatures/preparer:
// the dossiers to sign in one go and the certificate of the token (DER).
type DemandePreparation struct {
	Dossiers   []string `json:"dossiers"`
	Certificat []byte   `json:"certificat"`
}

// PreparationSignature is what the app has the token sign for one dossier.
type PreparationSignature struct {
	ID         string                `json:"id"`
	DossierID  string                `json:"dossierId"`
	Titre      string                `json:"titre"`
	Mention    string                `json:"mention,omitempty"` // "par délégation"
	Empreintes []signature.Empreinte `json:"empreintes"`
}

// RefusDossier says why one dossier of a batch was not prepared or signed.
type RefusDossier struct {
	DossierID string `json:"dossierId"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// ReponsePreparation answers the preparation of a batch.
type ReponsePreparation struct {
	Preparations []PreparationSignature `json:"preparations"`
	Refus        []RefusDossier         `json:"refus"`
}

// ValeursSignature are the token's values for one preparation, in the order
// of its empreintes.
type ValeursSignature struct {
	Preparation string   `json:"preparation"`
	Valeurs     [][]byte `json:"valeurs"`
}

// DemandeFinalisation is the body of POST /v1/parapheur/signatures/finaliser.
type DemandeFinalisation struct {
	Signatures []ValeursSignature `json:"signatures"`
}

// ReponseFinalisation answers the finalisation of a batch: the dossiers
// signed (as they stand after the signature) and the refused ones.
type ReponseFinalisation struct {
	Signes []*xdemat.DossierParapheur `json:"signes"`
	Refus  []RefusDossier             `json:"refus"`
}

// DossierATraiter is a dossier waiting for the session's user, directly or
// by delegation (PourLeCompteDe names the élu then).
type DossierATraiter struct {
	Dossier        *xdemat.DossierParapheur `json:"dossier"`
	Nature         xdemat.NatureEtape       `json:"nature"`
	PourLeCompteDe string                   `json:"pourLeCompteDe,omitempty"`
}

// DocumentManquant is a document of a dossier that this poste must fetch
// from central, and the title of the dossier (to name the file).
type DocumentManquant struct {
	SHA256 string `json:"sha256"`
	Titre  string `json:"titre"`
}
