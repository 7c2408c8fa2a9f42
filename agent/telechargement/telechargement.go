// Package telechargement brings to this poste the documents of the
// parapheur that another poste of the commune deposited or signed: an élu's
// laptop must hold them to show and sign them, offline if need be. It runs
// after each parapheur event received, and every few minutes.
package telechargement

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/central/blob"
)

// Service is the agent.Service that downloads the missing documents.
type Service struct {
	Store     agent.Store
	Parapheur agent.ParapheurStore
	Blobs     *blob.Store
	Client    *centralclient.Client
	Bus       *agent.Bus // woken by the parapheur's events; may be nil
	Logger    *slog.Logger
	// Poll is the time between two looks when nothing wakes it; 0: 5 min.
	Poll time.Duration
}

// Name implements agent.Service.
func (s *Service) Name() string { return "telechargement" }

// Run downloads what is missing, then again after every parapheur event
// and every Poll, until ctx ends.
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
			switch {
			case concerneParapheur(ev):
				// The inbox applied a dossier from another poste: the app lists again.
				s.Bus.Publish(agent.BusEvent{Type: agent.EvenementParapheur})
			case concerneActes(ev):
				// An acte of another poste, the AR file or a courrier of the préfecture.
			default:
				continue
			}
		case <-t.C:
		}
		if _, err := s.Telecharger(ctx); err != nil && ctx.Err() == nil {
			s.logger().Warn("documents du parapheur non téléchargés", "err", err)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(poll)
	}
}

// concerneParapheur reports whether a bus event may bring new documents.
func concerneParapheur(ev agent.BusEvent) bool {
	if e, ok := ev.Data.(*xdemat.Evenement); ok && ev.Type == "evenement.recu" {
		return strings.HasPrefix(e.Type, "parapheur.")
	}
	return false
}

// concerneActes reports whether a bus event may bring documents of the
// actes: their PDF, the AR file central kept, a courrier of the préfecture.
func concerneActes(ev agent.BusEvent) bool {
	if e, ok := ev.Data.(*xdemat.Evenement); ok && ev.Type == "evenement.recu" {
		return strings.HasPrefix(e.Type, "acte.")
	}
	return false
}

// Telecharger downloads every missing document once and returns how many
// it stored. A document central does not hold (yet) is skipped: it comes
// with a later event.
func (s *Service) Telecharger(ctx context.Context) (int, error) {
	manquants, err := s.Parapheur.DocumentsManquants(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var last error
	for _, m := range manquants {
		if err := s.un(ctx, m); err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			last = err
			continue
		}
		n++
	}
	if n > 0 && s.Bus != nil {
		s.Bus.Publish(agent.BusEvent{Type: agent.EvenementParapheur})
	}
	return n, last
}

// un downloads one document aside, checks its hash while adopting it, and
// records it as held by central already (it came from there).
func (s *Service) un(ctx context.Context, m agent.DocumentManquant) error {
	if !s.Blobs.Has(m.SHA256) {
		tmp, err := os.CreateTemp(s.Blobs.TempDir(), "telechargement-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		err = s.Client.Download(ctx, m.SHA256, tmp)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := s.Blobs.Adopt(tmp.Name(), m.SHA256); err != nil {
			return err
		}
	}
	st, err := os.Stat(s.Blobs.Path(m.SHA256))
	if err != nil {
		return err
	}
	typ := typeMedia(s.Blobs.Path(m.SHA256))
	d := &xdemat.Document{SHA256: m.SHA256, Taille: st.Size(), TypeMedia: typ, NomOriginal: nomDe(m.Titre, typ), CreeLe: time.Now()}
	if err := s.Store.AddDocument(ctx, d); err != nil {
		return err
	}
	return s.Store.MarkUploaded(ctx, m.SHA256)
}

// typeMedia recognises the formats of the parapheur from their first bytes.
func typeMedia(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "application/octet-stream"
	}
	defer f.Close()
	b := make([]byte, 512)
	k, _ := f.Read(b)
	b = b[:k]
	switch {
	case strings.HasPrefix(string(b), "%PDF"):
		return "application/pdf"
	case strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff")), "<?xml"):
		return "application/xml"
	case len(b) > 0 && b[0] == 0x30: // a DER SEQUENCE: a CMS signature
		return "application/pkcs7-signature"
	}
	return "application/octet-stream"
}

// extensions of the types typeMedia recognises.
var extensions = map[string]string{"application/pdf": ".pdf", "application/xml": ".xml", "application/pkcs7-signature": ".p7s"}

// nomDe names a downloaded document after its dossier.
func nomDe(titre, typ string) string {
	nom := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '-'
		}
		return r
	}, titre)
	if len(nom) > 200 {
		nom = nom[:200]
	}
	if nom == "" {
		nom = "document"
	}
	nom += extensions[typ]
	return strings.ToValidUTF8(nom, "-")
}

var _ agent.Service = (*Service)(nil)

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}
