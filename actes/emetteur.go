package actes

import (
	"fmt"
	"regexp"
	"time"

	"xdemat"
)

// NatureCollectiviteCommune is the IDCL nature code of a commune: every
// public sample from communes (SIREN 21…) carries 31. The list of codes is in
// the cahier des charges, not public: unconfirmed beyond communes.
const NatureCollectiviteCommune = "31"

// QuadrigrammeActes is the application code of @CTES transmissions ("EACT"
// in the samples and in STELA).
const QuadrigrammeActes = "EACT"

// TailleMaxArchive is the largest archive the platform takes (the 150 Mo of
// the operators; whether the ministry itself sets it is unconfirmed).
const TailleMaxArchive = xdemat.TailleMaxActe

// Emetteur is the collectivité that sends, as the enveloppe names it.
type Emetteur struct {
	SIREN              string
	Departement        string // @CTES form, three characters: "051", "02A", "974"
	Arrondissement     int    // 0 to 9, that of the sous-préfecture in charge
	NatureCollectivite string // two digits; NatureCollectiviteCommune for a commune
	Referent           *Referent
	// AdressesRetour are the mailboxes the ministry answers to; the
	// operator's own comes first (it is how the answers reach central).
	AdressesRetour []string
}

// DepartementCTES returns a département code in its @CTES form: "51" →
// "051", "2A" → "02A", "971" stays.
func DepartementCTES(d string) string {
	if len(d) == 2 {
		return "0" + d
	}
	return d
}

// EmetteurCommune returns the emetteur for a commune of the domain.
func EmetteurCommune(c *xdemat.Commune, arrondissement int, adressesRetour ...string) Emetteur {
	return Emetteur{SIREN: c.SIREN, Departement: DepartementCTES(c.Departement), Arrondissement: arrondissement,
		NatureCollectivite: NatureCollectiviteCommune, AdressesRetour: adressesRetour}
}

var (
	departementRe = regexp.MustCompile(`^[09][0-9][AB0-9]$`)
	natureCollRe  = regexp.MustCompile(`^[0-9]{2}$`)
	sirenRe       = regexp.MustCompile(`^[0-9]{9}$`)
	// emailRe is the schema's pattern, anchored as XSD patterns are.
	emailRe = regexp.MustCompile(`^[_a-zA-Z0-9\-]+(\.[_a-zA-Z0-9\-]+)*@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*\.[a-zA-Z]{2,6}$`)
)

// Valider checks the emetteur as the schema does.
func (e *Emetteur) Valider() error {
	return e.idcl().valider()
}

func (e *Emetteur) idcl() *DonneesEnveloppe {
	return &DonneesEnveloppe{
		IDCL:           IDCL{SIREN: e.SIREN, Departement: e.Departement, Arrondissement: e.Arrondissement, Nature: e.NatureCollectivite},
		Referent:       e.Referent,
		AdressesRetour: e.AdressesRetour,
		Formulaires:    []Fichier{{NomFichier: "-"}},
	}
}

func (d *DonneesEnveloppe) valider() error {
	switch {
	case !sirenRe.MatchString(d.IDCL.SIREN):
		return xdemat.Errorf(xdemat.EINVALID, "Le SIREN %q de l'émetteur n'a pas 9 chiffres.", d.IDCL.SIREN)
	case !departementRe.MatchString(d.IDCL.Departement):
		return xdemat.Errorf(xdemat.EINVALID, "Le département %q de l'émetteur n'a pas la forme @CTES (trois caractères, par exemple 051 ou 02A).", d.IDCL.Departement)
	case d.IDCL.Arrondissement < 0 || d.IDCL.Arrondissement > 9:
		return xdemat.Errorf(xdemat.EINVALID, "L'arrondissement %d de l'émetteur doit être un chiffre.", d.IDCL.Arrondissement)
	case !natureCollRe.MatchString(d.IDCL.Nature):
		return xdemat.Errorf(xdemat.EINVALID, "La nature de collectivité %q doit avoir deux chiffres (31 pour une commune).", d.IDCL.Nature)
	case len(d.AdressesRetour) == 0:
		return xdemat.Errorf(xdemat.EINVALID, "Il faut au moins une adresse de retour pour les réponses de la préfecture.")
	case len(d.Formulaires) == 0:
		return xdemat.Errorf(xdemat.EINVALID, "L'enveloppe ne liste aucun message.")
	}
	for _, a := range d.AdressesRetour {
		if !emailRe.MatchString(a) {
			return xdemat.Errorf(xdemat.EINVALID, "L'adresse de retour %q n'est pas une adresse électronique acceptée par @CTES.", a)
		}
	}
	if r := d.Referent; r != nil && r.Email != "" && !emailRe.MatchString(r.Email) {
		return xdemat.Errorf(xdemat.EINVALID, "L'adresse du référent %q n'est pas une adresse électronique acceptée par @CTES.", r.Email)
	}
	return nil
}

// Options are what names an archive besides its content.
type Options struct {
	Trigramme    string    // the operator's code, given at homologation
	Quadrigramme string    // QuadrigrammeActes when empty
	Date         time.Time // of generation (its day in Paris is used)
	Serie        int       // per-SIREN counter of enveloppes, from 1, never reused
}

var trigrammeRe = regexp.MustCompile(`^[A-Za-z0-9]{1,10}$`)

func (o *Options) nom(siren string) (NomArchive, error) {
	q := o.Quadrigramme
	if q == "" {
		q = QuadrigrammeActes
	}
	switch {
	case !trigrammeRe.MatchString(o.Trigramme):
		return NomArchive{}, fmt.Errorf("actes: trigramme %q invalide", o.Trigramme)
	case len(q) != 4 || !trigrammeRe.MatchString(q):
		return NomArchive{}, fmt.Errorf("actes: quadrigramme %q invalide", q)
	case o.Serie < 1:
		return NomArchive{}, fmt.Errorf("actes: numéro de série %d invalide (à partir de 1)", o.Serie)
	case o.Date.IsZero():
		return NomArchive{}, fmt.Errorf("actes: date de génération absente")
	}
	return NomArchive{Trigramme: o.Trigramme, Quadrigramme: q, SIREN: siren, Date: Jour(o.Date).compact(), Serie: o.Serie}, nil
}
