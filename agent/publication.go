package agent

import (
	"context"
	"time"

	"xdemat"
)

// Publication on the poste: the secretary puts an acte online on the
// commune's public pages (served by central), takes it offline after two
// months at least, publishes the procès-verbal of a séance and records the
// mode de publicité the council chose. Each is an operation for central;
// the poste remembers what it asked, and takes central's dates when they
// come back (the date an acte was put online is central's).

// EvenementPublication is the bus event published when a publication
// changed (Data: the acte ID, or "" for the mode de publicité).
const EvenementPublication = "publication"

// EtatPublicationActe is what the acte fiche shows of its publication: the
// publication when there is one, else the author to propose (the maire the
// poste knows, if any).
type EtatPublicationActe struct {
	Publication     *xdemat.PublicationActe `json:"publication,omitempty"`
	AuteurPropose   xdemat.AuteurActe       `json:"auteurPropose"`
	RetraitPossible time.Time               `json:"retraitPossible,omitzero"` // PUB-08
	// EnLigne: the commune publishes electronically (PUB-04); otherwise
	// the acte is made available at the mairie (PUB-09) and "Publier sur le
	// site" is not offered.
	EnLigne bool `json:"enLigne"`
}

// EtatPublicite is the mode de publicité and whether the commune may choose
// another (PUB-04: under 3,500 inhabitants).
type EtatPublicite struct {
	Publicite   xdemat.Publicite `json:"publicite"`
	PeutChoisir bool             `json:"peutChoisir"`
	Population  int              `json:"population"`
}

// PublicationStore is the publication part of the agent's database. Each
// change is one transaction with its operation for central and its
// journal entry.
type PublicationStore interface {
	// EtatPublicationActe returns the publication of an acte, or what to
	// propose to publish it; ENOTFOUND for an unknown acte.
	EtatPublicationActe(ctx context.Context, acteID string) (*EtatPublicationActe, error)
	// PublierActe asks central to put the acte online with its main
	// document and its author (PUB-07). Refused for an annulled acte, and
	// when the commune publishes on paper.
	PublierActe(ctx context.Context, acteID string, auteur xdemat.AuteurActe, par string, now time.Time) (*xdemat.PublicationActe, error)
	// DepublierActe asks central to take the acte offline: EFORBIDDEN
	// before two months online (PUB-08).
	DepublierActe(ctx context.Context, acteID, par string, now time.Time) (*xdemat.PublicationActe, error)
	// PublierPV asks central to put the procès-verbal of the séance of
	// that date online; the document must have been added.
	PublierPV(ctx context.Context, seance time.Time, doc *xdemat.Document, par string, now time.Time) (*xdemat.ProcesVerbal, error)
	// ProcesVerbaux returns the procès-verbaux published from this commune, newest séance first.
	ProcesVerbaux(ctx context.Context) ([]*xdemat.ProcesVerbal, error)
	// Publicite returns the mode de publicité of the commune.
	Publicite(ctx context.Context) (*EtatPublicite, error)
	// ChoisirPublicite records the mode the council chose (PUB-04, PUB-05).
	ChoisirPublicite(ctx context.Context, p xdemat.Publicite, par string, now time.Time) (*EtatPublicite, error)
	// DatePublicationActe returns when the acte was put online, zero when
	// it is not: the stamped copy prints it.
	DatePublicationActe(ctx context.Context, acteID string) (time.Time, error)
}
