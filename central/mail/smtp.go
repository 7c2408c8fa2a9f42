package mail

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"xdemat"
)

// TLS policies of an SMTP server, as written in the -smtp address (?tls=…).
const (
	TLSAucun        = "aucun"        // never (a relay on the same machine)
	TLSOpportuniste = "opportuniste" // STARTTLS when the server offers it (default)
	TLSObligatoire  = "obligatoire"  // STARTTLS or nothing is sent
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int    // 587 when 0
	User     string // "" for no authentication
	Password string
	TLS      string // TLSAucun, TLSOpportuniste ("" too) or TLSObligatoire
	From     string // sender address; DefaultFrom when ""
	Timeout  time.Duration
}

// ParseSMTPURL reads smtp://user:password@host:port?tls=aucun|opportuniste|obligatoire.
func ParseSMTPURL(raw string) (*SMTPConfig, error) {
	bad := func(why string) error {
		return xdemat.Errorf(xdemat.EINVALID, "Adresse du serveur de courriel invalide (%s) : écrivez smtp://utilisateur:motdepasse@hôte:587?tls=opportuniste.", why)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, bad("illisible")
	}
	if u.Scheme != "smtp" {
		return nil, bad("elle doit commencer par smtp://")
	}
	c := &SMTPConfig{Host: u.Hostname(), TLS: TLSOpportuniste}
	if c.Host == "" {
		return nil, bad("hôte absent")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return nil, bad("port invalide")
		}
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, bad("option inconnue " + k)
		}
	}
	switch t := q.Get("tls"); t {
	case "", TLSOpportuniste:
	case TLSAucun, TLSObligatoire:
		c.TLS = t
	default:
		return nil, bad("tls doit valoir aucun, opportuniste ou obligatoire")
	}
	return c, nil
}

// String describes the configuration for logs, never with the password.
func (c *SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.port())), RawQuery: "tls=" + c.tlsPolicy()}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	return u.String()
}

func (c *SMTPConfig) port() int {
	if c.Port == 0 {
		return 587
	}
	return c.Port
}

func (c *SMTPConfig) tlsPolicy() string {
	if c.TLS == "" {
		return TLSOpportuniste
	}
	return c.TLS
}

// SMTP sends messages through an SMTP server, one connection per message
// (a commune's notifications are few; no connection to keep alive).
type SMTP struct {
	cfg SMTPConfig
}

var _ Mailer = (*SMTP)(nil)

// NewSMTP checks cfg and returns a mailer; it does not connect yet.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Indiquez l'hôte du serveur de courriel.")
	}
	switch cfg.tlsPolicy() {
	case TLSAucun, TLSOpportuniste, TLSObligatoire:
	default:
		return nil, xdemat.Errorf(xdemat.EINVALID, "Politique TLS inconnue %q : aucun, opportuniste ou obligatoire.", cfg.TLS)
	}
	if cfg.From == "" {
		cfg.From = DefaultFrom
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

// From returns the sender address.
func (s *SMTP) From() string { return s.cfg.From }

func (s *SMTP) client() (*gomail.Client, error) {
	policy := gomail.TLSOpportunistic
	switch s.cfg.tlsPolicy() {
	case TLSAucun:
		policy = gomail.NoTLS
	case TLSObligatoire:
		policy = gomail.TLSMandatory
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.port()),
		gomail.WithTLSPolicy(policy),
		gomail.WithTimeout(s.cfg.Timeout),
	}
	if s.cfg.User != "" {
		// Auto-discovery never sends the password in clear over a
		// connection without TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send delivers m through the server.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := build(s.cfg.From, m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return unavailable(err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo {
			return xdemat.Errorf(xdemat.EINVALID, "Adresse %s refusée par le serveur de courriel : corrigez-la dans la fiche de l'utilisateur.", m.To)
		}
		if strings.Contains(strings.ToLower(err.Error()), "auth") {
			return xdemat.Errorf(xdemat.EUNAVAILABLE, "Le serveur de courriel refuse l'identification, ou ne la permet pas sans TLS : vérifiez l'utilisateur, le mot de passe et tls= de l'option -smtp.")
		}
		return unavailable(err)
	}
	return nil
}
