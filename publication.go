package xdemat

import (
	"strings"
	"time"
)

// Publication of the actes (PUB-03…PUB-09) and of what a séance leaves
// behind (CM-25, CM-26). A poste asks for it with operations; central
// serves the public pages of each commune from what they record.
const (
	// OperationActePublier puts an acte online on the commune's public
	// pages. Payload: PublicationActe.
	OperationActePublier = "acte.publier"
	// OperationActeDepublier takes an acte offline, never before two months
	// online (PUB-08). Payload: RetraitPublication.
	OperationActeDepublier = "acte.depublier"
	// OperationPVPublier puts the procès-verbal of a séance online
	// (CM-25). Payload: ProcesVerbal; its document travels with it.
	OperationPVPublier = "seance.pv.publier"
	// OperationCommunePublicite records the mode de publicité the council
	// chose (PUB-04). Payload: Publicite.
	OperationCommunePublicite = "commune.publicite"
)

// EstOperationPublication reports whether typ is one of the publication operations.
func EstOperationPublication(typ string) bool {
	switch typ {
	case OperationActePublier, OperationActeDepublier, OperationPVPublier, OperationCommunePublicite:
		return true
	}
	return false
}

// AuteurActe is whoever signed an acte, as the published version must show
// it in legible characters (PUB-07, SIG-04).
type AuteurActe struct {
	Prenom  string `json:"prenom"`
	Nom     string `json:"nom"`
	Qualite string `json:"qualite"` // "Maire", "Adjoint au maire"…
}

// Validate checks that the three mentions are there.
func (a *AuteurActe) Validate() error {
	a.Prenom, a.Nom, a.Qualite = strings.TrimSpace(a.Prenom), strings.TrimSpace(a.Nom), strings.TrimSpace(a.Qualite)
	if a.Prenom == "" || a.Nom == "" || a.Qualite == "" {
		return Errorf(EINVALID, "Indiquez le prénom, le nom et la qualité de l'auteur de l'acte (par exemple Jacques Bertin, maire) : la loi exige qu'ils figurent sur l'acte publié.")
	}
	if !texteValide(a.Prenom, 100) || !texteValide(a.Nom, 100) || !texteValide(a.Qualite, 200) {
		return Errorf(EINVALID, "Le nom ou la qualité de l'auteur de l'acte contient des caractères interdits ou est trop long : retapez-le.")
	}
	return nil
}

// String returns "Jacques Bertin, Maire".
func (a AuteurActe) String() string {
	return strings.TrimSpace(a.Prenom+" "+a.Nom) + ", " + a.Qualite
}

// DureeMinPublication is how long, in months, an acte stays online at least (PUB-08).
const DureeMinPublication = 2

// RetraitPossibleLe returns the first moment an acte put online at publieLe
// may be taken offline: two calendar months later, in Paris (PUB-08).
func RetraitPossibleLe(publieLe time.Time) time.Time {
	return publieLe.In(Paris).AddDate(0, DureeMinPublication, 0)
}

// PublicationActe is an acte put online. A zero RetireLe means online for
// good, the default and the safe choice (PUB-03, PUB-08).
type PublicationActe struct {
	ActeID         string     `json:"acteId"`
	Auteur         AuteurActe `json:"auteur"`
	PublieLe       time.Time  `json:"publieLe"`
	RetireLe       time.Time  `json:"retireLe,omitzero"`
	DocumentSHA256 string     `json:"documentSha256"` // the document put online: the acte in full (PUB-06)
}

// Validate checks a publication before it is recorded or sent.
func (p *PublicationActe) Validate() error {
	if !ValidUUID(p.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if err := p.Auteur.Validate(); err != nil {
		return err
	}
	if p.PublieLe.IsZero() {
		return Errorf(EINVALID, "La date de mise en ligne de l'acte est absente.")
	}
	if !ValidSHA256(p.DocumentSHA256) {
		return Errorf(EINVALID, "Le document à publier n'a pas d'empreinte valide : déposez-le de nouveau.")
	}
	if !p.RetireLe.IsZero() {
		return p.verifierRetrait(p.RetireLe)
	}
	return nil
}

func (p *PublicationActe) verifierRetrait(le time.Time) error {
	if min := RetraitPossibleLe(p.PublieLe); le.Before(min) {
		return Errorf(EFORBIDDEN, "Un acte publié doit rester en ligne au moins deux mois : celui-ci pourra être retiré à partir du %s.", min.In(Paris).Format("02/01/2006"))
	}
	return nil
}

// Retirer takes the acte offline at le; refused before two months online (PUB-08).
func (p *PublicationActe) Retirer(le time.Time) error {
	if !p.RetireLe.IsZero() {
		return Errorf(ECONFLICT, "Cet acte a déjà été retiré du site le %s.", p.RetireLe.In(Paris).Format("02/01/2006"))
	}
	if err := p.verifierRetrait(le); err != nil {
		return err
	}
	p.RetireLe = le
	return nil
}

// EnLigne reports whether the acte is online at now.
func (p *PublicationActe) EnLigne(now time.Time) bool {
	return !p.PublieLe.After(now) && (p.RetireLe.IsZero() || now.Before(p.RetireLe))
}

// RetraitPublication asks to take an acte offline.
type RetraitPublication struct {
	ActeID string    `json:"acteId"`
	Le     time.Time `json:"le"`
}

// Validate checks a request to take an acte offline.
func (r *RetraitPublication) Validate() error {
	if !ValidUUID(r.ActeID) {
		return Errorf(EINVALID, "Identifiant d'acte invalide.")
	}
	if r.Le.IsZero() {
		return Errorf(EINVALID, "La date du retrait est absente.")
	}
	return nil
}

// ModePublicite is how a commune makes its actes public (PUB-04). Persisted as text.
type ModePublicite string

const (
	PubliciteElectronique ModePublicite = "electronique" // the default, and the only mode from 3,500 inhabitants
	PubliciteAffichage    ModePublicite = "affichage"
	PublicitePapier       ModePublicite = "papier"
)

// Libelle returns the French name of the mode.
func (m ModePublicite) Libelle() string {
	switch m {
	case PubliciteElectronique:
		return "Publication électronique sur le site de la commune"
	case PubliciteAffichage:
		return "Affichage en mairie"
	case PublicitePapier:
		return "Publication sur papier"
	}
	return string(m)
}

// Valid reports whether m is one of the three modes.
func (m ModePublicite) Valid() bool { return m.Libelle() != string(m) }

// ModesPublicite lists the modes, the default first.
func ModesPublicite() []ModePublicite {
	return []ModePublicite{PubliciteElectronique, PubliciteAffichage, PublicitePapier}
}

// SeuilPubliciteElectronique is the population from which only electronic
// publication makes an acte enforceable (PUB-04, PUB-05).
const SeuilPubliciteElectronique = 3500

// PeutChoisirPublicite reports whether a commune of that population may
// choose affichage or paper publication (PUB-04).
func PeutChoisirPublicite(population int) bool { return population < SeuilPubliciteElectronique }

// Publicite is the mode de publicité of a commune with the délibération
// that chose it (PUB-04). Absent one, the mode is electronic.
type Publicite struct {
	Mode                  ModePublicite `json:"mode"`
	DateDeliberation      time.Time     `json:"dateDeliberation,omitzero"`
	ReferenceDeliberation string        `json:"referenceDeliberation,omitempty"` // the numéro of the délibération
	ModifieLe             time.Time     `json:"modifieLe,omitzero"`
}

// PubliciteParDefaut is the mode of a commune whose council chose none (PUB-04).
func PubliciteParDefaut() Publicite { return Publicite{Mode: PubliciteElectronique} }

// Validate checks a choice for a commune of that population (PUB-04, PUB-05).
func (p *Publicite) Validate(population int) error {
	if p.Mode == "" {
		p.Mode = PubliciteElectronique
	}
	if !p.Mode.Valid() {
		return Errorf(EINVALID, "Mode de publicité inconnu : « %s ». Choisissez la publication électronique, l'affichage ou le papier.", strings.ToValidUTF8(string(p.Mode), "?"))
	}
	p.ReferenceDeliberation = strings.TrimSpace(p.ReferenceDeliberation)
	if !texteValide(p.ReferenceDeliberation, 100) {
		return Errorf(EINVALID, "La référence de la délibération contient des caractères interdits : retapez-la.")
	}
	if p.Mode != PubliciteElectronique && !PeutChoisirPublicite(population) {
		return Errorf(EFORBIDDEN, "Une commune de %d habitants doit publier ses actes sur son site : l'affichage ou le papier ne sont possibles que sous %d habitants.", population, SeuilPubliciteElectronique)
	}
	if p.Mode != PubliciteElectronique || !p.DateDeliberation.IsZero() || p.ReferenceDeliberation != "" {
		// Only a délibération of the council chooses the mode.
		if p.DateDeliberation.IsZero() || p.ReferenceDeliberation == "" {
			return Errorf(EINVALID, "Indiquez la date et le numéro de la délibération du conseil municipal qui a choisi ce mode de publicité.")
		}
		if jour(p.DateDeliberation).After(jour(time.Now())) {
			return Errorf(EINVALID, "La date de la délibération (%s) est dans le futur.", p.DateDeliberation.In(Paris).Format("02/01/2006"))
		}
	}
	return nil
}

// EnLigne reports whether the commune publishes its actes on its website.
func (p Publicite) EnLigne() bool { return p.Mode == "" || p.Mode == PubliciteElectronique }

// ProcesVerbal is the procès-verbal of a séance put online (CM-23, CM-25):
// for good, whatever the mode de publicité of the actes.
type ProcesVerbal struct {
	ID             string    `json:"id"`
	DateSeance     time.Time `json:"dateSeance"` // a civil date, read in Paris
	DocumentSHA256 string    `json:"documentSha256"`
	Nom            string    `json:"nom,omitempty"` // file name as the secretary knows it
	Taille         int64     `json:"taille,omitempty"`
	PublieLe       time.Time `json:"publieLe"`
}

// Validate checks a procès-verbal before it is recorded or sent.
func (pv *ProcesVerbal) Validate() error {
	if !ValidUUID(pv.ID) {
		return Errorf(EINVALID, "Identifiant de procès-verbal invalide.")
	}
	if pv.DateSeance.IsZero() {
		return Errorf(EINVALID, "Indiquez la date de la séance du procès-verbal.")
	}
	if jour(pv.DateSeance).After(jour(time.Now())) {
		return Errorf(EINVALID, "La séance du %s n'a pas encore eu lieu : son procès-verbal ne peut pas être publié.", pv.DateSeance.In(Paris).Format("02/01/2006"))
	}
	if !ValidSHA256(pv.DocumentSHA256) {
		return Errorf(EINVALID, "Le procès-verbal n'a pas d'empreinte valide : déposez-le de nouveau.")
	}
	if strings.ContainsAny(pv.Nom, "/\\") || !texteValide(pv.Nom, 255) {
		return Errorf(EINVALID, "Le nom de fichier du procès-verbal contient un caractère interdit : renommez le fichier.")
	}
	if pv.Taille < 0 {
		return Errorf(EINVALID, "Taille du procès-verbal invalide.")
	}
	if pv.PublieLe.IsZero() {
		return Errorf(EINVALID, "La date de mise en ligne du procès-verbal est absente.")
	}
	return nil
}

// JourSeance returns the civil date of a séance in Paris, as the public
// pages name it: "2026-11-20".
func JourSeance(t time.Time) string { return t.In(Paris).Format(time.DateOnly) }

// ParseJourSeance reads a date written as JourSeance writes it: midnight in Paris.
func ParseJourSeance(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, Paris)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "La date de séance « %s » est mal écrite : AAAA-MM-JJ, par exemple 2026-11-20.", strings.ToValidUTF8(s, "?"))
	}
	return t, nil
}

// DelaiPublicationSeance is, in days, the time the commune has to put the
// liste des délibérations examinées (CM-26) and the procès-verbal (CM-25)
// online after the séance.
const DelaiPublicationSeance = 7

// RappelPublicationSeance is, in days before the deadline, when central
// reminds the commune of what is not online yet.
const RappelPublicationSeance = 2

// EcheancePublicationSeance returns the end of the week the commune has to
// put the liste des délibérations and the PV of a séance online: the end of
// the seventh day after it, in Paris (CM-25, CM-26). Until Xconvoc holds
// the séances, a séance is the date of decision of its délibérations.
func EcheancePublicationSeance(seance time.Time) time.Time {
	return jour(seance).AddDate(0, 0, DelaiPublicationSeance+1)
}

// RappelPublicationSeanceLe returns when to remind the commune: two days
// before the deadline.
func RappelPublicationSeanceLe(seance time.Time) time.Time {
	return EcheancePublicationSeance(seance).AddDate(0, 0, -RappelPublicationSeance)
}

// RappelPublicationDu reports whether, at now, a séance is due a reminder:
// the deadline is two days away or less and not passed.
func RappelPublicationDu(seance, now time.Time) bool {
	return !now.Before(RappelPublicationSeanceLe(seance)) && now.Before(EcheancePublicationSeance(seance))
}
