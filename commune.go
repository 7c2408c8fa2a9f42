package xdemat

import (
	"strings"
	"time"
	"unicode"
)

// Commune is a tenant: a collectivité that subscribes to the SPL. Every piece of
// data held by central belongs to exactly one commune.
type Commune struct {
	ID          string    `json:"id"`
	SIREN       string    `json:"siren"`
	Nom         string    `json:"nom"`
	Departement string    `json:"departement"` // INSEE code: "08", "51", "2A"…
	Population  int       `json:"population"`  // population municipale
	CreeLe      time.Time `json:"creeLe"`
}

// Strate returns the demographic stratum of the commune, as used by the DGCL
// in its financial statistics.
func (c *Commune) Strate() Strate { return StrateDe(c.Population) }

// Validate checks a commune before it is recorded.
func (c *Commune) Validate() error {
	c.Nom = strings.TrimSpace(c.Nom)
	if c.Nom == "" {
		return Errorf(EINVALID, "Le nom de la commune est obligatoire.")
	}
	if !texteValide(c.Nom, 200) {
		return Errorf(EINVALID, "Le nom de la commune contient des caractères interdits ou dépasse 200 caractères.")
	}
	if !ValidSIREN(c.SIREN) {
		return Errorf(EINVALID, "Le SIREN %q n'est pas valide : il faut 9 chiffres avec une clé de contrôle correcte (voir l'avis de situation INSEE).", c.SIREN)
	}
	if !validDepartement(c.Departement) {
		return Errorf(EINVALID, "Le département %q n'est pas reconnu : saisissez son numéro, par exemple 51 pour la Marne.", c.Departement)
	}
	if c.Population < 0 {
		return Errorf(EINVALID, "La population ne peut pas être négative.")
	}
	return nil
}

// ValidSIREN reports whether s is nine digits whose Luhn checksum is valid.
func ValidSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 { // every second digit from the left is doubled
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func validDepartement(d string) bool {
	switch {
	case d == "2A" || d == "2B":
		return true
	case len(d) == 2 && isDigits(d) && d != "00" && d != "20" && d <= "95":
		return true
	case len(d) == 3 && isDigits(d) && d >= "971" && d <= "976":
		return true
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// Strate is a demographic stratum of communes.
type Strate string

// Strata of the DGCL's "Les finances des communes" tables. Persisted: never renumber.
const (
	StrateMoins100    Strate = "0-99"
	Strate100a199     Strate = "100-199"
	Strate200a499     Strate = "200-499"
	Strate500a1999    Strate = "500-1999"
	Strate2000a3499   Strate = "2000-3499"
	Strate3500a4999   Strate = "3500-4999"
	Strate5000a9999   Strate = "5000-9999"
	Strate10000a19999 Strate = "10000-19999"
	Strate20000Plus   Strate = "20000+"
)

// StrateDe returns the stratum of a commune of the given population.
func StrateDe(population int) Strate {
	switch {
	case population < 100:
		return StrateMoins100
	case population < 200:
		return Strate100a199
	case population < 500:
		return Strate200a499
	case population < 2000:
		return Strate500a1999
	case population < 3500:
		return Strate2000a3499
	case population < 5000:
		return Strate3500a4999
	case population < 10000:
		return Strate5000a9999
	case population < 20000:
		return Strate10000a19999
	}
	return Strate20000Plus
}
