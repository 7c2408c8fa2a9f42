package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dossier "sends" messages by writing each into a folder as an .eml file,
// which any mail program opens: central's mailer when no SMTP server is
// configured. A message sent again (same Message-ID) replaces its file.
type Dossier struct {
	Dir  string
	From string // DefaultFrom when ""
}

var _ Mailer = (*Dossier)(nil)

// Send writes m into d.Dir.
func (d *Dossier) Send(ctx context.Context, m *Message) error {
	from := d.From
	if from == "" {
		from = DefaultFrom
	}
	msg, err := build(from, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("dossier des courriels %s : %w", d.Dir, err)
	}
	f, err := os.CreateTemp(d.Dir, ".courriel-*")
	if err != nil {
		return fmt.Errorf("dossier des courriels %s : %w", d.Dir, err)
	}
	defer os.Remove(f.Name())
	if _, err := msg.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("écriture du courriel : %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("écriture du courriel : %w", err)
	}
	return os.Rename(f.Name(), filepath.Join(d.Dir, d.fileName(m)))
}

// fileName is "<date>-<destinataire>-<id>.eml", sorted by date in a listing.
func (d *Dossier) fileName(m *Message) string {
	t := m.Date
	if t.IsZero() {
		t = time.Now()
	}
	date := t.UTC().Format("20060102-150405")
	id, _, _ := strings.Cut(m.MessageID, "@")
	return date + "-" + clean(m.To) + "-" + clean(id) + ".eml"
}

// clean keeps letters, digits, dots and dashes of s, for a file name.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		case r == '@':
			return '_'
		}
		return -1
	}, s)
}
