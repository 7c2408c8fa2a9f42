package sqlite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func pendingTypes(t testing.TB, s *Store) []string {
	t.Helper()
	ops, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, op := range ops {
		types = append(types, op.Type)
	}
	return types
}

func lastPending(t testing.TB, s *Store) *xdemat.Operation {
	t.Helper()
	ops, err := s.Pending(ctx, 0)
	if err != nil || len(ops) == 0 {
		t.Fatalf("aucune opération en attente (%v)", err)
	}
	return ops[len(ops)-1]
}

func user(nom, prenom string) *xdemat.Utilisateur {
	return &xdemat.Utilisateur{CommuneID: "c-1", Nom: nom, Prenom: prenom, Role: xdemat.RoleSecretaire, Actif: true}
}

func TestUtilisateursEnregistresEtEnvoyes(t *testing.T) {
	s, path := openTest(t)
	zoe, eric, anne := user("Zola", "Zoé"), user("Écuyer", "Éric"), user("Dupont", "Anne")
	for _, u := range []*xdemat.Utilisateur{zoe, eric, anne} {
		if err := s.SaveUtilisateur(ctx, u, "u-admin", t0); err != nil {
			t.Fatal(err)
		}
		if !xdemat.ValidUUID(u.ID) || !u.ModifieLe.Equal(t0) {
			t.Fatalf("ID %q, ModifieLe %v", u.ID, u.ModifieLe)
		}
	}
	op := lastPending(t, s)
	var sent xdemat.Utilisateur
	if err := json.Unmarshal(op.Payload, &sent); err != nil || op.Type != xdemat.OperationUtilisateurEnregistre || op.Auteur != "u-admin" || !reflect.DeepEqual(&sent, anne) {
		t.Fatalf("opération %+v (%s), %v", op, op.Payload, err)
	}
	// Refused: nothing recorded, nothing sent.
	bad := user("", "Sans nom")
	wantCode(t, s.SaveUtilisateur(ctx, bad, "u-admin", t0), xdemat.EINVALID)
	if n := len(pendingTypes(t, s)); n != 3 {
		t.Fatalf("%d opérations, 3 attendues", n)
	}
	// Update keeps the ID.
	anne.Email = "anne@mairie.fr"
	if err := s.SaveUtilisateur(ctx, anne, "u-admin", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	us, err := s.Utilisateurs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var noms []string
	for _, u := range us {
		noms = append(noms, u.Nom)
	}
	if !reflect.DeepEqual(noms, []string{"Dupont", "Écuyer", "Zola"}) {
		t.Fatalf("ordre %v", noms)
	}
	got, err := s.FindUtilisateur(ctx, anne.ID)
	if err != nil || got.Email != "anne@mairie.fr" || !got.ModifieLe.Equal(t0.Add(time.Hour)) {
		t.Fatalf("%+v, %v", got, err)
	}
	_, err = s.FindUtilisateur(ctx, "inconnu")
	wantCode(t, err, xdemat.ENOTFOUND)
}

func TestPreferencesDUnUtilisateur(t *testing.T) {
	s, _ := openTest(t)
	p, err := s.Preferences(ctx, "u-1")
	if err != nil || p.UtilisateurID != "u-1" || p.ParType != nil || !p.ModifieLe.IsZero() {
		t.Fatalf("%+v, %v", p, err)
	}
	p.Resume = true
	p.ParType = map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {App: true}}
	if err := s.SavePreferences(ctx, p, "u-1", t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Preferences(ctx, "u-1")
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("%+v, %v ; attendu %+v", got, err, p)
	}
	if op := lastPending(t, s); op.Type != xdemat.OperationPreferencesEnregistrees || op.Auteur != "u-1" {
		t.Fatalf("opération %+v", op)
	}
	// A critical alert cannot be muted.
	p.ParType = map[string]xdemat.Canaux{xdemat.NotificationAlerteSPL: {App: true}}
	err = s.SavePreferences(ctx, p, "u-1", t0)
	wantCode(t, err, xdemat.EINVALID)
	if n := len(pendingTypes(t, s)); n != 1 {
		t.Fatalf("%d opérations, 1 attendue", n)
	}
}

func notif(typ string, sev xdemat.Severite, titre string) *xdemat.Notification {
	return &xdemat.Notification{Type: typ, Severite: sev, Titre: titre}
}

func titres(ns []*xdemat.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Titre)
	}
	return out
}

func TestNotificationsLeveesListeesEtMarquees(t *testing.T) {
	s, path := openTest(t)
	if err := s.SaveIdentity(ctx, &agent.Identity{PosteID: "p-1", Commune: xdemat.Commune{ID: "c-1"}}); err != nil {
		t.Fatal(err)
	}
	info := notif(xdemat.NotificationMessageSPL, xdemat.SeveriteInfo, "info")
	urgent := notif(xdemat.NotificationEnvoiRefuse, xdemat.SeveriteUrgent, "urgent")
	urgent.Objet = xdemat.Lien{Ecran: "diagnostic"}
	pourAnne := notif(xdemat.NotificationMessageSPL, xdemat.SeveriteAttention, "pour Anne")
	pourAnne.Destinataire = "u-anne"
	enRetard := notif(xdemat.NotificationMessageSPL, xdemat.SeveriteInfo, "en retard")
	enRetard.Echeance = t0.Add(-time.Hour)
	for _, n := range []*xdemat.Notification{info, urgent, pourAnne, enRetard} {
		if err := s.RaiseNotification(ctx, n, t0); err != nil {
			t.Fatal(err)
		}
	}
	if info.CommuneID != "c-1" || !info.CreeLe.Equal(t0) || !xdemat.ValidUUID(info.ID) {
		t.Fatalf("notification levée %+v", info)
	}
	// Raised again (a retry): nothing changes, nothing more is sent.
	again := *urgent
	again.Titre = "autre titre"
	if err := s.RaiseNotification(ctx, &again, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if types := pendingTypes(t, s); len(types) != 4 || types[0] != xdemat.OperationNotificationCreee {
		t.Fatalf("opérations %v", types)
	}
	wantCode(t, s.RaiseNotification(ctx, notif("x", xdemat.SeveriteInfo, "type invalide"), t0), xdemat.EINVALID)

	s = reopen(t, s, path)
	all, err := s.Notifications(ctx, agent.FiltreNotifications{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"en retard", "urgent", "pour Anne", "info"}; !reflect.DeepEqual(titres(all), want) {
		t.Fatalf("ordre %v, attendu %v", titres(all), want)
	}
	if !reflect.DeepEqual(all[1], urgent) {
		t.Fatalf("relue %+v, attendu %+v", all[1], urgent)
	}
	for _, tt := range []struct {
		nom  string
		f    agent.FiltreNotifications
		want []string
	}{
		{"pour un autre", agent.FiltreNotifications{Pour: "u-bob"}, []string{"en retard", "urgent", "info"}},
		{"pour Anne", agent.FiltreNotifications{Pour: "u-anne"}, []string{"en retard", "urgent", "pour Anne", "info"}},
		{"un service", agent.FiltreNotifications{Service: xdemat.ServicePlateforme}, []string{"urgent"}},
		{"limite", agent.FiltreNotifications{Limite: 2}, []string{"en retard", "urgent"}},
	} {
		got, err := s.Notifications(ctx, tt.f, t0)
		if err != nil || !reflect.DeepEqual(titres(got), tt.want) {
			t.Fatalf("%s : %v (%v), attendu %v", tt.nom, titres(got), err, tt.want)
		}
	}

	// Marks keep the first date; done implies read.
	if err := s.MarkNotification(ctx, xdemat.OperationNotificationLue, info.ID, "u-anne", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotification(ctx, xdemat.OperationNotificationLue, info.ID, "u-bob", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotification(ctx, xdemat.OperationNotificationFaite, urgent.ID, "u-anne", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.MarkNotification(ctx, xdemat.OperationNotificationFaite, uuid.NewString(), "u-anne", t0), xdemat.ENOTFOUND)
	wantCode(t, s.MarkNotification(ctx, "notification.oubliee", info.ID, "u-anne", t0), xdemat.EINVALID)
	op := lastPending(t, s)
	var etat xdemat.NotificationEtat
	json.Unmarshal(op.Payload, &etat)
	if op.Type != xdemat.OperationNotificationFaite || etat != (xdemat.NotificationEtat{ID: urgent.ID, Le: t0.Add(2 * time.Minute), Par: "u-anne"}) || op.Auteur != "u-anne" {
		t.Fatalf("opération %+v %s", op, op.Payload)
	}
	if n := len(pendingTypes(t, s)); n != 6 {
		t.Fatalf("%d opérations, 6 attendues (4 levées, 1 lue, 1 faite)", n)
	}
	todo, _ := s.Notifications(ctx, agent.FiltreNotifications{}, t0)
	if want := []string{"en retard", "pour Anne", "info"}; !reflect.DeepEqual(titres(todo), want) {
		t.Fatalf("à faire %v, attendu %v", titres(todo), want)
	}
	all, _ = s.Notifications(ctx, agent.FiltreNotifications{AvecFaites: true}, t0)
	last := all[len(all)-1]
	if last.ID != urgent.ID || !last.FaitLe.Equal(t0.Add(2*time.Minute)) || !last.LuLe.Equal(last.FaitLe) {
		t.Fatalf("faite %+v", last)
	}
	if all[2].ID != info.ID || !all[2].LuLe.Equal(t0.Add(time.Minute)) {
		t.Fatalf("lue %+v", all[2])
	}
}

// event wraps a domain value as central relays it.
func event(t testing.TB, curseur int64, typ, objet string, payload any) *xdemat.Evenement {
	t.Helper()
	var b []byte
	switch p := payload.(type) {
	case string:
		b = []byte(p)
	default:
		var err error
		if b, err = json.Marshal(payload); err != nil {
			t.Fatal(err)
		}
	}
	return &xdemat.Evenement{Curseur: curseur, Type: typ, Objet: objet, PosteID: "p-2", Payload: b, CreeLe: t0}
}

func TestEvenementsDesAutresPostesAppliques(t *testing.T) {
	s, path := openTest(t)
	anne := user("Dupont", "Anne")
	if err := s.SaveUtilisateur(ctx, anne, "u-admin", t0); err != nil {
		t.Fatal(err)
	}
	ancienne, recente := *anne, *anne
	ancienne.Nom, ancienne.ModifieLe = "Ancien", t0.Add(-time.Hour)
	recente.Email, recente.ModifieLe = "anne@mairie.fr", t0.Add(time.Hour)
	bob := user("Martin", "Bob")
	bob.ID, bob.ModifieLe = uuid.NewString(), t0

	n := notif(xdemat.NotificationMessageSPL, xdemat.SeveriteInfo, "de central")
	n.ID, n.CreeLe = uuid.NewString(), t0
	prefs := xdemat.Preferences{UtilisateurID: bob.ID, Resume: true, ModifieLe: t0}
	evs := []*xdemat.Evenement{
		event(t, 1, xdemat.OperationUtilisateurEnregistre, anne.ID, &recente),
		event(t, 2, xdemat.OperationUtilisateurEnregistre, anne.ID, &ancienne), // older: ignored
		event(t, 3, xdemat.OperationUtilisateurEnregistre, bob.ID, bob),
		event(t, 4, xdemat.OperationNotificationCreee, n.ID, n),
		event(t, 5, xdemat.OperationNotificationLue, n.ID, xdemat.NotificationEtat{ID: n.ID, Le: t0.Add(2 * time.Minute), Par: bob.ID}),
		event(t, 6, xdemat.OperationNotificationLue, n.ID, xdemat.NotificationEtat{ID: n.ID, Le: t0.Add(time.Minute), Par: anne.ID}), // earlier: wins
		event(t, 7, xdemat.OperationPreferencesEnregistrees, bob.ID, prefs),
		// Garbage never blocks the inbox.
		event(t, 8, xdemat.OperationUtilisateurEnregistre, "x", `{"id": 42`),
		event(t, 9, xdemat.OperationNotificationCreee, "x", `{"id":"pas-un-uuid","type":"spl.message","severite":"info","titre":"t","creeLe":"2026-01-01T00:00:00Z"}`),
		event(t, 10, xdemat.OperationPreferencesEnregistrees, "x", `{"utilisateurId":"u","parType":{"spl.alerte":{"app":false}},"modifieLe":"2026-01-01T00:00:00Z"}`),
		event(t, 11, xdemat.OperationNotificationFaite, "x", `null`),
		event(t, 12, xdemat.OperationNotificationFaite, n.ID, xdemat.NotificationEtat{ID: n.ID, Le: t0.Add(3 * time.Minute)}),
		event(t, 13, xdemat.OperationNotificationCreee, n.ID, n), // relayed twice: nothing changes
	}
	if err := s.SaveEvents(ctx, evs, 13); err != nil {
		t.Fatal(err)
	}
	// The same batch again (a retried pull) changes nothing.
	if err := s.SaveEvents(ctx, evs[:3], 13); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	st, _ := s.SyncState(ctx)
	stored, _ := s.Events(ctx, 0, 0)
	if st.Curseur != 13 || len(stored) != 13 {
		t.Fatalf("curseur %d, %d événements", st.Curseur, len(stored))
	}
	got, _ := s.FindUtilisateur(ctx, anne.ID)
	if !reflect.DeepEqual(got, &recente) {
		t.Fatalf("utilisateur %+v, attendu %+v", got, &recente)
	}
	if got, err := s.FindUtilisateur(ctx, bob.ID); err != nil || got.Nom != "Martin" {
		t.Fatalf("%+v, %v", got, err)
	}
	if p, _ := s.Preferences(ctx, bob.ID); !reflect.DeepEqual(p, &prefs) {
		t.Fatalf("préférences %+v", p)
	}
	ns, _ := s.Notifications(ctx, agent.FiltreNotifications{AvecFaites: true}, t0)
	if len(ns) != 1 || ns[0].ID != n.ID || !ns[0].LuLe.Equal(t0.Add(time.Minute)) || !ns[0].FaitLe.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("notifications %+v", ns)
	}
	// Projecting sends nothing back to central.
	if types := pendingTypes(t, s); len(types) != 1 {
		t.Fatalf("opérations %v", types)
	}
}

func BenchmarkNotifications1000(b *testing.B) {
	s, _ := openTest(b)
	for i := range 1000 {
		n := notif(xdemat.NotificationMessageSPL, xdemat.Severite([]string{"info", "attention", "urgent", "critique"}[i%4]), fmt.Sprintf("notification %d", i))
		n.CreeLe = t0.Add(time.Duration(i) * time.Minute)
		if i%3 == 0 {
			n.Echeance = t0.Add(time.Duration(i-500) * time.Hour)
		}
		if i%5 == 0 {
			n.Destinataire = "u-anne"
		}
		if err := s.RaiseNotification(ctx, n, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		ns, err := s.Notifications(ctx, agent.FiltreNotifications{Pour: "u-bob"}, t0)
		if err != nil || len(ns) != 800 {
			b.Fatalf("%d, %v", len(ns), err)
		}
	}
}
