package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent/localapi"
	"xdemat/agent/program"
	"xdemat/app/ui"
	"xdemat/central"
	"xdemat/central/mail/smtptest"
	"xdemat/central/server"
	"xdemat/internal/banc"
)

// TestNotificationDeLaSPLJusquALApplicationEtAuCourriel runs central (with a
// real SMTP exchange on 127.0.0.1), an enrolled agent and the app's window,
// all in this process, and follows notifications raised on central: into the
// secretary's "À faire" page, and into the mailboxes that the preferences
// name — nothing for a muted type, always for a critical one.
func TestNotificationDeLaSPLJusquALApplicationEtAuCourriel(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, agent et application")
	}
	ctx := context.Background()
	boite := smtptest.Start(t)
	dir := shortTempDir(t)

	_, st, commune, m := centralEtAgent(t, dir, "-smtp", boite.URL())
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Email: "secretariat@sainte-menehould.example", Role: xdemat.RoleSecretaire, Actif: true}
	bernard := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Bernard", Nom: "Maire", Email: "maire@sainte-menehould.example", Role: xdemat.RoleMaire, Actif: true}
	for _, u := range []*xdemat.Utilisateur{anne, bernard} {
		if err := st.SaveUtilisateur(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	appli, err := localapi.Dial(m.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { appli.Close() })
	attendre(t, "les profils de la commune arrivent de central", func() bool {
		ps, err := appli.Utilisateurs(ctx)
		return err == nil && len(ps) == 2
	})

	// Bernard takes the SPL's messages out of everything; he cannot do so
	// for a critical alert.
	duMaire, err := localapi.Dial(m.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer duMaire.Close()
	if _, err := duMaire.OuvrirSession(ctx, bernard.ID, ""); err != nil {
		t.Fatal(err)
	}
	pb := &xdemat.Preferences{UtilisateurID: bernard.ID, ParType: map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {}}}
	if err := duMaire.EnregistrerPreferences(ctx, pb); err != nil {
		t.Fatal(err)
	}
	coupee := &xdemat.Preferences{UtilisateurID: bernard.ID, ParType: map[string]xdemat.Canaux{xdemat.NotificationAlerteSPL: {}}}
	if err := duMaire.EnregistrerPreferences(ctx, coupee); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("couper une alerte critique : %v, refus attendu", err)
	}
	// Anne wants the SPL's messages by e-mail too.
	if _, err := appli.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}
	pa := &xdemat.Preferences{UtilisateurID: anne.ID, ParType: map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {App: true, Email: true}}}
	if err := appli.EnregistrerPreferences(ctx, pa); err != nil {
		t.Fatal(err)
	}
	attendre(t, "central a reçu les préférences", func() bool {
		s, err := appli.Etat(ctx)
		return err == nil && s.OperationsEnAttente == 0 && s.DernierAck > 0
	})

	// The secretary's window, as cmd/xdemat opens it.
	unFil(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 700))
	u := ui.New(w, appli, ui.Options{Version: "test", DossierDonnees: m.DataDir, Utilisateur: anne.ID})
	u.Demarrer()
	t.Cleanup(u.Fermer)

	// The SPL sends a message, then a security alert.
	message := &xdemat.Notification{CommuneID: commune.ID, Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo,
		Titre: "Maintenance du service samedi", Texte: "xdemat sera indisponible samedi de 8 h à 10 h.",
		Objet: xdemat.Lien{Ecran: "notification"}}
	if err := st.RaiseNotification(ctx, message); err != nil {
		t.Fatal(err)
	}
	alerte := &xdemat.Notification{CommuneID: commune.ID, Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique,
		Titre: "Changez le mot de passe de la messagerie", Texte: "Une campagne d'hameçonnage vise les mairies de la Marne."}
	if err := st.RaiseNotification(ctx, alerte); err != nil {
		t.Fatal(err)
	}

	// The "À faire" page shows both, the critical one first.
	attendre(t, "l'« À faire » de la secrétaire montre les deux notifications", func() bool {
		var textes string
		fyne.DoAndWait(func() { textes = strings.Join(textesVisibles(w.Content()), "\n") })
		i, j := strings.Index(textes, alerte.Titre), strings.Index(textes, message.Titre)
		return i >= 0 && j > i
	})

	// Three e-mails: the message to Anne only, the alert to both.
	debut := time.Now()
	recus := boite.Wait(t, 3, 30*time.Second)
	t.Logf("trois courriels : %v", time.Since(debut).Round(time.Millisecond))
	parDestinataire := map[string][]string{}
	for _, r := range recus {
		for _, to := range r.To {
			parDestinataire[to] = append(parDestinataire[to], r.Subject)
		}
		if strings.Contains(r.Subject, message.Titre) && !strings.Contains(r.Text, "/ouvrir/"+message.ID) {
			t.Errorf("le courriel du message ne porte pas le lien /ouvrir/%s :\n%s", message.ID, r.Text)
		}
	}
	wantSujet := "[xdemat] " + message.Titre + " — Sainte-Menehould"
	if got := parDestinataire[anne.Email]; len(got) != 2 || !contient(got, wantSujet) {
		t.Errorf("Anne a reçu %q, attendu le message (%q) et l'alerte", got, wantSujet)
	}
	if got := parDestinataire[bernard.Email]; len(got) != 1 || !strings.Contains(got[0], alerte.Titre) {
		t.Errorf("Bernard a coupé les messages : il ne reçoit que l'alerte critique, obtenu %q", got)
	}
	envois, err := st.ListEnvois(ctx, commune.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envois {
		if e.UtilisateurID == bernard.ID && e.NotificationID == message.ID {
			t.Errorf("un envoi existe pour un type que Bernard a coupé : %+v", e)
		}
	}
	time.Sleep(200 * time.Millisecond) // a fourth e-mail would have come by now
	if n := len(boite.Messages()); n != 3 {
		t.Errorf("%d courriels reçus, 3 attendus", n)
	}

	// The link of the e-mail opens the notification in the app; reading it
	// there reaches central.
	fyne.DoAndWait(func() { u.Ouvrir(xdemat.Lien{Ecran: "notification", ID: message.ID}) })
	attendre(t, "le lien ouvre la notification", func() bool {
		var textes string
		fyne.DoAndWait(func() { textes = strings.Join(textesVisibles(w.Content()), "\n") })
		return strings.Contains(textes, message.Texte)
	})
	posteCtx := banc.PosteContext(t, st, commune.ID)
	attendre(t, "central sait que la notification est lue", func() bool {
		ns, err := st.Notifications(posteCtx)
		if err != nil {
			return false
		}
		for _, n := range ns {
			if n.ID == message.ID {
				return n.Lue()
			}
		}
		return false
	})
}

// centralEtAgent starts central with its commune and an enrolled agent.
func centralEtAgent(t *testing.T, dir string, args ...string) (*server.Main, central.Store, *xdemat.Commune, *program.Main) {
	t.Helper()
	c, st, commune := banc.Central(t, dir, args...)
	m := banc.Agent(t, dir)
	banc.Enroler(t, c, st, commune, m)
	return c, st, commune, m
}

// unFil starts a test app whose fyne.Do runs every function on one
// goroutine, as the real driver does on its UI thread. Fyne's test driver
// runs them on the caller's goroutine, which is fine for a fake agent
// answering at once, not for a real agent answering from several goroutines.
func unFil(t *testing.T) {
	d := &driverUnFil{file: make(chan func(), 1024), stop: make(chan struct{})}
	a := &appUnFil{App: test.NewTempApp(t), d: d}
	d.Driver = a.App.Driver()
	fyne.SetCurrentApp(a)
	fini := make(chan struct{})
	go func() {
		defer close(fini)
		for {
			select {
			case f := <-d.file:
				f()
			case <-d.stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(d.stop); <-fini })
}

type appUnFil struct {
	fyne.App
	d *driverUnFil
}

func (a *appUnFil) Driver() fyne.Driver { return a.d }

type driverUnFil struct {
	fyne.Driver
	file chan func()
	stop chan struct{} // closed at the end of the test: later calls are dropped
}

func (d *driverUnFil) DoFromGoroutine(f func(), wait bool) {
	fait := make(chan struct{})
	select {
	case d.file <- func() { defer close(fait); f() }:
	case <-d.stop:
		return
	}
	if wait {
		select {
		case <-fait:
		case <-d.stop:
		}
	}
}

// textesVisibles returns the texts of every label, rich text and canvas text
// under o, as the secretary reads them. Called on the UI thread.
func textesVisibles(o fyne.CanvasObject) []string {
	if o == nil || !o.Visible() {
		return nil
	}
	var out []string
	switch x := o.(type) {
	case *canvas.Text:
		return []string{x.Text}
	case *widget.Label:
		return []string{x.Text}
	case *widget.RichText:
		return []string{x.String()}
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, textesVisibles(c)...)
		}
		return out
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, textesVisibles(c)...)
		}
	}
	return out
}

func attendre(t *testing.T, quoi string, ok func() bool) {
	t.Helper()
	debut := time.Now()
	defer func() { t.Logf("%s : %v", quoi, time.Since(debut).Round(time.Millisecond)) }()
	limite := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(limite) {
			t.Fatalf("au bout de 30 s : %s — toujours pas", quoi)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func contient(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func shortTempDir(t *testing.T) string {
	t.Helper()
	// Unix socket paths are limited to about 104 bytes: t.TempDir() is too deep.
	d, err := os.MkdirTemp("", "xd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
