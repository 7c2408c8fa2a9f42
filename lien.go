package xdemat

import (
	"net/url"
	"regexp"
	"strings"
)

// Lien is a deep link to a screen of the desktop app: the screen ("journal",
// "diagnostic", "parametres", later "actes", "bordereaux"…) and, when the
// screen shows one object, its ID. Written as xdemat://ecran/id, so that a
// link in an e-mail can open the app at the right place.
type Lien struct {
	Ecran string `json:"ecran"`
	ID    string `json:"id,omitempty"`
}

// SchemaLien is the URL scheme of deep links.
const SchemaLien = "xdemat"

var ecranRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// IsZero reports whether the link points nowhere.
func (l Lien) IsZero() bool { return l.Ecran == "" && l.ID == "" }

// String returns xdemat://ecran/id ("" for the zero link).
func (l Lien) String() string {
	if l.IsZero() {
		return ""
	}
	u := url.URL{Scheme: SchemaLien, Host: l.Ecran}
	if l.ID != "" {
		u.Path = "/" + l.ID
	}
	return u.String()
}

// Validate checks the screen name and the ID.
func (l Lien) Validate() error {
	if l.IsZero() {
		return nil
	}
	if !ecranRE.MatchString(l.Ecran) {
		return Errorf(EINVALID, "Lien vers un écran inconnu : %q.", l.Ecran)
	}
	if !texteValide(l.ID, 128) || strings.Contains(l.ID, "/") {
		return Errorf(EINVALID, "Identifiant d'objet illisible dans le lien.")
	}
	return nil
}

// ParseLien reads xdemat://ecran/id, as the app receives it on its command line.
func ParseLien(s string) (Lien, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != SchemaLien || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Lien{}, Errorf(EINVALID, "Lien xdemat illisible : %q. Un lien xdemat s'écrit xdemat://ecran/identifiant.", s)
	}
	l := Lien{Ecran: u.Host, ID: strings.TrimPrefix(u.Path, "/")}
	if err := l.Validate(); err != nil {
		return Lien{}, err
	}
	return l, nil
}
