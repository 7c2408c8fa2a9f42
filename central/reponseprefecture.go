package central

import (
	"context"
	"time"

	"xdemat"
)

// The commune's answers to the préfecture's letters (acte.repondre) and the
// préfecture's classification, on central. The connector (central/ctes)
// builds each answer into an @CTES archive recorded with its bytes before it
// is posted, exactly as for the actes: a crash in between posts the recorded
// archive again under the same name, never a second one.

// ReponseATransmettre is an answer waiting to be built, with what it needs.
type ReponseATransmettre struct {
	Commune *xdemat.Commune
	Acte    *xdemat.Acte
	Message *xdemat.MessagePrefecture
	Reponse *xdemat.ReponsePrefecture
}

// EnvoiReponse is the archive built for an answer, recorded before it is posted.
type EnvoiReponse struct {
	Nom       string // archive name, the platform's key
	CommuneID string
	ReponseID string
	Etat      EtatEnvoiActe
	Octets    []byte
	CreeLe    time.Time
}

// ReponsesActesStore is the part of central's database that holds the
// answers. Its methods are of the SPL group: the connector serves every commune.
type ReponsesActesStore interface {
	// ReponsesATransmettre returns at most limit answers waiting to be built.
	ReponsesATransmettre(ctx context.Context, limit int) ([]ReponseATransmettre, error)
	// EnregistrerIntentionReponse records, in one transaction, the next
	// series number of the SIREN, the archive build makes with it, and that
	// the answer is no longer waiting to be built. build's domain error (in
	// French) makes the answer refusée instead, relayed and notified.
	EnregistrerIntentionReponse(ctx context.Context, communeID, reponseID, siren string, build func(serie int) (*EnvoiReponse, error), now time.Time) (*EnvoiReponse, error)
	// ReponsesEnAttente returns the answer archives recorded and not yet taken.
	ReponsesEnAttente(ctx context.Context) ([]*EnvoiReponse, error)
	// MarquerReponseEnvoyee records that the platform took the archive: the
	// answer becomes transmise, relayed to the commune's postes.
	MarquerReponseEnvoyee(ctx context.Context, nom string, now time.Time) error
	// MarquerReponseRefusee records that the platform refused the archive
	// (motif in French): the answer becomes refusée, relayed and notified;
	// the secretary may answer again.
	MarquerReponseRefusee(ctx context.Context, nom, motif string, now time.Time) error
	// AcquitterReponse applies the préfecture's acknowledgement (3-5, 4-5)
	// of the answer to its letter of dateCourrier about the acte idActe.
	// ENOTFOUND when no answer transmitted matches; a replay changes nothing.
	AcquitterReponse(ctx context.Context, idActe string, dateCourrier, le time.Time) error
	// RefuserReponse applies an anomaly the platform sent about the answer
	// carried by the archive nom. ENOTFOUND when nom carried no answer.
	RefuserReponse(ctx context.Context, nom, motif string, now time.Time) error
}

// ClassificationsStore holds the préfecture's classification of each
// commune (7-2), asked for by the connector (7-1) when a commune has none
// and once a day, and relayed to the commune's postes (acte.classification).
type ClassificationsStore interface {
	// ClassificationsADemander returns the communes whose classification was
	// never asked for, or last asked for before avant.
	ClassificationsADemander(ctx context.Context, avant time.Time, limit int) ([]*xdemat.Commune, error)
	// NumeroSerieActes takes the next series number of the SIREN (never
	// reused), for an archive that needs no intent record (a 7-1).
	NumeroSerieActes(ctx context.Context, siren string) (int, error)
	// ClassificationDemandee records that the commune's classification was
	// asked for (the platform took the 7-1).
	ClassificationDemandee(ctx context.Context, communeID string, now time.Time) error
	// EnregistrerClassification records the classification of the commune
	// of the SIREN and relays it when it is newer than the one held; the
	// same version again (7-3, or a 7-2 taken twice) only records its arrival.
	// ENOTFOUND for an unknown SIREN.
	EnregistrerClassification(ctx context.Context, siren string, c *xdemat.ClassificationPrefecture, now time.Time) error
	// ClassificationCommune returns the commune's classification; ENOTFOUND when none arrived.
	ClassificationCommune(ctx context.Context, communeID string) (*xdemat.ClassificationPrefecture, error)
}
