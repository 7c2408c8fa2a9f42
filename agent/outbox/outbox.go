// Package outbox sends what the mairie committed locally to central: first the
// documents the next operations need (chunked, resumable), then the operations
// themselves, acknowledged "up to Seq n". Whatever is killed when, central ends
// with every operation and document exactly once: uploads resume from central's
// offset, and operations already held are recognised by (poste, Seq, ID).
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/backoff"
	"xdemat/agent/centralclient"
	"xdemat/agent/crashpoint"
	"xdemat/central/blob"
)

// Outbox drains the local queue to central. Run it as an agent.Service.
type Outbox struct {
	Store  agent.Store
	Blobs  *blob.Store
	Client *centralclient.Client
	Status *agent.Status
	Logger *slog.Logger
	// BatchSize is the number of operations sent per request.
	BatchSize int
	// Interval is how often the queue is checked without a Kick.
	Interval time.Duration
	// MaxBackoff caps the wait between failed attempts.
	MaxBackoff time.Duration
	// Uploads is how many documents travel at once. A few in flight hide
	// the latency of each exchange (signature, disk sync on both sides)
	// without starving a slow line.
	Uploads int

	kick    chan struct{}
	refusee string // ID of the last operation whose refusal was notified
}

// New returns an outbox with sensible defaults.
func New(store agent.Store, blobs *blob.Store, client *centralclient.Client, status *agent.Status, logger *slog.Logger) *Outbox {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Outbox{Store: store, Blobs: blobs, Client: client, Status: status, Logger: logger,
		BatchSize: 200, Uploads: 3, Interval: 30 * time.Second, MaxBackoff: 2 * time.Minute, kick: make(chan struct{}, 1)}
}

// Name implements agent.Service.
func (o *Outbox) Name() string { return "outbox" }

// Kick wakes the outbox after a local commit; it never blocks.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Run drains the queue, then waits for a Kick or the next interval; after a
// failure it backs off. It returns when ctx ends.
func (o *Outbox) Run(ctx context.Context) error {
	b := backoff.New("outbox", o.MaxBackoff, o.Logger)
	for {
		err := o.Drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		o.report(ctx, err)
		if err != nil {
			b.BackOff(ctx, err)
			continue
		}
		b.BackOff(ctx, nil)
		t := time.NewTimer(o.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-o.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

func (o *Outbox) report(ctx context.Context, err error) {
	if o.Status == nil {
		return
	}
	if err == nil {
		o.Status.Report(ctx, "outbox", true, nil, "")
		return
	}
	o.Status.Report(ctx, "outbox", !centralclient.IsOffline(err), err, xdemat.ErrorMessage(err))
}

// Drain sends everything pending, batch after batch, and returns nil once the
// queue is empty.
func (o *Outbox) Drain(ctx context.Context) error {
	for {
		ops, err := o.Store.Pending(ctx, o.BatchSize)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return nil
		}
		if err := o.uploadDocuments(ctx, ops); err != nil {
			return err
		}
		st, err := o.Store.SyncState(ctx)
		if err != nil {
			return err
		}
		// What will still wait once this batch is in, for the console.
		remaining := max(st.OperationsEnAttente-int64(len(ops)), 0)
		ack, err := o.Client.PushOperations(ctx, ops, remaining)
		if err != nil {
			if xdemat.ErrorCode(err) == xdemat.ECONFLICT {
				return o.resync(ctx, ops[0].Seq, err)
			}
			if ctx.Err() == nil && !centralclient.IsTransient(err) {
				o.refused(ctx, ops[0], err)
			}
			return err
		}
		crashpoint.Hit("operations.avant-ack")
		if err := o.Store.Acknowledge(ctx, ack); err != nil {
			return err
		}
		crashpoint.Hit("operations.apres-ack")
		if ack < ops[len(ops)-1].Seq {
			// Central accepted less than the whole batch without an error:
			// never spin on it.
			return xdemat.Errorf(xdemat.EUNAVAILABLE, "Le serveur de la SPL n'a accepté que %d opération(s) sur %d : l'envoi sera repris.", ack-ops[0].Seq+1, len(ops))
		}
		if o.Status != nil {
			o.Status.Changed(ctx)
		}
	}
}

// refused tells the secretary, once per operation, that central refuses
// the operation at the head of the queue for good (the queue waits behind it
// until the SPL's support steps in). Central refuses a whole batch: the
// first operation stands for it.
func (o *Outbox) refused(ctx context.Context, op *xdemat.Operation, err error) {
	if o.refusee == op.ID {
		return
	}
	n := &xdemat.Notification{
		ID:       agent.IDNotification(xdemat.NotificationEnvoiRefuse, op.ID),
		Type:     xdemat.NotificationEnvoiRefuse,
		Severite: xdemat.SeveriteUrgent,
		Titre:    "Un envoi a été refusé par la SPL",
		Texte: fmt.Sprintf("Le serveur de la SPL refuse l'envoi n° %d (%s) enregistré le %s : %s Rien n'est perdu, l'envoi reste sur ce poste. Contactez la SPL.",
			op.Seq, op.Type, op.CreeLe.Local().Format("02/01/2006 à 15:04"), xdemat.ErrorMessage(err)),
		Objet: xdemat.Lien{Ecran: "diagnostic"},
	}
	if len([]rune(n.Texte)) > 4000 {
		n.Texte = string([]rune(n.Texte)[:3999]) + "…"
	}
	var lerr error
	if o.Status != nil && o.Status.Store != nil {
		lerr = o.Status.Lever(ctx, n)
	} else {
		lerr = o.Store.RaiseNotification(ctx, n, time.Now())
	}
	if lerr != nil {
		o.Logger.Warn("notification d'envoi refusé non enregistrée", "seq", op.Seq, "err", lerr)
		return
	}
	o.refusee = op.ID
}

// resync handles central refusing a batch for its sequence numbers. Nothing
// is ever marked as received here unless central holds it:
//   - central acknowledges less than the poste believed (central restored
//     from a backup): the operations it lost become pending again and are
//     sent at the next pass;
//   - central holds operations under numbers the poste wants to use (the
//     poste's own base restored from an older copy): the queue stays as it
//     is, and the error asks for the SPL's support.
func (o *Outbox) resync(ctx context.Context, first int64, refused error) error {
	ack, err := o.Client.Ack(ctx)
	if err != nil {
		return refused
	}
	if ack < first-1 {
		o.Logger.Warn("central a perdu des opérations, elles seront renvoyées", "ack_central", ack, "premiere_en_attente", first)
		if err := o.Store.Rewind(ctx, ack); err != nil {
			return err
		}
		return refused
	}
	return xdemat.Errorf(xdemat.ECONFLICT, "La file d'envoi de ce poste ne correspond plus à celle du serveur de la SPL (base du poste restaurée ?). Rien n'est perdu : les envois restent sur ce poste. Contactez le support de la SPL.")
}

// uploadDocuments sends the documents that ops need and central lacks.
func (o *Outbox) uploadDocuments(ctx context.Context, ops []*xdemat.Operation) error {
	needed := map[string]bool{}
	for _, op := range ops {
		for _, h := range op.Documents {
			needed[h] = true
		}
	}
	if len(needed) == 0 {
		return nil
	}
	docs, err := o.Store.PendingDocuments(ctx)
	if err != nil {
		return err
	}
	work := make(chan *xdemat.Document)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		uploaded []string
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	for i := 0; i < max(o.Uploads, 1); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := o.upload(wctx, d); err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				uploaded = append(uploaded, d.SHA256)
				mu.Unlock()
			}
		}()
	}
feed:
	for _, d := range docs {
		if !needed[d.SHA256] {
			continue
		}
		select {
		case work <- d:
		case <-wctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	// Marked together, even after a failure, so that a retry skips them. A
	// crash before this line only costs one exchange per document: central
	// answers at once that it holds it.
	if len(uploaded) > 0 {
		if err := o.Store.MarkUploaded(ctx, uploaded...); err != nil {
			return err
		}
		crashpoint.Hit("televersement.apres-marque")
	}
	return firstErr
}

func (o *Outbox) upload(ctx context.Context, d *xdemat.Document) error {
	f, err := o.Blobs.Open(d.SHA256)
	if err != nil {
		if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
			return xdemat.Errorf(xdemat.EINTERNAL, "Le fichier du document « %s » a disparu du dossier de données de ce poste : restaurez-le depuis la sauvegarde ou contactez la SPL.", d.NomOriginal)
		}
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() != d.Taille {
		return xdemat.Errorf(xdemat.EINTERNAL, "Le fichier du document « %s » est abîmé sur ce poste (taille %d au lieu de %d).", d.NomOriginal, fi.Size(), d.Taille)
	}
	return o.Client.Upload(ctx, d, f, nil)
}

var _ agent.Service = (*Outbox)(nil)
