package server

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"

	"xdemat"
	"xdemat/central"
	"xdemat/central/mail"
	"xdemat/central/sms"
	"xdemat/central/xpostit"
)

// mailer returns the mailer -smtp asks for: an SMTP server, or .eml files
// in DataDir/courriels when no server is given.
func (m *Main) mailer(publicURL string) (mail.Mailer, error) {
	from := m.SMTPFrom
	if from == "" {
		from = mail.DefaultFrom
		if u, err := url.Parse(publicURL); err == nil && strings.Contains(u.Hostname(), ".") && net.ParseIP(u.Hostname()) == nil {
			from = "ne-pas-repondre@" + u.Hostname()
		}
	}
	if m.SMTPURL == "" {
		return &mail.Dossier{Dir: filepath.Join(m.DataDir, "courriels"), From: from}, nil
	}
	cfg, err := mail.ParseSMTPURL(m.SMTPURL)
	if err != nil {
		return nil, err
	}
	cfg.From = from
	return mail.NewSMTP(*cfg)
}

// mailDescription says where e-mails go, for the start-up log: never the
// SMTP password.
func (m *Main) mailDescription() string {
	if m.SMTPURL == "" {
		return "fichiers .eml dans " + filepath.Join(m.DataDir, "courriels")
	}
	cfg, err := mail.ParseSMTPURL(m.SMTPURL)
	if err != nil {
		return "adresse SMTP invalide"
	}
	return cfg.String()
}

// smsProvider returns the provider -sms asks for (nil for none).
func (m *Main) smsProvider() (sms.Provider, error) {
	switch m.SMS {
	case "", "aucun":
		return nil, nil
	case "simulateur":
		return sms.NewSimulateur(), nil
	}
	return nil, xdemat.Errorf(xdemat.EINVALID, "Fournisseur de SMS inconnu %q : seul « simulateur » existe pour l'instant.", m.SMS)
}

// startDispatcher starts the delivery of notifications, woken at once when
// the store creates envois in this process.
func (m *Main) startDispatcher(publicURL string) error {
	mailer, err := m.mailer(publicURL)
	if err != nil {
		return err
	}
	provider, err := m.smsProvider()
	if err != nil {
		return err
	}
	if m.ResumeHeure < 1 || m.ResumeHeure > 23 {
		return xdemat.Errorf(xdemat.EINVALID, "Heure du résumé quotidien invalide (%d) : indiquez une heure de 1 à 23.", m.ResumeHeure)
	}
	m.dispatcher = &xpostit.Dispatcher{
		Store:       m.store,
		Mailer:      mailer,
		SMS:         provider,
		PublicURL:   publicURL,
		HeureResume: m.ResumeHeure,
		Logger:      m.Logger.With("service", "xpostit"),
	}
	if w, ok := m.store.(central.EnvoiWaker); ok {
		w.OnEnvois(m.dispatcher.Wake)
	}
	m.dispatcher.Start()
	return nil
}
