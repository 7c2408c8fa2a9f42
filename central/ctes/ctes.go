// Package ctes is central's connector to the ministry's @CTES platform: it
// builds the archive of each acte a poste asked to transmit, records it
// before posting it (so that a crash in between never makes a second
// archive: the recorded one is posted again, the platform being idempotent
// on the archive's name), posts it, and takes the platform's answers (AR,
// anomalies, letters of the préfecture), which it maps to the actes'
// statuses and messages relayed to the communes' postes.
package ctes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/actes"
	"xdemat/central"
	"xdemat/central/blob"
)

// Connecteur transmits the actes and takes the answers. Fill in the
// exported fields, then call Tourner (or Tour for one pass).
type Connecteur struct {
	Store central.ActesStore
	Blobs *blob.Store
	// URL of the platform: POST <URL>/actesPost, GET <URL>/retours….
	URL    string
	Client *http.Client // nil: a client with a 2-minute timeout
	// Operateur is sent in the X-Certificat-Client header when the client
	// presents no TLS certificate (the simulator in tests and make run).
	Operateur string
	// Trigramme is the operator's code, the first part of archive names.
	Trigramme string
	// AdresseRetour is the mailbox the ministry answers to, the operator's;
	// "": AdresseRetourParDefaut.
	AdresseRetour string
	Intervalle    time.Duration // between passes; 0: 30 s
	Logger        *slog.Logger  // nil: slog.Default()
	Now           func() time.Time
	// ApresIntention, when set, is called once an archive is recorded and
	// before it is posted (tests stop central there: it may wait for ctx).
	ApresIntention func(ctx context.Context, nom string) error
}

// AdresseRetourParDefaut is the operator's mailbox named in the enveloppes
// when none is configured (the schema requires one).
const AdresseRetourParDefaut = "retours-actes@xdemat.fr"

// ErrInterrompu is returned by Tour when ApresIntention stopped it.
var ErrInterrompu = errors.New("ctes: interrompu après l'enregistrement de l'intention")

func (c *Connecteur) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Connecteur) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c *Connecteur) client() *http.Client {
	if c.Client != nil {
		return c.Client
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// Tourner runs a pass every Intervalle, and at once when reveil receives,
// until ctx ends.
func (c *Connecteur) Tourner(ctx context.Context, reveil <-chan struct{}) {
	d := c.Intervalle
	if d <= 0 {
		d = 30 * time.Second
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		if err := c.Tour(ctx); err != nil && ctx.Err() == nil {
			c.logger().Warn("plateforme @CTES : passage incomplet, repris au suivant", "err", err)
		}
		if err := c.TourClassifications(ctx); err != nil && ctx.Err() == nil { // classification.go
			c.logger().Warn("plateforme @CTES : classification non demandée, reprise au passage suivant", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-reveil:
		}
	}
}

// Tour makes one pass: it posts the archives recorded and not yet taken
// (after a crash), builds and posts the actes waiting, then takes the
// platform's new answers.
func (c *Connecteur) Tour(ctx context.Context) error {
	envois, err := c.Store.EnvoisEnAttente(ctx)
	if err != nil {
		return err
	}
	for _, e := range envois {
		if err := c.poster(ctx, e); err != nil {
			return err
		}
	}
	todo, err := c.Store.ActesATransmettre(ctx, 50)
	if err != nil {
		return err
	}
	for _, t := range todo {
		e, err := c.Store.EnregistrerIntention(ctx, t.Commune.ID, t.Acte.ID, t.Commune.SIREN, c.construire(t), c.now())
		if err != nil {
			if xdemat.ErrorCode(err) != xdemat.EINTERNAL {
				c.logger().Info("acte non transmis : l'acte est à corriger", "acte", t.Acte.ID, "motif", xdemat.ErrorMessage(err))
				continue
			}
			return err
		}
		if e == nil {
			continue
		}
		if c.ApresIntention != nil {
			if err := c.ApresIntention(ctx, e.Nom); err != nil {
				return ErrInterrompu
			}
		}
		if err := c.poster(ctx, e); err != nil {
			return err
		}
	}
	if err := c.tourReponses(ctx); err != nil { // reponse.go
		return err
	}
	return c.prendreRetours(ctx)
}

// construire returns the builder of t's archive for a series number.
func (c *Connecteur) construire(t central.ActeATransmettre) func(serie int) (*central.EnvoiActe, error) {
	return func(serie int) (*central.EnvoiActe, error) {
		adresse := c.AdresseRetour
		if adresse == "" {
			adresse = AdresseRetourParDefaut
		}
		e := actes.EmetteurCommune(t.Commune, 0, adresse)
		o := actes.Options{Trigramme: c.Trigramme, Date: c.now(), Serie: serie}
		if t.Annulation {
			ar, err := actes.ConstruireAnnulation(t.Acte.IdentifiantUnique, e, o)
			if err != nil {
				return nil, erreurConstruction(err)
			}
			return &central.EnvoiActe{Nom: ar.Nom, IDActe: t.Acte.IdentifiantUnique, Octets: ar.Octets}, nil
		}
		a := *t.Acte
		a.Annexes = append([]xdemat.PieceActe(nil), t.Acte.Annexes...)
		// The sizes are those of the documents central holds.
		for _, p := range append([]*xdemat.PieceActe{&a.DocumentPrincipal}, ptrs(a.Annexes)...) {
			st, err := c.taille(p.SHA256)
			if err != nil {
				return nil, err
			}
			p.Taille = st
		}
		ar, err := actes.ConstruireActe(&a, e, o, c.source)
		if err != nil {
			return nil, erreurConstruction(err)
		}
		return &central.EnvoiActe{Nom: ar.Nom, IDActe: ar.IDActe, Octets: ar.Octets}, nil
	}
}

// erreurConstruction keeps the domain's errors (what the secretary must
// correct) and makes the others internal (the pass is made again).
func erreurConstruction(err error) error {
	var de *xdemat.Error
	if errors.As(err, &de) {
		return err
	}
	return xdemat.Errorf(xdemat.EINTERNAL, "construction de l'archive : %v", err)
}

func ptrs(ps []xdemat.PieceActe) []*xdemat.PieceActe {
	out := make([]*xdemat.PieceActe, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out
}

// taille returns the size of a document held by central. A document not
// yet uploaded is an internal error: the pass is made again later.
func (c *Connecteur) taille(h string) (int64, error) {
	f, err := c.Blobs.Open(h)
	if err != nil {
		return 0, xdemat.Errorf(xdemat.EINTERNAL, "document %s… pas encore reçu : %v", h[:min(12, len(h))], err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, xdemat.Errorf(xdemat.EINTERNAL, "document %s… : %v", h[:12], err)
	}
	return st.Size(), nil
}

func (c *Connecteur) source(h string) ([]byte, error) {
	f, err := c.Blobs.Open(h)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINTERNAL, "document %s… pas encore reçu : %v", h[:min(12, len(h))], err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

// poster posts a recorded archive. The platform answers 200 when it takes
// it (again: it is idempotent on the name), 4xx when it refuses it outright.
func (c *Connecteur) poster(ctx context.Context, e *central.EnvoiActe) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(e.Nom, e.Nom)
	if err != nil {
		return err
	}
	if _, err := fw.Write(e.Octets); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/actesPost", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.Operateur != "" {
		req.Header.Set("X-Certificat-Client", c.Operateur)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return fmt.Errorf("ctes: envoi de %s : %w", e.Nom, err)
	}
	defer resp.Body.Close()
	texte, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode == http.StatusOK:
		c.logger().Info("acte transmis à la préfecture", "archive", e.Nom, "acte", e.IDActe)
		return c.Store.MarquerEnvoye(ctx, e.Nom, c.now())
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
		motif := "La plateforme de la préfecture a refusé l'envoi : " + strings.TrimSpace(string(texte))
		c.logger().Warn("archive refusée par la plateforme", "archive", e.Nom, "statut", resp.StatusCode, "motif", motif)
		return c.Store.MarquerRefuse(ctx, e.Nom, motif, c.now())
	}
	return fmt.Errorf("ctes: envoi de %s : HTTP %d %s", e.Nom, resp.StatusCode, strings.TrimSpace(string(texte)))
}

// infoRetour is an entry of the platform's mailbox (GET /retours).
type infoRetour struct {
	Numero  int      `json:"numero"`
	Nom     string   `json:"nom"`
	SIREN   string   `json:"siren"`
	Codes   []string `json:"codes"`
	IDActe  string   `json:"idActe"`
	Archive string   `json:"archive"`
	octets  []byte   // the answer as taken (documents.go keeps its files)
}

func (c *Connecteur) get(ctx context.Context, chemin string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.URL, "/")+chemin, nil)
	if err != nil {
		return nil, err
	}
	if c.Operateur != "" {
		req.Header.Set("X-Certificat-Client", c.Operateur)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("ctes: %s : %w", chemin, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, actes.TailleMaxArchive+1))
	if err != nil {
		return nil, fmt.Errorf("ctes: %s : %w", chemin, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ctes: %s : HTTP %d %s", chemin, resp.StatusCode, strings.TrimSpace(string(b[:min(len(b), 200)])))
	}
	return b, nil
}

// prendreRetours takes the answers emitted since the last one taken.
func (c *Connecteur) prendreRetours(ctx context.Context) error {
	depuis, err := c.Store.DernierRetour(ctx)
	if err != nil {
		return err
	}
	b, err := c.get(ctx, "/retours?depuis="+strconv.Itoa(depuis))
	if err != nil {
		return err
	}
	var liste []infoRetour
	if err := json.Unmarshal(b, &liste); err != nil {
		return fmt.Errorf("ctes: liste des retours illisible : %w", err)
	}
	for _, info := range liste {
		if fait, err := c.Store.RetoursTraites(ctx, info.Nom); err != nil {
			return err
		} else if fait {
			continue
		}
		octets, err := c.get(ctx, "/retours/"+url.PathEscape(info.Nom))
		if err != nil {
			return err
		}
		if err := c.traiter(ctx, info, octets); err != nil {
			return err
		}
		if err := c.Store.RetourTraite(ctx, info.Nom, info.Numero, c.now()); err != nil {
			return err
		}
	}
	return nil
}

// traiter maps an answer to the actes it is about. An answer about an acte
// central does not know (another operator's, or older than this central)
// is logged and taken.
func (c *Connecteur) traiter(ctx context.Context, info infoRetour, octets []byte) error {
	r, err := actes.LireRetour(octets)
	if err != nil {
		c.logger().Warn("retour de la préfecture illisible, ignoré", "retour", info.Nom, "err", err)
		return nil
	}
	now := c.now()
	info.octets = octets
	if fait, err := c.retourDeReponse(ctx, info, r, now); fait || err != nil {
		return err // an anomaly about an answer of the commune, not about its acte
	}
	if r.AnomalieEnveloppe != nil {
		communeID, a, err := c.Store.ActeDeRetour(ctx, info.Archive, info.IDActe)
		if err != nil {
			return c.inconnu(info, err)
		}
		texte := actes.Explication(r.AnomalieEnveloppe)
		return c.Store.ChangerStatutActe(ctx, communeID, &xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeEnErreur, Anomalie: texte, Le: now},
			notification(a, xdemat.NotificationActeErreur, "Acte refusé par la préfecture : "+a.NumeroInterne, texte, now))
	}
	for _, m := range r.Messages {
		if err := c.message(ctx, info, m, now); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connecteur) inconnu(info infoRetour, err error) error {
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		c.logger().Warn("retour de la préfecture sur un acte inconnu, ignoré", "retour", info.Nom, "acte", info.IDActe)
		return nil
	}
	return err
}

func notification(a *xdemat.Acte, typ, titre, texte string, now time.Time) *xdemat.Notification {
	tn, _ := xdemat.TypeNotificationParCode(typ)
	return &xdemat.Notification{
		ID:   uuid.NewSHA1(uuid.NameSpaceOID, []byte("ctes/"+a.ID+"/"+typ+"/"+texte)).String(),
		Type: typ, Severite: tn.Severite, Titre: titre, Texte: texte,
		Objet: xdemat.Lien{Ecran: "actes", ID: a.ID}, CreeLe: now,
	}
}

// message applies one message of an answer.
func (c *Connecteur) message(ctx context.Context, info infoRetour, recu actes.Recu, now time.Time) error {
	texte := actes.Explication(recu.Message)
	var idActe string
	var typ xdemat.TypeMessagePrefecture
	switch v := recu.Message.(type) {
	case *actes.ARActe:
		communeID, a, err := c.Store.ActeDeRetour(ctx, info.Archive, v.IDActe)
		if err != nil {
			return c.inconnu(info, err)
		}
		// The AR file is kept first: taken again after a crash, it is the same document.
		docAR, err := c.garder(ctx, communeID, "accuse-reception-"+a.NumeroInterne+".xml", "application/xml", fichierMessage(info.octets, recu.Fichier), now)
		if err != nil {
			return err
		}
		ch := &xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: v.IDActe, DateAR: v.DateReception.Time,
			NomArchive: info.Archive, TransmisLe: now, DocumentAR: docAR, Le: now}
		return c.Store.ChangerStatutActe(ctx, communeID, ch,
			notification(a, xdemat.NotificationActeAcquitte, "Acte reçu en préfecture : "+a.NumeroInterne, texte, now))
	case *actes.AnomalieActe:
		communeID, a, err := c.Store.ActeDeRetour(ctx, info.Archive, info.IDActe)
		if err != nil {
			return c.inconnu(info, err)
		}
		return c.Store.ChangerStatutActe(ctx, communeID, &xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeEnErreur, Anomalie: texte, Le: now},
			notification(a, xdemat.NotificationActeErreur, "Acte refusé par la préfecture : "+a.NumeroInterne, texte, now))
	case *actes.ARAnnulation:
		communeID, a, err := c.Store.ActeDeRetour(ctx, "", v.IDActe)
		if err != nil {
			return c.inconnu(info, err)
		}
		return c.Store.ChangerStatutActe(ctx, communeID, &xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAnnule, AnnuleLe: v.DateReception.Time, Le: now}, nil)
	case *actes.CourrierSimple:
		idActe, typ = v.IDActe, xdemat.MessageCourrierSimple
	case *actes.DemandePieceComplementaire:
		idActe, typ = v.IDActe, xdemat.MessageDemandePieces
	case *actes.LettreObservations:
		idActe, typ = v.IDActe, xdemat.MessageLettreObservations
	case *actes.DefereTA:
		idActe, typ = v.IDActe, xdemat.MessageDefere
	case *actes.ARPieceComplementaire:
		return c.acquitterReponse(ctx, info, v.ARReponse)
	case *actes.ARReponseRejetLettreObservations:
		return c.acquitterReponse(ctx, info, v.ARReponse)
	case *actes.RetourClassification: // classification.go
		return c.enregistrerClassification(ctx, info, v, now)
	case *actes.ReponseClassificationSansChangement: // classification.go
		return nil // the version held is current
	default:
		c.logger().Info("message de la préfecture non pris en compte", "retour", info.Nom, "code", recu.Message.Code())
		return nil
	}
	communeID, a, err := c.Store.ActeDeRetour(ctx, "", idActe)
	if err != nil {
		return c.inconnu(info, err)
	}
	m := &xdemat.MessagePrefecture{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("ctes/"+info.Nom+"/"+recu.Fichier)).String(),
		ActeID: a.ID, Type: typ, Code: string(recu.Message.Code()), Texte: texte, RecuLe: now, DateCourrier: dateCourrier(recu.Message)}
	if m.Documents, err = c.garderPieces(ctx, communeID, recu.Pieces, now); err != nil {
		return err
	}
	nt := xdemat.NotificationActeMessage
	if typ == xdemat.MessageDefere {
		nt = xdemat.NotificationActeDefere
	}
	return c.Store.AjouterMessageActe(ctx, communeID, m, notification(a, nt, typ.Libelle()+" : acte "+a.NumeroInterne, texte, now))
}
