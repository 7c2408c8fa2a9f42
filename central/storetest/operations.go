package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

func testOperations(t *testing.T, open Opener) {
	t.Run("lot appliqué", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Bouzy")
		p := poste(t, s, a.ID, "MAIRIE")
		d := document(t, s, p, "registre des délibérations 2025")
		batch := []*xdemat.Operation{op(1, d.SHA256), op(2), op(3, d.SHA256)}
		batch[1].Payload = nil
		batch[1].Auteur = ""
		apply(t, s, p, batch, 3)

		if ack := must(s.Ack(as(p)))(t); ack != 3 {
			t.Fatalf("Ack = %d, want 3", ack)
		}
		if got := must(s.FindPoste(context.Background(), p.ID))(t); got.DernierSeq != 3 {
			t.Fatalf("DernierSeq = %d, want 3", got.DernierSeq)
		}
		got := must(s.ListOperations(as(p)))(t)
		if len(got) != 3 {
			t.Fatalf("%d operations, want 3", len(got))
		}
		for i, o := range got {
			want := batch[i]
			if o.ID != want.ID || o.Seq != want.Seq || o.Type != want.Type || o.Auteur != want.Auteur ||
				string(o.Payload) != string(want.Payload) || len(o.Documents) != len(want.Documents) {
				t.Fatalf("operation %d = %+v, want %+v", i, o, want)
			}
			for k := range o.Documents {
				if o.Documents[k] != want.Documents[k] {
					t.Fatalf("operation %d Documents = %v, want %v", i, o.Documents, want.Documents)
				}
			}
			sameTime(t, "CreeLe", o.CreeLe, us(want.CreeLe))
		}

		evs := events(t, s, p)[3:] // after poste.enrole, its notification and document.recu
		if len(evs) != 3 {
			t.Fatalf("%d operation events, want 3", len(evs))
		}
		for i, e := range evs {
			var payload struct {
				Type string `json:"type"`
				Seq  int64  `json:"seq"`
			}
			if err := json.Unmarshal(e.Payload, &payload); err != nil {
				t.Fatalf("event payload %q: %v", e.Payload, err)
			}
			if e.Type != xdemat.EvenementOperationRecue || e.Objet != batch[i].ID || e.PosteID != p.ID ||
				payload.Type != "acte.cree" || payload.Seq != int64(i+1) {
				t.Fatalf("event %d = %+v (payload %s)", i, e, e.Payload)
			}
			sameTime(t, "event CreeLe", e.CreeLe, us(t0.Add(time.Hour)))
		}
		j := journal(t, s, p)
		if len(j) != 5 {
			t.Fatalf("%d journal entries, want 5", len(j))
		}
		for i, e := range j[2:] {
			if e.Action != "acte.cree" || e.Objet != batch[i].ID {
				t.Fatalf("journal entry %d = %+v", i, e)
			}
		}
	})

	t.Run("lot vide", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Bouzy").ID, "MAIRIE")
		apply(t, s, p, nil, 0)
		apply(t, s, p, ops(1, 2), 2)
		apply(t, s, p, []*xdemat.Operation{}, 2)
	})

	t.Run("rejeu sans effet", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Bouzy").ID, "MAIRIE")
		batch := ops(1, 3)
		apply(t, s, p, batch, 3)
		before := snap(t, s, p)
		apply(t, s, p, batch, 3)
		apply(t, s, p, batch[1:2], 3)
		wantSnap(t, s, p, before)

		// A batch that overlaps the acknowledged part: only the new one is stored.
		apply(t, s, p, append(batch[1:], op(4)), 4)
		before.ack, before.ops, before.events, before.journal = 4, before.ops+1, before.events+1, before.journal+1
		wantSnap(t, s, p, before)

		// The same operation twice in one batch.
		five := op(5)
		apply(t, s, p, []*xdemat.Operation{five, five}, 5)
	})

	t.Run("opération refusée, rien n'est enregistré", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Bouzy")
		p := poste(t, s, a.ID, "MAIRIE")
		other := poste(t, s, a.ID, "ACCUEIL")
		stored := ops(1, 4)
		apply(t, s, p, stored, 4)
		apply(t, s, other, ops(1, 1), 1)
		doc := document(t, s, p, "budget primitif")
		otherCommune := poste(t, s, commune(t, s, "Ambonnay").ID, "MAIRIE")
		foreignDoc := document(t, s, otherCommune, "document d'une autre commune")
		before := snap(t, s, p)

		replayWithOtherID := op(2)
		invalid := op(5)
		invalid.ID = "pas-un-uuid"
		badType := op(5)
		badType.Type = "Acte"
		badJSON := op(5)
		badJSON.Payload = json.RawMessage(`{"numero":`)
		badHash := op(5, "ABC")
		nulAuthor := op(5)
		nulAuthor.Auteur = "secr\x00taire"
		sameIDAsOtherPoste := op(5)
		sameIDAsOtherPoste.ID = must(s.ListOperations(as(other)))(t)[4].ID

		for _, tc := range []struct {
			name  string
			batch []*xdemat.Operation
			code  string
			text  string
		}{
			{"trou dans la séquence", []*xdemat.Operation{op(7)}, xdemat.ECONFLICT,
				"Opération n°7 reçue alors que la n°5 est attendue : l'agent va renvoyer les opérations manquantes."},
			{"trou après une opération valide", []*xdemat.Operation{op(5), op(7)}, xdemat.ECONFLICT,
				"Opération n°7 reçue alors que la n°6 est attendue : l'agent va renvoyer les opérations manquantes."},
			{"lot dans le désordre", []*xdemat.Operation{op(6), op(5)}, xdemat.ECONFLICT, ""},
			{"rejeu avec un autre identifiant", []*xdemat.Operation{replayWithOtherID}, xdemat.ECONFLICT, ""},
			{"nouvelle opération puis rejeu avec un autre identifiant", []*xdemat.Operation{op(5), replayWithOtherID}, xdemat.ECONFLICT, ""},
			{"identifiant déjà reçu d'un autre poste", []*xdemat.Operation{sameIDAsOtherPoste}, xdemat.ECONFLICT, ""},
			{"identifiant déjà reçu sous un autre numéro", []*xdemat.Operation{{ID: stored[0].ID, Seq: 5, Type: "acte.cree", CreeLe: t0}}, xdemat.ECONFLICT, ""},
			{"document inconnu", []*xdemat.Operation{op(5, doc.SHA256), op(6, hash("jamais envoyé"))}, xdemat.EINVALID, ""},
			{"document d'une autre commune", []*xdemat.Operation{op(5, foreignDoc.SHA256)}, xdemat.EINVALID, ""},
			{"identifiant invalide", []*xdemat.Operation{op(5), invalid}, xdemat.EINVALID, ""},
			{"numéro nul", []*xdemat.Operation{op(0)}, xdemat.EINVALID, ""},
			{"type invalide", []*xdemat.Operation{badType}, xdemat.EINVALID, ""},
			{"contenu JSON invalide", []*xdemat.Operation{badJSON}, xdemat.EINVALID, ""},
			{"empreinte invalide", []*xdemat.Operation{badHash}, xdemat.EINVALID, ""},
			{"auteur avec un octet nul", []*xdemat.Operation{nulAuthor}, xdemat.EINVALID, ""},
			{"opération absente", []*xdemat.Operation{op(5), nil}, xdemat.EINVALID, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ack, err := s.ApplyOperations(as(p), tc.batch, t0.Add(time.Hour))
				wantError(t, err, tc.code, tc.text)
				if ack != 0 {
					t.Fatalf("ack = %d on error", ack)
				}
				wantSnap(t, s, p, before)
			})
		}
		// The poste goes on after the refusals.
		apply(t, s, p, []*xdemat.Operation{op(5, doc.SHA256)}, 5)
	})

	t.Run("deux postes de la même commune, chacun sa séquence", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Bouzy")
		p1, p2 := poste(t, s, a.ID, "MAIRIE"), poste(t, s, a.ID, "ACCUEIL")
		var arrival []string
		send := func(p *xdemat.Poste, batch []*xdemat.Operation, ack int64) {
			t.Helper()
			apply(t, s, p, batch, ack)
			for _, o := range batch {
				arrival = append(arrival, o.ID)
			}
		}
		send(p1, ops(1, 2), 2)
		send(p2, ops(1, 3), 3)
		send(p1, ops(3, 3), 3)
		if a1, a2 := must(s.Ack(as(p1)))(t), must(s.Ack(as(p2)))(t); a1 != 3 || a2 != 3 {
			t.Fatalf("Ack = %d and %d, want 3 and 3", a1, a2)
		}
		got := must(s.ListOperations(as(p2)))(t)
		if len(got) != len(arrival) {
			t.Fatalf("%d operations, want %d", len(got), len(arrival))
		}
		for i, o := range got {
			if o.ID != arrival[i] {
				t.Fatalf("operation %d is %s, want %s (order of arrival)", i, o.ID, arrival[i])
			}
		}
		if j := journal(t, s, p1); len(j) != 2+len(arrival) {
			t.Fatalf("%d journal entries, want %d", len(j), 2+len(arrival))
		}
	})

	t.Run("poste révoqué", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Bouzy").ID, "MAIRIE")
		apply(t, s, p, ops(1, 1), 1)
		if err := s.RevokePoste(context.Background(), p.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		before := snap(t, s, p)
		_, err := s.ApplyOperations(as(p), ops(2, 2), t0.Add(2*time.Hour))
		wantError(t, err, xdemat.EFORBIDDEN, "")
		wantSnap(t, s, p, before)
	})

	t.Run("poste inconnu ou d'une autre commune", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Bouzy"), commune(t, s, "Ambonnay")
		pa := poste(t, s, a.ID, "MAIRIE")
		pb := poste(t, s, b.ID, "MAIRIE")
		forged := *pa
		forged.CommuneID = b.ID
		ghost := &xdemat.Poste{ID: uuid.NewString(), CommuneID: a.ID}
		for _, p := range []*xdemat.Poste{&forged, ghost} {
			_, err := s.ApplyOperations(as(p), ops(1, 1), t0)
			wantError(t, err, xdemat.EUNAUTHORIZED, "")
			_, err = s.Ack(as(p))
			wantError(t, err, xdemat.EUNAUTHORIZED, "")
		}
		wantSnap(t, s, pa, snapshot{events: 2, journal: 1})
		wantSnap(t, s, pb, snapshot{events: 2, journal: 1})
	})

	t.Run("même lot envoyé deux fois à la fois", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Bouzy").ID, "MAIRIE")
		batch := ops(1, 20)
		var wg sync.WaitGroup
		acks, errs := make([]int64, 4), make([]error, 4)
		for i := range acks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acks[i], errs[i] = s.ApplyOperations(as(p), batch, t0.Add(time.Hour))
			}()
		}
		wg.Wait()
		for i := range acks {
			if errs[i] != nil || acks[i] != 20 {
				t.Fatalf("sender %d: ack %d, error %v", i, acks[i], errs[i])
			}
		}
		wantSnap(t, s, p, snapshot{ack: 20, ops: 20, events: 22, journal: 21})
	})
}
