package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

func testCommunes(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("création puis lecture", func(t *testing.T) {
		s := open.new(t)
		c := &xdemat.Commune{SIREN: SIREN(), Nom: "  Sainte-Menehould ", Departement: "51", Population: 4303}
		if err := s.CreateCommune(ctx, c); err != nil {
			t.Fatal(err)
		}
		if !xdemat.ValidUUID(c.ID) {
			t.Fatalf("ID %q is not a lowercase UUID", c.ID)
		}
		if c.Nom != "Sainte-Menehould" || c.CreeLe.IsZero() {
			t.Fatalf("after create: %+v", c)
		}
		got := must(s.FindCommune(ctx, c.ID))(t)
		if got.ID != c.ID || got.SIREN != c.SIREN || got.Nom != c.Nom || got.Departement != "51" || got.Population != 4303 {
			t.Fatalf("FindCommune = %+v, want %+v", got, c)
		}
		sameTime(t, "CreeLe", got.CreeLe, c.CreeLe)
	})

	t.Run("identifiant et date fournis conservés", func(t *testing.T) {
		s := open.new(t)
		c := &xdemat.Commune{ID: uuid.NewString(), SIREN: SIREN(), Nom: "Ajaccio", Departement: "2A", Population: 73000, CreeLe: t0}
		if err := s.CreateCommune(ctx, c); err != nil {
			t.Fatal(err)
		}
		got := must(s.FindCommune(ctx, c.ID))(t)
		sameTime(t, "CreeLe", got.CreeLe, us(t0))
		sameTime(t, "CreeLe given back", c.CreeLe, us(t0))
	})

	t.Run("commune refusée", func(t *testing.T) {
		s := open.new(t)
		existing := commune(t, s, "Vitry-le-François")
		for _, tc := range []struct {
			name    string
			commune xdemat.Commune
			code    string
		}{
			{"nom vide", xdemat.Commune{SIREN: SIREN(), Nom: "  ", Departement: "51"}, xdemat.EINVALID},
			{"SIREN à clé fausse", xdemat.Commune{SIREN: "123456789", Nom: "Reims", Departement: "51"}, xdemat.EINVALID},
			{"SIREN trop court", xdemat.Commune{SIREN: "12345", Nom: "Reims", Departement: "51"}, xdemat.EINVALID},
			{"département inconnu", xdemat.Commune{SIREN: SIREN(), Nom: "Reims", Departement: "99"}, xdemat.EINVALID},
			{"population négative", xdemat.Commune{SIREN: SIREN(), Nom: "Reims", Departement: "51", Population: -1}, xdemat.EINVALID},
			{"identifiant qui n'est pas un UUID", xdemat.Commune{ID: "reims", SIREN: SIREN(), Nom: "Reims", Departement: "51"}, xdemat.EINVALID},
			{"SIREN en double", xdemat.Commune{SIREN: existing.SIREN, Nom: "Autre nom", Departement: "51"}, xdemat.ECONFLICT},
			{"identifiant en double", xdemat.Commune{ID: existing.ID, SIREN: SIREN(), Nom: "Autre", Departement: "51"}, xdemat.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.commune
				wantError(t, s.CreateCommune(ctx, &c), tc.code, "")
			})
		}
		if n := len(must(s.ListCommunes(ctx))(t)); n != 1 {
			t.Fatalf("%d communes after refusals, want 1", n)
		}
	})

	t.Run("commune inconnue", func(t *testing.T) {
		s := open.new(t)
		_, err := s.FindCommune(ctx, uuid.NewString())
		wantError(t, err, xdemat.ENOTFOUND, "")
		_, err = s.FindCommune(ctx, "pas-un-uuid")
		wantError(t, err, xdemat.ENOTFOUND, "")
	})

	t.Run("liste par nom", func(t *testing.T) {
		s := open.new(t)
		if got := must(s.ListCommunes(ctx))(t); len(got) != 0 {
			t.Fatalf("empty store lists %d communes", len(got))
		}
		for _, nom := range []string{"Épernay", "Ay-Champagne", "Châlons-en-Champagne"} {
			commune(t, s, nom)
		}
		var noms []string
		for _, c := range must(s.ListCommunes(ctx))(t) {
			noms = append(noms, c.Nom)
		}
		// Byte order: the suite does not depend on the database's collation of accents.
		if len(noms) != 3 || noms[0] != "Ay-Champagne" || noms[1] != "Châlons-en-Champagne" {
			t.Fatalf("ListCommunes = %q", noms)
		}
	})

	t.Run("création concurrente du même SIREN", func(t *testing.T) {
		s := open.new(t)
		siren := SIREN()
		errs := make(chan error, 5)
		for i := 0; i < 5; i++ {
			go func() {
				errs <- s.CreateCommune(ctx, &xdemat.Commune{SIREN: siren, Nom: "Fismes", Departement: "51", CreeLe: time.Now()})
			}()
		}
		ok := 0
		for i := 0; i < 5; i++ {
			if err := <-errs; err == nil {
				ok++
			} else {
				wantError(t, err, xdemat.ECONFLICT, "")
			}
		}
		if ok != 1 {
			t.Fatalf("%d creations succeeded, want 1", ok)
		}
	})
}
