package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// pageParametres shows the commune, the users of this poste and the
// notification preferences of the user at the keyboard.
type pageParametres struct {
	u       *UI
	objet   fyne.CanvasObject
	commune *widget.Label
	profils *fyne.Container
	// publicite opens the mode de publicité (publication.go), under 3,500 inhabitants.
	publicite *widget.Button

	canaux     map[string][3]*widget.Check // type code → App, E-mail, SMS
	resume     *widget.Check
	enregistre *widget.Label
	pref       *xdemat.Preferences
	// aideEmail and aideSMS say why a column is greyed out: the user at
	// the keyboard has no address, or no mobile number.
	aideEmail, aideSMS *widget.Label
}

func newPageParametres(u *UI) *pageParametres {
	p := &pageParametres{
		u:          u,
		commune:    widget.NewLabel(""),
		publicite:  u.boutonPublicite(),
		profils:    container.NewVBox(),
		canaux:     map[string][3]*widget.Check{},
		resume:     widget.NewCheck("Recevoir chaque matin un résumé par courriel", nil),
		enregistre: widget.NewLabel(""),
		aideEmail:  widget.NewLabel("Ajoutez une adresse électronique à votre profil pour recevoir les notifications par courriel."),
		aideSMS:    widget.NewLabel("Ajoutez un numéro de mobile à votre profil pour recevoir des SMS."),
	}
	for _, l := range []*widget.Label{p.aideEmail, p.aideSMS} {
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		l.Hide()
	}
	p.commune.Wrapping = fyne.TextWrapWord
	p.afficherCommune()
	ajouter := widget.NewButtonWithIcon("Ajouter un utilisateur", theme.ContentAddIcon(), func() { p.editer(nil) })

	// One row per notification type, App / E-mail / SMS boxes in columns.
	colonne := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(110, o.MinSize().Height), o)
	}
	entete := func(s string) fyne.CanvasObject {
		return colonne(widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	lignes := container.NewVBox(container.NewBorder(nil, nil, nil,
		container.NewHBox(entete("Application"), entete("Courriel"), entete("SMS")),
		widget.NewLabelWithStyle("Type de notification", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})))
	for _, t := range xdemat.TypesNotification() {
		var cs [3]*widget.Check
		for i := range cs {
			cs[i] = widget.NewCheck("", nil)
		}
		if t.Critique {
			// A critical alert cannot be muted: the boxes say so.
			cs[0].SetChecked(true)
			cs[1].SetChecked(true)
			cs[0].Disable()
			cs[1].Disable()
		}
		p.canaux[t.Code] = cs
		libelle := t.Libelle
		if t.Critique {
			libelle += " (alerte critique)"
		}
		l := widget.NewLabel(libelle)
		l.Truncation = fyne.TextTruncateEllipsis
		lignes.Add(container.NewBorder(nil, nil, nil,
			container.NewHBox(colonne(cs[0]), colonne(cs[1]), colonne(cs[2])), l))
	}
	sauver := widget.NewButtonWithIcon("Enregistrer mes préférences", theme.DocumentSaveIcon(), p.enregistrerPreferences)
	sauver.Importance = widget.HighImportance
	aidePref := widget.NewLabel("Les alertes critiques s'affichent toujours dans xdemat et partent toujours par courriel. Le courriel et le SMS demandent une adresse et un numéro de mobile dans votre profil.")
	aidePref.Wrapping = fyne.TextWrapWord
	aidePref.TextStyle.Italic = true

	titre := widget.NewLabelWithStyle("Paramètres", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	titre.SizeName = theme.SizeNameHeadingText
	assistant := widget.NewButtonWithIcon("Assistant d'installation…", theme.SettingsIcon(), u.ouvrirAssistant)
	p.objet = container.NewBorder(titre, nil, nil, nil, container.NewVScroll(container.NewVBox(
		widget.NewCard("Commune", "", container.NewVBox(p.commune, container.NewHBox(assistant, p.publicite))),
		widget.NewCard("Utilisateurs de ce poste", "", container.NewVBox(p.profils, container.NewHBox(ajouter))),
		widget.NewCard("Mes notifications", "", container.NewVBox(lignes, p.resume, p.aideEmail, p.aideSMS, aidePref, container.NewHBox(sauver, p.enregistre))),
	)))
	return p
}

// afficherCommune shows what the agent knows of the commune.
func (p *pageParametres) afficherCommune() {
	p.u.montrerPublicite(p.publicite)
	id := p.u.identite
	if id == nil {
		p.commune.SetText("Ce poste n'est pas encore enrôlé : le technicien de la SPL doit le relier à la commune.")
		return
	}
	c := id.Commune
	p.commune.SetText(fmt.Sprintf("%s (département %s, %d habitants)\nSIREN %s · poste %s", c.Nom, c.Departement, c.Population, c.SIREN, id.PosteID))
}

// recharger asks the agent for the users and the preferences.
func (p *pageParametres) recharger() {
	p.enregistre.SetText("")
	p.rechargerProfils()
	appeler(p.u, func(ctx context.Context) (*xdemat.Preferences, error) {
		return p.u.ag.Preferences(ctx)
	}, p.afficherPreferences)
}

// rechargerProfils asks the agent for the users of the commune.
func (p *pageParametres) rechargerProfils() {
	appeler(p.u, func(ctx context.Context) ([]agent.Profil, error) {
		return p.u.ag.Utilisateurs(ctx)
	}, p.afficherProfils)
}

func (p *pageParametres) afficherProfils(ps []agent.Profil) {
	p.u.profils = ps
	p.profils.RemoveAll()
	for i := range ps {
		pr := ps[i]
		texte := pr.NomComplet() + " — " + pr.Role.Libelle()
		var details []string
		if pr.Email != "" {
			details = append(details, pr.Email)
		}
		if pr.Telephone != "" {
			details = append(details, pr.Telephone)
		}
		if pr.AvecMotDePasse {
			details = append(details, "avec mot de passe")
		}
		if !pr.Actif {
			details = append(details, "inactif")
		}
		for j, d := range details {
			if j == 0 {
				texte += " ("
			} else {
				texte += ", "
			}
			texte += d
		}
		if len(details) > 0 {
			texte += ")"
		}
		l := widget.NewLabel(texte)
		l.Truncation = fyne.TextTruncateEllipsis
		modifier := widget.NewButtonWithIcon("Modifier", theme.DocumentCreateIcon(), func() { p.editer(&pr) })
		p.profils.Add(container.NewBorder(nil, nil, nil, modifier, l))
	}
}

// editer opens the form of pr (nil: a new user) in a dialog that stays open
// until the agent accepts it.
func (p *pageParametres) editer(pr *agent.Profil) {
	u := p.u
	f := newFormulaireProfil(pr)
	titre := "Ajouter un utilisateur"
	if pr != nil {
		titre = "Modifier le profil de " + pr.NomComplet()
	}
	var d *dialog.CustomDialog
	enregistrer := widget.NewButtonWithIcon("Enregistrer", theme.DocumentSaveIcon(), nil)
	enregistrer.Importance = widget.HighImportance
	annuler := widget.NewButton("Annuler", func() { d.Hide() })
	enregistrer.OnTapped = func() {
		val, mdp, err := f.valeur(u.communeID())
		if err != nil {
			u.erreur(err)
			return
		}
		enregistrer.Disable()
		appelerSinon(u, func(ctx context.Context) (*agent.Profil, error) {
			return u.ag.EnregistrerUtilisateur(ctx, val, mdp)
		}, func(enr *agent.Profil) {
			d.Hide()
			p.profilEnregistre(enr)
		}, func(error) bool { enregistrer.Enable(); return false })
	}
	if pr != nil {
		f.retirer.OnTapped = func() { p.retirerMotDePasse(pr, f) }
	}
	d = dialog.NewCustomWithoutButtons(titre, largeurFixe(520, f.objet()), u.win)
	d.SetButtons([]fyne.CanvasObject{annuler, enregistrer})
	d.Show()
}

// profilEnregistre follows a profile the agent recorded.
func (p *pageParametres) profilEnregistre(enr *agent.Profil) {
	u := p.u
	if u.profil != nil && enr.ID == u.profil.ID {
		u.profil = enr
		u.menu.afficherProfil(enr)
		u.barre.afficherProfil(enr)
		p.appliquerCanaux() // an address or a number may have come or gone
	}
	p.rechargerProfils()
}

// retirerMotDePasse asks for a confirmation, then makes pr open with a
// click. The stored profile is sent, not the form: what was typed in it is
// recorded only by "Enregistrer".
func (p *pageParametres) retirerMotDePasse(pr *agent.Profil, f *formulaireProfil) {
	u := p.u
	texte := texteLong("Le profil de " + pr.NomComplet() + " s'ouvrira d'un clic, sans mot de passe : toute personne devant ce poste pourra agir en son nom. Retirer le mot de passe ?")
	dialog.NewCustomConfirm("Retirer le mot de passe", "Retirer le mot de passe", "Annuler", largeurFixe(420, texte), func(oui bool) {
		if !oui {
			return
		}
		f.retirer.Disable()
		appelerSinon(u, func(ctx context.Context) (*agent.Profil, error) {
			return u.ag.RetirerMotDePasse(ctx, pr.Utilisateur)
		}, func(enr *agent.Profil) {
			f.motDePasseRetire()
			p.profilEnregistre(enr)
		}, func(error) bool { f.retirer.Enable(); return false })
	}, u.win).Show()
}

// afficherPreferences ticks the boxes as pref says (defaults when never saved).
func (p *pageParametres) afficherPreferences(pref *xdemat.Preferences) {
	p.pref = pref
	for _, t := range xdemat.TypesNotification() {
		c := pref.Canaux(t.Code)
		cs := p.canaux[t.Code]
		cs[0].SetChecked(c.App)
		if !t.Critique {
			cs[1].Enable()
		}
		cs[1].SetChecked(c.Email)
		cs[2].Enable()
		cs[2].SetChecked(c.SMS)
	}
	p.resume.Enable()
	p.resume.SetChecked(pref != nil && pref.Resume)
	p.appliquerCanaux()
}

// appliquerCanaux greys out the e-mail and SMS boxes the user at the keyboard
// cannot receive, without forgetting the recorded choice: it comes back
// with the address or the number. A critical type keeps its forced e-mail
// box, the rule being the agent's.
func (p *pageParametres) appliquerCanaux() {
	var email, sms bool
	if pr := p.u.profil; pr != nil {
		email, sms = pr.Email != "", pr.Telephone != ""
	}
	for _, t := range xdemat.TypesNotification() {
		c := p.pref.Canaux(t.Code)
		cs := p.canaux[t.Code]
		if !t.Critique {
			possible(cs[1], email, c.Email)
		}
		possible(cs[2], sms, c.SMS)
	}
	possible(p.resume, email, p.pref != nil && p.pref.Resume)
	p.aideEmail.Hidden = email
	p.aideSMS.Hidden = sms
	p.aideEmail.Refresh()
	p.aideSMS.Refresh()
}

// possible enables c showing choix when the channel can be used, or greys it
// out unchecked when it cannot.
func possible(c *widget.Check, utilisable, choix bool) {
	switch {
	case !utilisable:
		c.SetChecked(false)
		c.Disable()
	case c.Disabled():
		c.Enable()
		c.SetChecked(choix)
	}
}

// preferences returns what the boxes say, for the user at the keyboard.
func (p *pageParametres) preferences() *xdemat.Preferences {
	// A greyed-out box keeps what was recorded (see appliquerCanaux).
	choix := func(c *widget.Check, enregistre bool) bool {
		if c.Disabled() {
			return enregistre
		}
		return c.Checked
	}
	pref := &xdemat.Preferences{ParType: map[string]xdemat.Canaux{}, Resume: choix(p.resume, p.pref != nil && p.pref.Resume)}
	if p.u.profil != nil {
		pref.UtilisateurID = p.u.profil.ID
	}
	for _, t := range xdemat.TypesNotification() {
		cs := p.canaux[t.Code]
		c := p.pref.Canaux(t.Code)
		// A critical type's boxes are greyed out too, and c forces them.
		pref.ParType[t.Code] = xdemat.Canaux{App: choix(cs[0], c.App), Email: choix(cs[1], c.Email), SMS: choix(cs[2], c.SMS)}
	}
	return pref
}

func (p *pageParametres) enregistrerPreferences() {
	pref := p.preferences()
	p.enregistre.SetText("")
	appeler(p.u, sansValeur(func(ctx context.Context) error {
		return p.u.ag.EnregistrerPreferences(ctx, pref)
	}), func(struct{}) {
		p.pref = pref
		p.enregistre.SetText("Préférences enregistrées.")
	})
}
