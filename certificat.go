package xdemat

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// CertificatSignature is what xdemat keeps of a signature certificate seen
// on an élu's token: public data only (the certificate itself, never a key
// or a PIN). The agent keeps it so that it can warn before the certificate
// expires even when the token is not plugged in.
type CertificatSignature struct {
	SHA256        string    `json:"sha256"` // of the DER, lowercase hex
	UtilisateurID string    `json:"utilisateurId"`
	Porteur       string    `json:"porteur"`  // subject common name
	Emetteur      string    `json:"emetteur"` // issuing CA's common name
	Serie         string    `json:"serie"`    // hex
	NotBefore     time.Time `json:"notBefore"`
	NotAfter      time.Time `json:"notAfter"`
	RGS           bool      `json:"rgs"`      // RGS** signature certificate
	Qualifie      bool      `json:"qualifie"` // qualified (eIDAS)
	DER           []byte    `json:"der"`
	VuLe          time.Time `json:"vuLe"` // last time the token showed it
}

// LireCertificatSignature describes a DER certificate for utilisateur. The
// RGS and qualified flags are the caller's (the token package knows the
// policies); everything else comes from the certificate itself.
func LireCertificatSignature(der []byte, utilisateur string) (*CertificatSignature, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, Errorf(EINVALID, "Le certificat de la clé est illisible (%v) : testez la clé à nouveau ou contactez la SPL.", err)
	}
	h := sha256.Sum256(der)
	cs := &CertificatSignature{
		SHA256: hex.EncodeToString(h[:]), UtilisateurID: utilisateur,
		Porteur: c.Subject.CommonName, Emetteur: c.Issuer.CommonName, Serie: c.SerialNumber.Text(16),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, DER: der,
	}
	return cs, cs.Validate()
}

// Validate checks what the app sends about a certificate.
func (c *CertificatSignature) Validate() error {
	if !ValidSHA256(c.SHA256) {
		return Errorf(EINVALID, "L'empreinte du certificat est invalide.")
	}
	if c.UtilisateurID == "" {
		return Errorf(EINVALID, "Le certificat doit être rattaché à un utilisateur : ouvrez votre session puis testez votre clé.")
	}
	if len(c.DER) == 0 || len(c.DER) > 64<<10 {
		return Errorf(EINVALID, "Le certificat est vide ou trop grand.")
	}
	if c.NotAfter.IsZero() || !c.NotAfter.After(c.NotBefore) {
		return Errorf(EINVALID, "Les dates de validité du certificat sont incohérentes.")
	}
	if !texteValide(c.Porteur, 255) || !texteValide(c.Emetteur, 255) || !texteValide(c.Serie, 128) {
		return Errorf(EINVALID, "Le nom du porteur ou de l'autorité du certificat contient des caractères interdits.")
	}
	return nil
}

// SeuilsExpiration are the numbers of days before expiry at which the
// holder is warned: two months leave time to order a new certificate from
// the certification authority (a face-to-face check is often needed).
var SeuilsExpiration = []int{60, 30, 7}

// SeuilAtteint returns the smallest warning threshold reached at now: 60,
// 30 or 7 days, 0 once expired, and -1 while more than 60 days remain.
func (c *CertificatSignature) SeuilAtteint(now time.Time) int {
	if !now.Before(c.NotAfter) {
		return 0
	}
	jours := c.JoursRestants(now)
	seuil := -1
	for _, s := range SeuilsExpiration {
		if jours <= s {
			seuil = s
		}
	}
	return seuil
}

// JoursRestants counts the days left before expiry, rounded up (an expiry
// tomorrow morning is "1 jour").
func (c *CertificatSignature) JoursRestants(now time.Time) int {
	d := c.NotAfter.Sub(now)
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// AlerteExpiration is the notification of the threshold reached at now, or
// nil. Its Cle is the same for every run at this threshold, so the agent
// raises each warning once: at 60, 30 and 7 days, and at expiry.
func (c *CertificatSignature) AlerteExpiration(now time.Time) (n *Notification, cle string) {
	seuil := c.SeuilAtteint(now)
	if seuil < 0 {
		return nil, ""
	}
	n = &Notification{
		Type:         NotificationCertificatExpiration,
		Destinataire: c.UtilisateurID,
		Objet:        Lien{Ecran: "cle"},
		Echeance:     c.NotAfter,
	}
	le := c.NotAfter.In(Paris).Format("02/01/2006")
	quoi := fmt.Sprintf("Le certificat de « %s »", c.Porteur)
	if c.Emetteur != "" {
		quoi += fmt.Sprintf(" (délivré par %s)", c.Emetteur)
	}
	switch {
	case seuil == 0:
		n.Severite = SeveriteCritique
		n.Titre = "Le certificat de votre clé de signature a expiré"
		n.Texte = quoi + " a expiré le " + le + " : il ne peut plus signer. Commandez un nouveau certificat à votre autorité de certification ; en attendant, un adjoint peut signer par délégation."
	case seuil == 7:
		n.Severite = SeveriteUrgent
	case seuil == 30:
		n.Severite = SeveriteAttention
	default:
		n.Severite = SeveriteInfo
	}
	if seuil > 0 {
		jours := c.JoursRestants(now)
		unite := "jours"
		if jours == 1 {
			unite = "jour"
		}
		n.Titre = fmt.Sprintf("Votre certificat de signature expire dans %d %s", jours, unite)
		n.Texte = quoi + " expire le " + le + ". Commandez dès maintenant son renouvellement à votre autorité de certification : après cette date, vous ne pourrez plus signer les actes ni les bordereaux."
	}
	return n, strings.Join([]string{c.SHA256, fmt.Sprint(seuil)}, "/")
}
