package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/pes"
)

// EcranHelios lists the PES files sent to the trésorerie and their fate;
// the Hélios notifications link there.
const EcranHelios = "helios"

// pageHelios follows each PES file imported from the accounting software:
// waiting for the maire's signature, sent, acknowledged or refused by the
// DGFiP with what to do, bordereau by bordereau.
type pageHelios struct {
	u     *UI
	objet fyne.CanvasObject
	liste *fyne.Container
	vide  *widget.Label
}

func newPageHelios(u *UI) *pageHelios {
	p := &pageHelios{u: u, liste: container.NewVBox()}
	p.vide = texteLong("Aucun fichier PES pour l'instant. Les fichiers que le logiciel comptable dépose dans les dossiers d'export surveillés (Paramètres, assistant d'installation) arrivent ici d'eux-mêmes et partent dans le parapheur du maire.")
	actualiser := widget.NewButtonWithIcon("Actualiser", theme.ViewRefreshIcon(), p.recharger)
	p.objet = container.NewBorder(container.NewBorder(nil, nil, nil, actualiser, titre("Bordereaux (Hélios)")), nil, nil, nil,
		container.NewVScroll(container.NewVBox(p.vide, p.liste)))
	return p
}

func (p *pageHelios) recharger() {
	appeler(p.u, p.u.ag.TransmissionsPES, p.afficher)
}

func (p *pageHelios) afficher(l []*xdemat.TransmissionPES) {
	u := p.u
	p.liste.RemoveAll()
	p.vide.Hidden = len(l) > 0
	for _, t := range l {
		etat := widget.NewLabelWithStyle(t.Statut.Libelle(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		switch t.Statut {
		case xdemat.HeliosAcquitte:
			etat.Importance = widget.SuccessImportance
		case xdemat.HeliosRefuse:
			etat.Importance = widget.DangerImportance
		case xdemat.HeliosASigner:
			etat.Importance = widget.WarningImportance
		}
		var total int64
		for _, b := range t.Bordereaux {
			total += b.Montant
		}
		quand := "importé " + u.moment(t.ImporteLe)
		switch {
		case !t.ReponduLe.IsZero():
			quand = "réponse de la trésorerie " + u.moment(t.ReponduLe)
		case !t.TransmisLe.IsZero():
			quand = "transmis " + u.moment(t.TransmisLe)
		case !t.SigneLe.IsZero():
			quand = "signé " + u.moment(t.SigneLe)
		}
		entete := widget.NewLabel(fmt.Sprintf("%s · %s · %s TTC · %s", t.NomFic, pluriel(int64(len(t.Bordereaux)), "bordereau", "bordereaux"), pes.Montant(total), quand))
		entete.Truncation = fyne.TextTruncateEllipsis
		lignes := container.NewVBox(container.NewBorder(nil, nil, etat, nil, entete))
		for _, e := range t.Explications {
			x := texteLong(e)
			x.Importance = widget.DangerImportance
			lignes.Add(x)
		}
		for _, b := range t.Bordereaux {
			texte := fmt.Sprintf("Bordereau de %s n° %s (%s) : %s, %s TTC — %s", domaine(b.Domaine), b.Numero, b.Exercice,
				pluriel(int64(b.NbPieces), "pièce", "pièces"), pes.Montant(b.Montant), strings.ToLower(b.Statut.Libelle()))
			l := texteLong(texte)
			if b.Statut == xdemat.HeliosRefuse {
				l.Importance = widget.DangerImportance
			}
			lignes.Add(l)
			for _, e := range b.Explications {
				lignes.Add(texteLong("    " + e))
			}
			// What the trésorerie did with each pièce (PES_Retour): paid,
			// taken in charge, rejected with why.
			for _, pc := range b.Pieces {
				texte := fmt.Sprintf("    Pièce %s : %s", pc.Numero, strings.ToLower(pc.Statut.Libelle()))
				if pc.Phrase != "" {
					texte += " — " + pc.Phrase
				}
				l := texteLong(texte)
				if pc.Statut == xdemat.PieceRejetee {
					l.Importance = widget.DangerImportance
				}
				lignes.Add(l)
			}
		}
		if t.DossierID != "" {
			id := t.DossierID
			lignes.Add(container.NewHBox(widget.NewButtonWithIcon("Ouvrir dans le parapheur", theme.DocumentCreateIcon(), func() { u.dossier.ouvrir(id) })))
		}
		p.liste.Add(container.NewVBox(lignes, widget.NewSeparator()))
	}
	p.liste.Refresh()
	p.objet.(*fyne.Container).Refresh()
}

// domaine names a PES domain in French.
func domaine(d string) string {
	if d == "recette" {
		return "recettes"
	}
	return "dépenses"
}
