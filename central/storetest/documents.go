package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"xdemat"
)

func testDocuments(t *testing.T, open Opener) {
	t.Run("enregistrement et lecture", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Hautvillers").ID, "MAIRIE")
		d := &xdemat.Document{SHA256: hash("PV du conseil"), Taille: 13, NomOriginal: "pv-conseil.pdf"}
		now := t0.Add(time.Hour)
		if err := s.CreateDocument(as(p), d, now); err != nil {
			t.Fatal(err)
		}
		if d.TypeMedia != "application/pdf" {
			t.Fatalf("TypeMedia = %q, want application/pdf", d.TypeMedia)
		}
		got := must(s.FindDocument(as(p), d.SHA256))(t)
		if got.SHA256 != d.SHA256 || got.Taille != 13 || got.TypeMedia != "application/pdf" || got.NomOriginal != "pv-conseil.pdf" {
			t.Fatalf("FindDocument = %+v", got)
		}
		sameTime(t, "CreeLe", got.CreeLe, us(now))

		evs := events(t, s, p)
		e := evs[len(evs)-1]
		if len(evs) != 3 || e.Type != xdemat.EvenementDocumentRecu || e.Objet != d.SHA256 || e.PosteID != p.ID || len(e.Payload) == 0 {
			t.Fatalf("events = %+v", evs)
		}
		j := journal(t, s, p)
		if len(j) != 2 || j[1].Action != xdemat.EvenementDocumentRecu || j[1].Objet != d.SHA256 {
			t.Fatalf("journal = %+v", j)
		}
	})

	t.Run("même document enregistré deux fois", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Hautvillers").ID, "MAIRIE")
		d := document(t, s, p, "arrêté du maire")
		before := snap(t, s, p)
		again := &xdemat.Document{SHA256: d.SHA256, Taille: d.Taille, NomOriginal: "autre-nom.pdf"}
		if err := s.CreateDocument(as(p), again, t0.Add(24*time.Hour)); err != nil {
			t.Fatalf("second CreateDocument: %v", err)
		}
		wantSnap(t, s, p, before)
		if got := must(s.FindDocument(as(p), d.SHA256))(t); got.NomOriginal != d.NomOriginal {
			t.Fatalf("NomOriginal = %q, want the first %q", got.NomOriginal, d.NomOriginal)
		}

		// At the same time, from several goroutines.
		h := hash("envoyé en parallèle")
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.CreateDocument(as(p), &xdemat.Document{SHA256: h, Taille: 1, NomOriginal: "x.pdf"}, t0); err != nil {
					t.Errorf("concurrent CreateDocument: %v", err)
				}
			}()
		}
		wg.Wait()
		before.docs, before.events, before.journal = before.docs+1, before.events+1, before.journal+1
		wantSnap(t, s, p, before)
	})

	t.Run("document refusé", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Hautvillers").ID, "MAIRIE")
		for _, tc := range []struct {
			name string
			doc  xdemat.Document
			code string
		}{
			{"empreinte en majuscules", xdemat.Document{SHA256: "AB" + hash("x")[2:], NomOriginal: "a.pdf"}, xdemat.EINVALID},
			{"empreinte trop courte", xdemat.Document{SHA256: "abcd", NomOriginal: "a.pdf"}, xdemat.EINVALID},
			{"taille négative", xdemat.Document{SHA256: hash("x"), Taille: -1, NomOriginal: "a.pdf"}, xdemat.EINVALID},
			{"trop volumineux", xdemat.Document{SHA256: hash("x"), Taille: xdemat.TailleMaxDocument + 1, NomOriginal: "a.pdf"}, xdemat.ETOOLARGE},
			{"nom avec un chemin", xdemat.Document{SHA256: hash("x"), NomOriginal: "../a.pdf"}, xdemat.EINVALID},
			// PostgreSQL refuses these bytes in text: they must never reach it.
			{"nom avec un octet nul", xdemat.Document{SHA256: hash("x"), NomOriginal: "a\x00.pdf"}, xdemat.EINVALID},
			{"nom qui n'est pas de l'UTF-8", xdemat.Document{SHA256: hash("x"), NomOriginal: "\xff\xfe.pdf"}, xdemat.EINVALID},
			{"type avec un octet nul", xdemat.Document{SHA256: hash("x"), NomOriginal: "a.pdf", TypeMedia: "a\x00b"}, xdemat.EINVALID},
			{"type mal formé", xdemat.Document{SHA256: hash("x"), NomOriginal: "a.pdf", TypeMedia: "pas un type"}, xdemat.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := tc.doc
				wantError(t, s.CreateDocument(as(p), &d, t0), tc.code, "")
			})
		}
		wantSnap(t, s, p, snapshot{events: 2, journal: 1})
	})

	t.Run("document inconnu", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Hautvillers").ID, "MAIRIE")
		for _, h := range []string{hash("jamais reçu"), "pas-une-empreinte", ""} {
			_, err := s.FindDocument(as(p), h)
			wantError(t, err, xdemat.ENOTFOUND, "")
		}
	})

	t.Run("liste", func(t *testing.T) {
		s := open.new(t)
		p := poste(t, s, commune(t, s, "Hautvillers").ID, "MAIRIE")
		if got := must(s.ListDocuments(as(p)))(t); len(got) != 0 {
			t.Fatalf("ListDocuments = %+v", got)
		}
		want := map[string]bool{}
		for i, content := range []string{"budget", "compte administratif", "état civil 1902"} {
			d := &xdemat.Document{SHA256: hash(content), Taille: int64(len(content)), NomOriginal: content + ".pdf"}
			if err := s.CreateDocument(as(p), d, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
			want[d.SHA256] = true
		}
		got := must(s.ListDocuments(as(p)))(t)
		if len(got) != 3 || got[0].SHA256 != hash("budget") || got[2].SHA256 != hash("état civil 1902") {
			t.Fatalf("ListDocuments = %+v", got)
		}
		for _, d := range got {
			if !want[d.SHA256] {
				t.Fatalf("unexpected document %s", d.SHA256)
			}
		}
	})
}

func testEvenements(t *testing.T, open Opener) {
	s := open.new(t)
	a, b := commune(t, s, "Cramant"), commune(t, s, "Avize")
	pa := poste(t, s, a.ID, "MAIRIE")
	pb := poste(t, s, b.ID, "MAIRIE")
	// Interleave the two communes' events.
	for i := int64(1); i <= 5; i++ {
		apply(t, s, pa, ops(i, i), i)
		apply(t, s, pb, ops(i, i), i)
	}
	all := events(t, s, pa) // poste.enrole, its notification, 5 operation.recue

	t.Run("curseur croissant et filtre par commune", func(t *testing.T) {
		if len(all) != 7 {
			t.Fatalf("%d events, want 7", len(all))
		}
		for i, e := range all {
			if e.CommuneID != a.ID {
				t.Fatalf("event %d of commune %s in commune %s's list", e.Curseur, e.CommuneID, a.ID)
			}
			if i > 0 && e.Curseur <= all[i-1].Curseur {
				t.Fatalf("cursors not increasing: %d after %d", e.Curseur, all[i-1].Curseur)
			}
		}
		for _, e := range events(t, s, pb) {
			if e.CommuneID != b.ID {
				t.Fatalf("event of commune %s in commune %s's list", e.CommuneID, b.ID)
			}
		}
	})

	for _, tc := range []struct {
		name  string
		after int64
		limit int
		want  []*xdemat.Evenement
	}{
		{"depuis le début", 0, 100, all},
		{"après le deuxième", all[1].Curseur, 100, all[2:]},
		{"limite", 0, 2, all[:2]},
		{"après le deuxième, limite 3", all[1].Curseur, 3, all[2:5]},
		{"après le dernier", all[6].Curseur, 100, nil},
		{"au-delà de tout curseur", all[6].Curseur + 1_000_000, 100, nil},
		{"curseur négatif", -1, 100, all},
		{"limite nulle : valeur par défaut", 0, 0, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := must(s.Events(as(pa), tc.after, tc.limit))(t)
			if len(got) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].Curseur != tc.want[i].Curseur || got[i].Objet != tc.want[i].Objet {
					t.Fatalf("event %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func testJournal(t *testing.T, open Opener) {
	t.Run("chaîne vérifiable après toutes sortes d'écritures", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Le Mesnil-sur-Oger")
		p := poste(t, s, a.ID, "MAIRIE")
		d := document(t, s, p, "plan local d'urbanisme")
		apply(t, s, p, []*xdemat.Operation{op(1, d.SHA256), op(2)}, 2)
		p2 := poste(t, s, a.ID, "ACCUEIL")
		if err := s.RevokePoste(context.Background(), p2.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		j := journal(t, s, p)
		if len(j) != 6 {
			t.Fatalf("%d entries, want 6", len(j))
		}
		for i, e := range j {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has Seq %d", i, e.Seq)
			}
		}
		// The chain does detect a change.
		j[3].Details += " (modifié)"
		if err := xdemat.VerifierJournal(j); err == nil {
			t.Fatal("VerifierJournal accepted an altered entry")
		}
	})

	t.Run("écritures simultanées dans une commune", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Oger")
		var postes []*xdemat.Poste
		for i := range 4 {
			postes = append(postes, poste(t, s, a.ID, "PC-"+string(rune('A'+i))))
		}
		var wg sync.WaitGroup
		for i, p := range postes {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for seq := int64(1); seq <= 10; seq++ {
					if _, err := s.ApplyOperations(as(p), ops(seq, seq), t0); err != nil {
						t.Errorf("ApplyOperations: %v", err)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for k := range 5 {
					d := &xdemat.Document{SHA256: hash(string(rune('a'+i)) + string(rune('0'+k))), Taille: 2, NomOriginal: "d.pdf"}
					if err := s.CreateDocument(as(p), d, t0); err != nil {
						t.Errorf("CreateDocument: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		// 4 enrollments, 40 operations, 20 documents.
		if j := journal(t, s, postes[0]); len(j) != 64 {
			t.Fatalf("%d entries, want 64", len(j))
		}
		evs := events(t, s, postes[0])
		if len(evs) != 68 { // and the 4 enrollments' notifications
			t.Fatalf("%d events, want 68", len(evs))
		}
	})
}

func testIsolation(t *testing.T, open Opener) {
	s := open.new(t)
	a, b := commune(t, s, "Vertus"), commune(t, s, "Bergères-lès-Vertus")
	pa, pb := poste(t, s, a.ID, "MAIRIE"), poste(t, s, b.ID, "MAIRIE")
	da := document(t, s, pa, "document de Vertus")
	db := document(t, s, pb, "document de Bergères")
	apply(t, s, pa, []*xdemat.Operation{op(1, da.SHA256), op(2)}, 2)
	apply(t, s, pb, []*xdemat.Operation{op(1, db.SHA256)}, 1)
	want := snapshot{ack: 1, ops: 1, docs: 1, events: 4, journal: 3}

	t.Run("chaque commune ne voit que ses données", func(t *testing.T) {
		wantSnap(t, s, pb, want)
		for _, o := range must(s.ListOperations(as(pa)))(t) {
			if len(o.Documents) > 0 && o.Documents[0] == db.SHA256 {
				t.Fatal("commune A sees commune B's operation")
			}
		}
		for _, d := range must(s.ListDocuments(as(pa)))(t) {
			if d.SHA256 == db.SHA256 {
				t.Fatal("commune A sees commune B's document")
			}
		}
		for _, e := range events(t, s, pa) {
			if e.PosteID == pb.ID || e.Objet == pb.ID || e.Objet == db.SHA256 {
				t.Fatalf("commune A sees commune B's event %+v", e)
			}
		}
		for _, e := range journal(t, s, pa) {
			if e.Objet == pb.ID || e.Objet == db.SHA256 {
				t.Fatalf("commune A sees commune B's journal entry %+v", e)
			}
		}
	})

	t.Run("document d'une autre commune introuvable", func(t *testing.T) {
		_, err := s.FindDocument(as(pa), db.SHA256)
		wantError(t, err, xdemat.ENOTFOUND, "")
	})

	t.Run("opération sur un document d'une autre commune refusée", func(t *testing.T) {
		_, err := s.ApplyOperations(as(pa), []*xdemat.Operation{op(3, db.SHA256)}, t0)
		wantError(t, err, xdemat.EINVALID, "")
		wantSnap(t, s, pb, want)
	})

	t.Run("même document dans deux communes", func(t *testing.T) {
		shared := &xdemat.Document{SHA256: db.SHA256, Taille: db.Taille, NomOriginal: "copie.pdf"}
		if err := s.CreateDocument(as(pa), shared, t0); err != nil {
			t.Fatal(err)
		}
		if got := must(s.FindDocument(as(pa), db.SHA256))(t); got.NomOriginal != "copie.pdf" {
			t.Fatalf("commune A's copy: %+v", got)
		}
		if got := must(s.FindDocument(as(pb), db.SHA256))(t); got.NomOriginal != db.NomOriginal {
			t.Fatalf("commune B's document changed: %+v", got)
		}
		wantSnap(t, s, pb, want)
	})

	t.Run("un poste de la commune A ne touche pas aux données de B", func(t *testing.T) {
		apply(t, s, pa, ops(3, 4), 4)
		if err := s.RevokePoste(context.Background(), pa.ID, t0); err != nil {
			t.Fatal(err)
		}
		wantSnap(t, s, pb, want)
		if err := xdemat.VerifierJournal(journal(t, s, pb)); err != nil {
			t.Fatal(err)
		}
	})
}

func testNonAuthentifie(t *testing.T, open Opener) {
	s := open.new(t)
	p := poste(t, s, commune(t, s, "Cuis").ID, "MAIRIE")
	d := document(t, s, p, "document")
	before := snap(t, s, p)
	for _, ctx := range []struct {
		name string
		ctx  context.Context
	}{
		{"contexte sans poste", context.Background()},
		{"poste sans commune", as(&xdemat.Poste{ID: p.ID})},
		{"poste sans identifiant", as(&xdemat.Poste{CommuneID: p.CommuneID})},
	} {
		t.Run(ctx.name, func(t *testing.T) {
			c := ctx.ctx
			for _, call := range []struct {
				method string
				err    func() error
			}{
				{"ApplyOperations", func() error { _, err := s.ApplyOperations(c, ops(1, 1), t0); return err }},
				{"Ack", func() error { _, err := s.Ack(c); return err }},
				{"ListOperations", func() error { _, err := s.ListOperations(c); return err }},
				{"CreateDocument", func() error {
					return s.CreateDocument(c, &xdemat.Document{SHA256: hash("y"), NomOriginal: "y.pdf"}, t0)
				}},
				{"FindDocument", func() error { _, err := s.FindDocument(c, d.SHA256); return err }},
				{"ListDocuments", func() error { _, err := s.ListDocuments(c); return err }},
				{"Events", func() error { _, err := s.Events(c, 0, 10); return err }},
				{"Journal", func() error { _, err := s.Journal(c); return err }},
			} {
				if err := call.err(); xdemat.ErrorCode(err) != xdemat.EUNAUTHORIZED {
					t.Errorf("%s: error %v, want code %s", call.method, err, xdemat.EUNAUTHORIZED)
				}
			}
		})
	}
	wantSnap(t, s, p, before)
}
