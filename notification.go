package xdemat

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Severite is how urgent a notification is. Persisted as text.
type Severite string

// Severities, from the least to the most urgent.
const (
	SeveriteInfo      Severite = "info"
	SeveriteAttention Severite = "attention"
	SeveriteUrgent    Severite = "urgent"
	SeveriteCritique  Severite = "critique"
)

// Rang orders severities: 0 for info … 3 for critique, -1 when unknown.
func (s Severite) Rang() int {
	switch s {
	case SeveriteInfo:
		return 0
	case SeveriteAttention:
		return 1
	case SeveriteUrgent:
		return 2
	case SeveriteCritique:
		return 3
	}
	return -1
}

// Libelle returns the French label shown next to a notification.
func (s Severite) Libelle() string {
	switch s {
	case SeveriteInfo:
		return "Information"
	case SeveriteAttention:
		return "À surveiller"
	case SeveriteUrgent:
		return "Urgent"
	case SeveriteCritique:
		return "Critique"
	}
	return string(s)
}

// Notification is something a person of the commune has to know or to do,
// raised by any service, in the agent or on central (Xpostit). Its ID (a UUID
// made by whoever raises it) makes raising it again harmless.
type Notification struct {
	ID        string   `json:"id"`
	CommuneID string   `json:"communeId,omitempty"`
	Type      string   `json:"type"` // a TypeNotification code, "poste.enrole"…
	Severite  Severite `json:"severite"`
	Titre     string   `json:"titre"`
	Texte     string   `json:"texte,omitempty"`
	// Objet is the deep link to the screen of what it is about.
	Objet Lien `json:"objet,omitzero"`
	// Destinataire is the Utilisateur.ID it is meant for; "" for everyone of the commune.
	Destinataire string    `json:"destinataire,omitempty"`
	Echeance     time.Time `json:"echeance,omitzero"`
	CreeLe       time.Time `json:"creeLe"`
	LuLe         time.Time `json:"luLe,omitzero"`
	FaitLe       time.Time `json:"faitLe,omitzero"`
}

// Service returns the service that raised it, from its type.
func (n *Notification) Service() string {
	if t, ok := TypeNotificationParCode(n.Type); ok {
		return t.Service
	}
	s, _, _ := strings.Cut(n.Type, ".")
	return s
}

// Lue and Faite report the state the inbox shows.
func (n *Notification) Lue() bool   { return !n.LuLe.IsZero() }
func (n *Notification) Faite() bool { return !n.FaitLe.IsZero() }

// EnRetard reports whether its deadline has passed without it being done.
func (n *Notification) EnRetard(now time.Time) bool {
	return !n.Echeance.IsZero() && !n.Faite() && now.After(n.Echeance)
}

// Validate checks a notification before it is recorded.
func (n *Notification) Validate() error {
	if !ValidUUID(n.ID) {
		return Errorf(EINVALID, "Identifiant de notification invalide.")
	}
	if !typeOperationRE.MatchString(n.Type) {
		return Errorf(EINVALID, "Type de notification invalide : %q.", n.Type)
	}
	if n.Severite.Rang() < 0 {
		return Errorf(EINVALID, "Gravité de notification inconnue : %q.", n.Severite)
	}
	if strings.TrimSpace(n.Titre) == "" {
		return Errorf(EINVALID, "Une notification doit avoir un titre.")
	}
	if !texteValide(n.Titre, 200) {
		return Errorf(EINVALID, "Le titre de la notification est trop long (200 caractères au plus) ou contient des caractères interdits.")
	}
	if !texteValideMultiligne(n.Texte, 4000) {
		return Errorf(EINVALID, "Le texte de la notification est trop long (4 000 caractères au plus) ou contient des caractères interdits.")
	}
	if !texteValide(n.Destinataire, 128) {
		return Errorf(EINVALID, "Destinataire de notification illisible.")
	}
	if n.CreeLe.IsZero() {
		return Errorf(EINVALID, "La date de création de la notification est absente.")
	}
	return n.Objet.Validate()
}

// TrierParUrgence sorts notifications as the "À faire" page lists them: what
// is not done first; then overdue ones; then by severity; then the nearest
// deadline; then the newest. now decides what is overdue.
func TrierParUrgence(ns []*Notification, now time.Time) {
	slices.SortStableFunc(ns, func(a, b *Notification) int {
		if c := cmpBool(a.Faite(), b.Faite()); c != 0 {
			return c
		}
		if c := cmpBool(!a.EnRetard(now), !b.EnRetard(now)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Severite.Rang(), a.Severite.Rang()); c != 0 {
			return c
		}
		switch {
		case !a.Echeance.IsZero() && b.Echeance.IsZero():
			return -1
		case a.Echeance.IsZero() && !b.Echeance.IsZero():
			return 1
		case !a.Echeance.Equal(b.Echeance):
			return a.Echeance.Compare(b.Echeance)
		}
		return b.CreeLe.Compare(a.CreeLe)
	})
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// NotificationEtat is the payload of the "notification.lue" and
// "notification.faite" operations and events: who marked it, and when.
type NotificationEtat struct {
	ID  string    `json:"id"`
	Le  time.Time `json:"le"`
	Par string    `json:"par,omitempty"` // Utilisateur.ID
}

// Operation and event types of Xpostit and of the commune's users. The same
// name is used for the operation a poste sends and for the event central
// relays to the other postes of the commune, with the same payload.
const (
	// Payload: Notification. Raised on a poste (central relays it and
	// delivers it by e-mail and SMS) or on central.
	OperationNotificationCreee = "notification.creee"
	// Payload: NotificationEtat.
	OperationNotificationLue   = "notification.lue"
	OperationNotificationFaite = "notification.faite"
	// Payload: Utilisateur (with its password hash, never the password).
	OperationUtilisateurEnregistre = "utilisateur.enregistre"
	// Payload: Preferences.
	OperationPreferencesEnregistrees = "preferences.enregistrees"
)
