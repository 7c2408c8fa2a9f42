package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

func testCodes(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("création et liste, du plus récent au plus ancien", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Sézanne"), commune(t, s, "Montmirail")
		c1 := code(t, s, a.ID, t0)
		c2 := code(t, s, b.ID, t0.Add(time.Hour))
		c3 := code(t, s, a.ID, t0.Add(2*time.Hour))

		got := must(s.ListCodes(ctx, a.ID))(t)
		if len(got) != 2 || got[0].Code != c3.Code || got[1].Code != c1.Code {
			t.Fatalf("ListCodes(a) = %v", codes(got))
		}
		if g := got[1]; g.CommuneID != a.ID || !g.UtiliseLe.IsZero() || !g.RevoqueLe.IsZero() || g.PosteID != "" {
			t.Fatalf("new code = %+v", g)
		}
		sameTime(t, "CreeLe", got[1].CreeLe, us(t0))
		sameTime(t, "ExpireLe", got[1].ExpireLe, us(t0.Add(xdemat.DureeCodeEnrolement)))

		all := must(s.ListCodes(ctx, ""))(t)
		if len(all) != 3 || all[0].Code != c3.Code || all[1].Code != c2.Code || all[2].Code != c1.Code {
			t.Fatalf("ListCodes(\"\") = %v", codes(all))
		}
		if got := must(s.ListCodes(ctx, uuid.NewString()))(t); len(got) != 0 {
			t.Fatalf("ListCodes(unknown commune) = %v", codes(got))
		}
	})

	t.Run("code refusé à la création", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Sézanne")
		existing := code(t, s, a.ID, t0)
		for _, tc := range []struct {
			name string
			code xdemat.CodeEnrolement
			want string
		}{
			{"commune inconnue", xdemat.CodeEnrolement{Code: "ABCD-EFGH-JKLM", CommuneID: uuid.NewString(), CreeLe: t0, ExpireLe: t0.Add(time.Hour)}, xdemat.ENOTFOUND},
			{"code vide", xdemat.CodeEnrolement{Code: " - ", CommuneID: a.ID, CreeLe: t0, ExpireLe: t0.Add(time.Hour)}, xdemat.EINVALID},
			{"sans date d'expiration", xdemat.CodeEnrolement{Code: "ABCD-EFGH-JKLN", CommuneID: a.ID, CreeLe: t0}, xdemat.EINVALID},
			{"expiration avant création", xdemat.CodeEnrolement{Code: "ABCD-EFGH-JKLP", CommuneID: a.ID, CreeLe: t0, ExpireLe: t0.Add(-time.Hour)}, xdemat.EINVALID},
			{"code en double", xdemat.CodeEnrolement{Code: existing.Code, CommuneID: a.ID, CreeLe: t0, ExpireLe: t0.Add(time.Hour)}, xdemat.ECONFLICT},
			{"même code sans tirets ni majuscules", xdemat.CodeEnrolement{Code: strings.ToLower(strings.ReplaceAll(existing.Code, "-", "")), CommuneID: a.ID, CreeLe: t0, ExpireLe: t0.Add(time.Hour)}, xdemat.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tc.code
				wantError(t, s.CreateCode(ctx, &c), tc.want, "")
			})
		}
		if got := must(s.ListCodes(ctx, ""))(t); len(got) != 1 {
			t.Fatalf("%d codes after refusals, want 1", len(got))
		}
	})

	t.Run("annulation", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Sézanne")
		c := code(t, s, a.ID, t0)
		if err := s.RevokeCode(ctx, c.Code, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got := must(s.ListCodes(ctx, a.ID))(t)
		sameTime(t, "RevoqueLe", got[0].RevoqueLe, us(t0.Add(time.Minute)))
		// A second cancellation changes nothing.
		if err := s.RevokeCode(ctx, c.Code, t0.Add(time.Hour)); err != nil {
			t.Fatalf("second RevokeCode: %v", err)
		}
		got = must(s.ListCodes(ctx, a.ID))(t)
		sameTime(t, "RevoqueLe after second revocation", got[0].RevoqueLe, us(t0.Add(time.Minute)))

		wantError(t, s.RevokeCode(ctx, "ZZZZ-ZZZZ-ZZZZ", t0), xdemat.ENOTFOUND, "")

		used := code(t, s, a.ID, t0)
		if err := s.Enroll(ctx, used.Code, &xdemat.Poste{Nom: "MAIRIE-01", ClePublique: cle(t)}, t0); err != nil {
			t.Fatal(err)
		}
		wantError(t, s.RevokeCode(ctx, used.Code, t0.Add(time.Minute)), xdemat.EFORBIDDEN, "")
	})
}

func codes(cs []*xdemat.CodeEnrolement) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func testEnrolement(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("enrôlement d'un poste", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Sainte-Menehould")
		c := code(t, s, a.ID, t0)
		key := cle(t)
		now := t0.Add(3 * time.Hour)
		p := &xdemat.Poste{ID: "ignored", CommuneID: "ignored", Nom: " MAIRIE-PC ", ClePublique: key, Version: "1.2.0", DernierSeq: 9, EnAttente: 4}
		if err := s.Enroll(ctx, c.Code, p, now); err != nil {
			t.Fatal(err)
		}
		if !xdemat.ValidUUID(p.ID) || p.CommuneID != a.ID || p.Statut != xdemat.PosteActif || p.Nom != "MAIRIE-PC" || p.DernierSeq != 0 || p.EnAttente != 0 {
			t.Fatalf("enrolled poste = %+v", p)
		}
		sameTime(t, "EnrolleLe", p.EnrolleLe, us(now))

		got := must(s.FindPoste(ctx, p.ID))(t)
		if got.ID != p.ID || got.CommuneID != a.ID || got.Nom != "MAIRIE-PC" || string(got.ClePublique) != string(key) ||
			got.Statut != xdemat.PosteActif || got.Version != "1.2.0" || got.DernierSeq != 0 || got.EnAttente != 0 || !got.RevoqueLe.IsZero() {
			t.Fatalf("FindPoste = %+v", got)
		}
		sameTime(t, "EnrolleLe", got.EnrolleLe, us(now))

		cs := must(s.ListCodes(ctx, a.ID))(t)
		if cs[0].PosteID != p.ID {
			t.Fatalf("code PosteID = %q, want %q", cs[0].PosteID, p.ID)
		}
		sameTime(t, "code UtiliseLe", cs[0].UtiliseLe, us(now))

		evs := events(t, s, p)
		if len(evs) != 2 || evs[0].Type != xdemat.EvenementPosteEnrole || evs[0].Objet != p.ID || evs[0].PosteID != p.ID || evs[0].CommuneID != a.ID {
			t.Fatalf("events = %+v", evs)
		}
		// The commune is told, in the app and by e-mail to whoever wants it.
		var n xdemat.Notification
		if err := json.Unmarshal(evs[1].Payload, &n); err != nil || evs[1].Type != xdemat.OperationNotificationCreee ||
			n.Type != xdemat.NotificationPosteEnrole || n.CommuneID != a.ID || n.Objet.Ecran != "diagnostic" || !strings.Contains(n.Titre, "MAIRIE-PC") {
			t.Fatalf("enrollment notification = %+v (%s, %v)", evs[1], evs[1].Payload, err)
		}
		j := journal(t, s, p)
		if len(j) != 1 || j[0].Action != xdemat.EvenementPosteEnrole || j[0].Objet != p.ID || j[0].Seq != 1 || j[0].Precedent != xdemat.GenesisHash {
			t.Fatalf("journal = %+v", j)
		}
		sameTime(t, "journal Date", j[0].Date, us(now))
	})

	t.Run("code saisi sans tirets ou en minuscules", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Givry-en-Argonne")
		for i, typed := range []func(string) string{
			func(c string) string { return strings.ReplaceAll(c, "-", "") },
			strings.ToLower,
			func(c string) string { return " " + strings.ReplaceAll(c, "-", " ") + " " },
		} {
			c := code(t, s, a.ID, t0)
			p := &xdemat.Poste{Nom: "PC", ClePublique: cle(t)}
			if err := s.Enroll(ctx, typed(c.Code), p, t0); err != nil {
				t.Fatalf("case %d, typed %q: %v", i, typed(c.Code), err)
			}
		}
	})

	t.Run("enrôlement refusé", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Dommartin-Dampierre")
		now := t0.Add(time.Hour)

		expired := &xdemat.CodeEnrolement{Code: "EXPI-RE00-0001", CommuneID: a.ID, CreeLe: t0.Add(-72 * time.Hour), ExpireLe: t0.Add(-24 * time.Hour)}
		if err := s.CreateCode(ctx, expired); err != nil {
			t.Fatal(err)
		}
		expiresNow := &xdemat.CodeEnrolement{Code: "EXPI-RE00-0002", CommuneID: a.ID, CreeLe: now.Add(-48 * time.Hour), ExpireLe: now}
		if err := s.CreateCode(ctx, expiresNow); err != nil {
			t.Fatal(err)
		}
		revoked := code(t, s, a.ID, t0)
		if err := s.RevokeCode(ctx, revoked.Code, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		used := code(t, s, a.ID, t0)
		if err := s.Enroll(ctx, used.Code, &xdemat.Poste{Nom: "PREMIER", ClePublique: cle(t)}, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		valid := code(t, s, a.ID, t0)
		message := func(code string) string {
			for _, c := range must(s.ListCodes(ctx, a.ID))(t) {
				if c.Code == code {
					return xdemat.ErrorMessage(c.Utilisable(now))
				}
			}
			t.Fatalf("code %s not listed", code)
			return ""
		}

		for _, tc := range []struct {
			name     string
			code     string
			poste    xdemat.Poste
			want     string
			wantText string
		}{
			{"code inconnu", "ZZZZ-ZZZZ-ZZZZ", xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.ENOTFOUND,
				"Code d'enrôlement inconnu : vérifiez la saisie (12 caractères, tirets facultatifs) ou demandez un nouveau code à la SPL."},
			{"code vide", "", xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.ENOTFOUND, ""},
			{"code expiré", expired.Code, xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.EFORBIDDEN, message(expired.Code)},
			{"code expirant à l'instant même", expiresNow.Code, xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.EFORBIDDEN, message(expiresNow.Code)},
			{"code annulé", revoked.Code, xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.EFORBIDDEN, message(revoked.Code)},
			{"code déjà utilisé", used.Code, xdemat.Poste{Nom: "PC", ClePublique: cle(t)}, xdemat.EFORBIDDEN, message(used.Code)},
			{"nom de poste vide", valid.Code, xdemat.Poste{Nom: " ", ClePublique: cle(t)}, xdemat.EINVALID, ""},
			{"nom de poste avec un octet nul", valid.Code, xdemat.Poste{Nom: "PC\x00", ClePublique: cle(t)}, xdemat.EINVALID, ""},
			{"clé publique invalide", valid.Code, xdemat.Poste{Nom: "PC", ClePublique: []byte("trop courte")}, xdemat.EINVALID, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := tc.poste
				wantError(t, s.Enroll(ctx, tc.code, &p, now), tc.want, tc.wantText)
				if p.ID != "" {
					t.Fatalf("refused enrollment changed the poste: %+v", p)
				}
			})
		}
		// Only the first enrollment happened; the valid code survived the refusals.
		if ps := must(s.ListPostes(ctx, a.ID))(t); len(ps) != 1 || ps[0].Nom != "PREMIER" {
			t.Fatalf("postes = %+v", ps)
		}
		p := &xdemat.Poste{Nom: "SECOND", ClePublique: cle(t)}
		if err := s.Enroll(ctx, valid.Code, p, now); err != nil {
			t.Fatalf("valid code after refusals: %v", err)
		}
		if n := len(journal(t, s, p)); n != 2 {
			t.Fatalf("%d journal entries, want 2", n)
		}
	})

	t.Run("un code utilisé par 10 postes à la fois n'en enrôle qu'un", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Suippes")
		c := code(t, s, a.ID, t0)
		const n = 10
		var wg, warm sync.WaitGroup
		errs := make([]error, n)
		postes := make([]*xdemat.Poste, n)
		start := make(chan struct{})
		for i := range n {
			postes[i] = &xdemat.Poste{Nom: "PC-" + string(rune('A'+i)), ClePublique: cle(t)}
			wg.Add(1)
			warm.Add(1)
			go func() {
				defer wg.Done()
				// Concurrent reads first, so that a pooled store has a
				// connection ready for each goroutine: the enrollments
				// then truly overlap instead of queueing for connections.
				_, errs[i] = s.ListCodes(ctx, a.ID)
				warm.Done()
				<-start
				if errs[i] == nil {
					errs[i] = s.Enroll(ctx, c.Code, postes[i], t0.Add(time.Minute))
				}
			}()
		}
		warm.Wait()
		close(start)
		wg.Wait()
		var winner *xdemat.Poste
		for i, err := range errs {
			switch xdemat.ErrorCode(err) {
			case "":
				if winner != nil {
					t.Fatalf("two postes enrolled with one code: %s and %s", winner.ID, postes[i].ID)
				}
				winner = postes[i]
			case xdemat.EFORBIDDEN:
			default:
				t.Fatalf("Enroll #%d: %v", i, err)
			}
		}
		if winner == nil {
			t.Fatal("no poste enrolled")
		}
		ps := must(s.ListPostes(ctx, a.ID))(t)
		if len(ps) != 1 || ps[0].ID != winner.ID {
			t.Fatalf("postes = %+v, want only %s", ps, winner.ID)
		}
		if cs := must(s.ListCodes(ctx, a.ID))(t); cs[0].PosteID != winner.ID {
			t.Fatalf("code enrolled %q, want %q", cs[0].PosteID, winner.ID)
		}
		if n := len(events(t, s, winner)); n != 2 {
			t.Fatalf("%d events, want 2 (poste.enrole, notification.creee)", n)
		}
		if n := len(journal(t, s, winner)); n != 1 {
			t.Fatalf("%d journal entries, want 1", n)
		}
	})
}
