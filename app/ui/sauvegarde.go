package ui

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// limiteHistorique is how many runs the page lists: a month of nights and
// the drill.
const limiteHistorique = 40

// pageSauvegarde is "Sauvegarde": how last night went, the space used, a
// backup now with its progress, the settings, the history of runs and the
// restore of files.
type pageSauvegarde struct {
	u     *UI
	objet fyne.CanvasObject

	probleme *widget.Label
	valeurs  map[string]*widget.Label // rows of "Dernière sauvegarde"
	espace   *widget.ProgressBar
	espaceTx *widget.Label

	maintenant *widget.Button
	restaurer  *widget.Button
	resultat   *widget.Label

	// The run in progress.
	enCours  *widget.Card
	fraction *widget.ProgressBar
	compteur *widget.Label
	fichier  *widget.Label
	annuler  *widget.Button

	// Settings, edited here until "Enregistrer".
	active      *widget.Check
	heure       *widget.Select
	dossiers    []string
	liste       *fyne.Container
	proposition *widget.Label
	enregistre  *widget.Label

	historique *fyne.Container
	runs       []*xdemat.Sauvegarde

	// contenu is laid out again when a part shows or hides.
	contenu *fyne.Container
}

// Rows of the "Dernière sauvegarde" card, in order.
var lignesSauvegarde = []string{"Date", "État", "Durée", "Ajouté", "Fichiers", "Prochaine sauvegarde", "Espace utilisé"}

// heures are the choices of the nightly hour.
var heures = func() []string {
	var hs []string
	for h := range 24 {
		hs = append(hs, fmt.Sprintf("%d h", h))
	}
	return hs
}()

func newPageSauvegarde(u *UI) *pageSauvegarde {
	p := &pageSauvegarde{
		u:           u,
		probleme:    texteLong(""),
		valeurs:     map[string]*widget.Label{},
		espace:      widget.NewProgressBar(),
		espaceTx:    widget.NewLabel(""),
		resultat:    texteLong(""),
		fraction:    widget.NewProgressBar(),
		compteur:    widget.NewLabel(""),
		fichier:     widget.NewLabel(""),
		liste:       container.NewVBox(),
		proposition: texteLong("Dossiers proposés pour la première sauvegarde : retirez ceux qui ne servent pas, ajoutez les autres, puis enregistrez."),
		enregistre:  widget.NewLabel(""),
		historique:  container.NewVBox(),
	}
	p.probleme.Importance = widget.DangerImportance
	p.probleme.Hide()
	p.resultat.Hide()
	p.proposition.Importance = widget.WarningImportance
	p.proposition.Hide()
	p.fichier.Truncation = fyne.TextTruncateEllipsis
	p.espace.TextFormatter = func() string { return fmt.Sprintf("%d %%", pourcent(p.espace.Value)) }
	p.fraction.TextFormatter = func() string { return fmt.Sprintf("%d %%", pourcent(p.fraction.Value)) }

	derniere := widget.NewForm()
	for _, l := range lignesSauvegarde {
		v := widget.NewLabel("…")
		v.Wrapping = fyne.TextWrapWord
		p.valeurs[l] = v
		if l == "Espace utilisé" {
			derniere.Append(l, container.NewVBox(p.espace, v))
			continue
		}
		derniere.Append(l, v)
	}

	p.maintenant = widget.NewButtonWithIcon("Sauvegarder maintenant", theme.UploadIcon(), p.lancer)
	p.maintenant.Importance = widget.HighImportance
	p.restaurer = widget.NewButtonWithIcon("Restaurer…", theme.HistoryIcon(), p.ouvrirRestauration)
	p.annuler = widget.NewButtonWithIcon("Annuler", theme.CancelIcon(), p.arreter)
	p.enCours = widget.NewCard("Sauvegarde en cours", "", container.NewVBox(p.fraction, p.compteur, p.fichier, container.NewHBox(p.annuler)))
	p.enCours.Hide()

	p.active = widget.NewCheck("Sauvegarder ce poste chaque nuit", nil)
	p.heure = widget.NewSelect(heures, nil)
	ajouter := widget.NewButtonWithIcon("Ajouter un dossier…", theme.FolderNewIcon(), p.ajouterDossier)
	sauver := widget.NewButtonWithIcon("Enregistrer les réglages", theme.DocumentSaveIcon(), p.enregistrer)
	sauver.Importance = widget.HighImportance
	aide := texteLong("La base de xdemat de ce poste est toujours sauvegardée, en plus de ces dossiers. Si le PC est éteint à l'heure choisie, la sauvegarde se fait à son prochain démarrage.")
	aide.TextStyle.Italic = true
	reglages := container.NewVBox(
		p.active,
		container.NewHBox(widget.NewLabel("Heure de la sauvegarde :"), p.heure),
		widget.NewLabelWithStyle("Dossiers sauvegardés", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		p.proposition, p.liste, container.NewHBox(ajouter),
		aide,
		container.NewHBox(sauver, p.enregistre),
	)

	aideHistorique := texteLong("La SPL garde trois mois de sauvegardes. Chaque mois, un essai de restauration vérifie qu'elles se relisent.")
	aideHistorique.TextStyle.Italic = true
	entete, _ := ligneHistorique(enteteHistorique(), true)
	p.contenu = container.NewVBox(
		container.NewHBox(p.maintenant, p.restaurer),
		p.probleme,
		p.enCours,
		p.resultat,
		widget.NewCard("Dernière sauvegarde", "", derniere),
		widget.NewCard("Réglages", "", reglages),
		widget.NewCard("Historique", "", container.NewVBox(aideHistorique, entete, p.historique)),
	)
	p.objet = container.NewBorder(titre("Sauvegarde"), nil, nil, nil, container.NewVScroll(p.contenu))
	return p
}

// recharger asks the agent for the state, the settings and the history.
func (p *pageSauvegarde) recharger() {
	u := p.u
	p.enregistre.SetText("")
	appeler(u, func(ctx context.Context) (*agent.EtatSauvegarde, error) {
		return u.ag.EtatSauvegarde(ctx)
	}, func(e *agent.EtatSauvegarde) {
		u.sauvegardeConnue(e)
		p.afficherReglages(e)
	})
	p.rechargerHistorique()
}

func (p *pageSauvegarde) rechargerHistorique() {
	u := p.u
	appeler(u, func(ctx context.Context) ([]*xdemat.Sauvegarde, error) {
		return u.ag.HistoriqueSauvegardes(ctx, limiteHistorique)
	}, p.afficherHistorique)
}

func (p *pageSauvegarde) set(ligne, texte string) { p.valeurs[ligne].SetText(texte) }

// afficher shows the state of the backup (not the settings being edited).
func (p *pageSauvegarde) afficher(e *agent.EtatSauvegarde) {
	u := p.u
	p.probleme.SetText(e.Probleme)
	p.probleme.Hidden = e.Probleme == ""
	p.probleme.Refresh()
	defer p.contenu.Refresh()

	etat := p.valeurs["État"]
	etat.Importance = widget.MediumImportance
	if d := e.Derniere; d == nil {
		for _, l := range lignesSauvegarde[:5] {
			p.set(l, "—")
		}
		p.set("Date", "Aucune sauvegarde pour l'instant")
	} else {
		p.set("Date", capitale(u.moment(d.Debut))+", terminée à "+d.Fin.In(u.fuseau()).Format("15:04"))
		texte := d.Statut.Libelle()
		if d.Type == xdemat.TypeExercice {
			texte = "Essai de restauration : " + texte
		}
		switch {
		case echec(d):
			etat.Importance = widget.DangerImportance
			if d.Erreur != "" {
				texte += " — " + d.Erreur
			}
		case d.Statut == xdemat.SauvegardePartielle:
			etat.Importance = widget.WarningImportance
			texte += fmt.Sprintf(" (%s)", pluriel(d.FichiersIllisibles, "fichier illisible", "fichiers illisibles"))
		case d.Statut.Reussie():
			etat.Importance = widget.SuccessImportance
		}
		if r := e.DerniereReussie; r != nil && r != d && !d.Statut.Reussie() {
			texte += " ; dernière réussie " + u.moment(r.Fin)
		} else if r == nil && !d.Statut.Reussie() {
			texte += " ; aucune sauvegarde réussie pour l'instant"
		}
		p.set("État", texte)
		p.set("Durée", duree(d.Duree()))
		if d.Type == xdemat.TypeExercice {
			p.set("Ajouté", "—")
			p.set("Fichiers", "—")
		} else {
			p.set("Ajouté", xdemat.Octets(d.OctetsAjoutes)+" (sur "+xdemat.Octets(d.OctetsTraites)+" sauvegardés)")
			p.set("Fichiers", pluriel(d.FichiersNouveaux, "nouveau", "nouveaux")+", "+pluriel(d.FichiersModifies, "modifié", "modifiés")+
				", "+pluriel(d.FichiersInchanges, "inchangé", "inchangés"))
		}
	}
	etat.Refresh()

	switch {
	case !e.Config.Active:
		p.set("Prochaine sauvegarde", "Aucune : la sauvegarde de nuit n'est pas activée")
	case e.Prochaine.IsZero():
		p.set("Prochaine sauvegarde", "—")
	default:
		p.set("Prochaine sauvegarde", capitale(u.moment(e.Prochaine)))
	}

	espace := p.valeurs["Espace utilisé"]
	espace.Importance = widget.MediumImportance
	if e.Quota <= 0 {
		p.espace.Hide()
		espace.SetText(xdemat.Octets(e.Utilise) + " (l'espace de la commune sera connu après la première sauvegarde)")
	} else {
		f := float64(e.Utilise) / float64(e.Quota)
		p.espace.Show()
		p.espace.SetValue(min(f, 1))
		texte := fmt.Sprintf("%s sur %s (%d %%)", xdemat.Octets(e.Utilise), xdemat.Octets(e.Quota), pourcent(f))
		switch {
		case f >= 1:
			espace.Importance = widget.DangerImportance
			texte += " : l'espace est plein, plus rien n'est sauvegardé. Appelez la SPL pour l'agrandir."
		case f >= 0.8:
			espace.Importance = widget.WarningImportance
			texte += " : l'espace sera bientôt plein."
		}
		espace.SetText(texte)
	}
	espace.Refresh()

	p.afficherEnCours(e.EnCours)
}

// afficherEnCours shows the progress of a run, or hides it (nil).
func (p *pageSauvegarde) afficherEnCours(pr *agent.ProgressionSauvegarde) {
	defer p.contenu.Refresh()
	if pr == nil || pr.Type == typeRestauration {
		p.enCours.Hide()
		// Not enrolled, restic missing: the agent would only refuse, so
		// the buttons say it before the secretary tries.
		if p.probleme.Hidden {
			p.maintenant.Enable()
			p.restaurer.Enable()
		} else {
			p.maintenant.Disable()
			p.restaurer.Disable()
		}
		p.annuler.SetText("Annuler")
		p.annuler.Enable()
		return
	}
	p.maintenant.Disable()
	p.resultat.Hide()
	p.enCours.SetTitle(libelleEnCours(pr))
	p.fraction.SetValue(max(0, min(1, pr.Fraction)))
	switch {
	case pr.FichiersTotal > 0:
		p.compteur.SetText(fmt.Sprintf("%s sur %s · %s sur %s", nombre(pr.FichiersFaits), pluriel(pr.FichiersTotal, "fichier", "fichiers"),
			xdemat.Octets(pr.OctetsFaits), xdemat.Octets(pr.OctetsTotal)))
	case pr.FichiersFaits > 0:
		p.compteur.SetText(pluriel(pr.FichiersFaits, "fichier", "fichiers") + " · " + xdemat.Octets(pr.OctetsFaits))
	default:
		p.compteur.SetText("Préparation…")
	}
	p.fichier.SetText(pr.FichierCourant)
	p.fichier.Hidden = pr.FichierCourant == ""
	p.fichier.Refresh()
	p.enCours.Show()
}

// terminee tells how the run that just ended went.
func (p *pageSauvegarde) terminee(s xdemat.Sauvegarde) {
	p.afficherEnCours(nil)
	var texte string
	imp := widget.MediumImportance
	switch {
	case s.Type == xdemat.TypeExercice && s.Statut.Reussie():
		texte, imp = "Essai de restauration réussi : les sauvegardes se relisent.", widget.SuccessImportance
	case s.Type == xdemat.TypeExercice && s.Statut != xdemat.SauvegardeAnnulee:
		texte, imp = "L'essai de restauration a échoué : "+s.Erreur, widget.DangerImportance
	case s.Statut == xdemat.SauvegardeAnnulee:
		texte = "Sauvegarde annulée : la précédente reste disponible."
	case s.Statut.Reussie():
		texte = fmt.Sprintf("Sauvegarde terminée en %s : %s, %s, %s ajoutés.", duree(s.Duree()),
			pluriel(s.FichiersNouveaux, "fichier nouveau", "fichiers nouveaux"), pluriel(s.FichiersModifies, "modifié", "modifiés"), xdemat.Octets(s.OctetsAjoutes))
		imp = widget.SuccessImportance
		if s.Statut == xdemat.SauvegardePartielle {
			texte += " " + capitale(pluriel(s.FichiersIllisibles, "fichier n'a pas pu être lu (ouvert par un logiciel ?) : il le sera la nuit prochaine.", "fichiers n'ont pas pu être lus (ouverts par un logiciel ?) : ils le seront la nuit prochaine."))
			imp = widget.WarningImportance
		}
	default:
		texte, imp = "La sauvegarde a échoué : "+s.Erreur, widget.DangerImportance
	}
	p.resultat.Importance = imp
	p.resultat.SetText(texte)
	p.resultat.Show()
	p.contenu.Refresh()
}

// lancer starts a backup now; the agent's events show its progress.
func (p *pageSauvegarde) lancer() {
	u := p.u
	p.maintenant.Disable()
	appelerSinon(u, sansValeur(u.ag.LancerSauvegarde), func(struct{}) {
		e := u.etatSauvegarde
		if e != nil && e.EnCours == nil {
			c := *e
			c.EnCours = &agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde, Debut: u.maintenant()}
			u.sauvegardeConnue(&c)
		} else if e == nil {
			p.afficherEnCours(&agent.ProgressionSauvegarde{Type: xdemat.TypeSauvegarde})
		}
	}, func(error) bool { p.maintenant.Enable(); return false })
}

// arreter asks the agent to stop the run; "sauvegarde.terminee" follows.
func (p *pageSauvegarde) arreter() {
	u := p.u
	p.annuler.Disable()
	p.annuler.SetText("Annulation…")
	appelerSinon(u, sansValeur(u.ag.AnnulerSauvegarde), func(struct{}) {}, func(error) bool {
		p.annuler.SetText("Annuler")
		p.annuler.Enable()
		return false
	})
}

// afficherReglages fills the settings with what the agent holds; on the
// first setup, the folders it found on this PC are offered.
func (p *pageSauvegarde) afficherReglages(e *agent.EtatSauvegarde) {
	c := e.Config
	p.active.SetChecked(c.Active)
	p.heure.SetSelectedIndex(max(0, min(23, c.Heure)))
	p.dossiers = slices.Clone(c.Dossiers)
	premiere := !c.Active && len(c.Dossiers) == 0 && len(e.Propositions) > 0
	if premiere {
		p.dossiers = slices.Clone(e.Propositions)
	}
	p.proposition.Hidden = !premiere
	p.proposition.Refresh()
	p.afficherDossiers()
}

func (p *pageSauvegarde) afficherDossiers() {
	p.liste.RemoveAll()
	if len(p.dossiers) == 0 {
		aucun := widget.NewLabel("Aucun dossier : ajoutez les dossiers de travail de la mairie.")
		aucun.Importance = widget.WarningImportance
		p.liste.Add(aucun)
	}
	for i, d := range p.dossiers {
		l := widget.NewLabelWithStyle(d, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Truncation = fyne.TextTruncateEllipsis
		retirer := widget.NewButtonWithIcon("Retirer", theme.ContentRemoveIcon(), func() {
			p.dossiers = slices.Delete(p.dossiers, i, i+1)
			p.enregistre.SetText("")
			p.afficherDossiers()
		})
		retirer.Importance = widget.LowImportance
		p.liste.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), retirer, l))
	}
}

// ajouterDossier asks for a folder and adds it to the list.
func (p *pageSauvegarde) ajouterDossier() {
	p.u.choisirDossier(func(chemin string) {
		if chemin == "" || slices.Contains(p.dossiers, chemin) {
			return
		}
		p.dossiers = append(p.dossiers, chemin)
		p.enregistre.SetText("")
		p.afficherDossiers()
	})
}

// reglages returns the settings as shown.
func (p *pageSauvegarde) reglages() agent.ConfigSauvegarde {
	return agent.ConfigSauvegarde{Active: p.active.Checked, Heure: max(0, p.heure.SelectedIndex()), Dossiers: slices.Clone(p.dossiers)}
}

func (p *pageSauvegarde) enregistrer() {
	u := p.u
	c := p.reglages()
	p.enregistre.SetText("")
	appeler(u, sansValeur(func(ctx context.Context) error {
		return u.ag.ConfigurerSauvegarde(ctx, c)
	}), func(struct{}) {
		p.enregistre.SetText("Réglages enregistrés.")
		p.proposition.Hide()
		// The next run and the status bar follow the new settings.
		appeler(u, func(ctx context.Context) (*agent.EtatSauvegarde, error) {
			return u.ag.EtatSauvegarde(ctx)
		}, u.sauvegardeConnue)
	})
}

// Columns of the history; the reason of a failure goes under its row, in
// full: it says what to do.
var colonnesSauvegarde = []float32{150, 180, 110, 100, 300}

func enteteHistorique() []string {
	return []string{"Date", "Type", "Durée", "Ajouté", "État"}
}

// ligneHistorique lays out one row of fixed columns; it returns the labels
// too, to colour them.
func ligneHistorique(cellules []string, entete bool) (*fyne.Container, []*widget.Label) {
	style := fyne.TextStyle{Bold: entete}
	var cols []fyne.CanvasObject
	var labels []*widget.Label
	for i, w := range colonnesSauvegarde {
		l := widget.NewLabelWithStyle(cellules[i], fyne.TextAlignLeading, style)
		l.Truncation = fyne.TextTruncateEllipsis
		labels = append(labels, l)
		cols = append(cols, container.NewGridWrap(fyne.NewSize(w, l.MinSize().Height), l))
	}
	return container.NewHBox(cols...), labels
}

// afficherHistorique lists the runs, newest first.
func (p *pageSauvegarde) afficherHistorique(runs []*xdemat.Sauvegarde) {
	p.runs = runs
	p.historique.RemoveAll()
	if len(runs) == 0 {
		p.historique.Add(widget.NewLabel("Aucune sauvegarde pour l'instant."))
	}
	for _, s := range runs {
		ajoute := "—"
		if s.Type == xdemat.TypeSauvegarde && s.Statut.Reussie() {
			ajoute = xdemat.Octets(s.OctetsAjoutes)
		}
		l, cellules := ligneHistorique([]string{
			s.Debut.In(p.u.fuseau()).Format("02/01/2006 15:04"),
			libelleType(s.Type),
			duree(s.Duree()),
			ajoute,
			s.Statut.Libelle(),
		}, false)
		etat := cellules[4]
		switch {
		case echec(s):
			etat.Importance = widget.DangerImportance
		case s.Statut == xdemat.SauvegardePartielle:
			etat.Importance = widget.WarningImportance
		case s.Statut.Reussie():
			etat.Importance = widget.SuccessImportance
		}
		p.historique.Add(l)
		if s.Erreur != "" {
			e := texteLong(s.Erreur)
			e.TextStyle.Italic = true
			e.Importance = etat.Importance
			p.historique.Add(container.NewPadded(e))
		}
	}
}
