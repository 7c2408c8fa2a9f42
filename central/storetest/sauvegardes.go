package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

// rapport returns a backup report of a run that ended at fin.
func rapport(typ string, statut xdemat.StatutSauvegarde, fin time.Time) *xdemat.Sauvegarde {
	sv := &xdemat.Sauvegarde{ID: uuid.NewString(), Type: typ, Debut: fin.Add(-7 * time.Minute), Fin: fin, Statut: statut,
		Instantane: "4bba301e", FichiersNouveaux: 12, FichiersModifies: 3, FichiersInchanges: 4000, OctetsAjoutes: 1 << 20, OctetsTraites: 3 << 30}
	if !statut.Reussie() {
		sv.Instantane, sv.Erreur = "", "Le serveur de la SPL ne répond pas."
	}
	return sv
}

func testSauvegardes(t *testing.T, open Opener) {
	ctx := context.Background()
	nuit := t0.Add(-24 * time.Hour)

	t.Run("rapports d'un poste : enregistrés une fois, au nom du poste qui les envoie, dans sa commune", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Hautvillers"), commune(t, s, "Cumières")
		p := poste(t, s, a.ID, "MAIRIE")
		poste(t, s, b.ID, "MAIRIE")
		ok := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeReussie, nuit)
		ok.PosteID = uuid.NewString() // forged: the sending poste wins
		echec := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeEchouee, t0)
		apply(t, s, p, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationSauvegardeTerminee, ok),
			opXpostit(t, 2, xdemat.OperationSauvegardeTerminee, echec),
			opXpostit(t, 3, xdemat.OperationSauvegardeTerminee, ok), // resent after a lost answer
		}, 3)
		got := must(s.ListSauvegardes(ctx, a.ID, 10))(t)
		if len(got) != 2 || got[0].ID != echec.ID || got[1].ID != ok.ID {
			t.Fatalf("ListSauvegardes = %v, want the failure then the success", got)
		}
		if got[1].PosteID != p.ID || got[0].Erreur != echec.Erreur || got[1].OctetsTraites != ok.OctetsTraites {
			t.Errorf("report stored as %+v", got[1])
		}
		sameTime(t, "Fin", got[1].Fin, us(ok.Fin))
		if other := must(s.ListSauvegardes(ctx, b.ID, 10))(t); len(other) != 0 {
			t.Errorf("the other commune sees %d reports", len(other))
		}
		if len(must(s.ListSauvegardes(ctx, a.ID, 1))(t)) != 1 {
			t.Error("limit ignored")
		}
	})

	t.Run("rapport illisible : tout le lot est refusé", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		for _, tc := range []struct {
			name string
			sv   *xdemat.Sauvegarde
		}{
			{"état inconnu", func() *xdemat.Sauvegarde { sv := rapport(xdemat.TypeSauvegarde, "perdue", t0); return sv }()},
			{"fin avant le début", func() *xdemat.Sauvegarde {
				sv := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeReussie, t0)
				sv.Fin = sv.Debut.Add(-time.Second)
				return sv
			}()},
			{"compteur négatif", func() *xdemat.Sauvegarde {
				sv := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeReussie, t0)
				sv.FichiersNouveaux = -1
				return sv
			}()},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.ApplyOperations(as(p), []*xdemat.Operation{
					opXpostit(t, 1, xdemat.OperationSauvegardeTerminee, rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeReussie, t0)),
					opXpostit(t, 2, xdemat.OperationSauvegardeTerminee, tc.sv),
				}, t0)
				wantError(t, err, xdemat.EINVALID, "")
				if n := len(must(s.ListSauvegardes(ctx, a.ID, 10))(t)); n != 0 {
					t.Errorf("%d reports stored from a refused batch", n)
				}
			})
		}
	})

	t.Run("bilan de la console : dernière réussite, dernier échec, nombre de sauvegardes, espace", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Hautvillers"), commune(t, s, "Cumières")
		p := poste(t, s, a.ID, "MAIRIE")
		ancienne := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeReussie, t0.Add(-60*24*time.Hour))
		reussie := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardePartielle, nuit)
		exercice := rapport(xdemat.TypeExercice, xdemat.SauvegardeReussie, t0.Add(-time.Hour)) // a drill is not a backup
		echec := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeRefusee, t0.Add(-2*time.Hour))
		annulee := rapport(xdemat.TypeSauvegarde, xdemat.SauvegardeAnnulee, t0) // not a failure
		var batch []*xdemat.Operation
		for i, sv := range []*xdemat.Sauvegarde{ancienne, reussie, exercice, echec, annulee} {
			batch = append(batch, opXpostit(t, int64(i+1), xdemat.OperationSauvegardeTerminee, sv))
		}
		apply(t, s, p, batch, 5)
		if err := s.SetQuotaSauvegarde(ctx, b.ID, 100<<30, t0); err != nil {
			t.Fatal(err)
		}
		bilans := must(s.BilansSauvegarde(ctx, t0.Add(-30*24*time.Hour)))(t)
		if len(bilans) != 2 || bilans[0].Commune.ID != b.ID || bilans[1].Commune.ID != a.ID {
			t.Fatalf("BilansSauvegarde = %d bilans, want Cumières then Hautvillers", len(bilans))
		}
		vide, ba := bilans[0], bilans[1]
		if vide.Quota != 100<<30 || vide.DerniereReussie != nil || vide.DernierEchec != nil || vide.Executions != 0 || !vide.Premiere.IsZero() {
			t.Errorf("commune without backups: %+v", vide)
		}
		if ba.Quota != xdemat.QuotaSauvegardeDefaut {
			t.Errorf("Quota = %d, want the offer's", ba.Quota)
		}
		if ba.DerniereReussie == nil || ba.DerniereReussie.ID != reussie.ID {
			t.Errorf("DerniereReussie = %+v, want the partial backup of last night", ba.DerniereReussie)
		}
		if ba.DernierEchec == nil || ba.DernierEchec.ID != echec.ID {
			t.Errorf("DernierEchec = %+v, want the refused one", ba.DernierEchec)
		}
		if ba.Executions != 3 {
			t.Errorf("Executions = %d, want 3 backups in 30 days (the drill and the old one apart)", ba.Executions)
		}
		sameTime(t, "Premiere", ba.Premiere, us(ancienne.Debut))
	})

	t.Run("quota : celui de l'offre, changé par la SPL, puis rétabli", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		steps := []struct {
			name  string
			set   int64
			want  int64
			setIt bool
		}{
			{"offre", 0, xdemat.QuotaSauvegardeDefaut, false},
			{"agrandi", 100 << 30, 100 << 30, true},
			{"réduit", 20 << 30, 20 << 30, true},
			{"rétabli", 0, xdemat.QuotaSauvegardeDefaut, true},
		}
		for _, st := range steps {
			if st.setIt {
				if err := s.SetQuotaSauvegarde(ctx, a.ID, st.set, t0); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			if got := must(s.QuotaSauvegarde(ctx, a.ID))(t); got != st.want {
				t.Errorf("%s: quota %d, want %d", st.name, got, st.want)
			}
		}
		wantError(t, s.SetQuotaSauvegarde(ctx, uuid.NewString(), 1<<30, t0), xdemat.ENOTFOUND, "")
	})
}
