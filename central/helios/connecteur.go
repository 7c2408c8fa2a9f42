// Package helios is central's connector to the DGFiP's Hélios reception:
// it uploads each signed PES the postes handed over, exactly once (uploaded
// again under the same name when it stays unanswered), fetches the acquits
// and non-acquits, applied per bordereau, and the PES_Retour, applied per
// pièce, and relays them to the commune's postes. The transport is the HTTP
// form of the real one that helios/simulateur serves (PUT /depots/{nom} with
// the P_DEST, P_APPLI and P_MSG parameters as headers; GET and DELETE
// /reponses/{nom}).
package helios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"xdemat"
	"xdemat/central/blob"
	dgfip "xdemat/helios"
	"xdemat/helios/simulateur"
)

// Store is what the connector needs of central's store (sqlstore.Store).
type Store interface {
	HeliosAEnvoyer(ctx context.Context, now time.Time, limite int) ([]*xdemat.TransmissionPES, error)
	HeliosIntention(ctx context.Context, communeID, id string, now time.Time) (*xdemat.TransmissionPES, error)
	HeliosEnvoye(ctx context.Context, communeID, id string, now time.Time) error
	HeliosEchec(ctx context.Context, communeID, id, motif string, prochain time.Time) error
	HeliosEnAttente(ctx context.Context, nomFic string) ([]*xdemat.TransmissionPES, error)
	HeliosReponse(ctx context.Context, communeID string, st *xdemat.StatutTransmissionPES, now time.Time) error
	HeliosRepondues(ctx context.Context, idColl, codCol string) ([]*xdemat.TransmissionPES, error)
	HeliosRetour(ctx context.Context, communeID string, r *xdemat.RetourPES, now time.Time) error
	HeliosSansReponse(ctx context.Context, avant, now time.Time, limite int) ([]*xdemat.TransmissionPES, error)
	HeliosRelance(ctx context.Context, communeID, id string, prochain time.Time) error
}

// Defaults of a Connecteur.
const (
	DefaultPoll      = 30 * time.Second
	DefaultMaxDelai  = 30 * time.Minute
	DefaultRelance   = 2 * time.Hour
	lot              = 20
	tailleMaxReponse = dgfip.TailleMaxMessage
)

// Connecteur sends and fetches; set the fields, then Start; Stop ends it.
type Connecteur struct {
	Store Store
	Blobs *blob.Store
	// URL is the transport's address (the simulator's in make run and tests).
	URL  string
	HTTP *http.Client
	// PDest is the DGFiP server addressed (P_DEST); the first of
	// helios.ServeursDGFiP when "".
	PDest    string
	Poll     time.Duration
	MaxDelai time.Duration // cap of the wait between failed uploads
	// Relance is how long an uploaded PES may stay unanswered before it is
	// uploaded again under the same name (the transport answers the same
	// acquit for the same file); DefaultRelance when 0.
	Relance time.Duration
	Now     func() time.Time
	Logger  *slog.Logger

	once sync.Once
	wake chan struct{}
	stop chan struct{}
	done chan struct{}
}

func (c *Connecteur) init() {
	c.once.Do(func() {
		if c.Now == nil {
			c.Now = time.Now
		}
		if c.Logger == nil {
			c.Logger = slog.New(slog.DiscardHandler)
		}
		if c.HTTP == nil {
			c.HTTP = &http.Client{Timeout: 5 * time.Minute}
		}
		if c.PDest == "" {
			c.PDest = dgfip.ServeursDGFiP[0]
		}
		if c.Poll <= 0 {
			c.Poll = DefaultPoll
		}
		if c.MaxDelai <= 0 {
			c.MaxDelai = DefaultMaxDelai
		}
		if c.Relance <= 0 {
			c.Relance = DefaultRelance
		}
		c.wake = make(chan struct{}, 1)
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
	})
}

// Start runs the connector in a goroutine until Stop.
func (c *Connecteur) Start() {
	c.init()
	go c.run()
}

// Stop ends the connector and waits for the exchange in progress.
func (c *Connecteur) Stop() {
	c.init()
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}

// Wake makes the connector look for work at once. It never blocks.
func (c *Connecteur) Wake() {
	c.init()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *Connecteur) run() {
	defer close(c.done)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-c.stop; cancel() }()
	t := time.NewTicker(c.Poll)
	defer t.Stop()
	for {
		c.Cycle(ctx)
		select {
		case <-c.stop:
			return
		case <-t.C:
		case <-c.wake:
		}
	}
}

// Cycle uploads what is due, uploads again what stayed unanswered too
// long (at start-up too: the first cycle runs at once), then fetches the
// answers waiting.
func (c *Connecteur) Cycle(ctx context.Context) {
	c.init()
	if err := c.Envoyer(ctx); err != nil && ctx.Err() == nil {
		c.Logger.Warn("envoi des PES à la DGFiP interrompu", "err", err)
	}
	if err := c.Relancer(ctx); err != nil && ctx.Err() == nil {
		c.Logger.Warn("renvoi des PES sans réponse interrompu", "err", err)
	}
	if err := c.Relever(ctx); err != nil && ctx.Err() == nil {
		c.Logger.Warn("relève des acquits Hélios interrompue", "err", err)
	}
}

// Envoyer uploads the transmissions due. The intent (transport name) is
// recorded before each upload; one cut short is retried with the same name,
// and the transport answers "déjà reçu" for the very same file.
func (c *Connecteur) Envoyer(ctx context.Context) error {
	c.init()
	ts, err := c.Store.HeliosAEnvoyer(ctx, c.Now(), lot)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := c.envoyer(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Relancer uploads again, under the same name, the transmissions uploaded
// more than Relance ago and still unanswered. The transport takes the same
// file as already received and offers its acquit again; one that lost it
// checks it afresh. Either way one acquit is applied: the first answer
// closes the transmission.
func (c *Connecteur) Relancer(ctx context.Context) error {
	c.init()
	now := c.Now()
	ts, err := c.Store.HeliosSansReponse(ctx, now.Add(-c.Relance), now, lot)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := c.Store.HeliosRelance(ctx, t.CommuneID, t.ID, now.Add(c.Relance)); err != nil {
			return err
		}
		c.Logger.Info("PES sans réponse de la DGFiP, déposé de nouveau", "commune", t.CommuneID, "nomFic", t.NomFic, "nom", t.NomTransport)
		if err := c.deposer(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// envoyer uploads one transmission; only a store failure is returned.
func (c *Connecteur) envoyer(ctx context.Context, du *xdemat.TransmissionPES) error {
	t, err := c.Store.HeliosIntention(ctx, du.CommuneID, du.ID, c.Now())
	if xdemat.ErrorCode(err) == xdemat.EINVALID {
		return c.refuser(ctx, du, xdemat.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return c.deposer(ctx, t)
}

// deposer puts t, already named, on the transport.
func (c *Connecteur) deposer(ctx context.Context, t *xdemat.TransmissionPES) error {
	contenu, err := c.lire(t.Document)
	if err != nil {
		return c.echec(ctx, t, "Le PES signé manque au magasin de documents de la SPL : "+err.Error())
	}
	d := dgfip.NouveauDepot(t.NomTransport, c.PDest, dgfip.EnTetePES{IdPost: t.IdPost, IdColl: t.IdColl, CodCol: t.CodCol, CodBud: t.CodBud})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.URL+"/depots/"+url.PathEscape(t.NomTransport), bytes.NewReader(contenu))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set(simulateur.EnTetePDest, d.PDest)
	req.Header.Set(simulateur.EnTetePAppli, d.PAppli)
	req.Header.Set(simulateur.EnTetePMsg, d.PMsg)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.echec(ctx, t, "Le serveur Hélios ne répond pas : "+err.Error())
	}
	msg := message(resp)
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		c.Logger.Info("PES déposé à la DGFiP", "commune", t.CommuneID, "nomFic", t.NomFic, "nom", t.NomTransport)
		return c.Store.HeliosEnvoye(ctx, t.CommuneID, t.ID, c.Now())
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return c.echec(ctx, t, fmt.Sprintf("Le serveur Hélios est indisponible (%d) : %s", resp.StatusCode, msg))
	default:
		// The transport refused the file itself (parameters, size): sending
		// it again would change nothing.
		return c.refuser(ctx, t, fmt.Sprintf("Le serveur Hélios a refusé le fichier : %s", msg))
	}
}

func (c *Connecteur) lire(hash string) ([]byte, error) {
	if c.Blobs == nil {
		return nil, errors.New("aucun magasin de documents")
	}
	f, err := c.Blobs.Open(hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, dgfip.TailleMaxDepot+1))
}

// echec records a failed attempt; the next one comes after Poll (at most
// MaxDelai), the transport being idempotent on the name.
func (c *Connecteur) echec(ctx context.Context, t *xdemat.TransmissionPES, motif string) error {
	c.Logger.Warn("PES non déposé, nouvel essai plus tard", "commune", t.CommuneID, "nomFic", t.NomFic, "motif", motif)
	delai := c.Poll
	if delai > c.MaxDelai {
		delai = c.MaxDelai
	}
	return c.Store.HeliosEchec(ctx, t.CommuneID, t.ID, motif, c.Now().Add(delai))
}

// refuser ends a transmission the DGFiP will never take as it is.
func (c *Connecteur) refuser(ctx context.Context, t *xdemat.TransmissionPES, motif string) error {
	c.Logger.Warn("PES refusé avant envoi", "commune", t.CommuneID, "nomFic", t.NomFic, "motif", motif)
	return c.Store.HeliosReponse(ctx, t.CommuneID, &xdemat.StatutTransmissionPES{TransmissionID: t.ID, DossierID: t.DossierID,
		NomFic: t.NomFic, CodCol: t.CodCol, NomTransport: t.NomTransport, Statut: xdemat.HeliosRefuse, Le: c.Now(),
		Explications: []string{motif}}, c.Now())
}

// message reads the French sentence of a transport answer and closes it.
func message(resp *http.Response) string {
	defer resp.Body.Close()
	var m struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if json.Unmarshal(b, &m) == nil && m.Message != "" {
		return m.Message
	}
	return strings.TrimSpace(string(b))
}

// Relever fetches the acquits, non-acquits and PES_Retour waiting on the
// transport, applies each to its transmission(s), then deletes it from the
// transport — in that order, so that a crash in between only fetches it
// again (applying an answer or a retour twice changes nothing).
func (c *Connecteur) Relever(ctx context.Context) error {
	c.init()
	var reps []simulateur.Reponse
	if err := c.getJSON(ctx, "/reponses", &reps); err != nil {
		return err
	}
	for _, r := range reps {
		if r.Type != dgfip.MessageAcquit && r.Type != dgfip.MessageNonAcquit && r.Type != dgfip.MessageRetour {
			continue
		}
		b, err := c.get(ctx, "/reponses/"+url.PathEscape(r.Nom))
		if err != nil {
			return err
		}
		m, err := dgfip.LireMessage(b)
		if err != nil {
			c.Logger.Error("réponse Hélios illisible laissée sur le serveur", "nom", r.Nom, "err", err)
			continue
		}
		if m.Retour != nil {
			if err := c.retour(ctx, r.Nom, m.Retour); err != nil {
				return err
			}
			continue
		}
		ts, err := c.Store.HeliosEnAttente(ctx, m.NomFic())
		if err != nil {
			return err
		}
		t := correspondance(ts, m)
		if t == nil {
			c.Logger.Warn("réponse Hélios sans PES en attente", "nom", r.Nom, "nomFic", m.NomFic())
			continue
		}
		st := Statut(t, m, c.Now())
		if err := c.Store.HeliosReponse(ctx, t.CommuneID, st, c.Now()); err != nil {
			return err
		}
		c.Logger.Info("réponse Hélios appliquée", "commune", t.CommuneID, "nomFic", t.NomFic, "statut", st.Statut)
		if err := c.supprimer(ctx, r.Nom); err != nil {
			return err
		}
	}
	return nil
}

// retour applies a PES_Retour to every transmission whose bordereaux it
// names, then deletes it from the transport. A retour naming none of ours
// (bordereaux sent by another channel) is deleted too: nothing will ever
// claim it.
func (c *Connecteur) retour(ctx context.Context, nom string, r *dgfip.Retour) error {
	ts, err := c.Store.HeliosRepondues(ctx, r.EnTete.IdColl, r.EnTete.CodCol)
	if err != nil {
		return err
	}
	n := 0
	for _, t := range ts {
		rp := Retour(t, r, c.Now())
		if rp == nil {
			continue
		}
		for _, partie := range Parties(rp) {
			if err := c.Store.HeliosRetour(ctx, t.CommuneID, partie, c.Now()); err != nil {
				if code := xdemat.ErrorCode(err); code == xdemat.EINVALID || code == xdemat.ETOOLARGE {
					c.Logger.Error("retour Hélios inapplicable", "nom", nom, "nomFic", t.NomFic, "err", err)
					continue
				}
				return err
			}
		}
		n++
	}
	if n == 0 {
		c.Logger.Warn("retour Hélios sans PES correspondant", "nom", nom, "idColl", r.EnTete.IdColl)
	} else {
		c.Logger.Info("retour Hélios appliqué", "nom", nom, "transmissions", n)
	}
	return c.supprimer(ctx, nom)
}

// Retour extracts from r the pièces of t's bordereaux, with their state and
// the French sentence of each; nil when r names none of them.
func Retour(t *xdemat.TransmissionPES, r *dgfip.Retour, le time.Time) *xdemat.RetourPES {
	if t.CodBud != "" && r.EnTete.CodBud != "" && t.CodBud != r.EnTete.CodBud {
		return nil
	}
	rp := &xdemat.RetourPES{TransmissionID: t.ID, DossierID: t.DossierID, NomFic: t.NomFic, NomRetour: r.Enveloppe.NomFic, Le: le}
	for _, dr := range []*dgfip.DomaineRetour{r.Depense, r.Recette} {
		if dr == nil {
			continue
		}
		for _, br := range dr.Bordereaux {
			dom := "depense"
			if br.Domaine == dgfip.DomaineRecette {
				dom = "recette"
			}
			var rb *xdemat.RetourBordereauPES
			for _, b := range t.Bordereaux {
				// Only an accepted bordereau reached the Trésorerie: one
				// refused, then sent again in a new PES under the same
				// number, belongs to the new transmission.
				if b.Statut == xdemat.HeliosAcquitte && b.Domaine == dom && b.Exercice == br.Exer && strings.TrimLeft(b.Numero, "0") == strings.TrimLeft(br.IdBord, "0") {
					rb = &xdemat.RetourBordereauPES{Domaine: b.Domaine, Exercice: b.Exercice, Numero: b.Numero}
				}
			}
			if rb == nil {
				continue
			}
			for _, p := range br.Pieces {
				st, ok := statutPiece(p.Statut())
				if !ok {
					continue // a state we cannot place: the next retour will tell
				}
				rb.Pieces = append(rb.Pieces, xdemat.PiecePES{Numero: p.IdPce, Statut: st, Phrase: tronquer(p.Phrase(), xdemat.MaxPhrasePiece), Le: le})
			}
			if len(rb.Pieces) > 0 {
				rp.Bordereaux = append(rp.Bordereaux, *rb)
			}
		}
	}
	if len(rp.Bordereaux) == 0 {
		return nil
	}
	return rp
}

// Parties splits rp into retours of at most xdemat.MaxPiecesRetour pièces,
// numbered by Partie, so that each event stays small.
func Parties(rp *xdemat.RetourPES) []*xdemat.RetourPES {
	var out []*xdemat.RetourPES
	cur := &xdemat.RetourPES{TransmissionID: rp.TransmissionID, DossierID: rp.DossierID, NomFic: rp.NomFic, NomRetour: rp.NomRetour, Le: rp.Le}
	n := 0
	for _, b := range rp.Bordereaux {
		for len(b.Pieces) > 0 {
			if n == xdemat.MaxPiecesRetour {
				out = append(out, cur)
				cur = &xdemat.RetourPES{TransmissionID: rp.TransmissionID, DossierID: rp.DossierID, NomFic: rp.NomFic, NomRetour: rp.NomRetour, Le: rp.Le, Partie: len(out)}
				n = 0
			}
			k := min(len(b.Pieces), xdemat.MaxPiecesRetour-n)
			cur.Bordereaux = append(cur.Bordereaux, xdemat.RetourBordereauPES{Domaine: b.Domaine, Exercice: b.Exercice, Numero: b.Numero, Pieces: b.Pieces[:k]})
			b.Pieces, n = b.Pieces[k:], n+k
		}
	}
	if len(cur.Bordereaux) > 0 {
		out = append(out, cur)
	}
	return out
}

func statutPiece(s dgfip.StatutPiece) (xdemat.StatutPiecePES, bool) {
	switch s {
	case dgfip.PieceEnInstance:
		return xdemat.PieceEnInstance, true
	case dgfip.PiecePriseEnCharge:
		return xdemat.PiecePriseEnCharge, true
	case dgfip.PiecePriseEnChargePartielle:
		return xdemat.PiecePriseEnChargePartielle, true
	case dgfip.PieceRejetee:
		return xdemat.PieceRejetee, true
	case dgfip.PieceSoldee:
		return xdemat.PieceSoldee, true
	case dgfip.PieceAnnulee:
		return xdemat.PieceAnnulee, true
	}
	return "", false
}

// correspondance picks the transmission an answer is about: same NomFic and,
// when the answer says it, same collectivité.
func correspondance(ts []*xdemat.TransmissionPES, m *dgfip.Message) *xdemat.TransmissionPES {
	var codCol, idColl string
	if m.Acquit != nil {
		codCol, idColl = m.Acquit.EnTete.CodCol, m.Acquit.EnTete.IdColl
	}
	for _, t := range ts {
		if (codCol == "" || codCol == t.CodCol) && (idColl == "" || idColl == t.IdColl) {
			return t
		}
	}
	return nil
}

// Statut maps an acquit or non-acquit to the statut of t and of each of its
// bordereaux, with the French explanation of every anomaly.
func Statut(t *xdemat.TransmissionPES, m *dgfip.Message, le time.Time) *xdemat.StatutTransmissionPES {
	st := &xdemat.StatutTransmissionPES{TransmissionID: t.ID, DossierID: t.DossierID, NomFic: t.NomFic, CodCol: t.CodCol,
		NomTransport: t.NomTransport, Statut: xdemat.HeliosAcquitte, Le: le}
	switch {
	case m.NonAcquit != nil:
		st.Statut = xdemat.HeliosRefuse
		st.Explications = []string{m.NonAcquit.Explication()}
		return st
	case m.Acquit == nil:
		return st
	}
	a := m.Acquit
	for _, b := range t.Bordereaux {
		sb := xdemat.StatutBordereauPES{Domaine: b.Domaine, Exercice: b.Exercice, Numero: b.Numero, Statut: xdemat.HeliosAcquitte}
		for _, e := range a.ElementsBordereau(b.Exercice, b.Numero) {
			if (e.Domaine == dgfip.DomaineDepense && b.Domaine != "depense") || (e.Domaine == dgfip.DomaineRecette && b.Domaine != "recette") {
				continue
			}
			if e.Accepte {
				continue
			}
			sb.Statut = xdemat.HeliosRefuse
			for _, an := range e.Anomalies() {
				sb.Explications = append(sb.Explications, an.String())
			}
		}
		if sb.Statut == xdemat.HeliosRefuse {
			st.Statut = xdemat.HeliosRefuse
		}
		st.Bordereaux = append(st.Bordereaux, sb)
	}
	// Refusals not tied to a bordereau (the file's signature, a PJ…).
	for _, e := range a.Elements {
		if e.Accepte || e.NumBord != "" {
			continue
		}
		st.Statut = xdemat.HeliosRefuse
		for _, an := range e.Anomalies() {
			st.Explications = append(st.Explications, an.String())
		}
	}
	return st
}

func (c *Connecteur) get(ctx context.Context, chemin string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+chemin, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s : %d %s", chemin, resp.StatusCode, message(resp))
	}
	return io.ReadAll(io.LimitReader(resp.Body, tailleMaxReponse))
}

func (c *Connecteur) getJSON(ctx context.Context, chemin string, v any) error {
	b, err := c.get(ctx, chemin)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (c *Connecteur) supprimer(ctx context.Context, nom string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.URL+"/reponses/"+url.PathEscape(nom), nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	msg := message(resp)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("DELETE %s : %d %s", nom, resp.StatusCode, msg)
	}
	return nil
}

// tronquer cuts s to at most n bytes on a rune boundary.
func tronquer(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
