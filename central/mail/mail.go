// Package mail sends e-mails to the people of the communes: a Mailer
// interface, an SMTP implementation (github.com/wneessen/go-mail) and a
// file mailer that writes .eml files into a folder, the default when no SMTP
// server is configured (a demonstration needs no mail server).
//
// Messages are multipart (text and HTML) in UTF-8, with a Message-ID derived
// from what they are about, so that a message sent again after a crash is
// recognisable as the same one.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"xdemat"
)

// Message is an e-mail to one person.
type Message struct {
	To      string // address
	ToName  string // "Prénom Nom", may be empty
	Subject string
	Text    string // plain text body
	HTML    string // HTML body; "" for text only
	// MessageID, without angle brackets; see MessageID.
	MessageID string
	Date      time.Time
}

// Mailer sends messages.
type Mailer interface {
	// Send delivers m, or returns an error: xdemat.EUNAVAILABLE when trying
	// again later may work, xdemat.EINVALID when it never will (address
	// refused).
	Send(ctx context.Context, m *Message) error
}

// MessageID returns a Message-ID that depends only on its parts (the
// notification and the user, or the digest and its day) and on domain.
func MessageID(domain string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	if domain == "" {
		domain = "xdemat.invalid"
	}
	return "xdemat." + hex.EncodeToString(h[:12]) + "@" + domain
}

// DefaultFrom is the sender address when none is configured.
const DefaultFrom = "ne-pas-repondre@xdemat.invalid"

// senderName is the display name of every message.
const senderName = "xdemat"

// build makes the go-mail message of m, sent from the address from.
func build(from string, m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.FromFormat(senderName, from); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Adresse d'expéditeur invalide %q : corrigez l'option -smtp-from.", from)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Adresse électronique invalide %q : corrigez-la dans la fiche de l'utilisateur.", m.To)
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	// Automatic messages: no out-of-office replies.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func unavailable(err error) error {
	return fmt.Errorf("%w (%v)", xdemat.Errorf(xdemat.EUNAVAILABLE, "Serveur de courriel injoignable ou en refus temporaire : nouvel essai plus tard."), err)
}
