package ui

import (
	"context"
	"errors"
	"io"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
	"xdemat/app/etat"
)

// pageDiagnostic is "À propos / diagnostic": versions, the agent and its
// loops, central, the data folder, and the export of the logs for support.
type pageDiagnostic struct {
	u       *UI
	objet   fyne.CanvasObject
	champs  *widget.Form
	valeurs map[string]*widget.Label
	boucles *fyne.Container
}

// Rows of the page, in order.
var lignesDiagnostic = []string{
	"Version de l'application",
	"Version du service xdemat",
	"Service xdemat",
	"Démarré",
	"Système",
	"Dossier de données",
	"Commune",
	"Poste",
	"SPL",
	"Dernier échange réussi",
	"Envois",
}

func newPageDiagnostic(u *UI) *pageDiagnostic {
	p := &pageDiagnostic{u: u, champs: widget.NewForm(), valeurs: map[string]*widget.Label{}, boucles: container.NewVBox()}
	for _, l := range lignesDiagnostic {
		v := widget.NewLabel("…")
		v.Wrapping = fyne.TextWrapWord
		v.Selectable = true // support asks to read it out or copy it
		p.valeurs[l] = v
		p.champs.Append(l, v)
	}
	p.valeurs["Version de l'application"].SetText(u.opts.Version)
	exporter := widget.NewButtonWithIcon("Exporter les journaux…", theme.DownloadIcon(), p.choisirFichier)
	exporter.Importance = widget.HighImportance
	actualiser := widget.NewButtonWithIcon("Actualiser", theme.ViewRefreshIcon(), p.recharger)
	aide := texteLong("En cas de problème, exportez les journaux et envoyez le fichier à la SPL : il ne contient ni mot de passe ni clé.")
	aide.TextStyle.Italic = true
	p.objet = container.NewBorder(titre("À propos / diagnostic"), container.NewVBox(aide, container.NewHBox(exporter, actualiser)), nil, nil,
		container.NewVScroll(container.NewVBox(p.champs, widget.NewCard("Tâches du service", "", p.boucles))))
	return p
}

// recharger asks the agent for its diagnostic.
func (p *pageDiagnostic) recharger() {
	u := p.u
	appeler(u, func(ctx context.Context) (*agent.Diagnostic, error) {
		return u.ag.Diagnostic(ctx)
	}, p.afficher)
}

func (p *pageDiagnostic) set(ligne, texte string) { p.valeurs[ligne].SetText(texte) }

func (p *pageDiagnostic) afficher(d *agent.Diagnostic) {
	u := p.u
	p.set("Version de l'application", u.opts.Version)
	p.set("Version du service xdemat", d.Version)
	if u.opts.AgentIntegre {
		p.set("Service xdemat", "Agent intégré à l'application (aucun service xdemat ne répondait à son démarrage)")
	} else {
		p.set("Service xdemat", "Service du poste")
	}
	p.set("Démarré", capitale(u.moment(d.DemarreLe)))
	p.set("Système", d.Systeme)
	dossier := d.DossierDonnees
	if dossier == "" {
		dossier = u.opts.DossierDonnees
	}
	p.set("Dossier de données", dossier)
	if d.Identite != nil {
		p.set("Commune", d.Identite.Commune.Nom)
		p.set("Poste", d.Identite.PosteID+", enrôlé "+u.moment(d.Identite.EnrolleLe))
	} else {
		p.set("Commune", "—")
		p.set("Poste", "Non enrôlé : le technicien de la SPL doit relier ce poste à la commune.")
	}
	b := etat.Decrire(&d.Etat, u.maintenant())
	spl := "Joignable"
	if !d.Etat.EnLigne {
		spl = "Injoignable"
	}
	if d.Etat.Enrole {
		spl += " (" + b.Connexion + ")"
	} else {
		spl = b.Connexion
	}
	p.set("SPL", spl)
	if d.Etat.DernierSucces.IsZero() {
		p.set("Dernier échange réussi", "Jamais")
	} else {
		p.set("Dernier échange réussi", capitale(u.moment(d.Etat.DernierSucces)))
	}
	p.set("Envois", b.Envois)

	p.boucles.RemoveAll()
	noms := make([]string, 0, len(d.Boucles))
	for n := range d.Boucles {
		noms = append(noms, n)
	}
	slices.Sort(noms)
	if len(noms) == 0 {
		p.boucles.Add(widget.NewLabel("Aucune tâche en cours."))
	}
	for _, n := range noms {
		l := widget.NewLabel(libelleBoucle(n) + " : fonctionne")
		l.Wrapping = fyne.TextWrapWord
		if msg := d.Boucles[n]; msg != "" {
			l.SetText(libelleBoucle(n) + " : " + msg)
			l.Importance = widget.DangerImportance
		}
		p.boucles.Add(l)
	}
}

// libelleBoucle names a loop of the agent in French.
func libelleBoucle(n string) string {
	switch n {
	case "outbox":
		return "Envois vers la SPL"
	case "inbox":
		return "Réception depuis la SPL"
	case "televersement", "uploads":
		return "Envoi des documents"
	}
	return n
}

// choisirFichier asks where to write the export.
func (p *pageDiagnostic) choisirFichier() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			p.u.erreur(xdemat.Errorf(xdemat.EINVALID, "Impossible d'écrire à cet endroit : choisissez un autre dossier (par exemple Documents)."))
			return
		}
		if w == nil {
			return // cancelled
		}
		p.exporter(w, w.URI().Path(), func() { _ = storage.Delete(w.URI()) })
	}, p.u.win)
	d.SetFileName("xdemat-journaux-" + p.u.maintenant().In(p.u.fuseau()).Format("2006-01-02-1504") + ".zip")
	d.Show()
}

// exporter writes the export to w with a progress dialog; supprimer removes
// what was written when the export fails or is cancelled.
func (p *pageDiagnostic) exporter(w io.WriteCloser, nom string, supprimer func()) {
	u := p.u
	pr := NewProgression(u.ctx, u.win, "Export des journaux", "Préparation…")
	app := ExportApplication{Version: u.opts.Version, AgentIntegre: u.opts.AgentIntegre, DossierDonnees: u.opts.DossierDonnees}
	now := u.maintenant()
	u.enFond(func() {
		err := exporterJournaux(pr.Context(), w, u.ag, app, now, func(m string, f float64) {
			u.surUI(func() { pr.Avancer(m, f) })
		})
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil && supprimer != nil {
			supprimer()
		}
		u.surUI(func() {
			pr.Terminer()
			switch {
			case errors.Is(err, context.Canceled):
				u.message("Export annulé", "Aucun fichier n'a été gardé.")
			case err != nil:
				u.message("Export impossible", "Le fichier n'a pas pu être écrit : "+err.Error()+". Choisissez un autre dossier et réessayez.")
			default:
				u.message("Journaux exportés", "Le fichier "+nom+" est prêt : envoyez-le à la SPL.")
			}
		})
	})
}
