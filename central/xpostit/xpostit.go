// Package xpostit delivers the communes' notifications to people: a
// dispatcher that sends the envois central's store planned (e-mail through a
// mail.Mailer, SMS through an sms.Provider), with retries and backoff, and
// the daily digest of what is left to do.
package xpostit

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	_ "time/tzdata" // Europe/Paris on Windows servers too

	"xdemat"
	"xdemat/central"
	"xdemat/central/mail"
	"xdemat/central/sms"
)

// Defaults of a Dispatcher.
const (
	DefaultHeureResume   = 7
	DefaultMaxTentatives = 8
	DefaultPoll          = 15 * time.Second
	// lot bounds the envois claimed at once.
	lot = 20
)

// Dispatcher sends the due envois, at once when woken (Wake) and otherwise
// every Poll, and the daily digests. Set the fields, then Start; Stop ends it.
type Dispatcher struct {
	Store  central.Store
	Mailer mail.Mailer
	// SMS sends the SMS envois; nil fails them ("aucun fournisseur").
	SMS sms.Provider
	// PublicURL is central's address for people (https://host:port): links
	// in messages go to PublicURL/ouvrir/<notification>.
	PublicURL string
	// HeureResume is the hour of the daily digest, in Fuseau: 1 to 23,
	// DefaultHeureResume otherwise.
	HeureResume int
	// Fuseau is the time zone of the digest and of dates in messages;
	// Europe/Paris when nil.
	Fuseau *time.Location
	// MaxTentatives is how many attempts an envoi gets before it is given up.
	MaxTentatives int
	Poll          time.Duration
	Now           func() time.Time
	Logger        *slog.Logger

	initOnce sync.Once
	wake     chan struct{}
	reports  chan sms.Rapport
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	communes sync.Map // commune ID → name
	// lastResumes is when digests were last looked for.
	lastResumes time.Time
}

func (d *Dispatcher) init() {
	d.initOnce.Do(func() {
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Logger == nil {
			d.Logger = slog.New(slog.DiscardHandler)
		}
		if d.Fuseau == nil {
			loc, err := time.LoadLocation("Europe/Paris")
			if err != nil {
				loc = time.Local
			}
			d.Fuseau = loc
		}
		if d.HeureResume <= 0 || d.HeureResume > 23 {
			d.HeureResume = DefaultHeureResume
		}
		if d.MaxTentatives <= 0 {
			d.MaxTentatives = DefaultMaxTentatives
		}
		if d.Poll <= 0 {
			d.Poll = DefaultPoll
		}
		d.wake = make(chan struct{}, 1)
		d.reports = make(chan sms.Rapport, 256)
		d.stop = make(chan struct{})
		d.done = make(chan struct{})
		if d.SMS != nil {
			d.SMS.OnRapport(d.report)
		}
	})
}

// Start runs the dispatcher in a goroutine until Stop.
func (d *Dispatcher) Start() {
	d.init()
	go d.run()
}

// Stop ends the dispatcher and waits for the send in progress.
func (d *Dispatcher) Stop() {
	d.init()
	d.stopOnce.Do(func() {
		close(d.stop)
		select {
		case <-d.done:
		case <-time.After(time.Minute):
			d.Logger.Warn("répartiteur des notifications : arrêt sans attendre l'envoi en cours")
		}
	})
}

// Wake makes the dispatcher look for due envois at once. It never blocks.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// report queues an SMS delivery report for the dispatcher's goroutine.
func (d *Dispatcher) report(r sms.Rapport) {
	select {
	case d.reports <- r:
	case <-d.stop:
	}
}

func (d *Dispatcher) run() {
	defer close(d.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-d.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		if err := d.Deliver(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("répartiteur des notifications : envois interrompus", "err", err)
		}
		if now := d.Now(); now.Sub(d.lastResumes) >= time.Minute {
			d.lastResumes = now
			if err := d.SendResumes(ctx, now); err != nil && ctx.Err() == nil {
				d.Logger.Warn("résumés quotidiens interrompus", "err", err)
			}
		}
		select {
		case <-d.stop:
			return
		case <-d.wake:
		case <-t.C:
		case r := <-d.reports:
			d.applyReport(ctx, r)
		}
	}
}

// Deliver sends every envoi due now, batch after batch.
func (d *Dispatcher) Deliver(ctx context.Context) error {
	d.init()
	for {
		due, err := d.Store.DueEnvois(ctx, d.Now(), lot)
		if err != nil {
			return err
		}
		for _, e := range due {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.send(ctx, e)
		}
		if len(due) < lot {
			return nil
		}
	}
}

// send makes one attempt at e and records its outcome.
func (d *Dispatcher) send(ctx context.Context, e *central.Envoi) {
	var ref string
	var err error
	statut := central.EnvoiEnvoye
	switch e.Canal {
	case central.CanalEmail:
		var m *mail.Message
		if m, err = d.courriel(ctx, e); err == nil {
			err = d.Mailer.Send(ctx, m)
			ref = m.MessageID
		}
	case central.CanalSMS:
		if d.SMS == nil {
			err = xdemat.Errorf(xdemat.EINVALID, "Aucun fournisseur de SMS n'est configuré sur le serveur central (option -sms).")
			break
		}
		ref, err = d.SMS.Send(ctx, sms.Message{ID: strconv.FormatInt(e.ID, 10), To: e.Adresse, Text: d.texteSMS(ctx, e)})
	default:
		err = xdemat.Errorf(xdemat.EINVALID, "Canal d'envoi inconnu : %q.", e.Canal)
	}
	now := d.Now()
	var next time.Time
	msg := ""
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return // stopping: the lease brings it back at the next start
		}
		msg = xdemat.ErrorMessage(err)
		switch {
		case xdemat.ErrorCode(err) == xdemat.EINVALID:
			statut = central.EnvoiEchec
		case e.Tentatives >= d.MaxTentatives:
			statut = central.EnvoiEchec
			msg = "Abandonné après " + strconv.Itoa(e.Tentatives) + " tentatives : " + msg
		default:
			statut, next = central.EnvoiAEnvoyer, now.Add(Attente(e.Tentatives))
		}
		d.Logger.Warn("envoi de notification en échec", "envoi", e.ID, "canal", e.Canal, "tentative", e.Tentatives, "statut", statut, "err", err)
	}
	if err := d.Store.MarkEnvoi(context.WithoutCancel(ctx), e.ID, statut, ref, msg, next, now); err != nil {
		d.Logger.Error("état d'envoi non enregistré", "envoi", e.ID, "err", err)
	}
}

// Attente returns how long to wait after the attempt n (1, 2…) failed:
// one minute, doubled each time, at most an hour.
func Attente(n int) time.Duration {
	w := time.Minute
	for i := 1; i < n && w < time.Hour; i++ {
		w *= 2
	}
	return min(w, time.Hour)
}

// applyReport records an SMS provider's report.
func (d *Dispatcher) applyReport(ctx context.Context, r sms.Rapport) {
	id, err := strconv.ParseInt(r.ID, 10, 64)
	if err != nil {
		d.Logger.Warn("rapport de SMS sans envoi", "reference", r.Reference)
		return
	}
	statut := map[string]string{sms.EtatEnvoye: central.EnvoiEnvoye, sms.EtatLivre: central.EnvoiLivre, sms.EtatEchec: central.EnvoiEchec}[r.Etat]
	if statut == "" {
		return
	}
	if err := d.Store.MarkEnvoi(ctx, id, statut, r.Reference, r.Erreur, time.Time{}, d.Now()); err != nil {
		d.Logger.Warn("rapport de SMS non enregistré", "envoi", id, "err", err)
	}
}

// ApplyReports records the SMS reports received so far; the running
// dispatcher does it by itself (for tests).
func (d *Dispatcher) ApplyReports(ctx context.Context) {
	d.init()
	for {
		select {
		case r := <-d.reports:
			d.applyReport(ctx, r)
		default:
			return
		}
	}
}

// commune returns the name of a commune, cached.
func (d *Dispatcher) commune(ctx context.Context, id string) string {
	if v, ok := d.communes.Load(id); ok {
		return v.(string)
	}
	c, err := d.Store.FindCommune(ctx, id)
	if err != nil {
		return "votre commune"
	}
	d.communes.Store(id, c.Nom)
	return c.Nom
}

// domain is the host of PublicURL, for Message-IDs.
func (d *Dispatcher) domain() string {
	if u, err := url.Parse(d.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "xdemat.invalid"
}

// Lien returns the public link that opens a notification in the app.
func (d *Dispatcher) Lien(notificationID string) string {
	return d.PublicURL + "/ouvrir/" + url.PathEscape(notificationID)
}
