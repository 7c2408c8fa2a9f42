package localapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

func enroll(t testing.TB, h *harness) {
	t.Helper()
	if err := h.store.SaveIdentity(ctx, &agent.Identity{PosteID: "p-1", Commune: xdemat.Commune{ID: "c-1", Nom: "Attigny"}}); err != nil {
		t.Fatal(err)
	}
}

// second returns another client of the same agent (another app window).
func second(t testing.TB, h *harness) *Client {
	t.Helper()
	c, err := Dial(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestUtilisateursEtSessions(t *testing.T) {
	h := start(t)
	enroll(t, h)
	events, unsubscribe := h.srv.Bus.Subscribe()
	defer unsubscribe()

	// First start: the commune has no user, the first one is created without a session.
	anne, err := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Dupont", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true, Telephone: "06 12 34 56 78"}, "motdepasse-anne")
	if err != nil {
		t.Fatal(err)
	}
	if !xdemat.ValidUUID(anne.ID) || anne.CommuneID != "c-1" || anne.Telephone != "+33612345678" || !anne.AvecMotDePasse || anne.MotDePasse != "" {
		t.Fatalf("profil %+v", anne)
	}
	stored, _ := h.store.FindUtilisateur(ctx, anne.ID)
	if !xdemat.VerifierMotDePasse(stored.MotDePasse, "motdepasse-anne") {
		t.Fatal("empreinte du mot de passe absente")
	}
	if strings.Contains(h.logs.String(), "motdepasse-anne") {
		t.Fatal("mot de passe dans le journal")
	}
	got := false
	for len(events) > 0 {
		if ev := <-events; ev.Type == agent.EvenementUtilisateurs {
			got = true
		}
	}
	if !got {
		t.Fatal("événement « utilisateurs » absent")
	}
	// A second user needs a session.
	bob := xdemat.Utilisateur{Nom: "Martin", Prenom: "Bob", Role: xdemat.RoleMaire, Actif: true}
	_, err = h.client.EnregistrerUtilisateur(ctx, bob, "")
	wantCode(t, err, xdemat.EUNAUTHORIZED)

	// Wrong password, then the right one.
	_, err = h.client.OuvrirSession(ctx, anne.ID, "mauvais-mot")
	wantCode(t, err, xdemat.EUNAUTHORIZED)
	if msg := xdemat.ErrorMessage(err); msg != "Mot de passe incorrect pour Anne Dupont." {
		t.Fatalf("message %q", msg)
	}
	p, err := h.client.OuvrirSession(ctx, anne.ID, "motdepasse-anne")
	if err != nil || p.ID != anne.ID {
		t.Fatalf("%+v, %v", p, err)
	}
	created, err := h.client.EnregistrerUtilisateur(ctx, bob, "")
	if err != nil || created.AvecMotDePasse {
		t.Fatalf("%+v, %v", created, err)
	}
	// Anne changes her e-mail without touching her password…
	a := anne.Utilisateur
	a.Email = "anne@attigny.fr"
	if p, err := h.client.EnregistrerUtilisateur(ctx, a, ""); err != nil || !p.AvecMotDePasse || p.Email != "anne@attigny.fr" {
		t.Fatalf("%+v, %v", p, err)
	}
	// …Bob is deactivated, then listed last.
	b := created.Utilisateur
	b.Actif = false
	if _, err := h.client.EnregistrerUtilisateur(ctx, b, ""); err != nil {
		t.Fatal(err)
	}
	ps, err := h.client.Utilisateurs(ctx)
	if err != nil || len(ps) != 2 || ps[0].ID != anne.ID || ps[1].Actif {
		t.Fatalf("%+v, %v", ps, err)
	}
	raw, _ := json.Marshal(ps)
	if strings.Contains(string(raw), "pbkdf2") {
		t.Fatalf("empreinte envoyée à l'application : %s", raw)
	}
	_, err = h.client.OuvrirSession(ctx, created.ID, "")
	wantCode(t, err, xdemat.EFORBIDDEN)
	if len(created.ID) == 0 {
		t.Fatal()
	}

	// Operations are signed by whoever works, whatever the body says.
	op, err := h.client.CreerOperation(ctx, "acte.cree", "quelqu-un-d-autre", nil, nil)
	if err != nil || op.Auteur != anne.ID {
		t.Fatalf("%+v, %v", op, err)
	}
	journal, _ := h.client.Journal(ctx)
	if last := journal[len(journal)-1]; last.Acteur != anne.ID {
		t.Fatalf("acteur du journal %q", last.Acteur)
	}
	// Another window without a session still works the old way; an unknown
	// token (the agent restarted) is refused.
	other := second(t, h)
	if op, err := other.CreerOperation(ctx, "acte.cree", "u-x", nil, nil); err != nil || op.Auteur != "u-x" {
		t.Fatalf("%+v, %v", op, err)
	}
	other.jeton = strings.Repeat("ab", 32)
	_, err = other.CreerOperation(ctx, "acte.cree", "u-x", nil, nil)
	wantCode(t, err, xdemat.EUNAUTHORIZED)
	if msg := xdemat.ErrorMessage(err); msg != MessageSansSession {
		t.Fatalf("message %q", msg)
	}

	if err := h.client.FermerSession(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Notifications(ctx, agent.FiltreNotifications{})
	wantCode(t, err, xdemat.EUNAUTHORIZED)
}

func TestNotificationsEtPreferencesDeLaSession(t *testing.T) {
	h := start(t)
	enroll(t, h)
	anne, err := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Dupont", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []struct{ method, path string }{
		{http.MethodGet, "/v1/notifications"}, {http.MethodPost, "/v1/notifications"},
		{http.MethodPost, "/v1/notifications/x/lue"}, {http.MethodGet, "/v1/preferences"}, {http.MethodPut, "/v1/preferences"},
	} {
		status, e := h.rawRequest(t, route.method, route.path, "Bearer "+h.client.secret, "application/json", strings.NewReader(`{}`))
		if status != http.StatusUnauthorized || e.Code != xdemat.EUNAUTHORIZED || e.Message != MessageSansSession {
			t.Fatalf("%s %s sans session : HTTP %d %+v", route.method, route.path, status, e)
		}
	}
	if _, err := h.client.OuvrirSession(ctx, anne.ID, "n'importe"); err != nil {
		t.Fatal(err)
	}
	events, unsubscribe := h.srv.Bus.Subscribe()
	defer unsubscribe()

	pourTous, err := h.client.LeverNotification(ctx, xdemat.Notification{Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo, Titre: "Bienvenue"})
	if err != nil || !xdemat.ValidUUID(pourTous.ID) || pourTous.CreeLe.IsZero() || pourTous.CommuneID != "c-1" {
		t.Fatalf("%+v, %v", pourTous, err)
	}
	urgent, err := h.client.LeverNotification(ctx, xdemat.Notification{Type: xdemat.NotificationEnvoiRefuse, Severite: xdemat.SeveriteUrgent, Titre: "Refus", Destinataire: anne.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.LeverNotification(ctx, xdemat.Notification{Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo, Titre: "Pour Bob", Destinataire: "u-bob"}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.LeverNotification(ctx, xdemat.Notification{Type: "?", Severite: xdemat.SeveriteInfo, Titre: "x"})
	wantCode(t, err, xdemat.EINVALID)

	ns, err := h.client.Notifications(ctx, agent.FiltreNotifications{})
	if err != nil || len(ns) != 2 || ns[0].ID != urgent.ID || ns[1].ID != pourTous.ID {
		t.Fatalf("%+v, %v", ns, err)
	}
	if ns, _ := h.client.Notifications(ctx, agent.FiltreNotifications{Service: xdemat.ServiceSPL, Limite: 5}); len(ns) != 1 || ns[0].ID != pourTous.ID {
		t.Fatalf("filtre par service : %+v", ns)
	}
	if err := h.client.MarquerLue(ctx, pourTous.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.client.MarquerFaite(ctx, urgent.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.client.MarquerFaite(ctx, "inconnue"), xdemat.ENOTFOUND)
	ns, _ = h.client.Notifications(ctx, agent.FiltreNotifications{})
	if len(ns) != 1 || ns[0].ID != pourTous.ID || !ns[0].Lue() {
		t.Fatalf("à faire : %+v", ns)
	}
	ns, _ = h.client.Notifications(ctx, agent.FiltreNotifications{AvecFaites: true})
	if len(ns) != 2 || !ns[1].Faite() {
		t.Fatalf("avec les faites : %+v", ns)
	}
	ops, _ := h.store.Pending(ctx, 0)
	if last := ops[len(ops)-1]; last.Type != xdemat.OperationNotificationFaite || last.Auteur != anne.ID {
		t.Fatalf("opération %+v", last)
	}
	n := 0
	for len(events) > 0 {
		if ev := <-events; ev.Type == agent.EvenementNotifications {
			n++
		}
	}
	if n != 5 { // 3 levées, 1 lue, 1 faite
		t.Fatalf("%d événements « notifications », 5 attendus", n)
	}

	// Preferences: one's own only; a critical alert stays on.
	p, err := h.client.Preferences(ctx)
	if err != nil || p.UtilisateurID != anne.ID {
		t.Fatalf("%+v, %v", p, err)
	}
	p.Resume = true
	p.ParType = map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {App: true, Email: true}}
	if err := h.client.EnregistrerPreferences(ctx, p); err != nil || p.ModifieLe.IsZero() {
		t.Fatalf("%+v, %v", p, err)
	}
	if got, _ := h.client.Preferences(ctx); !got.Resume || !got.ParType[xdemat.NotificationMessageSPL].Email {
		t.Fatalf("%+v", got)
	}
	critique := *p
	critique.ParType = map[string]xdemat.Canaux{xdemat.NotificationAlerteSPL: {}}
	err = h.client.EnregistrerPreferences(ctx, &critique)
	wantCode(t, err, xdemat.EINVALID)
	if !strings.Contains(xdemat.ErrorMessage(err), "alerte critique") {
		t.Fatalf("message %q", xdemat.ErrorMessage(err))
	}
	autre := xdemat.Preferences{UtilisateurID: "u-bob"}
	wantCode(t, h.client.EnregistrerPreferences(ctx, &autre), xdemat.EFORBIDDEN)

	// A type taken out of the app is no longer listed for that user; a
	// critical one always is.
	alerte, err := h.client.LeverNotification(ctx, xdemat.Notification{Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique, Titre: "Faille corrigée"})
	if err != nil {
		t.Fatal(err)
	}
	p.ParType = map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {Email: true}}
	if err := h.client.EnregistrerPreferences(ctx, p); err != nil {
		t.Fatal(err)
	}
	ns, _ = h.client.Notifications(ctx, agent.FiltreNotifications{})
	if len(ns) != 1 || ns[0].ID != alerte.ID {
		t.Fatalf("message de la SPL retiré de l'application : seule l'alerte critique reste, obtenu %+v", ns)
	}
}

func TestDiagnosticEtJournalTechnique(t *testing.T) {
	demarre := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	j := agent.NewJournalTechnique(0)
	h := start(t, func(s *Server) {
		s.Version, s.DemarreLe, s.JournalTechnique = "1.2.3", demarre, j
		s.Boucles = func() map[string]string {
			return map[string]string{"outbox": "", "inbox": "Le serveur de la SPL est injoignable."}
		}
		s.Logger = slog.New(j.Handler(s.Logger.Handler()))
	})
	d, err := h.client.Diagnostic(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "1.2.3" || !d.DemarreLe.Equal(demarre) || d.Identite != nil || !strings.Contains(d.Systeme, "/") ||
		d.DossierDonnees == "" || d.Boucles["inbox"] == "" || d.Etat.Enrole {
		t.Fatalf("diagnostic %+v", d)
	}
	enroll(t, h)
	if d, _ = h.client.Diagnostic(ctx); d.Identite == nil || d.Identite.PosteID != "p-1" {
		t.Fatalf("diagnostic après enrôlement %+v", d)
	}
	// A session opened shows in the technical journal, its token never does.
	u, err := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Dupont", Role: xdemat.RoleSecretaire, Actif: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.OuvrirSession(ctx, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	text, err := h.client.JournalTechnique(ctx)
	if err != nil || !strings.Contains(string(text), "session ouverte") || strings.Contains(string(text), h.client.jeton) {
		t.Fatalf("journal technique %q, %v", text, err)
	}
}
