package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// tousLesServices is the filter entry that keeps every service.
const tousLesServices = "Tous les services"

// pageAFaire is the home page (Xpostit): the notifications of the user at the
// keyboard, most urgent first, as the agent sorts them.
type pageAFaire struct {
	u       *UI
	objet   fyne.CanvasObject
	service *widget.Select
	faites  *widget.Check
	liste   *widget.List
	vide    *widget.Label

	services []string // service codes, in the order of service.Options after the first
	notifs   []*xdemat.Notification
	// A reload asked while one runs is done once after it: a burst of
	// events costs two calls, not one per event.
	enCours, encore bool
}

func newPageAFaire(u *UI) *pageAFaire {
	p := &pageAFaire{u: u}
	options := []string{tousLesServices}
	for _, t := range xdemat.TypesNotification() {
		if !slices.Contains(p.services, t.Service) {
			p.services = append(p.services, t.Service)
			options = append(options, xdemat.LibelleService(t.Service))
		}
	}
	p.service = widget.NewSelect(options, func(string) { p.recharger() })
	p.service.Selected = tousLesServices
	p.faites = widget.NewCheck("Afficher les notifications traitées", func(bool) { p.recharger() })
	p.liste = widget.NewList(
		func() int { return len(p.notifs) },
		func() fyne.CanvasObject { return newLigneNotification(p) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*ligneNotification).afficher(p.notifs[id]) },
	)
	p.liste.OnSelected = func(id widget.ListItemID) {
		p.liste.UnselectAll() // a second click on the same row opens it again
		if id >= 0 && id < len(p.notifs) {
			p.ouvrir(p.notifs[id])
		}
	}
	p.vide = widget.NewLabel("Rien à faire pour le moment.")
	p.vide.Alignment = fyne.TextAlignCenter
	p.vide.Hide()
	titre := widget.NewLabelWithStyle("À faire", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	titre.SizeName = theme.SizeNameHeadingText
	// A select is as wide as its current text: give it room for the longest.
	service := container.NewGridWrap(fyne.NewSize(260, p.service.MinSize().Height), p.service)
	filtres := container.NewHBox(widget.NewLabel("Service :"), service, p.faites)
	p.objet = container.NewBorder(container.NewVBox(titre, filtres, widget.NewSeparator()), nil, nil, nil,
		container.NewStack(p.liste, container.NewCenter(p.vide)))
	return p
}

// filtre returns what the page asks the agent for.
func (p *pageAFaire) filtre() agent.FiltreNotifications {
	f := agent.FiltreNotifications{AvecFaites: p.faites.Checked}
	if p.u.profil != nil {
		f.Pour = p.u.profil.ID
	}
	if i := p.service.SelectedIndex(); i > 0 {
		f.Service = p.services[i-1]
	}
	return f
}

type resultatAFaire struct {
	notifs []*xdemat.Notification
	aFaire int // not done, every service: the menu's counter
}

// recharger asks the agent for the list and the counter again.
func (p *pageAFaire) recharger() {
	if p.u.profil == nil {
		return
	}
	if p.enCours {
		p.encore = true
		return
	}
	p.enCours = true
	f := p.filtre()
	appelerSinon(p.u, func(ctx context.Context) (resultatAFaire, error) {
		ns, err := p.u.ag.Notifications(ctx, f)
		if err != nil {
			return resultatAFaire{}, err
		}
		r := resultatAFaire{notifs: ns, aFaire: len(ns)}
		if f.Service != "" || f.AvecFaites {
			tout, err := p.u.ag.Notifications(ctx, agent.FiltreNotifications{Pour: f.Pour})
			if err != nil {
				return resultatAFaire{}, err
			}
			r.aFaire = len(tout)
		}
		return r, nil
	}, func(r resultatAFaire) {
		p.enCours = false
		p.notifs = r.notifs
		p.vide.Hidden = len(r.notifs) > 0
		p.vide.Refresh()
		p.liste.Refresh()
		p.u.menu.compterAFaire(r.aFaire)
		if pret := p.u.opts.QuandPret; pret != nil {
			p.u.opts.QuandPret = nil
			pret()
		}
		if p.encore {
			p.encore = false
			p.recharger()
		}
	}, func(error) bool {
		p.enCours, p.encore = false, false
		return false
	})
}

// ouvrir marks n read and opens the screen it is about.
func (p *pageAFaire) ouvrir(n *xdemat.Notification) {
	u := p.u
	if !n.Lue() {
		n.LuLe = u.maintenant() // shown at once; the agent's event confirms it
		appeler(u, sansValeur(func(ctx context.Context) error { return u.ag.MarquerLue(ctx, n.ID) }), func(struct{}) {})
	}
	switch n.Objet.Ecran {
	case EcranAFaire, EcranHistorique, "journal", EcranParametres, EcranDiagnostic, EcranSauvegarde, EcranCle, EcranParapheur, EcranHelios, EcranActes:
		u.Ouvrir(n.Objet)
	case EcranNotification:
		if n.Objet.ID != "" && n.Objet.ID != n.ID {
			u.detail.ouvrirParID(n.Objet.ID)
			return
		}
		u.detail.montrer(n)
	default:
		// No link, or a screen this version does not have: the detail
		// still tells what to do.
		u.detail.montrer(n)
	}
}

// marquerFaite records that n is done.
func (p *pageAFaire) marquerFaite(n *xdemat.Notification) {
	u := p.u
	appeler(u, sansValeur(func(ctx context.Context) error { return u.ag.MarquerFaite(ctx, n.ID) }), func(struct{}) {
		p.recharger()
		if u.ecran == EcranNotification {
			u.detail.recharger()
		}
	})
}

// ligneNotification is one row of the list.
type ligneNotification struct {
	widget.BaseWidget
	p        *pageAFaire
	n        *xdemat.Notification
	icone    *widget.Icon
	gravite  *widget.Label
	titre    *widget.Label
	extrait  *widget.Label
	creee    *widget.Label
	echeance *widget.Label
	traiter  *widget.Button
	contenu  fyne.CanvasObject
}

func newLigneNotification(p *pageAFaire) *ligneNotification {
	l := &ligneNotification{
		p:        p,
		icone:    widget.NewIcon(theme.InfoIcon()),
		gravite:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		titre:    widget.NewLabel(""),
		extrait:  widget.NewLabel(""),
		creee:    widget.NewLabel(""),
		echeance: widget.NewLabel(""),
	}
	l.titre.Truncation = fyne.TextTruncateEllipsis
	l.extrait.Truncation = fyne.TextTruncateEllipsis
	l.traiter = widget.NewButtonWithIcon("Marquer comme traité", theme.ConfirmIcon(), func() {
		if l.n != nil {
			p.marquerFaite(l.n)
		}
	})
	droite := container.NewCenter(l.traiter)
	l.contenu = container.NewBorder(nil, nil, container.NewCenter(l.icone), droite,
		container.NewVBox(
			container.NewBorder(nil, nil, l.gravite, nil, l.titre),
			l.extrait,
			container.NewHBox(l.creee, l.echeance),
		))
	l.ExtendBaseWidget(l)
	return l
}

func (l *ligneNotification) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.contenu)
}

// afficher fills the row with n.
func (l *ligneNotification) afficher(n *xdemat.Notification) {
	u := l.p.u
	l.n = n
	l.icone.SetResource(iconeGravite(n.Severite))
	l.gravite.Importance = importanceGravite(n.Severite)
	l.gravite.SetText(n.Severite.Libelle())
	l.titre.TextStyle.Bold = !n.Lue()
	l.titre.SetText(n.Titre)
	l.extrait.SetText(extrait(n.Texte))
	l.extrait.Hidden = l.extrait.Text == ""
	l.creee.SetText("Créée " + u.moment(n.CreeLe))
	texte, imp := echeance(u, n)
	l.echeance.Importance = imp
	l.echeance.SetText(texte)
	if n.Faite() {
		l.titre.Importance = widget.LowImportance
		l.traiter.Hide()
	} else {
		l.titre.Importance = widget.MediumImportance
		l.traiter.Show()
	}
	// A recycled row was laid out for another text: lay it out again.
	l.contenu.Refresh()
}

// echeance says by when n must be done, in red when it is late.
func echeance(u *UI, n *xdemat.Notification) (string, widget.Importance) {
	switch {
	case n.Faite():
		return "· traitée " + u.moment(n.FaitLe), widget.LowImportance
	case n.Echeance.IsZero():
		return "", widget.MediumImportance
	case n.EnRetard(u.maintenant()):
		return "· en retard : à traiter avant le " + u.jour(n.Echeance), widget.DangerImportance
	}
	return "· à traiter avant le " + u.jour(n.Echeance), widget.MediumImportance
}

// extrait returns the first line of a text.
func extrait(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// iconeGravite and importanceGravite give each severity its colour.
func iconeGravite(s xdemat.Severite) fyne.Resource {
	switch s {
	case xdemat.SeveriteCritique:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case xdemat.SeveriteUrgent:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case xdemat.SeveriteAttention:
		return theme.NewPrimaryThemedResource(theme.InfoIcon())
	}
	return theme.NewDisabledResource(theme.InfoIcon())
}

func importanceGravite(s xdemat.Severite) widget.Importance {
	switch s {
	case xdemat.SeveriteCritique:
		return widget.DangerImportance
	case xdemat.SeveriteUrgent:
		return widget.WarningImportance
	case xdemat.SeveriteAttention:
		return widget.HighImportance
	}
	return widget.MediumImportance
}
