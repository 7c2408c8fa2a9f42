// Package indexation puts the text of the actes' PDFs (main document and
// annexes) in the search index of the poste. It runs in the background,
// off the request path: reading a long PDF takes time, and the documents
// of an acte created on another poste arrive after the acte itself. Each
// pass reads what is missing and whose documents are here; an acte whose
// documents are still on their way is read when they come.
package indexation

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/textepdf"
	"xdemat/central/blob"
)

// Service is the agent.Service of the indexing pass.
type Service struct {
	Store  agent.TextesActesStore
	Blobs  *blob.Store
	Bus    *agent.Bus // wakes it when actes or documents arrive; may be nil
	Logger *slog.Logger
	// Poll is the time between two passes when nothing wakes it; 0: 5 min.
	Poll time.Duration
	// DelaiDocument bounds the reading of one PDF; 0: 30 s.
	DelaiDocument time.Duration

	// classification is the version of the préfecture's classification
	// whose labels are in the index (zero: none yet, this run).
	classification time.Time
}

// classificationStore is what the service needs, besides Store, to keep
// the labels of the matières of the index in step with the préfecture's
// classification relayed by central. The agent's store has both; another
// store without them keeps the codes alone.
type classificationStore interface {
	ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error)
	EnregistrerLibellesMatieres(ctx context.Context, libelles map[xdemat.Classification]string) error
}

// Name implements agent.Service.
func (s *Service) Name() string { return "indexation" }

// attente lets a burst of events (a whole sync) end before the pass.
const attente = 2 * time.Second

// Run makes a pass now, then after the events that may bring actes or
// documents, and every Poll, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	var events <-chan agent.BusEvent
	if s.Bus != nil {
		ch, unsubscribe := s.Bus.Subscribe()
		defer unsubscribe()
		events = ch
	}
	poll := s.Poll
	if poll <= 0 {
		poll = 5 * time.Minute
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-events:
			if concerne(ev) {
				t.Reset(attente)
			}
		case <-t.C:
			if _, err := s.Passe(ctx); err != nil && ctx.Err() == nil {
				s.logger().Warn("indexation des actes interrompue", "erreur", err)
			}
			t.Reset(poll)
		}
	}
}

// concerne says whether ev may bring an acte or a document.
func concerne(ev agent.BusEvent) bool {
	switch ev.Type {
	case agent.EvenementActes, agent.EvenementParapheur, "evenement.recu", "document.ajoute":
		return true
	}
	return false
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Passe reads the text of the actes that need it and whose documents are
// here; it returns how many actes it indexed.
func (s *Service) Passe(ctx context.Context) (int, error) {
	if err := s.suivreClassification(ctx); err != nil {
		return 0, err
	}
	var apres int64
	n := 0
	for {
		page, err := s.Store.TextesAIndexer(ctx, apres, 100)
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, t := range page {
			apres = t.Rang
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			fait, err := s.indexer(ctx, t)
			if err != nil {
				return n, err
			}
			if fait {
				n++
			}
		}
	}
}

// indexer reads the documents of t that are here; false when nothing new
// came since the last time.
func (s *Service) indexer(ctx context.Context, t agent.TexteAIndexer) (bool, error) {
	var lues []string
	var textes []string
	for _, p := range t.Pieces {
		if s.Blobs == nil || !s.Blobs.Has(p.SHA256) {
			continue
		}
		lues = append(lues, p.SHA256)
		if p.Format() != xdemat.FormatPDF {
			continue // images and XML: no text to read here
		}
		if texte := s.lire(ctx, p); texte != "" {
			textes = append(textes, texte)
		}
	}
	if slices.Equal(lues, t.Indexees) {
		return false, nil
	}
	err := s.Store.EnregistrerTexteActe(ctx, t.ActeID, lues, strings.Join(textes, "\n"))
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		return false, nil // gone meanwhile
	}
	return err == nil, err
}

// lire returns the text of one PDF, "" when it cannot be read (said in
// the technical log, never to the secretary: the acte is still found by
// its numéro and objet).
func (s *Service) lire(ctx context.Context, p xdemat.PieceActe) string {
	f, err := s.Blobs.Open(p.SHA256)
	if err != nil {
		s.logger().Warn("document d'acte illisible pour la recherche", "document", p.SHA256, "erreur", err)
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, textepdf.TailleMax+1))
	if err != nil {
		s.logger().Warn("document d'acte illisible pour la recherche", "document", p.SHA256, "erreur", err)
		return ""
	}
	delai := s.DelaiDocument
	if delai <= 0 {
		delai = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, delai)
	defer cancel()
	texte, err := textepdf.Extraire(ctx, b)
	if err != nil {
		var e *xdemat.Error
		if errors.As(err, &e) {
			s.logger().Info("texte d'un PDF non lu pour la recherche", "document", p.SHA256, "nom", p.Nom, "raison", xdemat.ErrorMessage(err))
		}
	}
	return texte
}

// suivreClassification puts the labels of a new classification in the
// index ("voirie" then finds the actes of matière 8.3), once per version.
func (s *Service) suivreClassification(ctx context.Context) error {
	cs, ok := s.Store.(classificationStore)
	if !ok {
		return nil
	}
	c, err := cs.ClassificationActes(ctx)
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if c.Date.Equal(s.classification) {
		return nil
	}
	libelles := map[xdemat.Classification]string{}
	for _, m := range c.Liste() {
		libelles[m.Classification] = m.Libelle
	}
	if err := cs.EnregistrerLibellesMatieres(ctx, libelles); err != nil {
		return err
	}
	s.classification = c.Date
	return nil
}
