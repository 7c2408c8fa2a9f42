package sqlite

import (
	"strings"
	"testing"

	"xdemat/agent"
)

func TestExtraitDesResultats(t *testing.T) {
	long := "Le conseil municipal, après en avoir délibéré, décide d'approuver les travaux de voirie du chemin des Écoliers pour un montant de 12 500 euros hors taxes et autorise le maire à signer."
	cas := []struct {
		nom      string
		colonnes []string
		q        string
		veut     string // [ ] for the marks
	}{
		{"sans accent ni majuscule", []string{"Délibération sur la cantine"}, "deliberation", "[Délibération] sur la cantine"},
		{"début de mot tapé", []string{"Travaux de voirie"}, "voi", "Travaux de [voirie]"},
		{"objet sans le mot : le texte du PDF", []string{"Travaux", long}, "ecoliers", "…voirie du chemin des [Écoliers] pour un montant de 12 500 euros…"},
		{"plusieurs mots marqués", []string{"Tarifs de la cantine scolaire"}, "cantine tarif", "[Tarifs] de la [cantine] scolaire"},
		{"rien de trouvé", []string{"Tarifs"}, "piscine", ""},
		{"rien de tapé", []string{"Tarifs"}, "", ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			got := extrait(c.colonnes, motsCherches(c.q))
			got = strings.NewReplacer(agent.DebutSurligne, "[", agent.FinSurligne, "]").Replace(got)
			if got != c.veut {
				t.Fatalf("extrait %q, attendu %q", got, c.veut)
			}
		})
	}
}
