package xdemat

import "testing"

func TestPreferencesCanaux(t *testing.T) {
	tests := []struct {
		name string
		p    *Preferences
		code string
		want Canaux
	}{
		{"sans choix, une information ne s'affiche que dans l'application", nil, NotificationMessageSPL, Canaux{App: true}},
		{"sans choix, un envoi refusé part aussi par courriel", nil, NotificationEnvoiRefuse, Canaux{App: true, Email: true}},
		{"sans choix, une alerte critique part par courriel et SMS", nil, NotificationAlerteSPL, Canaux{App: true, Email: true, SMS: true}},
		{"le choix de l'utilisateur l'emporte", &Preferences{ParType: map[string]Canaux{NotificationMessageSPL: {Email: true}}}, NotificationMessageSPL, Canaux{Email: true}},
		{"type coupé : rien", &Preferences{ParType: map[string]Canaux{NotificationPosteEnrole: {}}}, NotificationPosteEnrole, Canaux{}},
		// Rule (issue 3): critical types cannot be muted.
		{"une alerte critique coupée arrive quand même dans l'application et par courriel", &Preferences{ParType: map[string]Canaux{NotificationAlerteSPL: {}}}, NotificationAlerteSPL, Canaux{App: true, Email: true}},
		{"type inconnu : application seulement", nil, "acte.inconnu", Canaux{App: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Canaux(tt.code); got != tt.want {
				t.Errorf("Canaux(%s) = %+v, attendu %+v", tt.code, got, tt.want)
			}
		})
	}
}

func TestPreferencesValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Preferences
		ok   bool
	}{
		{"choix ordinaires", Preferences{UtilisateurID: "u1", ParType: map[string]Canaux{NotificationMessageSPL: {Email: true}}, Resume: true}, true},
		{"sans utilisateur", Preferences{}, false},
		{"type inconnu", Preferences{UtilisateurID: "u1", ParType: map[string]Canaux{"x.y": {}}}, false},
		{"alerte critique retirée du courriel", Preferences{UtilisateurID: "u1", ParType: map[string]Canaux{NotificationPosteRevoque: {App: true}}}, false},
		{"alerte critique sans SMS : permis", Preferences{UtilisateurID: "u1", ParType: map[string]Canaux{NotificationPosteRevoque: {App: true, Email: true}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate = %v, accepté attendu : %v", err, tt.ok)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Fatalf("code %s", ErrorCode(err))
			}
		})
	}
}

func TestDestinations(t *testing.T) {
	secretaire := &Utilisateur{ID: "u1", Email: "mairie@example.fr"}
	maire := &Utilisateur{ID: "u2", Telephone: "+33612345678"}
	alerte := &Notification{Type: NotificationAlerteSPL}
	if got := Destinations(secretaire, nil, alerte); got != (Canaux{App: true, Email: true}) {
		t.Errorf("secrétaire sans mobile : %+v", got)
	}
	if got := Destinations(maire, nil, alerte); got != (Canaux{App: true, SMS: true}) {
		t.Errorf("maire sans courriel : %+v", got)
	}
	pourMaire := &Notification{Type: NotificationAlerteSPL, Destinataire: "u2"}
	if got := Destinations(secretaire, nil, pourMaire); got != (Canaux{}) {
		t.Errorf("une notification adressée au maire n'atteint pas la secrétaire : %+v", got)
	}
}
