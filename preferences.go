package xdemat

import "time"

// Canaux are the ways a notification reaches a person.
type Canaux struct {
	App   bool `json:"app"`
	Email bool `json:"email"`
	SMS   bool `json:"sms"`
}

// Preferences are one user's choices of delivery, per notification type, and
// whether they want the daily digest e-mail of what is left to do.
type Preferences struct {
	UtilisateurID string            `json:"utilisateurId"`
	ParType       map[string]Canaux `json:"parType,omitempty"` // missing type: CanauxParDefaut
	Resume        bool              `json:"resume"`            // daily digest e-mail
	ModifieLe     time.Time         `json:"modifieLe"`
}

// CanauxParDefaut is what a user who chose nothing receives: everything in
// the app, an e-mail from "urgent" up, an SMS only for critical types.
func CanauxParDefaut(t TypeNotification) Canaux {
	return Canaux{
		App:   true,
		Email: t.Severite.Rang() >= SeveriteUrgent.Rang() || t.Critique,
		SMS:   t.Critique,
	}
}

// Canaux returns the channels chosen for a notification type, the defaults
// when none were chosen, with critical types forced to the app and e-mail
// (rule: a critical type cannot be muted). p may be nil.
func (p *Preferences) Canaux(code string) Canaux {
	t, known := TypeNotificationParCode(code)
	if !known {
		t = TypeNotification{Code: code, Severite: SeveriteInfo}
	}
	c := CanauxParDefaut(t)
	if p != nil {
		if chosen, ok := p.ParType[code]; ok {
			c = chosen
		}
	}
	if t.Critique {
		c.App, c.Email = true, true
	}
	return c
}

// Validate checks preferences before they are recorded: known types only, and
// no critical type taken out of the app or e-mail.
func (p *Preferences) Validate() error {
	if !texteValide(p.UtilisateurID, 128) || p.UtilisateurID == "" {
		return Errorf(EINVALID, "Préférences sans utilisateur.")
	}
	for code, c := range p.ParType {
		t, ok := TypeNotificationParCode(code)
		if !ok {
			return Errorf(EINVALID, "Type de notification inconnu dans les préférences : %q. Mettez à jour xdemat.", code)
		}
		if t.Critique && (!c.App || !c.Email) {
			return Errorf(EINVALID, "« %s » est une alerte critique : elle s'affiche toujours dans xdemat et part toujours par courriel.", t.Libelle)
		}
	}
	return nil
}

// Destinations returns how a notification of that type reaches u, given
// what u chose and what u can receive (an e-mail needs an address, an SMS a
// mobile number). A notification meant for someone else reaches nobody.
func Destinations(u *Utilisateur, p *Preferences, n *Notification) Canaux {
	if n.Destinataire != "" && n.Destinataire != u.ID {
		return Canaux{}
	}
	c := p.Canaux(n.Type)
	c.Email = c.Email && u.Email != ""
	c.SMS = c.SMS && u.Telephone != ""
	return c
}
