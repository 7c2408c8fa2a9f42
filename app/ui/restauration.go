package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// Choices of where restored files go.
const (
	versSaPlace   = "À sa place (la version actuelle est gardée à côté)"
	versAutrePart = "Dans un autre dossier…"
)

// restauration is the "Restaurer…" dialog: a date, a file or a folder of the
// backup of that date, where to put it; then the restore with its progress.
type restauration struct {
	u           *UI
	d           *dialog.CustomDialog
	instantanes []agent.Instantane // newest first
	date        *widget.Select
	instantane  *agent.Instantane

	pile     []string // folders opened, "" being the top of the backup
	entrees  []agent.EntreeInstantane
	liste    *widget.List
	ou       *widget.Label
	remonter *widget.Button
	tout     *widget.Button

	// choix is what to restore: Chemin "" with Dossier means the whole backup.
	choix       *agent.EntreeInstantane
	selection   *widget.Label
	destination *widget.RadioGroup
	cible       string
	lancer      *widget.Button

	progression *Progression // while the restore runs
}

// ouvrirRestauration asks the agent for the backups, then opens the dialog.
func (p *pageSauvegarde) ouvrirRestauration() {
	u := p.u
	appeler(u, func(ctx context.Context) ([]agent.Instantane, error) {
		return u.ag.Instantanes(ctx)
	}, func(is []agent.Instantane) {
		if len(is) == 0 {
			u.message("Rien à restaurer", "Aucune sauvegarde n'a encore été faite pour cette commune : il n'y a rien à restaurer.")
			return
		}
		u.restauration = newRestauration(u, is)
	})
}

func newRestauration(u *UI, is []agent.Instantane) *restauration {
	r := &restauration{u: u, instantanes: slices.Clone(is)}
	slices.SortStableFunc(r.instantanes, func(a, b agent.Instantane) int { return b.Date.Compare(a.Date) })
	r.date = widget.NewSelect(r.libellesDates(), func(string) { r.choisirDate(r.date.SelectedIndex()) })
	r.date.PlaceHolder = "Choisissez la date de la sauvegarde"
	r.ou = widget.NewLabel("")
	r.ou.Truncation = fyne.TextTruncateEllipsis
	r.remonter = widget.NewButtonWithIcon("Remonter", theme.NavigateBackIcon(), r.remonterDossier)
	r.tout = widget.NewButtonWithIcon("Choisir tout ce dossier", theme.FolderIcon(), r.choisirDossierOuvert)
	r.liste = widget.NewList(
		func() int { return len(r.entrees) },
		func() fyne.CanvasObject {
			nom := widget.NewLabel("")
			nom.Truncation = fyne.TextTruncateEllipsis
			ouvrir := widget.NewButton("Ouvrir", nil)
			ouvrir.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), container.NewHBox(widget.NewLabel(""), ouvrir), nom)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(r.entrees) {
				return
			}
			r.ligne(r.entrees[i], o.(*fyne.Container))
		},
	)
	r.liste.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(r.entrees) {
			e := r.entrees[i]
			r.choisir(&e)
		}
	}
	r.selection = texteLong("Choisissez une date, puis un fichier ou un dossier.")
	r.lancer = widget.NewButtonWithIcon("Restaurer", theme.DownloadIcon(), r.restaurer)
	r.lancer.Importance = widget.HighImportance
	r.destination = widget.NewRadioGroup([]string{versSaPlace, versAutrePart}, r.choisirDestination)
	r.destination.Required = true
	r.destination.SetSelected(versSaPlace)
	annuler := widget.NewButton("Annuler", func() { r.d.Hide() })
	r.afficherDossier()

	contenu := container.NewBorder(
		container.NewVBox(
			widget.NewLabelWithStyle("Date de la sauvegarde", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			r.date,
			container.NewBorder(nil, nil, r.remonter, r.tout, r.ou),
		),
		container.NewVBox(widget.NewSeparator(), r.selection,
			widget.NewLabelWithStyle("Où remettre", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), r.destination),
		nil, nil,
		container.NewGridWrap(fyne.NewSize(600, 260), r.liste),
	)
	r.d = dialog.NewCustomWithoutButtons("Restaurer des fichiers", contenu, u.win)
	r.d.SetButtons([]fyne.CanvasObject{annuler, r.lancer})
	r.majBouton()
	r.d.Show()
	return r
}

// libellesDates names each backup by its full date; two on the same minute
// (two postes) are told apart by their poste.
func (r *restauration) libellesDates() []string {
	var out []string
	for _, i := range r.instantanes {
		out = append(out, r.u.dateComplete(i.Date))
	}
	for k, l := range out {
		if slices.Index(out, l) != k || slices.Index(out[k+1:], l) >= 0 {
			out[k] = l + " (poste " + r.instantanes[k].Poste + ")"
		}
	}
	return out
}

// choisirDate opens the top of the backup of that date.
func (r *restauration) choisirDate(i int) {
	if i < 0 || i >= len(r.instantanes) {
		return
	}
	r.instantane = &r.instantanes[i]
	r.pile = nil
	r.choix = nil
	r.ouvrirDossier("")
}

// ouvrirDossier lists a folder of the backup chosen.
func (r *restauration) ouvrirDossier(chemin string) {
	u := r.u
	id := r.instantane.ID
	appeler(u, func(ctx context.Context) ([]agent.EntreeInstantane, error) {
		return u.ag.ContenuInstantane(ctx, id, chemin)
	}, func(es []agent.EntreeInstantane) {
		if r.instantane == nil || r.instantane.ID != id {
			return // another date was chosen meanwhile
		}
		r.pile = append(r.pile, chemin)
		r.entrees = es
		r.liste.UnselectAll()
		r.liste.Refresh()
		r.liste.ScrollToTop()
		r.afficherDossier()
	})
}

func (r *restauration) remonterDossier() {
	if len(r.pile) < 2 {
		return
	}
	parent := r.pile[len(r.pile)-2]
	r.pile = r.pile[:len(r.pile)-2]
	r.ouvrirDossier(parent)
}

// dossierOuvert is the folder listed ("" at the top).
func (r *restauration) dossierOuvert() string {
	if len(r.pile) == 0 {
		return ""
	}
	return r.pile[len(r.pile)-1]
}

func (r *restauration) afficherDossier() {
	switch {
	case r.instantane == nil:
		r.ou.SetText("")
		r.tout.Disable()
	case r.dossierOuvert() == "":
		r.ou.SetText("Tous les dossiers sauvegardés")
		r.tout.SetText("Choisir toute la sauvegarde")
		r.tout.Enable()
	default:
		r.ou.SetText(r.dossierOuvert())
		r.tout.SetText("Choisir tout ce dossier")
		r.tout.Enable()
	}
	if len(r.pile) < 2 {
		r.remonter.Disable()
	} else {
		r.remonter.Enable()
	}
}

// ligne shows entry e in a row of the list.
func (r *restauration) ligne(e agent.EntreeInstantane, o *fyne.Container) {
	// The row's layout depends on the width of the details set here.
	defer o.Refresh()
	// Border: center first, then left and right.
	nom := o.Objects[0].(*widget.Label)
	icone := o.Objects[1].(*widget.Icon)
	droite := o.Objects[2].(*fyne.Container)
	detail := droite.Objects[0].(*widget.Label)
	ouvrir := droite.Objects[1].(*widget.Button)
	nom.SetText(e.Nom)
	if e.Dossier {
		icone.SetResource(theme.FolderIcon())
		detail.SetText("")
		ouvrir.OnTapped = func() { r.ouvrirDossier(e.Chemin) }
		ouvrir.Show()
		return
	}
	icone.SetResource(theme.FileIcon())
	texte := xdemat.Octets(e.Taille)
	if !e.ModifieLe.IsZero() {
		texte += " · modifié " + r.u.moment(e.ModifieLe)
	}
	detail.SetText(texte)
	ouvrir.OnTapped = nil
	ouvrir.Hide()
}

// choisirDossierOuvert chooses the folder listed, or the whole backup at the top.
func (r *restauration) choisirDossierOuvert() {
	d := r.dossierOuvert()
	e := agent.EntreeInstantane{Chemin: d, Nom: d, Dossier: true}
	r.liste.UnselectAll()
	r.choisir(&e)
}

func (r *restauration) choisir(e *agent.EntreeInstantane) {
	r.choix = e
	quand := r.u.dateComplete(r.instantane.Date)
	switch {
	case e.Chemin == "":
		r.selection.SetText("À restaurer : toute la sauvegarde du " + quand + ".")
	case e.Dossier:
		r.selection.SetText("À restaurer : le dossier " + e.Chemin + ", tel qu'il était le " + quand + ".")
	default:
		r.selection.SetText("À restaurer : " + e.Chemin + " (" + xdemat.Octets(e.Taille) + "), tel qu'il était le " + quand + ".")
	}
	r.majBouton()
}

// choisirDestination asks for a folder when "ailleurs" is chosen.
func (r *restauration) choisirDestination(s string) {
	if s != versAutrePart {
		r.cible = ""
		r.destination.Options[1] = versAutrePart
		r.destination.Refresh()
		r.majBouton()
		return
	}
	r.majBouton()
	r.u.choisirDossier(func(chemin string) {
		r.cible = chemin
		r.destination.Options[1] = versAutrePart + " " + chemin
		r.destination.Selected = r.destination.Options[1]
		r.destination.Refresh()
		r.majBouton()
	})
}

// ailleurs reports whether "dans un autre dossier" is chosen.
func (r *restauration) ailleurs() bool { return r.destination.Selected == r.destination.Options[1] }

// majBouton enables "Restaurer" once everything is chosen.
func (r *restauration) majBouton() {
	if r.choix == nil || r.ailleurs() && r.cible == "" {
		r.lancer.Disable()
		return
	}
	r.lancer.Enable()
}

// demande returns what the agent is asked.
func (r *restauration) demande() agent.DemandeRestauration {
	d := agent.DemandeRestauration{Instantane: r.instantane.ID}
	if r.choix.Chemin != "" {
		d.Chemins = []string{r.choix.Chemin}
	}
	if r.ailleurs() {
		d.Cible = r.cible
	}
	return d
}

// restaurer runs the restore with a progress dialog whose "Annuler"
// cancels the call, then says what was restored.
func (r *restauration) restaurer() {
	u := r.u
	if r.lancer.Disabled() {
		return
	}
	d := r.demande()
	quoi, quand := r.choix.Nom, u.dateComplete(r.instantane.Date)
	if r.choix.Chemin == "" {
		quoi = "toute la sauvegarde"
	}
	r.d.Hide()
	pr := NewProgression(u.ctx, u.win, "Restauration", "Restauration de "+quoi+"…")
	r.progression = pr
	u.enFond(func() {
		// No deadline: a whole PC takes hours; "Annuler" stops it.
		res, err := u.ag.Restaurer(pr.Context(), d)
		u.surUI(func() {
			annulee := pr.Context().Err() != nil // read before Terminer cancels it
			pr.Terminer()
			r.progression = nil
			switch {
			case err != nil && (annulee || errors.Is(err, context.Canceled)):
				u.message("Restauration arrêtée", "La restauration a été arrêtée avant la fin : recommencez-la pour retrouver tous les fichiers.")
			case err != nil:
				u.erreur(err)
			default:
				u.message("Restauration terminée", r.compteRendu(res, d, quand))
			}
		})
	})
}

// compteRendu says what was restored, and where.
func (r *restauration) compteRendu(res *agent.ResultatRestauration, d agent.DemandeRestauration, quand string) string {
	fichiers := pluriel(res.Fichiers, "fichier", "fichiers")
	texte := fmt.Sprintf("%s (%s), tels qu'ils étaient le %s, ", fichiers, xdemat.Octets(res.Octets), quand)
	if res.Fichiers < 2 {
		texte = fmt.Sprintf("%s (%s), tel qu'il était le %s, ", fichiers, xdemat.Octets(res.Octets), quand)
	}
	if d.Cible == "" {
		accord := "remis à leur place"
		if res.Fichiers < 2 {
			accord = "remis à sa place"
		}
		return texte + accord + " dans " + res.Cible + ". Les versions qui s'y trouvaient sont gardées à côté."
	}
	if res.Fichiers < 2 {
		return texte + "restauré dans " + res.Cible + "."
	}
	return texte + "restaurés dans " + res.Cible + "."
}

// avancer shows the progress of the restore from the agent's events.
func (r *restauration) avancer(p agent.ProgressionSauvegarde) {
	if r.progression == nil {
		return
	}
	msg := "Restauration…"
	if p.FichiersTotal > 0 {
		msg = fmt.Sprintf("Restauration : %s sur %s", nombre(p.FichiersFaits), pluriel(p.FichiersTotal, "fichier", "fichiers"))
	}
	if p.FichierCourant != "" {
		msg += "\n" + p.FichierCourant
	}
	r.progression.Avancer(msg, p.Fraction)
}
