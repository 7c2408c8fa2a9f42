package pkcs11

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math"
	"time"

	"xdemat/signature"
)

// ValiditeALaSignature says whether cert may sign at maintenant: an expired
// or not yet valid certificate cannot sign (the signature would be refused
// by every verifier and has no legal value).
func ValiditeALaSignature(cert *x509.Certificate, maintenant time.Time) error {
	switch {
	case maintenant.After(cert.NotAfter):
		return &Erreur{Code: ErrCertificatExpire, EssaisRestants: -1, Message: fmt.Sprintf(
			"Le certificat de %s a expiré le %s : un certificat expiré ou pas encore valide ne peut pas signer. Demandez un nouveau certificat à votre autorité de certification.",
			nomPorteur(cert), date(cert.NotAfter))}
	case maintenant.Before(cert.NotBefore):
		return &Erreur{Code: ErrCertificatPasEncoreVal, EssaisRestants: -1, Message: fmt.Sprintf(
			"Le certificat de %s ne sera valide qu'à partir du %s : un certificat expiré ou pas encore valide ne peut pas signer. Vérifiez la date et l'heure de l'ordinateur, ou attendez cette date.",
			nomPorteur(cert), date(cert.NotBefore))}
	}
	return nil
}

func nomPorteur(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}

// date formats a date the French way, in Paris time (what the élu reads
// on his certificate's paper and on the town hall's calendar).
func date(t time.Time) string {
	if paris, err := time.LoadLocation("Europe/Paris"); err == nil {
		t = t.In(paris)
	}
	return t.Format("02/01/2006")
}

// Alerte is the expiry warning level of a certificate.
type Alerte int

const (
	AlerteAucune          Alerte = iota // more than 60 days left
	Alerte60Jours                       // 60 days or less
	Alerte30Jours                       // 30 days or less
	Alerte7Jours                        // 7 days or less
	AlerteExpire                        // expired: cannot sign
	AlertePasEncoreValide               // not valid yet: cannot sign
)

// String names the level in French, for lists and logs.
func (a Alerte) String() string {
	switch a {
	case AlerteAucune:
		return "valide"
	case Alerte60Jours:
		return "expire dans moins de 60 jours"
	case Alerte30Jours:
		return "expire dans moins de 30 jours"
	case Alerte7Jours:
		return "expire dans moins de 7 jours"
	case AlerteExpire:
		return "expiré"
	case AlertePasEncoreValide:
		return "pas encore valide"
	}
	return fmt.Sprintf("Alerte(%d)", int(a))
}

// Seuils of the expiry warnings, in days, from the widest.
var seuilsAlerte = []struct {
	jours  int
	alerte Alerte
}{{7, Alerte7Jours}, {30, Alerte30Jours}, {60, Alerte60Jours}}

// AlerteExpiration gives the warning level of cert at maintenant and the
// whole days left before it expires (negative once expired).
func AlerteExpiration(cert *x509.Certificate, maintenant time.Time) (Alerte, int) {
	jours := int(math.Floor(cert.NotAfter.Sub(maintenant).Hours() / 24))
	switch {
	case maintenant.After(cert.NotAfter):
		return AlerteExpire, jours
	case maintenant.Before(cert.NotBefore):
		return AlertePasEncoreValide, jours
	}
	for _, s := range seuilsAlerte {
		if jours <= s.jours {
			return s.alerte, jours
		}
	}
	return AlerteAucune, jours
}

// MessageExpiration is the French line the app shows (and the notification
// it raises) for cert at maintenant; empty when nothing is to be said.
func MessageExpiration(cert *x509.Certificate, maintenant time.Time) string {
	a, jours := AlerteExpiration(cert, maintenant)
	switch a {
	case AlerteExpire, AlertePasEncoreValide:
		return ValiditeALaSignature(cert, maintenant).Error()
	case AlerteAucune:
		return ""
	}
	quand := fmt.Sprintf("dans %d jours", jours)
	switch jours {
	case 0:
		quand = "aujourd'hui"
	case 1:
		quand = "demain"
	}
	urgence := "Commandez dès maintenant son renouvellement auprès de votre autorité de certification (comptez plusieurs semaines)."
	if a == Alerte7Jours {
		urgence = "Renouvelez-le sans attendre auprès de votre autorité de certification : après cette date, vous ne pourrez plus signer."
	}
	return fmt.Sprintf("Le certificat de %s expire %s (le %s). %s", nomPorteur(cert), quand, date(cert.NotAfter), urgence)
}

// DemandeDiagnostic is what "Tester ma clé" needs. Module and Jeton may be
// empty (first library and first token found); IDCertificat may be empty
// (the first signature certificate with its private key).
type DemandeDiagnostic struct {
	Module       string
	Jeton        string
	IDCertificat []byte
	PIN          []byte
	Maintenant   time.Time // zero: now
}

// Diagnostic is the result of "Tester ma clé", for the app to display.
type Diagnostic struct {
	Module     string
	Jeton      Jeton
	Certificat Certificat
	Algorithme signature.Algorithme
	// SignatureVerifiee: the token signed a random value and the signature
	// checked out with the certificate's public key.
	SignatureVerifiee bool
	Alerte            Alerte
	JoursRestants     int
	Compteurs         Compteurs
	Lignes            []string // French, in order
}

// OK tells whether the key can sign today.
func (d *Diagnostic) OK() bool {
	return d.SignatureVerifiee && d.Alerte != AlerteExpire && d.Alerte != AlertePasEncoreValide
}

// TesterMaCle finds the token, logs in, shows the certificate, signs a
// random test value and verifies it with the certificate's public key, and
// warns when the certificate expires within 60, 30 or 7 days. It returns an
// error (an *Erreur) when the test could not go that far: no library, no
// token, wrong PIN, locked token. An expired certificate is not an error:
// the Diagnostic says it cannot sign.
func TesterMaCle(d DemandeDiagnostic) (*Diagnostic, error) {
	maintenant := d.Maintenant
	if maintenant.IsZero() {
		maintenant = time.Now()
	}
	m, j, err := OuvrirJeton(d.Module, d.Jeton)
	if err != nil {
		return nil, err
	}
	defer m.Fermer()
	diag := &Diagnostic{Module: m.Chemin, Jeton: j}
	diag.ligne("Clé trouvée : %s (n° %s), pilote %s.", j.Nom(), j.NumeroSerie, m.Chemin)
	if l := j.EtatPIN(); l != "" {
		diag.ligne("%s", l)
	}
	s, err := m.Connecter(j, d.PIN)
	if err != nil {
		return nil, err
	}
	defer s.Fermer()
	diag.ligne("PIN accepté.")
	certs, err := s.Certificats()
	if err != nil {
		return nil, err
	}
	c, ok := choisir(certs, d.IDCertificat)
	if !ok {
		return nil, &Erreur{Code: ErrCleIntrouvable, EssaisRestants: -1, Message: "Aucun certificat de signature avec sa clé privée sur cette clé : elle ne peut pas signer ; contactez votre autorité de certification."}
	}
	diag.Certificat = c
	diag.ligne("Certificat : %s, émis par %s, n° de série %s.", c.NomCommun, c.X509.Issuer.CommonName, c.NumeroSerie)
	diag.ligne("Valide du %s au %s.", date(c.DebutValidite), date(c.FinValidite))
	switch {
	case c.RGS2Etoiles:
		diag.ligne("Niveau RGS** reconnu. %s", c.Motif)
	default:
		diag.ligne("Niveau RGS** non reconnu. %s", c.Motif)
	}
	if c.Qualifie {
		diag.ligne("Certificat qualifié eIDAS.")
	}
	diag.Alerte, diag.JoursRestants = AlerteExpiration(c.X509, maintenant)
	if l := MessageExpiration(c.X509, maintenant); l != "" {
		diag.ligne("%s", l)
	}
	if diag.Alerte == AlerteExpire || diag.Alerte == AlertePasEncoreValide {
		diag.Compteurs = s.Compteurs()
		return diag, nil
	}

	k, err := s.signataire(c.ID, func() time.Time { return maintenant })
	if err != nil {
		return nil, err
	}
	alg, err := signature.AlgorithmePour(k.Public(), false)
	if err != nil {
		return nil, err
	}
	diag.Algorithme = alg
	alea := make([]byte, 32)
	rand.Read(alea)
	e := signature.Empreinte{Valeur: sha256Sum(alea), Algorithme: alg, Libelle: "Tester ma clé"}
	sig, err := signature.Signer(k, e)
	if err != nil {
		return nil, err
	}
	if err := signature.Verifier(k.Public(), e, sig); err != nil {
		diag.ligne("La signature d'essai ne correspond pas au certificat : la clé privée n'est pas celle du certificat ; contactez votre autorité de certification.")
	} else {
		diag.SignatureVerifiee = true
		diag.ligne("Signature d'essai réussie et vérifiée (%s) : la clé est prête à signer.", alg)
	}
	diag.Compteurs = s.Compteurs()
	return diag, nil
}

func (d *Diagnostic) ligne(format string, args ...any) {
	d.Lignes = append(d.Lignes, fmt.Sprintf(format, args...))
}

// choisir picks the certificate asked for, else the signature certificate
// (nonRepudiation) with a private key that expires last.
func choisir(certs []Certificat, id []byte) (Certificat, bool) {
	var meilleur Certificat
	trouve := false
	for _, c := range certs {
		if !c.ClePrivee {
			continue
		}
		if len(id) > 0 {
			if bytes.Equal(c.ID, id) {
				return c, true
			}
			continue
		}
		if !trouve || (c.NonRepudiation && !meilleur.NonRepudiation) ||
			(c.NonRepudiation == meilleur.NonRepudiation && c.FinValidite.After(meilleur.FinValidite)) {
			meilleur, trouve = c, true
		}
	}
	return meilleur, trouve
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}
