package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// IDs of the notifications of the tests (valid UUIDs).
const (
	idAlerte   = "00000000-0000-4000-8000-000000000001"
	idRefus    = "00000000-0000-4000-8000-000000000002"
	idMessage  = "00000000-0000-4000-8000-000000000003"
	idTraitee  = "00000000-0000-4000-8000-000000000004"
	idAutre    = "00000000-0000-4000-8000-000000000005"
	idEnRetard = "00000000-0000-4000-8000-000000000006"
)

// demarrer builds the UI on a headless window with calls made synchronously
// on the test goroutine, so that every widget is touched by one goroutine.
func demarrer(t *testing.T, ag *fauxAgent, opts Options) *UI {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 700))
	opts.Maintenant = func() time.Time { return maintenantTest }
	opts.Fuseau = time.UTC
	if opts.Version == "" {
		opts.Version = "0.9.0"
	}
	u := New(w, ag, opts)
	u.enFond = func(f func()) { f() }
	u.surUI = func(f func()) { f() }
	u.lancerFlux = func() {}
	u.Demarrer()
	t.Cleanup(u.Fermer)
	return u
}

// communeDeTest has Marie (no password), Paul (password) and a few
// notifications of every severity.
func communeDeTest() *fauxAgent {
	return newFauxAgent().
		avecUtilisateur("u-marie", "Marie", "Martin", "").
		avecUtilisateur("u-paul", "Paul", "Durand", "motdepasse-paul").
		avecNotification(xdemat.Notification{ID: idMessage, Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo,
			Titre: "Nouvelle version de xdemat", Texte: "La version 1.3 arrive la semaine prochaine.\nRien à faire.", Objet: xdemat.Lien{Ecran: "diagnostic"}}).
		avecNotification(xdemat.Notification{ID: idAlerte, Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique,
			Titre: "Alerte de sécurité : changez vos mots de passe", Texte: "Une fuite touche un prestataire.", Echeance: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)}).
		avecNotification(xdemat.Notification{ID: idRefus, Type: xdemat.NotificationEnvoiRefuse, Severite: xdemat.SeveriteUrgent,
			Titre: "Un envoi a été refusé par la SPL", Texte: "Le bordereau 12 est incomplet.", Objet: xdemat.Lien{Ecran: "bordereaux", ID: "12"}}).
		avecNotification(xdemat.Notification{ID: idEnRetard, Type: xdemat.NotificationHorsLigne, Severite: xdemat.SeveriteAttention,
			Titre: "Le poste ne joint plus la SPL", Echeance: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), Objet: xdemat.Lien{Ecran: "parametres"}}).
		avecNotification(xdemat.Notification{ID: idTraitee, Type: xdemat.NotificationPosteEnrole, Severite: xdemat.SeveriteAttention,
			Titre: "Un nouveau poste a été relié", FaitLe: maintenantTest.Add(-30 * time.Minute)}).
		avecNotification(xdemat.Notification{ID: idAutre, Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo,
			Titre: "Message pour Paul seulement", Destinataire: "u-paul"})
}

// connecte starts the UI with Marie's session open.
func connecte(t *testing.T, ag *fauxAgent, opts Options) *UI {
	t.Helper()
	opts.Utilisateur = "u-marie"
	u := demarrer(t, ag, opts)
	if u.profil == nil || u.profil.ID != "u-marie" {
		t.Fatalf("session de Marie non ouverte")
	}
	return u
}

// objets returns o and everything it shows, through containers and widget renderers.
func objets(o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, objets(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, objets(c)...)
		}
	}
	return out
}

// textes returns the texts of the labels and buttons shown in o.
func textes(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range objets(o) {
		switch v := x.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		}
	}
	return out
}

// bouton returns the visible button of o whose text starts with texte.
func bouton(t *testing.T, o fyne.CanvasObject, texte string) *widget.Button {
	t.Helper()
	for _, x := range objets(o) {
		if b, ok := x.(*widget.Button); ok && strings.HasPrefix(b.Text, texte) {
			return b
		}
	}
	t.Fatalf("pas de bouton %q parmi %q", texte, textes(o))
	return nil
}

// dialogue returns the texts of the dialog on top, nil when none shows.
func dialogue(u *UI) []string {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	return textes(top)
}

func titres(ns []*xdemat.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Titre)
	}
	return out
}

func TestNavigation(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	if u.ecran != EcranAFaire {
		t.Fatalf("page d'accueil = %q, veut À faire", u.ecran)
	}
	if got := u.win.Title(); got != "xdemat — Commune de Démonstration" {
		t.Errorf("titre de la fenêtre = %q", got)
	}
	for _, tc := range []struct {
		nom   string
		menu  string
		ecran string
		page  fyne.CanvasObject
	}{
		{"l'historique du poste", "Historique", EcranHistorique, u.historique.objet},
		{"la sauvegarde", "Sauvegarde", EcranSauvegarde, u.sauvegarde.objet},
		{"les paramètres", "Paramètres", EcranParametres, u.parametres.objet},
		{"le diagnostic", "À propos", EcranDiagnostic, u.diagnostic.objet},
		{"retour à la liste à faire", "À faire", EcranAFaire, u.afaire.objet},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			test.Tap(bouton(t, u.menu.objet, tc.menu))
			if u.ecran != tc.ecran || u.corps.Objects[0] != tc.page {
				t.Errorf("écran = %q, veut %q", u.ecran, tc.ecran)
			}
			if u.menu.entrees[tc.ecran].Importance != widget.HighImportance {
				t.Errorf("l'entrée du menu n'est pas mise en avant")
			}
		})
	}
}

func TestAFaireOrdreEtFiltres(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	p := u.afaire
	for _, tc := range []struct {
		nom     string
		service string
		faites  bool
		veut    []string
	}{
		{"tout ce qui reste à faire, le plus urgent d'abord", tousLesServices, false, []string{
			"Le poste ne joint plus la SPL", // en retard
			"Alerte de sécurité : changez vos mots de passe",
			"Un envoi a été refusé par la SPL",
			"Nouvelle version de xdemat",
		}},
		{"les messages de la SPL seulement", "Messages de la SPL", false, []string{
			"Alerte de sécurité : changez vos mots de passe",
			"Nouvelle version de xdemat",
		}},
		{"avec les notifications traitées, à la fin", tousLesServices, true, []string{
			"Le poste ne joint plus la SPL",
			"Alerte de sécurité : changez vos mots de passe",
			"Un envoi a été refusé par la SPL",
			"Nouvelle version de xdemat",
			"Un nouveau poste a été relié",
		}},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			p.faites.SetChecked(tc.faites)
			p.service.SetSelected(tc.service)
			if got := titres(p.notifs); !slices.Equal(got, tc.veut) {
				t.Errorf("liste = %q\nveut    %q", got, tc.veut)
			}
			// The counter counts what is left to do, whatever the filter.
			if got := u.menu.entrees[EcranAFaire].Text; got != "À faire (4)" {
				t.Errorf("menu = %q, veut « À faire (4) »", got)
			}
		})
	}
}

func TestLigneNotification(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	l := newLigneNotification(u.afaire)
	for _, tc := range []struct {
		nom      string
		id       string
		echeance string
		retard   bool
	}{
		{"une échéance dépassée s'affiche en rouge", idEnRetard, "· en retard : à traiter avant le 20 novembre", true},
		{"une échéance à venir dit la date", idAlerte, "· à traiter avant le 3 décembre", false},
		{"sans échéance, rien", idMessage, "", false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			i := slices.IndexFunc(u.afaire.notifs, func(n *xdemat.Notification) bool { return n.ID == tc.id })
			l.afficher(u.afaire.notifs[i])
			if l.echeance.Text != tc.echeance {
				t.Errorf("échéance = %q, veut %q", l.echeance.Text, tc.echeance)
			}
			if got := l.echeance.Importance == widget.DangerImportance; got != tc.retard {
				t.Errorf("en rouge = %v, veut %v", got, tc.retard)
			}
			if l.creee.Text != "Créée aujourd'hui à 09:00" {
				t.Errorf("création = %q", l.creee.Text)
			}
		})
	}
}

func TestLienProfond(t *testing.T) {
	for _, tc := range []struct {
		nom   string
		lien  string
		ecran string
		titre string // of the notification detail
	}{
		{"une notification s'ouvre dans son détail", "xdemat://notification/" + idAlerte, EcranNotification, "Alerte de sécurité : changez vos mots de passe"},
		{"le diagnostic", "xdemat://diagnostic", EcranDiagnostic, ""},
		{"les paramètres", "xdemat://parametres", EcranParametres, ""},
		{"l'historique", "xdemat://historique", EcranHistorique, ""},
		{"la sauvegarde", "xdemat://sauvegarde", EcranSauvegarde, ""},
		{"un écran inconnu ouvre le détail", "xdemat://marches/" + idRefus, EcranNotification, "Un envoi a été refusé par la SPL"},
		{"une notification absente le dit", "xdemat://notification/" + idAutre, EcranNotification, "Notification introuvable"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			l, err := xdemat.ParseLien(tc.lien)
			if err != nil {
				t.Fatal(err)
			}
			ag := communeDeTest()
			u := connecte(t, ag, Options{Lien: l})
			if u.ecran != tc.ecran {
				t.Fatalf("écran = %q, veut %q", u.ecran, tc.ecran)
			}
			if tc.titre != "" && u.detail.titre.Text != tc.titre {
				t.Errorf("titre = %q, veut %q", u.detail.titre.Text, tc.titre)
			}
			if tc.ecran == EcranNotification && tc.titre != "Notification introuvable" && !ag.aAppele("MarquerLue "+l.ID) {
				t.Errorf("la notification ouverte n'est pas marquée lue")
			}
		})
	}
}

func TestOuvrirUneNotification(t *testing.T) {
	for _, tc := range []struct {
		nom   string
		id    string
		ecran string
	}{
		{"son lien mène aux paramètres", idEnRetard, EcranParametres},
		{"son lien mène au diagnostic", idMessage, EcranDiagnostic},
		{"sans lien, son détail", idAlerte, EcranNotification},
		{"un écran que cette version n'a pas, son détail", idRefus, EcranNotification},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest()
			u := connecte(t, ag, Options{})
			i := slices.IndexFunc(u.afaire.notifs, func(n *xdemat.Notification) bool { return n.ID == tc.id })
			u.afaire.liste.Select(i)
			if u.ecran != tc.ecran {
				t.Errorf("écran = %q, veut %q", u.ecran, tc.ecran)
			}
			if !ag.aAppele("MarquerLue " + tc.id) {
				t.Errorf("pas marquée lue")
			}
		})
	}
}

func TestMarquerCommeTraitee(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{Lien: xdemat.Lien{Ecran: EcranNotification, ID: idAlerte}})
	test.Tap(u.detail.traiter)
	if !ag.aAppele("MarquerFaite " + idAlerte) {
		t.Fatalf("l'agent n'a pas reçu « traitée »")
	}
	if u.detail.traiter.Visible() {
		t.Errorf("le bouton reste affiché sur une notification traitée")
	}
	if slices.Contains(titres(u.afaire.notifs), "Alerte de sécurité : changez vos mots de passe") {
		t.Errorf("la notification traitée reste dans la liste")
	}
	if got := u.menu.entrees[EcranAFaire].Text; got != "À faire (3)" {
		t.Errorf("menu = %q, veut « À faire (3) »", got)
	}
}

func TestMarquerCommeTraiteeDepuisLaListe(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.afaire.liste, "Marquer comme traité"))
	if !ag.aAppele("MarquerFaite " + idEnRetard) {
		t.Fatalf("la première ligne n'a pas été marquée traitée")
	}
	if got := u.menu.entrees[EcranAFaire].Text; got != "À faire (3)" {
		t.Errorf("menu = %q, veut « À faire (3) »", got)
	}
}

func TestPreferences(t *testing.T) {
	ag := communeDeTest()
	ag.utilisateurs[0].Email = "marie.martin@mairie.fr"
	ag.utilisateurs[0].Telephone = "+33612345678"
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Paramètres"))
	p := u.parametres
	for _, ty := range xdemat.TypesNotification() {
		cs := p.canaux[ty.Code]
		if got := cs[0].Disabled() && cs[1].Disabled(); got != ty.Critique {
			t.Errorf("%s : cases App et courriel verrouillées = %v, veut %v", ty.Code, got, ty.Critique)
		}
		if ty.Critique && (!cs[0].Checked || !cs[1].Checked) {
			t.Errorf("%s : alerte critique non cochée", ty.Code)
		}
		if cs[2].Disabled() {
			t.Errorf("%s : le SMS doit rester au choix", ty.Code)
		}
	}
	if p.aideEmail.Visible() || p.aideSMS.Visible() {
		t.Errorf("une aide demande une adresse ou un numéro que Marie a déjà")
	}
	// Marie stops the e-mails of refused uploads, asks the SMS of SPL
	// messages and the morning digest.
	test.Tap(p.canaux[xdemat.NotificationEnvoiRefuse][1])
	test.Tap(p.canaux[xdemat.NotificationMessageSPL][2])
	test.Tap(p.resume)
	test.Tap(bouton(t, p.objet, "Enregistrer mes préférences"))
	if len(ag.prefsRecues) != 1 {
		t.Fatalf("%d enregistrements, veut 1 ; dialogue : %q", len(ag.prefsRecues), dialogue(u))
	}
	got := ag.prefsRecues[0]
	if got.UtilisateurID != "u-marie" || !got.Resume {
		t.Errorf("préférences = %+v", got)
	}
	for _, tc := range []struct {
		code string
		veut xdemat.Canaux
	}{
		{xdemat.NotificationEnvoiRefuse, xdemat.Canaux{App: true}},
		{xdemat.NotificationMessageSPL, xdemat.Canaux{App: true, SMS: true}},
		{xdemat.NotificationAlerteSPL, xdemat.Canaux{App: true, Email: true, SMS: true}},
		{xdemat.NotificationPosteEnrole, xdemat.Canaux{App: true}},
	} {
		if c := got.ParType[tc.code]; c != tc.veut {
			t.Errorf("%s = %+v, veut %+v", tc.code, c, tc.veut)
		}
	}
	if p.enregistre.Text != "Préférences enregistrées." {
		t.Errorf("confirmation = %q", p.enregistre.Text)
	}
}

// TestCanauxSansCoordonnees: a channel the user cannot receive is greyed
// out, with a hint, and the choice recorded for it is kept.
func TestCanauxSansCoordonnees(t *testing.T) {
	// Recorded before: SMS and e-mail for SPL messages, the digest.
	enregistre := &xdemat.Preferences{UtilisateurID: "u-marie", Resume: true, ParType: map[string]xdemat.Canaux{
		xdemat.NotificationMessageSPL: {App: true, Email: true, SMS: true},
	}}
	for _, tc := range []struct {
		nom, email, telephone string
		emailGrise, smsGrise  bool
	}{
		{"sans numéro de mobile, la colonne SMS est grisée", "marie.martin@mairie.fr", "", false, true},
		{"sans adresse électronique, la colonne courriel est grisée sauf les alertes critiques", "", "+33612345678", true, false},
		{"sans adresse ni numéro, les deux colonnes sont grisées", "", "", true, true},
		{"avec les deux, tout reste au choix", "marie.martin@mairie.fr", "+33612345678", false, false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest()
			ag.utilisateurs[0].Email, ag.utilisateurs[0].Telephone = tc.email, tc.telephone
			ag.prefs = enregistre
			u := connecte(t, ag, Options{})
			test.Tap(bouton(t, u.menu.objet, "Paramètres"))
			p := u.parametres
			for _, ty := range xdemat.TypesNotification() {
				cs := p.canaux[ty.Code]
				c := enregistre.Canaux(ty.Code)
				switch {
				case ty.Critique:
					if !cs[1].Checked || !cs[1].Disabled() {
						t.Errorf("%s : le courriel d'une alerte critique n'est plus imposé", ty.Code)
					}
				case tc.emailGrise && (cs[1].Checked || !cs[1].Disabled()):
					t.Errorf("%s : courriel coché = %v, grisé = %v ; veut décoché et grisé", ty.Code, cs[1].Checked, cs[1].Disabled())
				case !tc.emailGrise && (cs[1].Checked != c.Email || cs[1].Disabled()):
					t.Errorf("%s : courriel coché = %v, grisé = %v ; veut %v, au choix", ty.Code, cs[1].Checked, cs[1].Disabled(), c.Email)
				}
				if got := cs[2].Disabled(); got != tc.smsGrise {
					t.Errorf("%s : SMS grisé = %v, veut %v", ty.Code, got, tc.smsGrise)
				}
				if veut := c.SMS && !tc.smsGrise; cs[2].Checked != veut {
					t.Errorf("%s : SMS coché = %v, veut %v", ty.Code, cs[2].Checked, veut)
				}
			}
			if p.resume.Disabled() != tc.emailGrise {
				t.Errorf("résumé par courriel grisé = %v, veut %v", p.resume.Disabled(), tc.emailGrise)
			}
			if p.aideEmail.Visible() != tc.emailGrise || p.aideSMS.Visible() != tc.smsGrise {
				t.Errorf("aide courriel affichée = %v, aide SMS = %v", p.aideEmail.Visible(), p.aideSMS.Visible())
			}
			// Saving something else keeps the greyed-out choices.
			test.Tap(p.canaux[xdemat.NotificationPosteEnrole][0])
			test.Tap(bouton(t, p.objet, "Enregistrer mes préférences"))
			if len(ag.prefsRecues) != 1 {
				t.Fatalf("%d enregistrements, veut 1 ; dialogue : %q", len(ag.prefsRecues), dialogue(u))
			}
			got := ag.prefsRecues[0]
			if c := got.ParType[xdemat.NotificationMessageSPL]; c != (xdemat.Canaux{App: true, Email: true, SMS: true}) {
				t.Errorf("messages de la SPL enregistrés = %+v : un choix grisé a été perdu", c)
			}
			if !got.Resume {
				t.Errorf("le résumé du matin a été perdu")
			}
			if c := got.ParType[xdemat.NotificationPosteEnrole]; c.App {
				t.Errorf("la case décochée n'est pas enregistrée : %+v", c)
			}
		})
	}
}

// TestAjouterSonNumeroRendLeSMS: once Marie adds her mobile number to her
// profile, the SMS column comes back with what she had chosen.
func TestAjouterSonNumeroRendLeSMS(t *testing.T) {
	ag := communeDeTest()
	ag.prefs = &xdemat.Preferences{UtilisateurID: "u-marie", ParType: map[string]xdemat.Canaux{
		xdemat.NotificationMessageSPL: {App: true, SMS: true},
	}}
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Paramètres"))
	p := u.parametres
	test.Tap(bouton(t, p.profils.Objects[0], "Modifier"))
	var tel *widget.Entry
	for _, o := range objets(u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "06 12 34 56 78" {
			tel = e
		}
	}
	if tel == nil {
		t.Fatalf("pas de case de téléphone dans %q", dialogue(u))
	}
	test.Type(tel, "06 12 34 56 78")
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Enregistrer"))
	sms := p.canaux[xdemat.NotificationMessageSPL][2]
	if sms.Disabled() || !sms.Checked || p.aideSMS.Visible() {
		t.Errorf("SMS grisé = %v, coché = %v, aide = %v ; veut au choix, coché, sans aide", sms.Disabled(), sms.Checked, p.aideSMS.Visible())
	}
}

// TestRetirerLeMotDePasse: the form of a profile with a password offers to
// remove it, after a confirmation.
func TestRetirerLeMotDePasse(t *testing.T) {
	for _, tc := range []struct {
		nom      string
		profil   int // in the list: 0 Marie (no password), 1 Paul
		propose  bool
		confirme string // button of the confirmation
		retire   bool
	}{
		{"un profil sans mot de passe n'a rien à retirer", 0, false, "", false},
		{"confirmer retire le mot de passe", 1, true, "Retirer le mot de passe", true},
		{"annuler garde le mot de passe", 1, true, "Annuler", false},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest()
			u := connecte(t, ag, Options{})
			test.Tap(bouton(t, u.menu.objet, "Paramètres"))
			p := u.parametres
			test.Tap(bouton(t, p.profils.Objects[tc.profil], "Modifier"))
			formulaire := u.win.Canvas().Overlays().Top()
			if got := slices.Contains(textes(formulaire), "Retirer le mot de passe"); got != tc.propose {
				t.Fatalf("« Retirer le mot de passe » proposé = %v, veut %v", got, tc.propose)
			}
			if !tc.propose {
				return
			}
			test.Tap(bouton(t, formulaire, "Retirer le mot de passe"))
			confirmation := u.win.Canvas().Overlays().Top()
			if confirmation == formulaire || !slices.ContainsFunc(textes(confirmation), func(s string) bool { return strings.Contains(s, "s'ouvrira d'un clic") }) {
				t.Fatalf("pas de confirmation : %q", textes(confirmation))
			}
			test.Tap(bouton(t, confirmation, tc.confirme))
			if got := ag.motsDePasse["u-paul"] == ""; got != tc.retire {
				t.Fatalf("mot de passe retiré = %v, veut %v ; dialogue : %q", got, tc.retire, dialogue(u))
			}
			if got := ag.aAppele("RetirerMotDePasse u-paul"); got != tc.retire {
				t.Errorf("appel à l'agent = %v, veut %v", got, tc.retire)
			}
			if u.win.Canvas().Overlays().Top() != formulaire {
				t.Fatalf("le formulaire du profil n'est plus affiché")
			}
			if got := slices.Contains(textes(formulaire), "Retirer le mot de passe"); got == tc.retire {
				t.Errorf("« Retirer le mot de passe » encore proposé = %v", got)
			}
			if tc.retire && slices.ContainsFunc(textes(p.profils), func(s string) bool { return strings.Contains(s, "avec mot de passe") }) {
				t.Errorf("la liste des profils dit encore « avec mot de passe » : %q", textes(p.profils))
			}
		})
	}
}

func TestConnexion(t *testing.T) {
	for _, tc := range []struct {
		nom        string
		profil     string
		motDePasse string
		ouverte    string // "" when the login stays
		erreur     string
	}{
		{"un profil sans mot de passe s'ouvre d'un clic", "Marie Martin", "", "u-marie", ""},
		{"un profil avec mot de passe demande le bon", "Paul Durand", "motdepasse-paul", "u-paul", ""},
		{"un mauvais mot de passe laisse la question posée", "Paul Durand", "faux", "", "Mot de passe incorrect pour Paul Durand : réessayez."},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest()
			u := demarrer(t, ag, Options{})
			if u.racine.Objects[0] != u.connexion.objet {
				t.Fatalf("la fenêtre ne demande pas qui travaille")
			}
			test.Tap(bouton(t, u.connexion.objet, tc.profil))
			if tc.motDePasse != "" {
				var mdp *widget.Entry
				for _, o := range objets(u.connexion.objet) {
					if e, ok := o.(*widget.Entry); ok && e.Password {
						mdp = e
					}
				}
				if mdp == nil {
					t.Fatalf("pas de case de mot de passe")
				}
				test.Type(mdp, tc.motDePasse)
				test.Tap(bouton(t, u.connexion.objet, "Ouvrir la session"))
			}
			switch {
			case tc.ouverte != "":
				if u.profil == nil || u.profil.ID != tc.ouverte || ag.session != tc.ouverte {
					t.Fatalf("session = %+v, veut %s", u.profil, tc.ouverte)
				}
				if u.racine.Objects[0] != u.principal {
					t.Errorf("la fenêtre principale n'est pas affichée")
				}
				if got := u.barre.qui.Text; !strings.Contains(got, tc.profil) {
					t.Errorf("barre d'état = %q", got)
				}
			default:
				if u.profil != nil {
					t.Fatalf("session ouverte avec un mauvais mot de passe")
				}
				if !slices.Contains(dialogue(u), tc.erreur) {
					t.Errorf("dialogue = %q, veut %q", dialogue(u), tc.erreur)
				}
			}
		})
	}
}

// TestPosteNonEnrole: a poste not enrolled yet says to call the SPL instead
// of a profile form the agent would refuse, keeps the diagnostic at hand,
// and follows the enrolment without restarting.
func TestPosteNonEnrole(t *testing.T) {
	ag := newFauxAgent()
	identite := ag.identite
	ag.identite = nil
	u := demarrer(t, ag, Options{})
	for _, etape := range []struct {
		nom       string
		avant     func()
		evenement string
		veut      string // start of a text of the login
		titre     string // of the window
		saisie    bool   // the login shows entries
	}{
		{"le poste non enrôlé dit d'appeler la SPL", nil, "", "Que faire : appelez la SPL", "xdemat", false},
		{"un état inchangé laisse le message", nil, "etat", "Ce poste attend son enrôlement", "xdemat", false},
		{"une fois enrôlé, le premier profil se crée", func() { ag.identite = identite }, "etat", "Bienvenue dans xdemat", "xdemat — Commune de Démonstration", true},
		{"les profils venus de la SPL s'affichent", func() { ag.avecUtilisateur("u-marie", "Marie", "Martin", "") }, "utilisateurs", "Qui travaille sur ce poste ?", "xdemat — Commune de Démonstration", false},
	} {
		t.Run(etape.nom, func(t *testing.T) {
			if etape.avant != nil {
				ag.mu.Lock()
				etape.avant()
				ag.mu.Unlock()
			}
			if etape.evenement != "" {
				ch := make(chan agent.BusEvent, 1)
				ch <- agent.BusEvent{Type: etape.evenement}
				close(ch)
				u.lireFlux(context.Background(), ch)
			}
			if u.racine.Objects[0] != u.connexion.objet {
				t.Fatalf("la fenêtre ne montre pas l'accueil")
			}
			if !slices.ContainsFunc(textes(u.connexion.objet), func(s string) bool { return strings.HasPrefix(s, etape.veut) }) {
				t.Errorf("accueil = %q, veut %q", textes(u.connexion.objet), etape.veut)
			}
			saisie := slices.ContainsFunc(objets(u.connexion.objet), func(o fyne.CanvasObject) bool { _, ok := o.(*widget.Entry); return ok })
			if saisie != etape.saisie {
				t.Errorf("cases à remplir = %v, veut %v", saisie, etape.saisie)
			}
			if got := u.win.Title(); got != etape.titre {
				t.Errorf("titre de la fenêtre = %q, veut %q", got, etape.titre)
			}
		})
	}
}

// TestPosteNonEnroleAvecProfils: before enrolment, profiles already on the
// poste (the technician's) still open a session; only an empty poste waits.
func TestPosteNonEnroleAvecProfils(t *testing.T) {
	ag := newFauxAgent()
	ag.identite = nil
	ag.avecUtilisateur("u-tech", "Paul", "Technicien", "")
	u := demarrer(t, ag, Options{})
	if u.racine.Objects[0] != u.connexion.objet {
		t.Fatalf("la fenêtre ne montre pas l'accueil")
	}
	if !slices.ContainsFunc(textes(u.connexion.objet), func(s string) bool { return strings.HasPrefix(s, "Qui travaille sur ce poste ?") }) {
		t.Errorf("accueil = %q, le choix du profil était attendu", textes(u.connexion.objet))
	}
}

// TestDiagnosticAvantEnrolement: the technician reads the diagnostic from
// the page of a poste not enrolled, and comes back.
func TestDiagnosticAvantEnrolement(t *testing.T) {
	ag := newFauxAgent()
	ag.identite = nil
	u := demarrer(t, ag, Options{})
	test.Tap(bouton(t, u.connexion.objet, "À propos / diagnostic"))
	if !slices.Contains(objets(u.racine), u.diagnostic.objet) {
		t.Fatalf("le diagnostic n'est pas affiché : %q", textes(u.racine))
	}
	if got := u.diagnostic.valeurs["Poste"].Text; !strings.HasPrefix(got, "Non enrôlé") {
		t.Errorf("Poste = %q", got)
	}
	if dialogue(u) != nil {
		t.Errorf("dialogue : %q", dialogue(u))
	}
	test.Tap(bouton(t, u.racine, "Retour"))
	if u.racine.Objects[0] != u.connexion.objet || !slices.Contains(textes(u.connexion.objet), "Ce poste attend son enrôlement") {
		t.Errorf("le retour ne ramène pas à l'accueil : %q", textes(u.racine))
	}
}

func TestPremierProfil(t *testing.T) {
	ag := newFauxAgent()
	u := demarrer(t, ag, Options{Lien: xdemat.Lien{Ecran: EcranParametres}})
	if !slices.Contains(textes(u.connexion.objet), "Bienvenue dans xdemat") {
		t.Fatalf("pas de création du premier profil : %q", textes(u.connexion.objet))
	}
	var entries []*widget.Entry
	for _, o := range objets(u.connexion.objet) {
		if e, ok := o.(*widget.Entry); ok {
			entries = append(entries, e)
		}
	}
	// Prénom, Nom, Courriel, Téléphone, Mot de passe, Confirmation.
	if len(entries) != 6 {
		t.Fatalf("%d cases, veut 6", len(entries))
	}
	test.Type(entries[0], "Françoise")
	test.Type(entries[1], "Lœuvre")
	test.Type(entries[3], "06 12 34 56 78")
	test.Type(entries[4], "secret-de-mairie")
	test.Type(entries[5], "secret-de-mairie")
	test.Tap(bouton(t, u.connexion.objet, "Créer mon profil"))
	if len(ag.utilisateurs) != 1 {
		t.Fatalf("%d utilisateurs, veut 1 ; dialogue : %q", len(ag.utilisateurs), dialogue(u))
	}
	cree := ag.utilisateurs[0]
	if cree.NomComplet() != "Françoise Lœuvre" || cree.Telephone != "+33612345678" || cree.CommuneID != "c-1" || cree.Role != xdemat.RoleSecretaire {
		t.Errorf("profil créé = %+v", cree)
	}
	if ag.motsDePasse[cree.ID] != "secret-de-mairie" {
		t.Errorf("le mot de passe n'a pas été transmis à l'agent")
	}
	if u.profil == nil || ag.session != cree.ID {
		t.Fatalf("la session n'est pas ouverte")
	}
	if u.ecran != EcranParametres {
		t.Errorf("le lien demandé au démarrage n'est pas ouvert : %q", u.ecran)
	}
}

func TestPremierProfilRefuseDeuxMotsDePasseDifferents(t *testing.T) {
	ag := newFauxAgent()
	u := demarrer(t, ag, Options{})
	f := newFormulaireProfil(nil)
	f.nom.SetText("Martin")
	f.motDePasse.SetText("un-mot-de-passe")
	f.confirmation.SetText("un-autre")
	if _, _, err := f.valeur("c-1"); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Errorf("erreur = %v, veut invalide", err)
	}
	_ = u
}

func TestSessionPerdueRedemandeQuiTravaille(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	ag.mu.Lock()
	ag.sessionPerdue = true // the agent restarted
	ag.mu.Unlock()
	test.Tap(bouton(t, u.menu.objet, "Historique"))
	if u.profil != nil || u.racine.Objects[0] != u.connexion.objet {
		t.Fatalf("la connexion n'est pas redemandée")
	}
	if !strings.Contains(u.connexion.note.Text, "Choisissez à nouveau votre profil") || !u.connexion.note.Visible() {
		t.Errorf("note = %q", u.connexion.note.Text)
	}
	if dialogue(u) != nil {
		t.Errorf("un dialogue d'erreur s'ajoute à la question : %q", dialogue(u))
	}
	test.Tap(bouton(t, u.connexion.objet, "Marie Martin"))
	if u.profil == nil {
		t.Fatalf("la session ne se rouvre pas")
	}
}

func TestChangerDUtilisateur(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	test.Tap(u.menu.changer)
	if u.profil != nil || ag.session != "" || u.racine.Objects[0] != u.connexion.objet {
		t.Fatalf("la session n'est pas fermée")
	}
}

func TestFluxMetAJourLaPage(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	ag.LeverNotification(context.Background(), xdemat.Notification{ID: "00000000-0000-4000-8000-000000000009", Type: xdemat.NotificationPosteRevoque,
		Severite: xdemat.SeveriteCritique, Titre: "Un poste a été révoqué", CreeLe: maintenantTest})
	etat, _ := json.Marshal(agent.SyncState{Enrole: true, OperationsEnAttente: 3, OctetsEnAttente: 2_200_000})
	ch := make(chan agent.BusEvent, 2)
	ch <- agent.BusEvent{Type: "notifications"}
	ch <- agent.BusEvent{Type: "etat", Data: json.RawMessage(etat)}
	close(ch)
	u.lireFlux(context.Background(), ch)
	if got := titres(u.afaire.notifs); len(got) != 5 || !slices.Contains(got, "Un poste a été révoqué") {
		t.Errorf("liste = %q", got)
	}
	if got := u.menu.entrees[EcranAFaire].Text; got != "À faire (5)" {
		t.Errorf("menu = %q", got)
	}
	if got := u.barre.envois.Text; got != "3 envois en attente ("+xdemat.Octets(2_200_000)+")" {
		t.Errorf("envois = %q", got)
	}
	if got := u.barre.connexion.Text; !strings.HasPrefix(got, "Hors ligne") {
		t.Errorf("connexion = %q", got)
	}
}

func TestDiagnostic(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{AgentIntegre: true, Version: "0.9.0"})
	test.Tap(bouton(t, u.menu.objet, "À propos"))
	p := u.diagnostic
	for ligne, veut := range map[string]string{
		"Version de l'application":  "0.9.0",
		"Version du service xdemat": "1.2.3",
		"Service xdemat":            "Agent intégré à l'application (aucun service xdemat ne répondait à son démarrage)",
		"Dossier de données":        "/var/lib/xdemat",
		"SPL":                       "Joignable (En ligne)",
		"Dernier échange réussi":    "Aujourd'hui à 09:59",
	} {
		if got := p.valeurs[ligne].Text; got != veut {
			t.Errorf("%s = %q, veut %q", ligne, got, veut)
		}
	}
	if got := textes(p.boucles); !slices.Equal(got, []string{"Réception depuis la SPL : La SPL ne répond pas : les messages arriveront plus tard.", "Envois vers la SPL : fonctionne"}) {
		t.Errorf("tâches = %q", got)
	}
}

// fichier is an io.WriteCloser in memory.
type fichier struct {
	bytes.Buffer
	ferme bool
}

func (f *fichier) Close() error { f.ferme = true; return nil }

func TestExporterLesJournaux(t *testing.T) {
	ag := communeDeTest()
	ag.journal = []*xdemat.Journal{{Seq: 1, Acteur: "u-marie", Action: xdemat.OperationNotificationLue, Objet: idAlerte}}
	u := connecte(t, ag, Options{AgentIntegre: true, DossierDonnees: "/tmp/x"})
	var f fichier
	supprime := false
	u.diagnostic.exporter(&f, "/tmp/journaux.zip", func() { supprime = true })
	if !f.ferme || supprime {
		t.Fatalf("fermé = %v, supprimé = %v", f.ferme, supprime)
	}
	z, err := zip.NewReader(bytes.NewReader(f.Bytes()), int64(f.Len()))
	if err != nil {
		t.Fatal(err)
	}
	contenu := map[string]string{}
	for _, zf := range z.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		contenu[zf.Name] = string(b)
	}
	if contenu[FichierJournalTec] != string(ag.technique) {
		t.Errorf("journal technique = %q", contenu[FichierJournalTec])
	}
	var ex Export
	if err := json.Unmarshal([]byte(contenu[FichierDiagnostic]), &ex); err != nil {
		t.Fatal(err)
	}
	if !ex.Application.AgentIntegre || ex.Agent == nil || ex.Agent.Version != "1.2.3" || ex.EntreesJourn != 1 {
		t.Errorf("diagnostic = %+v", ex)
	}
	if !strings.Contains(contenu[FichierJournal], xdemat.OperationNotificationLue) {
		t.Errorf("journal = %q", contenu[FichierJournal])
	}
	if !slices.Contains(dialogue(u), "Journaux exportés") {
		t.Errorf("dialogue = %q", dialogue(u))
	}
}

func TestExportAnnuleNeGardeRien(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	var travail func()
	u.enFond = func(f func()) { travail = f } // held until "Annuler" is pressed
	var f fichier
	supprime := false
	u.diagnostic.exporter(&f, "/tmp/journaux.zip", func() { supprime = true })
	test.Tap(bouton(t, u.win.Canvas().Overlays().Top(), "Annuler"))
	travail()
	if !supprime || !f.ferme {
		t.Errorf("supprimé = %v, fermé = %v : un export annulé ne doit rien laisser", supprime, f.ferme)
	}
	if !slices.Contains(dialogue(u), "Aucun fichier n'a été gardé.") {
		t.Errorf("dialogue = %q", dialogue(u))
	}
}
