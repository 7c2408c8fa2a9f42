package agent

import (
	"context"
	"time"

	"xdemat"
)

// EvenementHelios is the bus event published when a PES transmission
// changed (Data: its ID).
const EvenementHelios = "helios"

// HeliosStore is the Hélios part of the agent's database.
type HeliosStore interface {
	// ImporterPES records a PES file read from an export folder: its
	// transmission (statut à signer), and its dossier deposited in the
	// parapheur, with the journal entry, in one transaction. The document
	// must have been added. The same NomFic and CodCol twice is ECONFLICT.
	ImporterPES(ctx context.Context, t *xdemat.TransmissionPES, d *xdemat.DossierParapheur, now time.Time) error
	// TransmissionsPES returns the transmissions, newest import first.
	TransmissionsPES(ctx context.Context) ([]*xdemat.TransmissionPES, error)
	// TransmettrePESSignes queues helios.transmettre for each transmission
	// still "à signer" whose dossier is now signed and whose signed document
	// this poste holds (present). Each is queued once: the statut moves to
	// "signé" in the same transaction. It returns the transmissions queued.
	TransmettrePESSignes(ctx context.Context, present func(hash string) bool, now time.Time) ([]*xdemat.TransmissionPES, error)
}
