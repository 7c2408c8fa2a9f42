package xdemat

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"
)

// NatureEtape is what a step of a circuit asks: a visa (read and agreed) or a
// signature (with the élu's certificate). Persisted as text.
type NatureEtape string

const (
	EtapeVisa      NatureEtape = "visa"
	EtapeSignature NatureEtape = "signature"
)

// Libelle returns the French name of the step's nature.
func (n NatureEtape) Libelle() string {
	switch n {
	case EtapeVisa:
		return "Visa"
	case EtapeSignature:
		return "Signature"
	}
	return string(n)
}

// Etape is one step of a circuit: for a named user, or for whoever holds a
// role of the commune (the maire, any adjoint…). Once done, Faite records who
// acted and when.
type Etape struct {
	Nature        NatureEtape `json:"nature"`
	UtilisateurID string      `json:"utilisateurId,omitempty"`
	Role          Role        `json:"role,omitempty"`
	// Set when the step is done (visa or signature).
	FaiteLe  time.Time `json:"faiteLe,omitzero"`
	FaitePar string    `json:"faitePar,omitempty"`
	// PourLeCompteDe is the user the step was done for, by delegation.
	PourLeCompteDe string `json:"pourLeCompteDe,omitempty"`
}

// Faite reports whether the step is done.
func (e *Etape) Faite() bool { return !e.FaiteLe.IsZero() }

// Validate checks a step of a circuit being deposited.
func (e *Etape) Validate() error {
	if e.Nature != EtapeVisa && e.Nature != EtapeSignature {
		return Errorf(EINVALID, "Étape de circuit inconnue : %q. Choisissez visa ou signature.", e.Nature)
	}
	if (e.UtilisateurID == "") == (e.Role == "") {
		return Errorf(EINVALID, "Chaque étape du circuit doit désigner soit une personne, soit un rôle (maire, adjoint…).")
	}
	if e.Role != "" && !e.Role.Valid() {
		return Errorf(EINVALID, "Le rôle %q n'existe pas : choisissez maire, adjoint, secrétaire ou élu.", e.Role)
	}
	if !texteValide(e.UtilisateurID, 128) || !texteValide(e.FaitePar, 128) || !texteValide(e.PourLeCompteDe, 128) {
		return Errorf(EINVALID, "Identifiant de personne illisible dans le circuit.")
	}
	return nil
}

// MaxEtapes bounds a circuit: a commune's circuits have a few steps.
const MaxEtapes = 12

// ModeleCircuit returns the usual circuit of a document type, as the
// deposit screen proposes it (each step may then be changed):
//   - délibération, arrêté: signed by the maire (SIG-01: the maire and the
//     secrétaire de séance sign délibérations; the paper register keeps the
//     handwritten signatures, SIG-03). The arrêté is first checked by the
//     secretary;
//   - devis: checked by the secretary, signed by the maire;
//   - facture pour visa: the maire's visa ("service fait");
//   - courrier: signed by the maire;
//   - bordereau PES: signed by the maire, ordonnateur of the commune.
func ModeleCircuit(t TypeDossier) []Etape {
	sig := Etape{Nature: EtapeSignature, Role: RoleMaire}
	visaSec := Etape{Nature: EtapeVisa, Role: RoleSecretaire}
	switch t {
	case DossierArrete, DossierDevis:
		return []Etape{visaSec, sig}
	case DossierFacture:
		return []Etape{{Nature: EtapeVisa, Role: RoleMaire}}
	case DossierDeliberation, DossierCourrier, DossierBordereau:
		return []Etape{sig}
	}
	return nil
}

// Delegation lets an élu's steps be done by another user for a period (an
// absence): from Du to Au included, unless withdrawn before. Signatures made
// under it carry the mention MentionDelegation.
type Delegation struct {
	ID        string `json:"id"`
	CommuneID string `json:"communeId,omitempty"`
	// Delegant is the élu who delegates; DelegantRole his role when it was
	// given, so that the steps given to that role may be delegated too.
	Delegant     string    `json:"delegant"`
	DelegantRole Role      `json:"delegantRole"`
	Delegataire  string    `json:"delegataire"`
	Du           time.Time `json:"du"`
	Au           time.Time `json:"au"`
	Motif        string    `json:"motif,omitempty"`
	CreeePar     string    `json:"creeePar"`
	CreeeLe      time.Time `json:"creeeLe"`
	RetireeLe    time.Time `json:"retireeLe,omitzero"`
	ModifieLe    time.Time `json:"modifieLe"`
}

// MentionDelegation is printed next to a signature made by delegation.
const MentionDelegation = "par délégation"

// Active reports whether the delegation applies at t.
func (d *Delegation) Active(t time.Time) bool {
	return d.RetireeLe.IsZero() && !t.Before(d.Du) && !t.After(d.Au)
}

// Validate checks a delegation before it is recorded.
func (d *Delegation) Validate() error {
	if !ValidUUID(d.ID) {
		return Errorf(EINVALID, "Identifiant de délégation invalide.")
	}
	if d.Delegant == "" || d.Delegataire == "" || !texteValide(d.Delegant, 128) || !texteValide(d.Delegataire, 128) || !texteValide(d.CreeePar, 128) {
		return Errorf(EINVALID, "Une délégation nomme l'élu qui délègue et la personne qui reçoit la délégation.")
	}
	if d.Delegant == d.Delegataire {
		return Errorf(EINVALID, "On ne se délègue pas à soi-même : choisissez un adjoint ou un autre élu.")
	}
	if !d.DelegantRole.Valid() {
		return Errorf(EINVALID, "Le rôle de l'élu qui délègue est inconnu.")
	}
	if d.Du.IsZero() || d.Au.IsZero() || !d.Au.After(d.Du) {
		return Errorf(EINVALID, "Indiquez le début et la fin de la délégation ; la fin doit suivre le début.")
	}
	if !texteValide(d.Motif, 500) {
		return Errorf(EINVALID, "Le motif de la délégation est trop long (500 caractères au plus) ou contient des caractères interdits.")
	}
	if d.ModifieLe.IsZero() {
		return Errorf(EINVALID, "La date de modification de la délégation est absente.")
	}
	return nil
}

// CertificatSignataire is what the parapheur keeps of the certificate that
// signed: enough to show and check it later, never the key.
type CertificatSignataire struct {
	Sujet    string    `json:"sujet"`
	Emetteur string    `json:"emetteur"`
	Serie    string    `json:"serie"` // hexadecimal
	ValideDu time.Time `json:"valideDu"`
	ValideAu time.Time `json:"valideAu"`
	// Empreinte is the SHA-256 of the certificate (DER), lowercase hex.
	Empreinte string `json:"empreinte"`
}

// ResumeCertificat summarises c.
func ResumeCertificat(c *x509.Certificate) *CertificatSignataire {
	sum := sha256.Sum256(c.Raw)
	return &CertificatSignataire{
		Sujet:     c.Subject.String(),
		Emetteur:  c.Issuer.String(),
		Serie:     strings.ToLower(c.SerialNumber.Text(16)),
		ValideDu:  c.NotBefore.UTC(),
		ValideAu:  c.NotAfter.UTC(),
		Empreinte: hex.EncodeToString(sum[:]),
	}
}

// ValideA checks that the certificate may sign at t: a signature is offered
// only with a certificate valid at signing time (CP-15: "certificate not
// expired or revoked at the date of signing"; SIG-05).
func (c *CertificatSignataire) ValideA(t time.Time) error {
	if c == nil {
		return Errorf(EINVALID, "Aucun certificat de signature : branchez la clé de l'élu et recommencez.")
	}
	if t.Before(c.ValideDu) {
		return Errorf(EFORBIDDEN, "Le certificat de %s n'est valable qu'à partir du %s : il ne peut pas encore signer.", c.Sujet, c.ValideDu.Local().Format("02/01/2006"))
	}
	if t.After(c.ValideAu) {
		return Errorf(EFORBIDDEN, "Le certificat de %s a expiré le %s : il ne peut plus signer. Demandez un nouveau certificat à votre autorité de certification.", c.Sujet, c.ValideAu.Local().Format("02/01/2006"))
	}
	return nil
}

// Validate checks a certificate summary received from a poste.
func (c *CertificatSignataire) Validate() error {
	if !texteValide(c.Sujet, 1000) || !texteValide(c.Emetteur, 1000) || !texteValide(c.Serie, 128) || c.Sujet == "" || c.Serie == "" {
		return Errorf(EINVALID, "Résumé du certificat de signature illisible.")
	}
	if !ValidSHA256(c.Empreinte) {
		return Errorf(EINVALID, "Empreinte du certificat de signature invalide.")
	}
	if c.ValideDu.IsZero() || !c.ValideAu.After(c.ValideDu) {
		return Errorf(EINVALID, "Période de validité du certificat de signature invalide.")
	}
	return nil
}
