package central

import (
	"context"
	"time"

	"xdemat"
)

// Xactes on central: the postes' acte operations are projected into
// central's copy of each acte; the connector (central/ctes) transmits them
// to the préfecture's @CTES platform and brings back its answers.

// ActeATransmettre is an acte whose transmission was asked, with the commune
// that sends it.
type ActeATransmettre struct {
	Commune *xdemat.Commune
	Acte    *xdemat.Acte
	// Annulation: what is to be sent is the annulation (6-1) of the
	// acknowledged acte, not the acte.
	Annulation bool
}

// EtatEnvoiActe is where an archive stands.
type EtatEnvoiActe string

const (
	EnvoiActeIntention EtatEnvoiActe = "intention" // built and recorded, perhaps not yet posted
	EnvoiActeEnvoye    EtatEnvoiActe = "envoye"    // the platform took it
	EnvoiActeRefuse    EtatEnvoiActe = "refuse"    // the platform refused it outright
)

// EnvoiActe is an archive built for an acte, recorded before it is posted.
type EnvoiActe struct {
	Nom       string // archive name, the platform's key
	CommuneID string
	ActeID    string
	IDActe    string // identifiant unique @CTES
	Etat      EtatEnvoiActe
	Octets    []byte // the tar.gz, posted again as is after a crash
	CreeLe    time.Time
}

// ActesStore is the part of central's database the @CTES connector uses.
// Its methods are of the SPL group: the connector serves every commune.
type ActesStore interface {
	// ActesATransmettre returns at most limit actes waiting to be built.
	ActesATransmettre(ctx context.Context, limit int) ([]ActeATransmettre, error)
	// EnregistrerIntention records, in one transaction, the next series
	// number of the SIREN, the archive build makes with it, and that the
	// acte is no longer waiting to be built. build's error (a refusal in
	// French) puts the acte in error instead, relayed to the postes.
	EnregistrerIntention(ctx context.Context, communeID, acteID, siren string, build func(serie int) (*EnvoiActe, error), now time.Time) (*EnvoiActe, error)
	// EnvoisEnAttente returns the archives recorded and not yet taken.
	EnvoisEnAttente(ctx context.Context) ([]*EnvoiActe, error)
	// MarquerEnvoye records that the platform took the archive: the acte
	// becomes transmis, relayed to the commune's postes.
	MarquerEnvoye(ctx context.Context, nom string, now time.Time) error
	// MarquerRefuse records that the platform refused the archive outright
	// (motif in French): the acte goes in error, relayed and notified.
	MarquerRefuse(ctx context.Context, nom, motif string, now time.Time) error
	// ActeDeRetour finds the acte an answer is about: by the archive it
	// answers, else by identifiant unique. ENOTFOUND.
	ActeDeRetour(ctx context.Context, archive, idActe string) (communeID string, a *xdemat.Acte, err error)
	// ChangerStatutActe applies a status change decided by the préfecture,
	// relays it and raises the notification n (nil: none), in one
	// transaction. A change already applied changes nothing.
	ChangerStatutActe(ctx context.Context, communeID string, c *xdemat.StatutActeChange, n *xdemat.Notification) error
	// AjouterMessageActe records a message of the préfecture, relays it and
	// raises n; the same message ID twice changes nothing.
	AjouterMessageActe(ctx context.Context, communeID string, m *xdemat.MessagePrefecture, n *xdemat.Notification) error
	// RetourTraite records that the answer of the platform's mailbox named
	// nom, at position numero, was taken; RetoursTraites tells whether it
	// was, and DernierRetour the highest position taken.
	RetourTraite(ctx context.Context, nom string, numero int, now time.Time) error
	RetoursTraites(ctx context.Context, nom string) (bool, error)
	DernierRetour(ctx context.Context) (int, error)
	// Acte returns central's copy of an acte of a commune; ENOTFOUND.
	Acte(ctx context.Context, communeID, id string) (*xdemat.Acte, error)
}
