package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// pageHistorique shows the poste's chained journal, newest first: the legal
// trace of who did what and when.
type pageHistorique struct {
	u       *UI
	objet   fyne.CanvasObject
	table   *widget.Table
	entrees []*xdemat.Journal
	noms    map[string]string // Utilisateur.ID → "Prénom Nom"
}

var colonnesHistorique = []struct {
	titre   string
	largeur float32
}{{"Date", 170}, {"Acteur", 200}, {"Action", 300}, {"Objet", 330}}

func newPageHistorique(u *UI) *pageHistorique {
	p := &pageHistorique{u: u}
	p.table = widget.NewTable(
		func() (int, int) { return len(p.entrees), len(colonnesHistorique) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(p.cellule(id)) },
	)
	p.table.ShowHeaderRow = true
	p.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(colonnesHistorique) {
			o.(*widget.Label).SetText(colonnesHistorique[id.Col].titre)
		}
	}
	for i, c := range colonnesHistorique {
		p.table.SetColumnWidth(i, c.largeur)
	}
	titre := widget.NewLabelWithStyle("Historique du poste", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	titre.SizeName = theme.SizeNameHeadingText
	aide := widget.NewLabel("Chaque action enregistrée sur ce poste, la plus récente en premier. Ce journal est chaîné : il ne peut pas être modifié.")
	aide.Wrapping = fyne.TextWrapWord
	p.objet = container.NewBorder(container.NewVBox(titre, aide), nil, nil, nil, p.table)
	return p
}

func (p *pageHistorique) cellule(id widget.TableCellID) string {
	if id.Row < 0 || id.Row >= len(p.entrees) {
		return ""
	}
	e := p.entrees[id.Row]
	switch id.Col {
	case 0:
		return e.Date.In(p.u.fuseau()).Format("02/01/2006 15:04")
	case 1:
		return p.acteur(e.Acteur)
	case 2:
		return libelleAction(e.Action)
	case 3:
		return e.Objet
	}
	return ""
}

// acteur names who acted: a user of the commune, the agent or central.
func (p *pageHistorique) acteur(id string) string {
	switch id {
	case "agent":
		return "Service xdemat du poste"
	case "central":
		return "SPL"
	}
	if n, ok := p.noms[id]; ok {
		return n
	}
	return id
}

type historique struct {
	entrees []*xdemat.Journal
	noms    map[string]string
}

// recharger asks the agent for the journal and the names of its actors.
func (p *pageHistorique) recharger() {
	u := p.u
	appeler(u, func(ctx context.Context) (historique, error) {
		es, err := u.ag.Journal(ctx)
		if err != nil {
			return historique{}, err
		}
		h := historique{entrees: slices.Clone(es), noms: map[string]string{}}
		slices.Reverse(h.entrees)
		if ps, err := u.ag.Utilisateurs(ctx); err == nil {
			for _, pr := range ps {
				h.noms[pr.ID] = pr.NomComplet()
			}
		}
		return h, nil
	}, func(h historique) {
		p.entrees, p.noms = h.entrees, h.noms
		p.table.Refresh()
	})
}

// libelleAction says in French what a journal action is; an action of a
// later version shows as it is recorded.
func libelleAction(a string) string {
	switch a {
	case xdemat.OperationNotificationCreee:
		return "Notification créée"
	case xdemat.OperationNotificationLue:
		return "Notification lue"
	case xdemat.OperationNotificationFaite:
		return "Notification traitée"
	case xdemat.OperationUtilisateurEnregistre:
		return "Utilisateur enregistré"
	case xdemat.OperationPreferencesEnregistrees:
		return "Préférences enregistrées"
	case xdemat.EvenementPosteEnrole:
		return "Poste enrôlé"
	case xdemat.EvenementPosteRevoque:
		return "Poste révoqué"
	case xdemat.EvenementDocumentRecu:
		return "Document reçu"
	case xdemat.EvenementOperationRecue:
		return "Opération reçue"
	case "document.ajoute":
		return "Document ajouté"
	case "session.ouverte":
		return "Session ouverte"
	case "session.fermee":
		return "Session fermée"
	}
	return a
}
