package xdemat

import (
	"strings"
	"time"
)

// Role is what a person may do in a commune or at the SPL. Persisted as text.
type Role string

// Roles.
const (
	RoleSecretaire     Role = "secretaire"
	RoleMaire          Role = "maire"
	RoleAdjoint        Role = "adjoint"
	RoleElu            Role = "elu"
	RoleTechnicien     Role = "technicien"
	RoleAdministrateur Role = "administrateur_spl"
)

// Libelle returns the French label of the role.
func (r Role) Libelle() string {
	switch r {
	case RoleSecretaire:
		return "Secrétaire de mairie"
	case RoleMaire:
		return "Maire"
	case RoleAdjoint:
		return "Adjoint au maire"
	case RoleElu:
		return "Conseiller municipal"
	case RoleTechnicien:
		return "Technicien de la SPL"
	case RoleAdministrateur:
		return "Administrateur de la SPL"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.Libelle() != string(r) }

// PeutSigner reports whether the role may sign acts on behalf of the commune
// (the maire, or an adjoint holding a delegation).
func (r Role) PeutSigner() bool { return r == RoleMaire || r == RoleAdjoint }

// Utilisateur is a person who works with xdemat for a commune (or for the SPL,
// then CommuneID is empty).
type Utilisateur struct {
	ID        string `json:"id"`
	CommuneID string `json:"communeId,omitempty"`
	Nom       string `json:"nom"`
	Prenom    string `json:"prenom"`
	Email     string `json:"email,omitempty"`
	// Telephone is a French mobile number in E.164 form (+33612345678), for SMS.
	Telephone string `json:"telephone,omitempty"`
	Role      Role   `json:"role"`
	// MotDePasse is the hash made by HacherMotDePasse; "" when the profile
	// opens without a password. The password itself is never stored.
	MotDePasse string    `json:"motDePasse,omitempty"`
	Actif      bool      `json:"actif"`
	ModifieLe  time.Time `json:"modifieLe,omitzero"`
}

// NomComplet returns "Prénom Nom".
func (u *Utilisateur) NomComplet() string {
	return strings.TrimSpace(u.Prenom + " " + u.Nom)
}

// Validate checks a user before it is recorded.
func (u *Utilisateur) Validate() error {
	if strings.TrimSpace(u.Nom) == "" {
		return Errorf(EINVALID, "Le nom de l'utilisateur est obligatoire.")
	}
	if !texteValide(u.Nom, 200) || !texteValide(u.Prenom, 200) || !texteValide(u.Email, 254) {
		return Errorf(EINVALID, "Le nom, le prénom ou l'adresse de l'utilisateur contient des caractères interdits.")
	}
	if !u.Role.Valid() {
		return Errorf(EINVALID, "Le rôle %q n'existe pas : choisissez secrétaire, maire, adjoint, élu, technicien ou administrateur.", u.Role)
	}
	if u.Role != RoleAdministrateur && u.Role != RoleTechnicien && u.CommuneID == "" {
		return Errorf(EINVALID, "Un utilisateur de mairie doit être rattaché à une commune.")
	}
	if u.Telephone != "" && !telephoneRE.MatchString(u.Telephone) {
		return Errorf(EINVALID, "Le numéro %q n'est pas un numéro de mobile français : écrivez-le 06 12 34 56 78.", u.Telephone)
	}
	if u.MotDePasse != "" && !strings.HasPrefix(u.MotDePasse, prefixeEmpreinte) {
		return Errorf(EINVALID, "Empreinte de mot de passe illisible.")
	}
	if u.Email != "" && !strings.Contains(u.Email, "@") {
		return Errorf(EINVALID, "L'adresse électronique %q n'est pas valide.", u.Email)
	}
	return nil
}
