package central

import (
	"time"

	"xdemat"
)

// Envoi is one delivery of a notification to one person on one channel
// (e-mail or SMS): central's outbox towards people. There is at most one per
// notification, person and channel, so that a retry never sends twice.
type Envoi struct {
	ID             int64
	CommuneID      string
	NotificationID string
	UtilisateurID  string
	Canal          string // CanalEmail or CanalSMS
	Adresse        string // e-mail address, or mobile number in E.164 form
	Statut         string // Envoi* constants
	// Tentatives counts the attempts started (DueEnvois claims one each time).
	Tentatives     int
	ProchainEssai  time.Time
	DerniereErreur string // French, for the console
	EnvoyeLe       time.Time
	// ReferenceFournisseur is the SMS provider's or mail server's reference.
	ReferenceFournisseur string
	CreeLe               time.Time

	// Notification is what to deliver; filled by DueEnvois only.
	Notification *xdemat.Notification `json:"-"`
}

// Channels of an Envoi.
const (
	CanalEmail = "email"
	CanalSMS   = "sms"
)

// States of an Envoi. Persisted as text.
const (
	EnvoiAEnvoyer = "a_envoyer" // waiting for its (next) attempt
	EnvoiEnvoye   = "envoye"    // handed to the mail server or SMS provider
	EnvoiLivre    = "livre"     // the SMS provider reported it delivered
	EnvoiEchec    = "echec"     // given up; DerniereErreur says why
)

// LibelleStatutEnvoi returns the French label of a state, for the console.
func LibelleStatutEnvoi(statut string) string {
	switch statut {
	case EnvoiAEnvoyer:
		return "à envoyer"
	case EnvoiEnvoye:
		return "envoyé"
	case EnvoiLivre:
		return "livré"
	case EnvoiEchec:
		return "échec"
	}
	return statut
}

// Resume is the daily digest due to one person: their notifications not done
// yet.
type Resume struct {
	Utilisateur   *xdemat.Utilisateur
	Notifications []*xdemat.Notification
}
