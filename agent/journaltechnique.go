package agent

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
)

// JournalTechnique keeps the last log records of the agent in memory, as
// text, for the diagnostic page ("Journal technique"): what the SPL's support
// asks for when something goes wrong, without access to the PC's files.
// Attributes whose name looks like a secret (password, token, key…) are
// masked, there and in the normal log alike.
type JournalTechnique struct {
	mu    sync.Mutex
	lines [][]byte
	next  int  // index of the oldest line once full
	full  bool // the ring has wrapped
	text  slog.Handler
}

// TailleJournalTechnique is how many records the ring keeps by default.
const TailleJournalTechnique = 2000

// NewJournalTechnique returns a ring of the last max records (≤ 0: TailleJournalTechnique).
func NewJournalTechnique(max int) *JournalTechnique {
	if max <= 0 {
		max = TailleJournalTechnique
	}
	j := &JournalTechnique{lines: make([][]byte, 0, max)}
	j.text = slog.NewTextHandler(ringWriter{j}, &slog.HandlerOptions{Level: slog.LevelInfo})
	return j
}

// ringWriter receives one Write per record from the text handler.
type ringWriter struct{ j *JournalTechnique }

func (w ringWriter) Write(p []byte) (int, error) {
	line := bytes.Clone(p)
	j := w.j
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.lines) < cap(j.lines) {
		j.lines = append(j.lines, line)
		return len(p), nil
	}
	j.lines[j.next] = line
	j.next = (j.next + 1) % len(j.lines)
	j.full = true
	return len(p), nil
}

// Texte returns the records kept, oldest first, one per line.
func (j *JournalTechnique) Texte() []byte {
	j.mu.Lock()
	defer j.mu.Unlock()
	var b bytes.Buffer
	for i := range j.lines {
		b.Write(j.lines[(j.next+i)%len(j.lines)])
	}
	return b.Bytes()
}

// Handler returns a handler that writes every record to next (nil: nowhere)
// and keeps it in the ring, both with secrets masked.
func (j *JournalTechnique) Handler(next slog.Handler) slog.Handler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return &tee{ring: j.text, next: next}
}

type tee struct{ ring, next slog.Handler }

func (t *tee) Enabled(ctx context.Context, l slog.Level) bool {
	return t.ring.Enabled(ctx, l) || t.next.Enabled(ctx, l)
}

func (t *tee) Handle(ctx context.Context, r slog.Record) error {
	clean := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		clean.AddAttrs(masquer(a))
		return true
	})
	var errs []error
	if t.ring.Enabled(ctx, r.Level) {
		errs = append(errs, t.ring.Handle(ctx, clean.Clone()))
	}
	if t.next.Enabled(ctx, r.Level) {
		errs = append(errs, t.next.Handle(ctx, clean))
	}
	return errors.Join(errs...)
}

func (t *tee) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = masquer(a)
	}
	return &tee{ring: t.ring.WithAttrs(clean), next: t.next.WithAttrs(clean)}
}

func (t *tee) WithGroup(name string) slog.Handler {
	return &tee{ring: t.ring.WithGroup(name), next: t.next.WithGroup(name)}
}

// Parts of attribute names whose value never reaches a log: anywhere in the
// name for the long ones, as a whole word (key, api_key, cle_privee) for the
// short ones, so that "boucle" or "pinned" stay readable.
var (
	motsSecrets = []string{"secret", "password", "passwd", "motdepasse", "mot_de_passe", "token", "jeton", "authorization", "bearer", "privatekey", "private_key"}
	motsCourts  = []string{"key", "cle", "clef", "mdp", "seed", "pin"}
	separateurs = func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }
)

// EstSecret reports whether an attribute of that name must be masked.
func EstSecret(nom string) bool {
	nom = strings.ToLower(nom)
	for _, m := range motsSecrets {
		if strings.Contains(nom, m) {
			return true
		}
	}
	for _, mot := range strings.FieldsFunc(nom, separateurs) {
		for _, m := range motsCourts {
			if mot == m {
				return true
			}
		}
	}
	return false
}

// masquer hides the value of a secret attribute, in groups too.
func masquer(a slog.Attr) slog.Attr {
	if EstSecret(a.Key) {
		return slog.String(a.Key, "[masqué]")
	}
	if a.Value.Kind() == slog.KindGroup {
		as := a.Value.Group()
		clean := make([]any, len(as))
		for i, g := range as {
			clean[i] = masquer(g)
		}
		return slog.Group(a.Key, clean...)
	}
	return a
}
