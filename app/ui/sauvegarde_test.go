package ui

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// ouvrirSauvegarde opens the "Sauvegarde" page from the menu.
func ouvrirSauvegarde(t *testing.T, u *UI) *pageSauvegarde {
	t.Helper()
	test.Tap(bouton(t, u.menu.objet, "Sauvegarde"))
	if u.ecran != EcranSauvegarde {
		t.Fatalf("écran = %q, veut la sauvegarde", u.ecran)
	}
	return u.sauvegarde
}

// evenements feeds events to the UI as the local API sends them (JSON).
func evenements(t *testing.T, u *UI, evs ...agent.BusEvent) {
	t.Helper()
	ch := make(chan agent.BusEvent, len(evs))
	for _, ev := range evs {
		raw, err := json.Marshal(ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		ch <- agent.BusEvent{Type: ev.Type, Data: json.RawMessage(raw)}
	}
	close(ch)
	u.lireFlux(context.Background(), ch)
}

func contient(textes []string, morceau string) bool {
	return slices.ContainsFunc(textes, func(s string) bool { return strings.Contains(s, morceau) })
}

func TestBarreDEtatDeLaSauvegarde(t *testing.T) {
	reussie := func(fin time.Time) *xdemat.Sauvegarde {
		return &xdemat.Sauvegarde{Type: xdemat.TypeSauvegarde, Debut: fin.Add(-10 * time.Minute), Fin: fin, Statut: xdemat.SauvegardeReussie}
	}
	echouee := func(fin time.Time) *xdemat.Sauvegarde {
		return &xdemat.Sauvegarde{Type: xdemat.TypeSauvegarde, Debut: fin.Add(-time.Minute), Fin: fin, Statut: xdemat.SauvegardeEchouee, Erreur: "La SPL ne répond pas."}
	}
	active := agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{"/home/marie/Documents"}}
	nuit := time.Date(2026, 11, 25, 2, 14, 0, 0, time.UTC)
	for _, tc := range []struct {
		nom   string
		etat  *agent.EtatSauvegarde
		texte string
		imp   widget.Importance
	}{
		{"un agent sans sauvegarde", nil, "Sauvegarde : pas encore configurée", widget.MediumImportance},
		{"la sauvegarde de nuit n'est pas activée", &agent.EtatSauvegarde{Config: agent.ConfigSauvegarde{Dossiers: []string{"/x"}}}, "Sauvegarde : pas encore configurée", widget.MediumImportance},
		{"activée, pas encore faite", &agent.EtatSauvegarde{Config: active}, "Sauvegarde : aucune encore", widget.WarningImportance},
		{"réussie cette nuit", &agent.EtatSauvegarde{Config: active, Derniere: reussie(nuit), DerniereReussie: reussie(nuit)}, "Dernière sauvegarde : cette nuit à 02:14", widget.SuccessImportance},
		{"réussie ce matin, lancée à la main", &agent.EtatSauvegarde{Config: active, DerniereReussie: reussie(nuit.Add(7 * time.Hour))}, "Dernière sauvegarde : aujourd'hui à 09:14", widget.SuccessImportance},
		{"réussie hier, moins de 36 heures", &agent.EtatSauvegarde{Config: active, DerniereReussie: reussie(nuit.AddDate(0, 0, -1))}, "Dernière sauvegarde : hier à 02:14", widget.SuccessImportance},
		{"plus de 36 heures : en orange", &agent.EtatSauvegarde{Config: active, DerniereReussie: reussie(nuit.Add(-40 * time.Hour))}, "Dernière sauvegarde : il y a 2 jours", widget.WarningImportance},
		{"il y a trois jours", &agent.EtatSauvegarde{Config: active, DerniereReussie: reussie(nuit.AddDate(0, 0, -3))}, "Dernière sauvegarde : il y a 3 jours", widget.WarningImportance},
		{"la dernière a échoué : en rouge", &agent.EtatSauvegarde{Config: active, Derniere: echouee(nuit), DerniereReussie: reussie(nuit.AddDate(0, 0, -1))}, "Dernière sauvegarde : hier à 02:14 — échec cette nuit à 02:14", widget.DangerImportance},
		{"jamais réussie, échec cette nuit", &agent.EtatSauvegarde{Config: active, Derniere: echouee(nuit)}, "Sauvegarde : aucune encore — échec cette nuit à 02:14", widget.DangerImportance},
		{"une sauvegarde annulée n'est pas un échec", &agent.EtatSauvegarde{Config: active, Derniere: &xdemat.Sauvegarde{Debut: nuit, Fin: nuit, Statut: xdemat.SauvegardeAnnulee}, DerniereReussie: reussie(nuit.AddDate(0, 0, -1))}, "Dernière sauvegarde : hier à 02:14", widget.SuccessImportance},
		{"en cours", &agent.EtatSauvegarde{Config: active, EnCours: &agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde, Fraction: 0.424}}, "Sauvegarde en cours : 42 %", widget.MediumImportance},
		{"essai de restauration en cours", &agent.EtatSauvegarde{Config: active, EnCours: &agent.ProgressionSauvegarde{Type: xdemat.TypeExercice, Fraction: 1}}, "Essai de restauration en cours : 100 %", widget.MediumImportance},
		{"impossible de sauvegarder", &agent.EtatSauvegarde{Config: active, Probleme: "Le programme restic manque sur ce poste."}, "Sauvegarde impossible : voir la page Sauvegarde", widget.DangerImportance},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest()
			if tc.etat != nil {
				ag.sauvegarde.etat = *tc.etat
			}
			u := connecte(t, ag, Options{})
			l := u.barre.sauvegarde
			if l.Text != tc.texte || l.Importance != tc.imp {
				t.Errorf("barre = %q (importance %v), veut %q (%v)", l.Text, l.Importance, tc.texte, tc.imp)
			}
		})
	}
}

func TestPageSauvegarde(t *testing.T) {
	for _, tc := range []struct {
		nom     string
		changer func(e *agent.EtatSauvegarde)
		ligne   string
		veut    string
		imp     widget.Importance
	}{
		{"la sauvegarde de cette nuit", nil, "Date", "Aujourd'hui à 02:00, terminée à 02:14", widget.MediumImportance},
		{"son état en vert", nil, "État", "Réussie", widget.SuccessImportance},
		{"sa durée", nil, "Durée", "14 min 05 s", widget.MediumImportance},
		{"ce qu'elle a ajouté", nil, "Ajouté", "48 Mo (sur 12 Go sauvegardés)", widget.MediumImportance},
		{"les fichiers nouveaux et modifiés", nil, "Fichiers", "12 nouveaux, 3 modifiés, 4\u202f812 inchangés", widget.MediumImportance},
		{"la prochaine", nil, "Prochaine sauvegarde", "Demain à 02:00", widget.MediumImportance},
		{"l'espace utilisé", nil, "Espace utilisé", "20 Go sur 50 Go (40 %)", widget.MediumImportance},
		{"l'espace presque plein en orange", func(e *agent.EtatSauvegarde) { e.Utilise = 41 << 30 }, "Espace utilisé", "41 Go sur 50 Go (82 %) : l'espace sera bientôt plein.", widget.WarningImportance},
		{"l'espace plein en rouge", func(e *agent.EtatSauvegarde) { e.Utilise = 50 << 30 }, "Espace utilisé", "50 Go sur 50 Go (100 %) : l'espace est plein, plus rien n'est sauvegardé. Appelez la SPL pour l'agrandir.", widget.DangerImportance},
		{"un échec en rouge avec sa raison", func(e *agent.EtatSauvegarde) {
			d := *e.Derniere
			d.Statut, d.Erreur = xdemat.SauvegardeEchouee, "La SPL ne répond pas."
			e.Derniere = &d
			e.DerniereReussie = &xdemat.Sauvegarde{Fin: cetteNuit.AddDate(0, 0, -1)}
		}, "État", "Échouée — La SPL ne répond pas. ; dernière réussie hier à 02:00", widget.DangerImportance},
		{"des fichiers illisibles en orange", func(e *agent.EtatSauvegarde) {
			d := *e.Derniere
			d.Statut, d.FichiersIllisibles = xdemat.SauvegardePartielle, 2
			e.Derniere = &d
		}, "État", "Réussie, avec des fichiers illisibles (2 fichiers illisibles)", widget.WarningImportance},
		{"la nuit désactivée", func(e *agent.EtatSauvegarde) { e.Config.Active = false }, "Prochaine sauvegarde", "Aucune : la sauvegarde de nuit n'est pas activée", widget.MediumImportance},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest().avecSauvegardes()
			if tc.changer != nil {
				tc.changer(&ag.sauvegarde.etat)
			}
			u := connecte(t, ag, Options{})
			p := ouvrirSauvegarde(t, u)
			l := p.valeurs[tc.ligne]
			if strings.TrimSpace(l.Text) != strings.TrimSpace(tc.veut) || l.Importance != tc.imp {
				t.Errorf("%s = %q (importance %v), veut %q (%v)", tc.ligne, l.Text, l.Importance, tc.veut, tc.imp)
			}
		})
	}
}

func TestPageSauvegardeDitLeProbleme(t *testing.T) {
	ag := communeDeTest().avecSauvegardes()
	ag.sauvegarde.etat.Probleme = "Le programme de sauvegarde manque sur ce poste : le technicien de la SPL doit le réinstaller."
	u := connecte(t, ag, Options{})
	p := ouvrirSauvegarde(t, u)
	if !p.probleme.Visible() || p.probleme.Text != ag.sauvegarde.etat.Probleme || p.probleme.Importance != widget.DangerImportance {
		t.Errorf("problème affiché = %v, %q", p.probleme.Visible(), p.probleme.Text)
	}
	if !p.maintenant.Disabled() || !p.restaurer.Disabled() {
		t.Error("« Sauvegarder maintenant » et « Restaurer » doivent être grisés quand la sauvegarde est impossible")
	}
}

func TestHistoriqueDesSauvegardes(t *testing.T) {
	ag := communeDeTest().avecSauvegardes()
	u := connecte(t, ag, Options{})
	p := ouvrirSauvegarde(t, u)
	var lignes [][]string
	for _, o := range p.historique.Objects {
		lignes = append(lignes, textes(o))
	}
	veut := [][]string{
		{"25/11/2026 02:00", "Sauvegarde", "14 min 05 s", "48 Mo", "Réussie"},
		{"24/11/2026 02:00", "Sauvegarde", "1 min 00 s", "—", "Échouée"},
		{"La SPL ne répond pas : la sauvegarde sera refaite la nuit prochaine."},
		{"23/11/2026 03:00", "Essai de restauration", "3 min 00 s", "—", "Réussie"},
	}
	if len(lignes) != len(veut) {
		t.Fatalf("historique = %q", lignes)
	}
	for i := range veut {
		if !slices.Equal(lignes[i], veut[i]) {
			t.Errorf("ligne %d = %q\nveut     %q", i, lignes[i], veut[i])
		}
	}
}

func TestSauvegarderMaintenantPuisAnnuler(t *testing.T) {
	ag := communeDeTest().avecSauvegardes()
	u := connecte(t, ag, Options{})
	p := ouvrirSauvegarde(t, u)
	test.Tap(p.maintenant)
	if ag.sauvegarde.lancees != 1 {
		t.Fatalf("sauvegarde lancée %d fois ; dialogue : %q", ag.sauvegarde.lancees, dialogue(u))
	}
	if !p.enCours.Visible() || !p.maintenant.Disabled() {
		t.Fatalf("progression affichée = %v, bouton grisé = %v", p.enCours.Visible(), p.maintenant.Disabled())
	}
	for _, etape := range []struct {
		nom      string
		pr       agent.ProgressionSauvegarde
		fraction float64
		compteur string
		fichier  string
		barre    string
	}{
		{"le début", agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde}, 0, "Préparation…", "", "Sauvegarde en cours : 0 %"},
		{"à mi-chemin", agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde, Fraction: 0.5, FichiersFaits: 2406, FichiersTotal: 4812, OctetsFaits: 6 << 30, OctetsTotal: 12 << 30,
			FichierCourant: "/home/marie/Documents/Budget/budget-2026.ods"}, 0.5, "2\u202f406 sur 4\u202f812 fichiers · 6 Go sur 12 Go", "/home/marie/Documents/Budget/budget-2026.ods", "Sauvegarde en cours : 50 %"},
	} {
		t.Run(etape.nom, func(t *testing.T) {
			evenements(t, u, agent.BusEvent{Type: "sauvegarde", Data: etape.pr})
			if p.fraction.Value != etape.fraction || p.compteur.Text != etape.compteur || p.fichier.Text != etape.fichier {
				t.Errorf("progression = %v, %q, %q ; veut %v, %q, %q", p.fraction.Value, p.compteur.Text, p.fichier.Text, etape.fraction, etape.compteur, etape.fichier)
			}
			if u.barre.sauvegarde.Text != etape.barre {
				t.Errorf("barre = %q, veut %q", u.barre.sauvegarde.Text, etape.barre)
			}
		})
	}
	test.Tap(p.annuler)
	if ag.sauvegarde.annulees != 1 || p.annuler.Text != "Annulation…" || !p.annuler.Disabled() {
		t.Fatalf("annulation demandée %d fois, bouton %q grisé = %v", ag.sauvegarde.annulees, p.annuler.Text, p.annuler.Disabled())
	}
	// The agent stops restic, records the run and says so.
	ag.mu.Lock()
	ag.sauvegarde.etat.EnCours = nil
	ag.mu.Unlock()
	evenements(t, u, agent.BusEvent{Type: "sauvegarde.terminee", Data: xdemat.Sauvegarde{ID: "00000000-0000-4000-8000-0000000000b1", Type: xdemat.TypeSauvegarde,
		Debut: maintenantTest, Fin: maintenantTest.Add(time.Minute), Statut: xdemat.SauvegardeAnnulee}})
	if p.enCours.Visible() || p.maintenant.Disabled() {
		t.Errorf("progression encore affichée = %v, bouton grisé = %v", p.enCours.Visible(), p.maintenant.Disabled())
	}
	if !p.resultat.Visible() || p.resultat.Text != "Sauvegarde annulée : la précédente reste disponible." {
		t.Errorf("résultat = %q", p.resultat.Text)
	}
	if got := u.barre.sauvegarde.Text; got != "Dernière sauvegarde : cette nuit à 02:14" {
		t.Errorf("barre = %q", got)
	}
}

func TestFinDeSauvegarde(t *testing.T) {
	debut := maintenantTest.Add(-3 * time.Minute)
	for _, tc := range []struct {
		nom   string
		s     xdemat.Sauvegarde
		texte string
		imp   widget.Importance
	}{
		{"réussie", xdemat.Sauvegarde{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeReussie, FichiersNouveaux: 1, FichiersModifies: 4, OctetsAjoutes: 3 << 20},
			"Sauvegarde terminée en 3 min 00 s : 1 fichier nouveau, 4 modifiés, 3 Mo ajoutés.", widget.SuccessImportance},
		{"avec des fichiers ouverts", xdemat.Sauvegarde{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardePartielle, FichiersModifies: 1, FichiersIllisibles: 2, OctetsAjoutes: 1 << 20},
			"Sauvegarde terminée en 3 min 00 s : 0 fichier nouveau, 1 modifié, 1 Mo ajoutés. 2 fichiers n'ont pas pu être lus (ouverts par un logiciel ?) : ils le seront la nuit prochaine.", widget.WarningImportance},
		{"refusée, l'espace est plein", xdemat.Sauvegarde{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeRefusee, Erreur: "L'espace de sauvegarde de la commune est plein : appelez la SPL."},
			"La sauvegarde a échoué : L'espace de sauvegarde de la commune est plein : appelez la SPL.", widget.DangerImportance},
		{"l'essai mensuel réussi", xdemat.Sauvegarde{Type: xdemat.TypeExercice, Statut: xdemat.SauvegardeReussie},
			"Essai de restauration réussi : les sauvegardes se relisent.", widget.SuccessImportance},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest().avecSauvegardes()
			u := connecte(t, ag, Options{})
			p := ouvrirSauvegarde(t, u)
			tc.s.ID, tc.s.Debut, tc.s.Fin = "00000000-0000-4000-8000-0000000000b2", debut, maintenantTest
			evenements(t, u, agent.BusEvent{Type: "sauvegarde", Data: agent.ProgressionSauvegarde{Type: tc.s.Type, Fraction: 0.9}},
				agent.BusEvent{Type: "sauvegarde.terminee", Data: tc.s})
			if p.resultat.Text != tc.texte || p.resultat.Importance != tc.imp {
				t.Errorf("résultat = %q (%v)\nveut       %q (%v)", p.resultat.Text, p.resultat.Importance, tc.texte, tc.imp)
			}
			if p.enCours.Visible() {
				t.Errorf("la progression reste affichée")
			}
		})
	}
}

func TestReglagesDeLaSauvegarde(t *testing.T) {
	ag := communeDeTest()
	ag.sauvegarde.etat = agent.EtatSauvegarde{Config: agent.ConfigSauvegarde{Heure: 2},
		Propositions: []string{"/home/marie/Documents", "/home/marie/.local/share/Magnus"}}
	u := connecte(t, ag, Options{})
	u.choisirDossier = func(ok func(string)) { ok("/srv/partage/mairie") }
	p := ouvrirSauvegarde(t, u)
	if !p.proposition.Visible() || !slices.Equal(p.dossiers, ag.sauvegarde.etat.Propositions) {
		t.Fatalf("première configuration : proposition affichée = %v, dossiers = %q", p.proposition.Visible(), p.dossiers)
	}
	if p.heure.Selected != "2 h" || len(p.heure.Options) != 24 || p.heure.Options[0] != "0 h" || p.heure.Options[23] != "23 h" {
		t.Errorf("heure = %q parmi %q", p.heure.Selected, p.heure.Options)
	}
	// Marie keeps Documents, drops the accounting folder, adds the share,
	// and asks for 23 h.
	test.Tap(bouton(t, p.liste.Objects[1], "Retirer"))
	test.Tap(bouton(t, p.objet, "Ajouter un dossier…"))
	test.Tap(bouton(t, p.objet, "Ajouter un dossier…")) // twice: kept once
	test.Tap(p.active)
	p.heure.SetSelected("23 h")
	if got := textes(p.liste); !contient(got, "/srv/partage/mairie") || contient(got, "Magnus") {
		t.Errorf("liste affichée = %q", got)
	}
	test.Tap(bouton(t, p.objet, "Enregistrer les réglages"))
	if len(ag.sauvegarde.configs) != 1 {
		t.Fatalf("%d enregistrements ; dialogue : %q", len(ag.sauvegarde.configs), dialogue(u))
	}
	got := ag.sauvegarde.configs[0]
	veut := agent.ConfigSauvegarde{Active: true, Heure: 23, Dossiers: []string{"/home/marie/Documents", "/srv/partage/mairie"}}
	if got.Active != veut.Active || got.Heure != veut.Heure || !slices.Equal(got.Dossiers, veut.Dossiers) {
		t.Errorf("réglages = %+v, veut %+v", got, veut)
	}
	if p.enregistre.Text != "Réglages enregistrés." || p.proposition.Visible() {
		t.Errorf("confirmation = %q, proposition encore affichée = %v", p.enregistre.Text, p.proposition.Visible())
	}
	if got := u.barre.sauvegarde.Text; got != "Sauvegarde : aucune encore" {
		t.Errorf("barre = %q", got)
	}
}

func TestReglagesRefusesParLAgent(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	p := ouvrirSauvegarde(t, u)
	test.Tap(p.active)
	test.Tap(bouton(t, p.objet, "Enregistrer les réglages"))
	if !slices.Contains(dialogue(u), "Aucun dossier à sauvegarder : ajoutez au moins un dossier.") {
		t.Errorf("dialogue = %q", dialogue(u))
	}
	if p.enregistre.Text != "" {
		t.Errorf("confirmation = %q", p.enregistre.Text)
	}
}

// restaurationOuverte opens "Restaurer…" and the backup of Tuesday 24.
func restaurationOuverte(t *testing.T, u *UI) *restauration {
	t.Helper()
	p := ouvrirSauvegarde(t, u)
	test.Tap(p.restaurer)
	r := u.restauration
	if r == nil {
		t.Fatalf("pas de dialogue de restauration : %q", dialogue(u))
	}
	veut := []string{"mercredi 25 novembre 2026 à 02:14", "mardi 24 novembre 2026 à 02:00", "lundi 23 novembre 2026 à 02:00"}
	if !slices.Equal(r.date.Options, veut) {
		t.Fatalf("dates = %q\nveut    %q", r.date.Options, veut)
	}
	if !r.lancer.Disabled() {
		t.Errorf("« Restaurer » possible avant tout choix")
	}
	r.date.SetSelected("mardi 24 novembre 2026 à 02:00")
	if r.ou.Text != "Tous les dossiers sauvegardés" || len(r.entrees) != 1 {
		t.Fatalf("haut de la sauvegarde : %q, %d entrées", r.ou.Text, len(r.entrees))
	}
	return r
}

// entrer opens the folder named nom in the list.
func entrer(t *testing.T, r *restauration, nom string) {
	t.Helper()
	i := slices.IndexFunc(r.entrees, func(e agent.EntreeInstantane) bool { return e.Nom == nom })
	if i < 0 || !r.entrees[i].Dossier {
		t.Fatalf("pas de dossier %q dans %+v", nom, r.entrees)
	}
	r.ouvrirDossier(r.entrees[i].Chemin)
}

func TestRestaurer(t *testing.T) {
	for _, tc := range []struct {
		nom       string
		dossiers  []string // opened in turn
		choix     string   // selected in the list; "" for "Choisir tout ce dossier"
		ailleurs  string   // folder chosen for "Dans un autre dossier…"
		selection string
		demande   agent.DemandeRestauration
		message   string
	}{
		{"un fichier à sa place", []string{"Documents"}, "courrier.odt", "",
			"À restaurer : /home/marie/Documents/courrier.odt (24 Ko), tel qu'il était le mardi 24 novembre 2026 à 02:00.",
			agent.DemandeRestauration{Instantane: "b1b1b1b1", Chemins: []string{"/home/marie/Documents/courrier.odt"}},
			"1 fichier (1,2 Mo), tel qu'il était le mardi 24 novembre 2026 à 02:00, remis à sa place dans /home/marie/Documents. Les versions qui s'y trouvaient sont gardées à côté."},
		{"un dossier dans un autre dossier", []string{"Documents"}, "Budget", "/media/cle-usb",
			"À restaurer : le dossier /home/marie/Documents/Budget, tel qu'il était le mardi 24 novembre 2026 à 02:00.",
			agent.DemandeRestauration{Instantane: "b1b1b1b1", Chemins: []string{"/home/marie/Documents/Budget"}, Cible: "/media/cle-usb"},
			"1 fichier (1,2 Mo), tel qu'il était le mardi 24 novembre 2026 à 02:00, restauré dans /media/cle-usb."},
		{"le dossier ouvert, après être remonté", []string{"Documents", "Budget"}, "", "/media/cle-usb",
			"À restaurer : le dossier /home/marie/Documents/Budget, tel qu'il était le mardi 24 novembre 2026 à 02:00.",
			agent.DemandeRestauration{Instantane: "b1b1b1b1", Chemins: []string{"/home/marie/Documents/Budget"}, Cible: "/media/cle-usb"},
			"restauré dans /media/cle-usb."},
		{"toute la sauvegarde sur un nouveau PC", nil, "", "",
			"À restaurer : toute la sauvegarde du mardi 24 novembre 2026 à 02:00.",
			agent.DemandeRestauration{Instantane: "b1b1b1b1"},
			"remis à sa place"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			ag := communeDeTest().avecSauvegardes()
			u := connecte(t, ag, Options{})
			r := restaurationOuverte(t, u)
			for _, d := range tc.dossiers {
				entrer(t, r, d)
			}
			if tc.nom == "le dossier ouvert, après être remonté" {
				test.Tap(r.remonter)
				if r.dossierOuvert() != "/home/marie/Documents" {
					t.Fatalf("après « Remonter » : %q", r.dossierOuvert())
				}
				entrer(t, r, "Budget")
			}
			if tc.choix == "" {
				test.Tap(r.tout)
			} else {
				i := slices.IndexFunc(r.entrees, func(e agent.EntreeInstantane) bool { return e.Nom == tc.choix })
				r.liste.Select(i)
			}
			if r.selection.Text != tc.selection {
				t.Errorf("sélection = %q\nveut        %q", r.selection.Text, tc.selection)
			}
			if tc.ailleurs != "" {
				u.choisirDossier = func(ok func(string)) { ok(tc.ailleurs) }
				r.destination.SetSelected(versAutrePart)
				if r.destination.Selected != versAutrePart+" "+tc.ailleurs {
					t.Errorf("destination = %q", r.destination.Selected)
				}
			}
			if r.lancer.Disabled() {
				t.Fatalf("« Restaurer » reste grisé")
			}
			test.Tap(r.lancer)
			if len(ag.sauvegarde.restaurations) != 1 {
				t.Fatalf("%d restaurations ; dialogue : %q", len(ag.sauvegarde.restaurations), dialogue(u))
			}
			got := ag.sauvegarde.restaurations[0]
			if got.Instantane != tc.demande.Instantane || !slices.Equal(got.Chemins, tc.demande.Chemins) || got.Cible != tc.demande.Cible {
				t.Errorf("demande = %+v\nveut      %+v", got, tc.demande)
			}
			if d := dialogue(u); !slices.Contains(d, "Restauration terminée") || !contient(d, tc.message) {
				t.Errorf("compte rendu = %q, veut %q", d, tc.message)
			}
		})
	}
}

// TestAilleursSansDossier: choosing "elsewhere" and cancelling the folder
// dialog leaves "Restaurer" greyed out, until "à sa place" is chosen again.
func TestAilleursSansDossier(t *testing.T) {
	ag := communeDeTest().avecSauvegardes()
	u := connecte(t, ag, Options{})
	r := restaurationOuverte(t, u)
	r.liste.Select(0)
	u.choisirDossier = func(func(string)) {} // cancelled
	r.destination.SetSelected(versAutrePart)
	if !r.lancer.Disabled() {
		t.Errorf("« Restaurer » possible sans dossier de destination")
	}
	r.destination.SetSelected(versSaPlace)
	if r.lancer.Disabled() {
		t.Errorf("« Restaurer » grisé avec « à sa place »")
	}
}

func TestRestaurationAnnulee(t *testing.T) {
	ag := communeDeTest().avecSauvegardes()
	u := connecte(t, ag, Options{})
	r := restaurationOuverte(t, u)
	entrer(t, r, "Documents")
	r.liste.Select(1)
	var travail func()
	u.enFond = func(f func()) { travail = f } // held until "Annuler" is pressed
	test.Tap(r.lancer)
	progression := u.win.Canvas().Overlays().Top()
	if !contient(textes(progression), "Restauration de courrier.odt…") {
		t.Fatalf("progression = %q", textes(progression))
	}
	u.evenement(agent.BusEvent{Type: "sauvegarde", Data: agent.ProgressionSauvegarde{Type: typeRestauration, Fraction: 0.3, FichiersFaits: 3, FichiersTotal: 10}})
	if !contient(textes(progression), "Restauration : 3 sur 10 fichiers") {
		t.Errorf("progression = %q", textes(progression))
	}
	test.Tap(bouton(t, progression, "Annuler"))
	travail()
	if len(ag.sauvegarde.restaurations) != 0 {
		t.Errorf("la restauration a continué après « Annuler »")
	}
	if d := dialogue(u); !slices.Contains(d, "Restauration arrêtée") {
		t.Errorf("dialogue = %q", d)
	}
}

func TestRienARestaurer(t *testing.T) {
	ag := communeDeTest()
	u := connecte(t, ag, Options{})
	p := ouvrirSauvegarde(t, u)
	test.Tap(p.restaurer)
	if u.restauration != nil || !contient(dialogue(u), "il n'y a rien à restaurer") {
		t.Errorf("dialogue = %q", dialogue(u))
	}
}

// TestNotificationDeSauvegarde: the backup service's notifications open the page.
func TestNotificationDeSauvegarde(t *testing.T) {
	ag := communeDeTest().avecSauvegardes().avecNotification(xdemat.Notification{ID: "00000000-0000-4000-8000-0000000000c1",
		Type: xdemat.NotificationSauvegardeEchec, Severite: xdemat.SeveriteUrgent, Titre: "La sauvegarde de la nuit a échoué",
		Objet: xdemat.Lien{Ecran: EcranSauvegarde}})
	u := connecte(t, ag, Options{})
	i := slices.IndexFunc(u.afaire.notifs, func(n *xdemat.Notification) bool { return n.Type == xdemat.NotificationSauvegardeEchec })
	u.afaire.liste.Select(i)
	if u.ecran != EcranSauvegarde || u.menu.entrees[EcranSauvegarde].Importance != widget.HighImportance {
		t.Errorf("écran = %q", u.ecran)
	}
}
