package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// pageConnexion asks who is working at the keyboard, or, on a poste with no
// user yet, creates the first profile, or, on a poste not enrolled yet, says
// to call the SPL. It replaces the whole window.
type pageConnexion struct {
	u      *UI
	objet  fyne.CanvasObject
	note   *widget.Label
	corps  *fyne.Container
	choisi *agent.Profil
	// nonEnrole is true while the page says the poste awaits its
	// enrolment: an "etat" event then asks again.
	nonEnrole bool
}

// accueil is what the login shows, as the agent answered.
type accueil struct {
	nonEnrole bool
	identite  *agent.Identity // nil when not enrolled or unknown
	profils   []agent.Profil
}

func newPageConnexion(u *UI) *pageConnexion {
	c := &pageConnexion{u: u, note: widget.NewLabel(""), corps: container.NewVBox()}
	c.note.Wrapping = fyne.TextWrapWord
	c.note.Importance = widget.WarningImportance
	c.note.Hide()
	c.objet = container.NewCenter(largeurFixe(560, container.NewVBox(c.note, c.corps)))
	return c
}

// demander shows the login with an optional note saying why it is back.
func (c *pageConnexion) demander(note string) {
	c.note.SetText(note)
	c.note.Hidden = note == ""
	c.choisi = nil
	c.afficherAttente()
	c.u.racine.Objects = []fyne.CanvasObject{c.objet}
	c.u.racine.Refresh()
	c.rechargerProfils()
}

func (c *pageConnexion) afficherAttente() {
	c.montrer(widget.NewLabel("Recherche des profils de la commune…"))
}

// rechargerProfils asks the agent whether the poste is enrolled and who its
// users are, then shows the choice.
func (c *pageConnexion) rechargerProfils() {
	u := c.u
	appelerSinon(u, func(ctx context.Context) (accueil, error) {
		id, err := u.ag.Identite(ctx)
		// Another failure leaves the identity unknown; the users say
		// whether the agent answers at all.
		ps, errU := u.ag.Utilisateurs(ctx)
		return accueil{nonEnrole: xdemat.ErrorCode(err) == xdemat.ENOTFOUND, identite: id, profils: ps}, errU
	}, func(a accueil) {
		if u.profil != nil {
			return // a session opened meanwhile
		}
		ps := a.profils
		var actifs []agent.Profil
		for _, p := range ps {
			if p.Actif {
				actifs = append(actifs, p)
			}
		}
		// Before enrolment nobody can create the first profile (the agent
		// refuses a mairie user without a commune); profiles already there
		// (a technician's, or restored) may still open a session.
		c.nonEnrole = a.nonEnrole && len(actifs) == 0
		if c.nonEnrole {
			u.identiteConnue(nil)
			c.afficherNonEnrole()
			return
		}
		if a.identite != nil {
			u.identiteConnue(a.identite)
		}
		u.profils = ps
		if len(actifs) == 0 {
			c.afficherPremierProfil()
			return
		}
		if p := c.profilDemande(actifs); p != nil && !p.AvecMotDePasse {
			c.ouvrir(p, "")
			return
		}
		c.afficherChoix(actifs)
	}, func(err error) bool {
		c.nonEnrole = false
		// Said here, with "Réessayer": going through u.erreur would ask
		// again, and fail again, without end.
		c.montrer(
			titre("Le service xdemat ne répond pas"),
			texteLong(xdemat.ErrorMessage(err)),
			widget.NewButtonWithIcon("Réessayer", theme.ViewRefreshIcon(), c.rechargerProfils),
		)
		return true
	})
}

// profilDemande returns the profile named by Options.Utilisateur, once.
func (c *pageConnexion) profilDemande(ps []agent.Profil) *agent.Profil {
	qui := c.u.opts.Utilisateur
	if qui == "" {
		return nil
	}
	c.u.opts.Utilisateur = "" // "Changer d'utilisateur" must ask
	for i := range ps {
		if ps[i].ID == qui || strings.EqualFold(ps[i].NomComplet(), qui) {
			return &ps[i]
		}
	}
	return nil
}

// afficherChoix lists the active profiles; a click opens one, after its
// password when it has one.
func (c *pageConnexion) afficherChoix(ps []agent.Profil) {
	objs := []fyne.CanvasObject{titre("Qui travaille sur ce poste ?")}
	for i := range ps {
		p := ps[i]
		texte := p.NomComplet() + " — " + p.Role.Libelle()
		if p.AvecMotDePasse {
			texte += " (mot de passe)"
		}
		b := widget.NewButtonWithIcon(texte, theme.AccountIcon(), func() { c.choisir(&p) })
		b.Alignment = widget.ButtonAlignLeading
		objs = append(objs, b)
	}
	if c.choisi != nil && c.choisi.AvecMotDePasse {
		mdp := widget.NewPasswordEntry()
		mdp.SetPlaceHolder("Mot de passe de " + c.choisi.NomComplet())
		p := c.choisi
		ouvrir := widget.NewButtonWithIcon("Ouvrir la session", theme.LoginIcon(), func() { c.ouvrir(p, mdp.Text) })
		ouvrir.Importance = widget.HighImportance
		mdp.OnSubmitted = func(s string) { c.ouvrir(p, s) }
		objs = append(objs, widget.NewSeparator(), mdp, container.NewHBox(ouvrir))
		defer c.u.win.Canvas().Focus(mdp)
	}
	c.montrer(objs...)
}

// choisir opens a profile without password at once, else asks it.
func (c *pageConnexion) choisir(p *agent.Profil) {
	if !p.AvecMotDePasse {
		c.ouvrir(p, "")
		return
	}
	c.choisi = p
	var actifs []agent.Profil
	for _, q := range c.u.profils {
		if q.Actif {
			actifs = append(actifs, q)
		}
	}
	c.afficherChoix(actifs)
}

// ouvrir opens the session of p on the agent.
func (c *pageConnexion) ouvrir(p *agent.Profil, motDePasse string) {
	u := c.u
	appelerSinon(u, func(ctx context.Context) (*agent.Profil, error) {
		return u.ag.OuvrirSession(ctx, p.ID, motDePasse)
	}, func(ouvert *agent.Profil) {
		c.note.Hide()
		u.sessionOuverte(ouvert)
	}, func(err error) bool {
		// Here a refusal is a wrong password, not a lost session.
		u.message("Session non ouverte", xdemat.ErrorMessage(err))
		return true
	})
}

// afficherPremierProfil asks for the first user of this poste.
func (c *pageConnexion) afficherPremierProfil() {
	u := c.u
	f := newFormulaireProfil(nil)
	creer := widget.NewButtonWithIcon("Créer mon profil", theme.ConfirmIcon(), nil)
	creer.Importance = widget.HighImportance
	creer.OnTapped = func() {
		val, mdp, err := f.valeur(u.communeID())
		if err != nil {
			u.erreur(err)
			return
		}
		creer.Disable()
		appelerSinon(u, func(ctx context.Context) (*agent.Profil, error) {
			p, err := u.ag.EnregistrerUtilisateur(ctx, val, mdp)
			if err != nil {
				return nil, err
			}
			return u.ag.OuvrirSession(ctx, p.ID, mdp)
		}, func(p *agent.Profil) {
			u.sessionOuverte(p)
		}, func(error) bool { creer.Enable(); return false })
	}
	c.montrer(
		titre("Bienvenue dans xdemat"),
		texteLong("Personne n'utilise encore xdemat sur ce poste. Créez votre profil : il signera chacune de vos actions dans l'historique de la commune."),
		f.objet(),
		container.NewHBox(creer),
	)
}

// afficherNonEnrole says that the technician of the SPL must enrol this
// poste first; the page comes back by itself when the agent says its state
// changed (UI.evenement).
func (c *pageConnexion) afficherNonEnrole() {
	diagnostic := widget.NewButtonWithIcon("À propos / diagnostic", theme.InfoIcon(), c.afficherDiagnostic)
	installer := widget.NewButtonWithIcon("Je suis le technicien de la SPL : installer ce poste", theme.SettingsIcon(), c.afficherEnrolement)
	c.montrer(
		titre("Ce poste attend son enrôlement"),
		texteLong("Ce poste n'est pas encore relié à votre commune : avant que quiconque puisse y travailler, le technicien de la SPL doit l'enrôler."),
		texteLong("Que faire : appelez la SPL et demandez au technicien de lancer l'enrôlement de ce poste. Gardez cette fenêtre ouverte : elle se met à jour d'elle-même dès que le poste est relié, et les profils de votre commune s'affichent alors ici, sans redémarrer."),
		container.NewHBox(diagnostic, installer),
	)
}

// afficherEnrolement is the first step of the installation wizard: the
// technician gives central's address and the commune's one-time code;
// once enrolled, whoever installs opens a session and the wizard goes on.
func (c *pageConnexion) afficherEnrolement() {
	u := c.u
	adresse := widget.NewEntry()
	adresse.SetPlaceHolder("https://xdemat.spl-xdemat.fr")
	code := widget.NewEntry()
	code.SetPlaceHolder("XXXX-XXXX-XXXX")
	empreinte := widget.NewEntry()
	empreinte.SetPlaceHolder("facultatif : empreinte SHA-256 du certificat du serveur")
	res := texteLong("")
	var enroler *widget.Button
	enroler = widget.NewButtonWithIcon("Enrôler le poste", theme.ConfirmIcon(), func() {
		enroler.Disable()
		res.SetText("Enrôlement en cours…")
		d := agent.DemandeEnrolement{Central: adresse.Text, Code: code.Text, Empreinte: empreinte.Text}
		appelerSinon(u, func(ctx context.Context) (*agent.Identity, error) { return u.ag.Enroler(ctx, d) }, func(id *agent.Identity) {
			u.identiteConnue(id)
			u.assistant.noter(etapeEnrolement, fmt.Sprintf("Poste relié à %s (SIREN %s) par le serveur %s.", id.Commune.Nom, id.Commune.SIREN, id.CentralURL), true)
			u.assistantApresConnexion = true
			c.demander("")
		}, func(err error) bool {
			enroler.Enable()
			res.SetText(xdemat.ErrorMessage(err))
			res.Importance = widget.DangerImportance
			c.objet.Refresh()
			return true
		})
	})
	enroler.Importance = widget.HighImportance
	retour := widget.NewButtonWithIcon("Retour", theme.NavigateBackIcon(), c.afficherNonEnrole)
	c.montrer(
		titre("Installation du poste — enrôlement"),
		texteLong("Tapez l'adresse du serveur de la SPL et le code d'enrôlement de la commune (donné par la SPL, valable une fois)."),
		widget.NewForm(widget.NewFormItem("Serveur", adresse), widget.NewFormItem("Code", code), widget.NewFormItem("Empreinte", empreinte)),
		container.NewHBox(retour, enroler),
		res,
	)
}

// afficherDiagnostic shows "À propos / diagnostic" in place of the login
// (the technician reads it before any session), with a way back.
func (c *pageConnexion) afficherDiagnostic() {
	u := c.u
	retour := widget.NewButtonWithIcon("Retour", theme.NavigateBackIcon(), func() {
		if u.profil != nil {
			return // a session opened meanwhile: the window shows it
		}
		u.racine.Objects = []fyne.CanvasObject{c.objet}
		u.racine.Refresh()
	})
	u.racine.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewHBox(retour), nil, nil, u.diagnostic.objet)}
	u.racine.Refresh()
	u.diagnostic.recharger()
}

// montrer puts objs in the page. The centred page is laid out again: its
// height changes with them, and a wrapped text knows its height only once
// it knows its width.
func (c *pageConnexion) montrer(objs ...fyne.CanvasObject) {
	c.corps.Objects = objs
	c.corps.Refresh()
	c.objet.Refresh()
}

// titre is a page or section title.
func titre(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// texteLong is a paragraph.
func texteLong(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
