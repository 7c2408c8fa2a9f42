package agent

import (
	"context"
	"time"

	"xdemat"
)

// DemandeReponse is what the secretary answers to a message of the
// préfecture: the kind of answer, her letter and the pieces (documents
// added first with AjouterDocument).
type DemandeReponse struct {
	Type   xdemat.TypeReponsePrefecture `json:"type"`
	Lettre *xdemat.PieceActe            `json:"lettre,omitempty"`
	Pieces []xdemat.PieceActe           `json:"pieces,omitempty"`
}

// ReponsesActesStore is the part of the agent's database for the answers
// to the préfecture, the correction of refused actes and the préfecture's
// classification. Each change is one transaction with its operation for
// central and its journal entry.
type ReponsesActesStore interface {
	// RepondreMessage records the answer to the message mid of the acte and
	// queues acte.repondre. Refused in French: a déféré, a message already
	// answered, an acte without AR, pieces that are not PDF or not on this poste.
	RepondreMessage(ctx context.Context, acteID, mid, par string, d DemandeReponse, now time.Time) (*xdemat.ReponsePrefecture, error)
	// ReponsesActe returns the answers about an acte, oldest first.
	ReponsesActe(ctx context.Context, acteID string) ([]*xdemat.ReponsePrefecture, error)
	// CorrigerActe corrects an acte the préfecture refused (acte.corriger)
	// and sends it again directly (acte.transmettre): a new transmission.
	CorrigerActe(ctx context.Context, id, par string, c xdemat.CorrectionActe, now time.Time) (*xdemat.Acte, error)
	// ClassificationActes returns the préfecture's classification relayed by
	// central, ENOTFOUND when none arrived yet.
	ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error)
}
