package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

func testPostes(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("poste inconnu", func(t *testing.T) {
		s := open.new(t)
		for _, id := range []string{uuid.NewString(), "", "pas-un-uuid", "' OR 1=1 --"} {
			_, err := s.FindPoste(ctx, id)
			wantError(t, err, xdemat.ENOTFOUND, "")
		}
		wantError(t, s.RevokePoste(ctx, uuid.NewString(), t0), xdemat.ENOTFOUND, "")
		wantError(t, s.TouchPoste(ctx, uuid.NewString(), t0, "1.0.0", 0), xdemat.ENOTFOUND, "")
	})

	t.Run("liste par commune puis par nom", func(t *testing.T) {
		s := open.new(t)
		b := commune(t, s, "Bouzy")
		a := commune(t, s, "Ambonnay")
		pb2 := poste(t, s, b.ID, "SECRETARIAT")
		pa := poste(t, s, a.ID, "MAIRIE")
		pb1 := poste(t, s, b.ID, "ACCUEIL")

		all := must(s.ListPostes(ctx, ""))(t)
		if ids := posteIDs(all); len(ids) != 3 || ids[0] != pa.ID || ids[1] != pb1.ID || ids[2] != pb2.ID {
			t.Fatalf("ListPostes(\"\") = %v, want [%s %s %s]", ids, pa.ID, pb1.ID, pb2.ID)
		}
		if ids := posteIDs(must(s.ListPostes(ctx, b.ID))(t)); len(ids) != 2 || ids[0] != pb1.ID || ids[1] != pb2.ID {
			t.Fatalf("ListPostes(b) = %v", ids)
		}
		if ps := must(s.ListPostes(ctx, uuid.NewString()))(t); len(ps) != 0 {
			t.Fatalf("ListPostes(unknown) = %v", posteIDs(ps))
		}
	})

	t.Run("révocation", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Verzy")
		p := poste(t, s, a.ID, "MAIRIE")
		witness := poste(t, s, a.ID, "ECOLE")
		at := t0.Add(5 * time.Hour)
		if err := s.RevokePoste(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
		got := must(s.FindPoste(ctx, p.ID))(t)
		if got.Statut != xdemat.PosteRevoque {
			t.Fatalf("Statut = %q", got.Statut)
		}
		sameTime(t, "RevoqueLe", got.RevoqueLe, us(at))

		evs := events(t, s, witness) // each enrollment: poste.enrole and its notification
		if len(evs) != 6 || evs[4].Type != xdemat.EvenementPosteRevoque || evs[4].Objet != p.ID || evs[5].Type != xdemat.OperationNotificationCreee {
			t.Fatalf("events = %+v", evs)
		}
		var n xdemat.Notification
		if err := json.Unmarshal(evs[5].Payload, &n); err != nil || n.Type != xdemat.NotificationPosteRevoque || n.Severite != xdemat.SeveriteCritique {
			t.Fatalf("revocation notification = %s (%v)", evs[5].Payload, err)
		}
		j := journal(t, s, witness)
		if len(j) != 3 || j[2].Action != xdemat.EvenementPosteRevoque || j[2].Objet != p.ID {
			t.Fatalf("journal = %+v", j)
		}

		// Revoking again changes nothing.
		if err := s.RevokePoste(ctx, p.ID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		sameTime(t, "RevoqueLe after second revocation", must(s.FindPoste(ctx, p.ID))(t).RevoqueLe, us(at))
		if n := len(events(t, s, witness)); n != 6 {
			t.Fatalf("%d events after second revocation, want 6", n)
		}
		if w := must(s.FindPoste(ctx, witness.ID))(t); w.Statut != xdemat.PosteActif {
			t.Fatalf("other poste's Statut = %q", w.Statut)
		}
	})

	t.Run("poste vu", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Mailly-Champagne")
		p := poste(t, s, a.ID, "MAIRIE")
		steps := []struct {
			name      string
			at        time.Time
			version   string
			enAttente int64
			want      xdemat.Poste
		}{
			{"première requête", t0.Add(time.Hour), "1.3.0", 12, xdemat.Poste{Version: "1.3.0", EnAttente: 12}},
			{"file vidée", t0.Add(2 * time.Hour), "1.3.0", 0, xdemat.Poste{Version: "1.3.0", EnAttente: 0}},
			{"nombre inconnu : -1 garde la valeur", t0.Add(3 * time.Hour), "1.4.0", 7, xdemat.Poste{Version: "1.4.0", EnAttente: 7}},
			{"-1 garde 7", t0.Add(4 * time.Hour), "1.4.1", -1, xdemat.Poste{Version: "1.4.1", EnAttente: 7}},
			{"version vide gardée", t0.Add(5 * time.Hour), "", -1, xdemat.Poste{Version: "1.4.1", EnAttente: 7}},
		}
		for _, st := range steps {
			if err := s.TouchPoste(ctx, p.ID, st.at, st.version, st.enAttente); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			got := must(s.FindPoste(ctx, p.ID))(t)
			if got.Version != st.want.Version || got.EnAttente != st.want.EnAttente {
				t.Fatalf("%s: Version %q EnAttente %d, want %q %d", st.name, got.Version, got.EnAttente, st.want.Version, st.want.EnAttente)
			}
			sameTime(t, st.name+": VuLe", got.VuLe, us(st.at))
		}
		if n := len(events(t, s, p)); n != 2 {
			t.Fatalf("TouchPoste appended events: %d, want 2 (those of the enrollment)", n)
		}
	})
}

func posteIDs(ps []*xdemat.Poste) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}
