package xdemat_test

import (
	"testing"

	"xdemat"
)

func TestValidationDeLaCommune(t *testing.T) {
	for _, tc := range []struct {
		nom     string
		commune xdemat.Commune
		code    string
	}{
		{"commune de démonstration valide", xdemat.Commune{SIREN: "215100009", Nom: "Commune de Démonstration", Departement: "51", Population: 180}, ""},
		{"commune corse", xdemat.Commune{SIREN: "215100009", Nom: "Ajaccio", Departement: "2A", Population: 70000}, ""},
		{"commune d'outre-mer", xdemat.Commune{SIREN: "215100009", Nom: "Basse-Terre", Departement: "971", Population: 10000}, ""},
		{"SIREN avec une clé fausse", xdemat.Commune{SIREN: "123456789", Nom: "X", Departement: "51"}, xdemat.EINVALID},
		{"SIREN trop court", xdemat.Commune{SIREN: "21510000", Nom: "X", Departement: "51"}, xdemat.EINVALID},
		{"SIREN avec des lettres", xdemat.Commune{SIREN: "21510000A", Nom: "X", Departement: "51"}, xdemat.EINVALID},
		{"nom vide", xdemat.Commune{SIREN: "215100009", Nom: "  ", Departement: "51"}, xdemat.EINVALID},
		{"département inconnu", xdemat.Commune{SIREN: "215100009", Nom: "X", Departement: "99"}, xdemat.EINVALID},
		{"population négative", xdemat.Commune{SIREN: "215100009", Nom: "X", Departement: "08", Population: -1}, xdemat.EINVALID},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			err := tc.commune.Validate()
			if got := xdemat.ErrorCode(err); got != tc.code {
				t.Fatalf("code = %q, attendu %q (%v)", got, tc.code, err)
			}
			if err != nil && xdemat.ErrorMessage(err) == "" {
				t.Fatal("une erreur doit porter un message en français")
			}
		})
	}
}

func TestStrateDemographique(t *testing.T) {
	for _, tc := range []struct {
		population int
		strate     xdemat.Strate
	}{
		{0, xdemat.StrateMoins100}, {99, xdemat.StrateMoins100}, {100, xdemat.Strate100a199},
		{180, xdemat.Strate100a199}, {499, xdemat.Strate200a499}, {500, xdemat.Strate500a1999},
		{3499, xdemat.Strate2000a3499}, {3500, xdemat.Strate3500a4999}, {9999, xdemat.Strate5000a9999},
		{19999, xdemat.Strate10000a19999}, {20000, xdemat.Strate20000Plus},
	} {
		if got := xdemat.StrateDe(tc.population); got != tc.strate {
			t.Errorf("StrateDe(%d) = %s, attendu %s", tc.population, got, tc.strate)
		}
	}
}

func TestRolesEtLibelles(t *testing.T) {
	for _, r := range []xdemat.Role{xdemat.RoleSecretaire, xdemat.RoleMaire, xdemat.RoleAdjoint, xdemat.RoleElu, xdemat.RoleTechnicien, xdemat.RoleAdministrateur} {
		if !r.Valid() {
			t.Errorf("rôle %s non reconnu", r)
		}
	}
	if xdemat.Role("pompier").Valid() {
		t.Error("un rôle inconnu ne doit pas être valide")
	}
	if !xdemat.RoleMaire.PeutSigner() || xdemat.RoleSecretaire.PeutSigner() {
		t.Error("seuls le maire et les adjoints signent")
	}
	u := xdemat.Utilisateur{Nom: "Lœuvre", Prenom: "Françoise", Role: xdemat.RoleSecretaire}
	if xdemat.ErrorCode(u.Validate()) != xdemat.EINVALID {
		t.Error("une secrétaire doit être rattachée à une commune")
	}
	u.CommuneID = "c1"
	if err := u.Validate(); err != nil || u.NomComplet() != "Françoise Lœuvre" {
		t.Fatalf("Validate = %v, NomComplet = %q", err, u.NomComplet())
	}
}

func TestTailleLisible(t *testing.T) {
	for n, want := range map[int64]string{0: "0 octets", 1023: "1023 octets", 1536: "1,5 Ko", 1 << 20: "1 Mo", 512 << 20: "512 Mo", 2_500_000_000: "2,3 Go"} {
		if got := xdemat.Octets(n); got != want {
			t.Errorf("Octets(%d) = %q, attendu %q", n, got, want)
		}
	}
}
