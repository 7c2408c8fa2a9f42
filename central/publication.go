package central

import (
	"context"
	"time"

	"xdemat"
)

// Publication on central: the postes' acte.publier, acte.depublier,
// seance.pv.publier and commune.publicite operations are projected into
// what the public pages of each commune show (central/public). Those pages
// have no poste and no session: they name the commune by its SIREN and see
// only what is published.

// ActePublie is an acte online, as the public pages show it.
type ActePublie struct {
	Acte        *xdemat.Acte
	Publication xdemat.PublicationActe
}

// CommunePublique is a commune that publishes, with its mode de publicité.
type CommunePublique struct {
	Commune   *xdemat.Commune
	Publicite xdemat.Publicite
}

// SeancePublique is what a séance left online: the délibérations of that
// date that are published (the liste des délibérations examinées, CM-26)
// and the procès-verbal when it is published (CM-25).
type SeancePublique struct {
	Date          time.Time // midnight, Paris
	Deliberations []*ActePublie
	// Examinees are every délibération of the séance central knows but
	// the cancelled ones, in the order of their numéros: the liste des
	// délibérations examinées (CM-26) names them all, published in full or
	// not (an individual decision is notified, not published).
	Examinees []*xdemat.Acte
	PV        *xdemat.ProcesVerbal
}

// Publiee returns the délibération acteID as published, nil when it is not.
func (s *SeancePublique) Publiee(acteID string) *ActePublie {
	for _, d := range s.Deliberations {
		if d.Acte.ID == acteID {
			return d
		}
	}
	return nil
}

// PublicationStore is the part of central's database the public pages and
// the reminder read. Every method is scoped by the commune it names and
// returns only what is online at now.
type PublicationStore interface {
	// CommunesPubliques returns the communes that have something online or
	// publish on paper, by name.
	CommunesPubliques(ctx context.Context, now time.Time) ([]*CommunePublique, error)
	// CommunePublique returns the commune of that SIREN; ENOTFOUND.
	CommunePublique(ctx context.Context, siren string) (*CommunePublique, error)
	// ActesPublies returns the actes of the commune online at now, newest
	// put online first: at most limit (≤ 0: all) after the first offset,
	// and how many are online in all.
	ActesPublies(ctx context.Context, communeID string, now time.Time, limit, offset int) ([]*ActePublie, int, error)
	// ActePublie returns one acte online at now; ENOTFOUND otherwise (an
	// acte never published, taken offline, or of another commune).
	ActePublie(ctx context.Context, communeID, acteID string, now time.Time) (*ActePublie, error)
	// SeancesPubliees returns the dates of the séances that have a
	// délibération or a PV online, newest first.
	SeancesPubliees(ctx context.Context, communeID string, now time.Time) ([]time.Time, error)
	// SeancePubliee returns what the séance of that date has online;
	// ENOTFOUND when nothing.
	SeancePubliee(ctx context.Context, communeID string, date time.Time, now time.Time) (*SeancePublique, error)
	// ProcesVerbal returns the procès-verbal with that ID; ENOTFOUND.
	ProcesVerbal(ctx context.Context, communeID, id string, now time.Time) (*xdemat.ProcesVerbal, error)

	// RappelerPublications raises, for every séance whose one-week
	// deadline (CM-25, CM-26) is two days away or less and whose liste des
	// délibérations, or the PV of the séance before (adopted at this one),
	// is not online, one notification to its commune
	// (xdemat.NotificationPublicationSeance; its ID is made from the
	// commune and the séance, so that a pass repeated notifies once). It
	// returns how many it raised.
	RappelerPublications(ctx context.Context, now time.Time) (int, error)
}
