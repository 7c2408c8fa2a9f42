package pkcs11

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAlerteExpiration(t *testing.T) {
	maintenant := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cert := func(debut, fin time.Time) *x509.Certificate {
		return &x509.Certificate{NotBefore: debut, NotAfter: fin}
	}
	jours := func(n int) time.Time { return maintenant.Add(time.Duration(n)*24*time.Hour + time.Hour) }
	cas := []struct {
		nom     string
		cert    *x509.Certificate
		alerte  Alerte
		jours   int
		message string
	}{
		{"plus de deux mois", cert(jours(-300), jours(61)), AlerteAucune, 61, ""},
		{"60 jours", cert(jours(-300), jours(60)), Alerte60Jours, 60, "expire dans 60 jours (le 25/01/2027)"},
		{"31 jours", cert(jours(-300), jours(31)), Alerte60Jours, 31, "Commandez dès maintenant son renouvellement"},
		{"30 jours", cert(jours(-300), jours(30)), Alerte30Jours, 30, "expire dans 30 jours"},
		{"20 jours", cert(jours(-300), jours(20)), Alerte30Jours, 20, "expire dans 20 jours"},
		{"7 jours", cert(jours(-300), jours(7)), Alerte7Jours, 7, "vous ne pourrez plus signer"},
		{"demain", cert(jours(-300), jours(1)), Alerte7Jours, 1, "expire demain"},
		{"aujourd'hui", cert(jours(-300), maintenant.Add(2*time.Hour)), Alerte7Jours, 0, "expire aujourd'hui"},
		{"expiré", cert(jours(-300), jours(-2)), AlerteExpire, -2, "a expiré le 24/11/2026"},
		{"pas encore valide", cert(jours(3), jours(300)), AlertePasEncoreValide, 300, "ne sera valide qu'à partir du 29/11/2026"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			a, j := AlerteExpiration(c.cert, maintenant)
			if a != c.alerte || j != c.jours {
				t.Errorf("alerte %v, %d jours ; attendu %v, %d", a, j, c.alerte, c.jours)
			}
			m := MessageExpiration(c.cert, maintenant)
			if (c.message == "") != (m == "") || !strings.Contains(m, c.message) {
				t.Errorf("message %q, attendu %q", m, c.message)
			}
		})
	}
}

func TestValiditeALaSignature(t *testing.T) {
	maintenant := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cas := []struct {
		nom        string
		debut, fin time.Time
		code       error
	}{
		{"valide", maintenant.AddDate(-1, 0, 0), maintenant.AddDate(1, 0, 0), nil},
		{"dernière seconde", maintenant.AddDate(-1, 0, 0), maintenant, nil},
		{"expiré depuis une seconde", maintenant.AddDate(-1, 0, 0), maintenant.Add(-time.Second), ErrCertificatExpire},
		{"pas encore valide", maintenant.Add(time.Minute), maintenant.AddDate(1, 0, 0), ErrCertificatPasEncoreVal},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			err := ValiditeALaSignature(&x509.Certificate{NotBefore: c.debut, NotAfter: c.fin}, maintenant)
			if !errors.Is(err, c.code) || (c.code == nil) != (err == nil) {
				t.Fatalf("%v, attendu %v", err, c.code)
			}
			if err != nil && !strings.Contains(err.Error(), "un certificat expiré ou pas encore valide ne peut pas signer") {
				t.Errorf("message %q", err)
			}
		})
	}
}
