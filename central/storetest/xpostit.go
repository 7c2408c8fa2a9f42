package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// opXpostit returns a new operation of seq carrying payload as JSON.
func opXpostit(t *testing.T, seq int64, typ string, payload any) *xdemat.Operation {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &xdemat.Operation{ID: uuid.NewString(), Seq: seq, Type: typ, Auteur: "secretaire", Payload: b, CreeLe: t0}
}

func secretaire(communeID string) *xdemat.Utilisateur {
	return &xdemat.Utilisateur{ID: uuid.NewString(), CommuneID: communeID, Nom: "Lefèvre", Prenom: "Anne", Email: "anne.lefevre@mairie.example",
		Role: xdemat.RoleSecretaire, Actif: true, ModifieLe: t0}
}

func maire(communeID string) *xdemat.Utilisateur {
	return &xdemat.Utilisateur{ID: uuid.NewString(), CommuneID: communeID, Nom: "Bertin", Prenom: "Jacques", Email: "maire@mairie.example",
		Telephone: "+33612345678", Role: xdemat.RoleMaire, Actif: true, ModifieLe: t0}
}

func notification(typ, titre string) *xdemat.Notification {
	tn, _ := xdemat.TypeNotificationParCode(typ)
	return &xdemat.Notification{ID: uuid.NewString(), Type: typ, Severite: tn.Severite, Titre: titre, Texte: "Voir l'écran Diagnostic.",
		Objet: xdemat.Lien{Ecran: "diagnostic"}, CreeLe: t0.Add(10 * time.Minute)}
}

// envoisOf returns the envois of a commune as "canal adresse" sorted, for comparisons.
func envoisOf(t *testing.T, s central.Store, communeID string) []string {
	t.Helper()
	var out []string
	for _, e := range must(s.ListEnvois(context.Background(), communeID, 100))(t) {
		out = append(out, e.Canal+" "+e.Adresse)
	}
	sort.Strings(out)
	return out
}

func testXpostit(t *testing.T, open Opener) {
	ctx := context.Background()

	t.Run("notification d'un poste : projetée, relayée, envoyée à qui le veut", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Hautvillers"), commune(t, s, "Cumières")
		p := poste(t, s, a.ID, "MAIRIE")
		pb := poste(t, s, b.ID, "MAIRIE")
		sec, m := secretaire(a.ID), maire(a.ID)
		parti := secretaire(a.ID)
		parti.Email, parti.Actif = "ancien@mairie.example", false
		// The maire wants the refused uploads by SMS too, the secretary not by e-mail.
		prefsMaire := &xdemat.Preferences{UtilisateurID: m.ID, ParType: map[string]xdemat.Canaux{
			xdemat.NotificationEnvoiRefuse: {App: true, Email: true, SMS: true}}, ModifieLe: t0}
		prefsSec := &xdemat.Preferences{UtilisateurID: sec.ID, ParType: map[string]xdemat.Canaux{
			xdemat.NotificationEnvoiRefuse: {App: true}}, ModifieLe: t0}
		n := notification(xdemat.NotificationEnvoiRefuse, "Envoi refusé : délibération 2025-014")
		n.CommuneID = b.ID // forged: the poste's commune wins
		batch := []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, sec),
			opXpostit(t, 2, xdemat.OperationUtilisateurEnregistre, m),
			opXpostit(t, 3, xdemat.OperationUtilisateurEnregistre, parti),
			opXpostit(t, 4, xdemat.OperationPreferencesEnregistrees, prefsMaire),
			opXpostit(t, 5, xdemat.OperationPreferencesEnregistrees, prefsSec),
			opXpostit(t, 6, xdemat.OperationNotificationCreee, n),
		}
		apply(t, s, p, batch, 6)

		got := must(s.Notifications(as(p)))(t)
		var mine []*xdemat.Notification
		for _, g := range got {
			if g.ID == n.ID {
				mine = append(mine, g)
			}
		}
		if len(mine) != 1 || mine[0].CommuneID != a.ID || mine[0].Titre != n.Titre || mine[0].Objet != n.Objet || mine[0].Severite != xdemat.SeveriteUrgent {
			t.Fatalf("Notifications = %+v", mine)
		}
		sameTime(t, "CreeLe", mine[0].CreeLe, us(n.CreeLe))
		for _, g := range must(s.Notifications(as(pb)))(t) {
			if g.ID == n.ID {
				t.Fatal("the other commune holds the notification")
			}
		}
		want := []string{"email maire@mairie.example", "sms +33612345678"}
		if got := envoisOf(t, s, a.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("envois = %v, want %v", got, want)
		}
		if got := envoisOf(t, s, b.ID); len(got) != 0 {
			t.Fatalf("envois of the other commune = %v", got)
		}

		// Every op relayed with its type and payload, the sender included.
		evs := events(t, s, p)
		var relayed []string
		for _, e := range evs {
			if e.PosteID == p.ID && e.Type != xdemat.EvenementOperationRecue && e.Type != xdemat.EvenementPosteEnrole {
				relayed = append(relayed, e.Type)
			}
		}
		wantTypes := "[utilisateur.enregistre utilisateur.enregistre utilisateur.enregistre preferences.enregistrees preferences.enregistrees notification.creee]"
		if fmt.Sprint(relayed) != wantTypes {
			t.Fatalf("relayed events %v, want %v", relayed, wantTypes)
		}
		last := evs[len(evs)-1]
		var relayedN xdemat.Notification
		if err := json.Unmarshal(last.Payload, &relayedN); err != nil || relayedN.ID != n.ID || relayedN.CommuneID != a.ID || last.Objet != n.ID {
			t.Fatalf("relayed notification %s (%v)", last.Payload, err)
		}
		// The users are known to central.
		users := must(s.ListUtilisateurs(ctx, a.ID))(t)
		if len(users) != 3 || users[0].Nom != "Bertin" || users[0].CommuneID != a.ID {
			t.Fatalf("ListUtilisateurs = %+v", users)
		}
	})

	t.Run("même notification reçue deux fois : une seule, envoyée une fois", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p1, p2 := poste(t, s, a.ID, "MAIRIE"), poste(t, s, a.ID, "ACCUEIL")
		m := maire(a.ID)
		apply(t, s, p1, []*xdemat.Operation{opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, m)}, 1)
		n := notification(xdemat.NotificationHorsLigne, "Le poste ACCUEIL ne joint plus la SPL")
		apply(t, s, p1, []*xdemat.Operation{opXpostit(t, 2, xdemat.OperationNotificationCreee, n)}, 2)
		apply(t, s, p2, []*xdemat.Operation{opXpostit(t, 1, xdemat.OperationNotificationCreee, n)}, 1)
		if err := s.RaiseNotification(ctx, &xdemat.Notification{ID: n.ID, CommuneID: a.ID, Type: n.Type, Severite: n.Severite, Titre: "autre", CreeLe: t0}); err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, g := range must(s.Notifications(as(p1)))(t) {
			if g.ID == n.ID {
				count++
				if g.Titre != n.Titre {
					t.Fatalf("Titre = %q, the first one stays", g.Titre)
				}
			}
		}
		if count != 1 {
			t.Fatalf("%d notifications of the same ID", count)
		}
		if got := envoisOf(t, s, a.ID); fmt.Sprint(got) != "[email maire@mairie.example]" {
			t.Fatalf("envois = %v", got)
		}
	})

	t.Run("lue et faite : la première date reste", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		n := notification(xdemat.NotificationMessageSPL, "Réunion des secrétaires de mairie")
		n.CommuneID = a.ID
		if err := s.RaiseNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		lu1, lu2 := t0.Add(2*time.Hour), t0.Add(time.Hour)
		apply(t, s, p, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationNotificationLue, xdemat.NotificationEtat{ID: n.ID, Le: lu1, Par: "u1"}),
			opXpostit(t, 2, xdemat.OperationNotificationLue, xdemat.NotificationEtat{ID: n.ID, Le: lu2, Par: "u2"}),
			opXpostit(t, 3, xdemat.OperationNotificationLue, xdemat.NotificationEtat{ID: n.ID, Le: t0.Add(3 * time.Hour)}),
			opXpostit(t, 4, xdemat.OperationNotificationFaite, xdemat.NotificationEtat{ID: n.ID, Le: t0.Add(4 * time.Hour)}),
			opXpostit(t, 5, xdemat.OperationNotificationFaite, xdemat.NotificationEtat{ID: uuid.NewString(), Le: t0}), // unknown: nothing
		}, 5)
		var got *xdemat.Notification
		for _, g := range must(s.Notifications(as(p)))(t) {
			if g.ID == n.ID {
				got = g
			}
		}
		sameTime(t, "LuLe", got.LuLe, us(lu2))
		sameTime(t, "FaitLe", got.FaitLe, us(t0.Add(4*time.Hour)))
	})

	t.Run("utilisateur et préférences : la version la plus récente reste", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		u := secretaire(a.ID)
		newer := *u
		newer.Nom, newer.ModifieLe = "Lefèvre-Martin", t0.Add(time.Hour)
		older := *u
		older.Nom, older.ModifieLe = "Ancien", t0.Add(-time.Hour)
		apply(t, s, p, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, &newer),
			opXpostit(t, 2, xdemat.OperationUtilisateurEnregistre, &older),
			opXpostit(t, 3, xdemat.OperationPreferencesEnregistrees, &xdemat.Preferences{UtilisateurID: u.ID, Resume: true, ModifieLe: t0.Add(time.Hour)}),
			opXpostit(t, 4, xdemat.OperationPreferencesEnregistrees, &xdemat.Preferences{UtilisateurID: u.ID, Resume: false, ModifieLe: t0}),
		}, 4)
		got := must(s.ListUtilisateurs(ctx, a.ID))(t)
		if len(got) != 1 || got[0].Nom != "Lefèvre-Martin" {
			t.Fatalf("ListUtilisateurs = %+v", got)
		}
		// The newer preferences (digest wanted) stayed: the digest is due.
		n := notification(xdemat.NotificationMessageSPL, "Message")
		n.CommuneID = a.ID
		if err := s.RaiseNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		if rs := must(s.DueResumes(ctx, "2025-03-15", t0))(t); len(rs) != 1 || rs[0].Utilisateur.ID != u.ID {
			t.Fatalf("DueResumes = %+v", rs)
		}

		// Saved from the SPL, older than what is stored: nothing changes, nothing is relayed.
		before := len(events(t, s, p))
		if err := s.SaveUtilisateur(ctx, &older); err != nil {
			t.Fatal(err)
		}
		if got := must(s.ListUtilisateurs(ctx, a.ID))(t); got[0].Nom != "Lefèvre-Martin" {
			t.Fatalf("older version stored: %+v", got[0])
		}
		if n := len(events(t, s, p)); n != before {
			t.Fatalf("%d events after saving an older version, want %d", n, before)
		}
	})

	t.Run("contenu malformé : le lot est refusé, rien n'est enregistré", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		apply(t, s, p, []*xdemat.Operation{opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, maire(a.ID))}, 1)
		before := snap(t, s, p)
		sansTitre := notification(xdemat.NotificationMessageSPL, " ")
		sansDate := maire(a.ID)
		sansDate.ModifieLe = time.Time{}
		critiqueMuette := &xdemat.Preferences{UtilisateurID: "u1", ParType: map[string]xdemat.Canaux{xdemat.NotificationAlerteSPL: {App: true}}, ModifieLe: t0}
		raw := func(seq int64, typ, payload string) *xdemat.Operation {
			return &xdemat.Operation{ID: uuid.NewString(), Seq: seq, Type: typ, Payload: json.RawMessage(payload), CreeLe: t0}
		}
		for _, tc := range []struct {
			name string
			op   *xdemat.Operation
		}{
			{"notification sans contenu", &xdemat.Operation{ID: uuid.NewString(), Seq: 3, Type: xdemat.OperationNotificationCreee, CreeLe: t0}},
			{"notification qui n'est pas un objet", raw(3, xdemat.OperationNotificationCreee, `["a"]`)},
			{"notification sans titre", opXpostit(t, 3, xdemat.OperationNotificationCreee, sansTitre)},
			{"notification de gravité inconnue", raw(3, xdemat.OperationNotificationCreee, `{"id":"`+uuid.NewString()+`","type":"spl.message","severite":"enorme","titre":"x","creeLe":"2025-03-14T10:00:00Z"}`)},
			{"lecture d'un identifiant invalide", opXpostit(t, 3, xdemat.OperationNotificationLue, xdemat.NotificationEtat{ID: "pas-un-uuid", Le: t0})},
			{"réalisation sans date", opXpostit(t, 3, xdemat.OperationNotificationFaite, xdemat.NotificationEtat{ID: uuid.NewString()})},
			{"utilisateur sans date de modification", opXpostit(t, 3, xdemat.OperationUtilisateurEnregistre, sansDate)},
			{"utilisateur au téléphone fixe", raw(3, xdemat.OperationUtilisateurEnregistre, `{"id":"u9","nom":"Martin","role":"maire","telephone":"+33312345678","actif":true,"modifieLe":"2025-03-14T10:00:00Z"}`)},
			{"préférences coupant une alerte critique", opXpostit(t, 3, xdemat.OperationPreferencesEnregistrees, critiqueMuette)},
			{"préférences en texte", raw(3, xdemat.OperationPreferencesEnregistrees, `"oui"`)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// A valid op before it in the same batch is not stored either.
				batch := []*xdemat.Operation{opXpostit(t, 2, xdemat.OperationNotificationCreee, notification(xdemat.NotificationMessageSPL, "Valide")), tc.op}
				_, err := s.ApplyOperations(as(p), batch, t0.Add(time.Hour))
				wantError(t, err, xdemat.EINVALID, "")
				wantSnap(t, s, p, before)
				if got := envoisOf(t, s, a.ID); len(got) != 0 {
					t.Fatalf("envois = %v", got)
				}
			})
		}
	})

	t.Run("alerte critique : toujours par courriel, SMS par défaut", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		sec, m := secretaire(a.ID), maire(a.ID)
		sansTelephone := maire(a.ID)
		sansTelephone.Telephone, sansTelephone.Email = "", ""
		for _, u := range []*xdemat.Utilisateur{sec, m, sansTelephone} {
			if err := s.SaveUtilisateur(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		// The secretary muted nothing she could: critical types ignore it.
		apply(t, s, p, []*xdemat.Operation{opXpostit(t, 1, xdemat.OperationPreferencesEnregistrees,
			&xdemat.Preferences{UtilisateurID: sec.ID, ParType: map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {}}, ModifieLe: t0})}, 1)
		n := &xdemat.Notification{CommuneID: a.ID, Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique,
			Titre: "Hameçonnage en cours", Texte: "Ne cliquez pas sur les liens des courriels « mise à jour de votre messagerie ».", Echeance: t0.Add(24 * time.Hour)}
		if err := s.RaiseNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		if !xdemat.ValidUUID(n.ID) || n.CreeLe.IsZero() {
			t.Fatalf("ID %q and CreeLe %v not assigned", n.ID, n.CreeLe)
		}
		want := "[email anne.lefevre@mairie.example email maire@mairie.example sms +33612345678]"
		if got := envoisOf(t, s, a.ID); fmt.Sprint(got) != want {
			t.Fatalf("envois = %v, want %v", got, want)
		}
		j := journal(t, s, p)
		if e := j[len(j)-1]; e.Action != xdemat.OperationNotificationCreee || e.Objet != n.ID || e.Acteur != "central" {
			t.Fatalf("journal entry = %+v", e)
		}
		evs := events(t, s, p)
		if e := evs[len(evs)-1]; e.Type != xdemat.OperationNotificationCreee || e.Objet != n.ID {
			t.Fatalf("event = %+v", e)
		}
		wantError(t, s.RaiseNotification(ctx, &xdemat.Notification{CommuneID: uuid.NewString(), Type: "spl.message", Severite: xdemat.SeveriteInfo, Titre: "x"}), xdemat.ENOTFOUND, "")
		wantError(t, s.RaiseNotification(ctx, &xdemat.Notification{CommuneID: a.ID, Type: "spl.message", Severite: xdemat.SeveriteInfo}), xdemat.EINVALID, "")
		wantError(t, s.RaiseNotification(ctx, &xdemat.Notification{Type: "spl.message", Severite: xdemat.SeveriteInfo, Titre: "x"}), xdemat.EINVALID, "")
	})

	t.Run("envois dus : pris une fois, relancés après le bail, états sans retour", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		m := maire(a.ID)
		if err := s.SaveUtilisateur(ctx, m); err != nil {
			t.Fatal(err)
		}
		n := &xdemat.Notification{CommuneID: a.ID, Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique, Titre: "Alerte", CreeLe: t0}
		if err := s.RaiseNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		due := must(s.DueEnvois(ctx, now, 10))(t)
		if len(due) != 2 {
			t.Fatalf("%d envois due, want 2", len(due))
		}
		for _, e := range due {
			if e.Tentatives != 1 || e.Statut != central.EnvoiAEnvoyer || e.Notification == nil || e.Notification.ID != n.ID ||
				e.Notification.Titre != "Alerte" || e.CommuneID != a.ID || e.UtilisateurID != m.ID {
				t.Fatalf("due envoi = %+v (notification %+v)", e, e.Notification)
			}
		}
		if again := must(s.DueEnvois(ctx, now, 10))(t); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		// A dispatcher that crashed mid-send: taken again once the lease is over.
		later := must(s.DueEnvois(ctx, now.Add(time.Hour), 10))(t)
		if len(later) != 2 || later[0].Tentatives != 2 {
			t.Fatalf("after the lease: %+v", later)
		}
		email, sms := later[0], later[1]
		if email.Canal != central.CanalEmail {
			email, sms = sms, email
		}
		if err := s.MarkEnvoi(ctx, email.ID, central.EnvoiAEnvoyer, "", "Serveur de courriel injoignable.", now.Add(2*time.Hour), now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkEnvoi(ctx, sms.ID, central.EnvoiLivre, "SIM-1", "", time.Time{}, now); err != nil {
			t.Fatal(err)
		}
		// The provider answered before the dispatcher recorded the send.
		if err := s.MarkEnvoi(ctx, sms.ID, central.EnvoiEnvoye, "SIM-1", "", time.Time{}, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		byID := map[int64]*central.Envoi{}
		for _, e := range must(s.ListEnvois(ctx, a.ID, 10))(t) {
			byID[e.ID] = e
		}
		if e := byID[sms.ID]; e.Statut != central.EnvoiLivre || e.ReferenceFournisseur != "SIM-1" || e.EnvoyeLe.IsZero() {
			t.Fatalf("sms = %+v", e)
		}
		if e := byID[email.ID]; e.Statut != central.EnvoiAEnvoyer || e.DerniereErreur != "Serveur de courriel injoignable." || e.Tentatives != 2 {
			t.Fatalf("email = %+v", e)
		} else {
			sameTime(t, "ProchainEssai", e.ProchainEssai, us(now.Add(2*time.Hour)))
		}
		if due := must(s.DueEnvois(ctx, now.Add(90*time.Minute), 10))(t); len(due) != 0 {
			t.Fatalf("due before its next attempt: %+v", due)
		}
		if due := must(s.DueEnvois(ctx, now.Add(2*time.Hour), 10))(t); len(due) != 1 || due[0].ID != email.ID || due[0].Tentatives != 3 {
			t.Fatalf("due at its next attempt: %+v", due)
		}
		if err := s.MarkEnvoi(ctx, email.ID, central.EnvoiEchec, "", "Adresse refusée par le serveur de courriel.", time.Time{}, now); err != nil {
			t.Fatal(err)
		}
		if due := must(s.DueEnvois(ctx, now.Add(24*time.Hour), 10))(t); len(due) != 0 {
			t.Fatalf("failed envoi due again: %+v", due)
		}
		wantError(t, s.MarkEnvoi(ctx, 999999, central.EnvoiEnvoye, "", "", time.Time{}, now), xdemat.ENOTFOUND, "")
		wantError(t, s.MarkEnvoi(ctx, email.ID, "perdu", "", "", time.Time{}, now), xdemat.EINVALID, "")
	})

	t.Run("deux répartiteurs à la fois : chaque envoi pris une fois", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		if err := s.SaveUtilisateur(ctx, maire(a.ID)); err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			n := &xdemat.Notification{CommuneID: a.ID, Type: xdemat.NotificationHorsLigne, Severite: xdemat.SeveriteUrgent, Titre: fmt.Sprint("Hors ligne ", i), CreeLe: t0}
			if err := s.RaiseNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					due, err := s.DueEnvois(ctx, now, 3)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, e := range due {
						seen[e.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 10 {
			t.Fatalf("%d envois claimed, want 10", len(seen))
		}
		for id, k := range seen {
			if k != 1 {
				t.Fatalf("envoi %d claimed %d times", id, k)
			}
		}
	})

	t.Run("résumé quotidien : ce qui reste à faire, une fois par jour", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		sec, m := secretaire(a.ID), maire(a.ID)
		for _, u := range []*xdemat.Utilisateur{sec, m} {
			if err := s.SaveUtilisateur(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		apply(t, s, p, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationPreferencesEnregistrees, &xdemat.Preferences{UtilisateurID: sec.ID, Resume: true, ModifieLe: t0}),
			opXpostit(t, 2, xdemat.OperationPreferencesEnregistrees, &xdemat.Preferences{UtilisateurID: m.ID, Resume: false, ModifieLe: t0}),
		}, 2)
		raise := func(titre, destinataire string, at time.Time) *xdemat.Notification {
			n := &xdemat.Notification{CommuneID: a.ID, Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo, Titre: titre, Destinataire: destinataire, CreeLe: at}
			if err := s.RaiseNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		since := t0.Add(time.Hour)
		raise("Trop ancienne", "", since.Add(-time.Minute))
		aFaire := raise("À faire", "", since.Add(time.Hour))
		pourElle := raise("Pour Anne", sec.ID, since.Add(2*time.Hour))
		raise("Pour le maire", m.ID, since.Add(2*time.Hour))
		faite := raise("Déjà faite", "", since.Add(3*time.Hour))
		apply(t, s, p, []*xdemat.Operation{opXpostit(t, 3, xdemat.OperationNotificationFaite, xdemat.NotificationEtat{ID: faite.ID, Le: since.Add(4 * time.Hour)})}, 3)

		rs := must(s.DueResumes(ctx, "2025-03-15", since))(t)
		if len(rs) != 1 || rs[0].Utilisateur.ID != sec.ID {
			t.Fatalf("DueResumes = %+v", rs)
		}
		var titres []string
		for _, n := range rs[0].Notifications {
			titres = append(titres, n.Titre)
		}
		if fmt.Sprint(titres) != fmt.Sprint([]string{aFaire.Titre, pourElle.Titre}) {
			t.Fatalf("digest lists %q", titres)
		}
		if first := must(s.MarkResume(ctx, a.ID, sec.ID, "2025-03-15", t0))(t); !first {
			t.Fatal("first MarkResume = false")
		}
		if again := must(s.MarkResume(ctx, a.ID, sec.ID, "2025-03-15", t0))(t); again {
			t.Fatal("second MarkResume of the same day = true")
		}
		if rs := must(s.DueResumes(ctx, "2025-03-15", since))(t); len(rs) != 0 {
			t.Fatalf("digest due twice the same day: %+v", rs)
		}
		if rs := must(s.DueResumes(ctx, "2025-03-16", since))(t); len(rs) != 1 {
			t.Fatalf("next day: %+v", rs)
		}
	})

	t.Run("sans poste authentifié", func(t *testing.T) {
		s := open.new(t)
		_, err := s.Notifications(ctx)
		wantError(t, err, xdemat.EUNAUTHORIZED, "")
	})
}

// testReveil checks that a store able to say when a commune got new events
// (central.EventWaker) says it once per commune and commit, whoever wrote
// them, and never for a refused write.
func testReveil(t *testing.T, open Opener) {
	s := open.new(t)
	w, ok := s.(central.EventWaker)
	if !ok {
		t.Skip("ce magasin ne sait pas réveiller les postes")
	}
	a, b := commune(t, s, "Épernay"), commune(t, s, "Aÿ-Champagne")
	var mu sync.Mutex
	var reveils []string
	w.OnEvenements(func(id string) { mu.Lock(); reveils = append(reveils, id); mu.Unlock() })
	defer w.OnEvenements(nil)
	vus := func() []string { mu.Lock(); defer mu.Unlock(); r := reveils; reveils = nil; return r }

	n := notification(xdemat.NotificationMessageSPL, "Maintenance samedi")
	n.CommuneID = a.ID
	if err := s.RaiseNotification(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if got := vus(); fmt.Sprint(got) != fmt.Sprint([]string{a.ID}) {
		t.Fatalf("notification de la SPL pour %s : réveils %v", a.Nom, got)
	}
	p := poste(t, s, b.ID, "MAIRIE")
	vus()
	apply(t, s, p, []*xdemat.Operation{
		opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, secretaire(b.ID)),
		opXpostit(t, 2, xdemat.OperationUtilisateurEnregistre, maire(b.ID)),
	}, 2)
	if got := vus(); fmt.Sprint(got) != fmt.Sprint([]string{b.ID}) {
		t.Fatalf("lot de deux opérations : un seul réveil de %s attendu, obtenu %v", b.Nom, got)
	}
	bad := notification(xdemat.NotificationMessageSPL, "")
	bad.CommuneID = a.ID
	if err := s.RaiseNotification(context.Background(), bad); err == nil {
		t.Fatal("notification sans titre acceptée")
	}
	if got := vus(); len(got) != 0 {
		t.Fatalf("écriture refusée : aucun réveil attendu, obtenu %v", got)
	}
}
