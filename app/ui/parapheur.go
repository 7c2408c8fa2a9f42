package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// EcranParapheur is the parapheur; its notifications link to a dossier
// (Lien{Ecran: "parapheur", ID: dossier}).
const EcranParapheur = "parapheur"

// Views of the parapheur page.
const (
	vueATraiter = "À traiter par moi"
	vueEnCours  = "Tous les dossiers en cours"
	vueTermines = "Dossiers terminés"
	vueDeposes  = "Mes dépôts"
)

// pageParapheur lists what waits for the user at the keyboard (to sign, to
// visa, directly or by delegation), with a check box per document to sign
// so that the maire signs a batch with one PIN; and the other dossiers.
type pageParapheur struct {
	u     *UI
	objet fyne.CanvasObject

	vue       *widget.Select
	liste     *fyne.Container
	signerSel *widget.Button
	vide      *widget.Label
	// coches are the dossiers ticked for a batch signature, by ID.
	coches   map[string]bool
	aTraiter []agent.DossierATraiter
}

func newPageParapheur(u *UI) *pageParapheur {
	p := &pageParapheur{u: u, liste: container.NewVBox(), coches: map[string]bool{}}
	p.vue = widget.NewSelect([]string{vueATraiter, vueEnCours, vueDeposes, vueTermines}, func(string) { p.recharger() })
	p.vue.SetSelectedIndex(0)
	deposer := widget.NewButtonWithIcon("Déposer un document…", theme.ContentAddIcon(), func() { u.ouvrirDepot() })
	delegations := widget.NewButtonWithIcon("Délégations…", theme.AccountIcon(), func() { u.ouvrirDelegations() })
	p.signerSel = widget.NewButtonWithIcon("Signer la sélection", theme.ConfirmIcon(), p.signerSelection)
	p.signerSel.Importance = widget.HighImportance
	p.signerSel.Disable()
	p.vide = texteLong("")
	haut := container.NewVBox(titre("Parapheur"),
		container.NewBorder(nil, nil, widget.NewLabel("Afficher :"), container.NewHBox(deposer, delegations), p.vue))
	p.objet = container.NewBorder(haut, container.NewHBox(p.signerSel), nil, nil,
		container.NewVScroll(container.NewVBox(p.vide, p.liste)))
	return p
}

// recharger asks the agent for the view chosen.
func (p *pageParapheur) recharger() {
	u := p.u
	if p.vue == nil || u.profil == nil {
		return
	}
	switch p.vue.Selected {
	case vueATraiter:
		appeler(u, u.ag.ATraiter, p.afficherATraiter)
	default:
		f := agent.FiltreDossiers{Limite: 500}
		switch p.vue.Selected {
		case vueEnCours:
			f.Etat = xdemat.DossierEnCours
		case vueDeposes:
			f.DeposePar = u.profil.ID
		}
		appeler(u, func(ctx context.Context) ([]*xdemat.DossierParapheur, error) {
			return u.ag.DossiersParapheur(ctx, f)
		}, func(l []*xdemat.DossierParapheur) {
			if p.vue.Selected == vueTermines {
				var t []*xdemat.DossierParapheur
				for _, d := range l {
					if d.Etat.Termine() {
						t = append(t, d)
					}
				}
				l = t
			}
			p.afficherDossiers(l)
		})
	}
}

// afficherATraiter lists the dossiers waiting for the user; those to sign
// get a check box for the batch.
func (p *pageParapheur) afficherATraiter(l []agent.DossierATraiter) {
	u := p.u
	p.aTraiter = l
	garde := map[string]bool{}
	p.liste.RemoveAll()
	for _, a := range l {
		d := a.Dossier
		action := "À viser"
		if a.Nature == xdemat.EtapeSignature {
			action = "À signer"
		}
		if a.PourLeCompteDe != "" {
			action += " pour " + u.nomDe(a.PourLeCompteDe) + " (par délégation)"
		}
		var gauche fyne.CanvasObject = widget.NewIcon(theme.DocumentIcon())
		if a.Nature == xdemat.EtapeSignature {
			id := d.ID
			garde[id] = p.coches[id]
			c := widget.NewCheck("", func(v bool) { p.coches[id] = v; p.compterSelection() })
			c.SetChecked(p.coches[id])
			gauche = c
		}
		p.liste.Add(p.ligne(gauche, d, action))
	}
	p.coches = garde
	p.vide.SetText("Rien ne vous attend dans le parapheur.")
	p.vide.Hidden = len(l) > 0
	p.compterSelection()
	p.liste.Refresh()
	p.vide.Refresh()
}

// afficherDossiers lists dossiers (views other than "à traiter").
func (p *pageParapheur) afficherDossiers(l []*xdemat.DossierParapheur) {
	p.liste.RemoveAll()
	for _, d := range l {
		p.liste.Add(p.ligne(widget.NewIcon(theme.DocumentIcon()), d, d.Etat.Libelle()))
	}
	p.vide.SetText("Aucun dossier.")
	p.vide.Hidden = len(l) > 0
	p.signerSel.Disable()
	p.liste.Refresh()
	p.vide.Refresh()
}

// ligne is one dossier: title, what to do, who deposited it and when.
func (p *pageParapheur) ligne(gauche fyne.CanvasObject, d *xdemat.DossierParapheur, etat string) fyne.CanvasObject {
	u := p.u
	t := widget.NewLabelWithStyle(d.Titre, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Truncation = fyne.TextTruncateEllipsis
	sous := widget.NewLabel(fmt.Sprintf("%s · %s · déposé par %s %s", etat, d.Type.Libelle(), u.nomDe(d.DeposePar), u.moment(d.DeposeLe)))
	sous.Truncation = fyne.TextTruncateEllipsis
	id := d.ID
	ouvrir := widget.NewButtonWithIcon("Ouvrir", theme.NavigateNextIcon(), func() { u.dossier.ouvrir(id) })
	return container.NewVBox(container.NewBorder(nil, nil, gauche, ouvrir, container.NewVBox(t, sous)), widget.NewSeparator())
}

// selection returns the dossiers ticked, in the list's order.
func (p *pageParapheur) selection() []string {
	var ids []string
	for _, a := range p.aTraiter {
		if p.coches[a.Dossier.ID] {
			ids = append(ids, a.Dossier.ID)
		}
	}
	return ids
}

func (p *pageParapheur) compterSelection() {
	n := len(p.selection())
	if n == 0 {
		p.signerSel.SetText("Signer la sélection")
		p.signerSel.Disable()
		return
	}
	p.signerSel.SetText(fmt.Sprintf("Signer la sélection (%d)", n))
	p.signerSel.Enable()
}

func (p *pageParapheur) signerSelection() {
	ids := p.selection()
	if len(ids) == 0 {
		return
	}
	p.u.signer(ids, func() {
		p.coches = map[string]bool{}
		p.recharger()
	})
}

// nomDe names a user of the commune ("Prénom Nom"), or says it is unknown.
func (u *UI) nomDe(id string) string {
	if u.profil != nil && u.profil.ID == id {
		return u.profil.NomComplet()
	}
	for _, q := range u.profils {
		if q.ID == id {
			return q.NomComplet()
		}
	}
	if id == "" {
		return "—"
	}
	return "un utilisateur d'un autre poste"
}
