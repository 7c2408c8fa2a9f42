package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"xdemat"
)

// appender appends events and journal entries for one commune, whose row is
// locked by the transaction.
type appender struct {
	t         tx
	communeID string
	head      *xdemat.Journal // last journal entry, nil when the journal is empty
}

// appender locks the commune (see lockCommune) and returns an appender for it.
func (t tx) appender(ctx context.Context, communeID string) (*appender, error) {
	head, err := t.lockCommune(ctx, communeID)
	if err != nil {
		return nil, err
	}
	return &appender{t: t, communeID: communeID, head: head}, nil
}

// event appends an event; payload is marshalled to JSON unless nil.
func (a *appender) event(ctx context.Context, typ, objet, posteID string, payload any, now time.Time) error {
	var b []byte
	if payload != nil {
		var err error
		if b, err = json.Marshal(payload); err != nil {
			return a.t.s.errorf("event payload: %w", err)
		}
	}
	_, err := a.t.exec(ctx, qInsertEvent,
		a.communeID, typ, objet, posteID, nullBytes(b), micros(now))
	if err != nil {
		return a.t.s.errorf("append event: %w", err)
	}
	if a.t.communes != nil {
		*a.t.communes = append(*a.t.communes, a.communeID)
	}
	return nil
}

// journal chains e after the commune's last entry and stores it.
func (a *appender) journal(ctx context.Context, e *xdemat.Journal) error {
	e.Chainer(a.head)
	_, err := a.t.exec(ctx, qInsertJournal,
		a.communeID, e.Seq, micros(e.Date), e.Acteur, e.Action, e.Objet, e.Details, e.Precedent, e.Hash)
	if err != nil {
		return a.t.s.errorf("append journal: %w", err)
	}
	a.head = e
	return nil
}

const evenementCols = "curseur, commune_id, type, objet, poste_id, payload, cree_le"

func scanEvenement(r scanner) (*xdemat.Evenement, error) {
	e := new(xdemat.Evenement)
	var payload []byte
	var cree int64
	if err := r.Scan(&e.Curseur, &e.CommuneID, &e.Type, &e.Objet, &e.PosteID, &payload, &cree); err != nil {
		return nil, err
	}
	if len(payload) > 0 {
		e.Payload = payload
	}
	e.CreeLe = fromMicros(cree)
	return e, nil
}

// MaxEvents bounds what one call to Events returns, whatever the limit asked.
const MaxEvents = 1000

// Events returns at most limit events of the commune in ctx with Curseur >
// after, oldest first. A limit ≤ 0 or above MaxEvents means MaxEvents.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]*xdemat.Evenement, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxEvents {
		limit = MaxEvents
	}
	return list(ctx, s, scanEvenement, "SELECT "+evenementCols+" FROM evenements WHERE commune_id = ? AND curseur > ? ORDER BY curseur LIMIT ?",
		p.CommuneID, after, limit)
}

const journalCols = "seq, date, acteur, action, objet, details, precedent, hash"

func scanJournal(r scanner) (*xdemat.Journal, error) {
	e := new(xdemat.Journal)
	var date int64
	if err := r.Scan(&e.Seq, &date, &e.Acteur, &e.Action, &e.Objet, &e.Details, &e.Precedent, &e.Hash); err != nil {
		return nil, err
	}
	e.Date = fromMicros(date)
	return e, nil
}

// Journal returns the journal of the commune in ctx, by Seq.
func (s *Store) Journal(ctx context.Context) ([]*xdemat.Journal, error) {
	p, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, scanJournal, "SELECT "+journalCols+" FROM journal WHERE commune_id = ? ORDER BY seq", p.CommuneID)
}
