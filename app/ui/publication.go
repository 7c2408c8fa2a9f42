package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// Publication of the actes on the commune's public pages (served by the
// SPL's central): "Publier sur le site…" in the acte fiche, and in
// Paramètres the mode de publicité the council chose (PUB-04, only under
// 3,500 inhabitants). The agent decides; the app asks and shows.

// agentPublication is what the agent offers for publication; the local
// API's client has it. An agent without it hides the buttons.
type agentPublication interface {
	EtatPublicationActe(ctx context.Context, acteID string) (*agent.EtatPublicationActe, error)
	PublierActe(ctx context.Context, acteID string, auteur xdemat.AuteurActe) (*xdemat.PublicationActe, error)
	DepublierActe(ctx context.Context, acteID string) (*xdemat.PublicationActe, error)
	PublierPV(ctx context.Context, seance time.Time, nom string, r io.Reader) (*xdemat.ProcesVerbal, error)
	Publicite(ctx context.Context) (*agent.EtatPublicite, error)
	ChoisirPublicite(ctx context.Context, p xdemat.Publicite) (*agent.EtatPublicite, error)
}

func (u *UI) agentPublication() (agentPublication, bool) {
	ap, ok := u.ag.(agentPublication)
	return ap, ok
}

// ajouterPublication adds "Publier sur le site…" to the actions of an
// acte's fiche; fermer closes the fiche first.
func (u *UI) ajouterPublication(actions *fyne.Container, a *xdemat.Acte, fermer func()) {
	ap, ok := u.agentPublication()
	if !ok || a.Statut == xdemat.ActeAnnule {
		return
	}
	actions.Add(widget.NewButtonWithIcon("Publier sur le site…", theme.UploadIcon(), func() {
		fermer()
		appeler(u, func(ctx context.Context) (*agent.EtatPublicationActe, error) {
			return ap.EtatPublicationActe(ctx, a.ID)
		},
			func(e *agent.EtatPublicationActe) { u.dialoguePublication(ap, a, e) })
	}))
	if a.Nature == xdemat.NatureDeliberation {
		// Until the séances have their own screen, the séance of a
		// délibération is its date of decision.
		actions.Add(widget.NewButtonWithIcon("Procès-verbal de la séance…", theme.FileIcon(), func() {
			fermer()
			u.publierPV(ap, a.DateDecision)
		}))
	}
}

// publierPV asks for the PDF of the procès-verbal of the séance and sends it
// for publication (CM-25: online within a week of its adoption).
func (u *UI) publierPV(ap agentPublication, seance time.Time) {
	jour := seance.In(xdemat.Paris).Format("02/01/2006")
	d := dialog.NewConfirm("Procès-verbal de la séance du "+jour,
		"Choisissez le PDF du procès-verbal adopté et signé : il sera publié sur le site de la commune, pour toujours, avec la liste des délibérations de la séance (articles L2121-15 et L2121-25 du CGCT).",
		func(ok bool) {
			if !ok {
				return
			}
			u.choisirFichier(func(chemin string) {
				appeler(u, func(ctx context.Context) (*xdemat.ProcesVerbal, error) {
					f, err := os.Open(chemin)
					if err != nil {
						return nil, xdemat.Errorf(xdemat.EINVALID, "Le fichier %s ne s'ouvre pas : vérifiez qu'il existe toujours, puis recommencez.", filepath.Base(chemin))
					}
					defer f.Close()
					return ap.PublierPV(ctx, seance, filepath.Base(chemin), f)
				}, func(*xdemat.ProcesVerbal) {
					dialog.ShowInformation("Procès-verbal envoyé", "Le procès-verbal de la séance du "+jour+" sera en ligne dès que la SPL l'aura reçu.", u.win)
				})
			})
		}, u.win)
	d.SetConfirmText("Choisir le PDF…")
	d.SetDismissText("Annuler")
	d.Show()
}

// dialoguePublication shows where the acte stands online and what can be done.
func (u *UI) dialoguePublication(ap agentPublication, a *xdemat.Acte, e *agent.EtatPublicationActe) {
	titre := "Publier « " + a.NumeroInterne + " »"
	switch {
	case e.Publication != nil && e.Publication.RetireLe.IsZero():
		p := e.Publication
		texte := "Cet acte est publié sur le site de la commune depuis le " + u.jour(p.PublieLe) + " (auteur : " + p.Auteur.String() + ").\n\n" +
			"Il doit y rester au moins deux mois ; il peut être retiré à partir du " + u.jour(e.RetraitPossible) + ". Par défaut, il reste en ligne pour toujours."
		if time.Now().Before(e.RetraitPossible) {
			dialog.ShowInformation(titre, texte, u.win)
			return
		}
		d := dialog.NewConfirm(titre, texte+"\n\nLe retirer du site maintenant ?", func(ok bool) {
			if ok {
				appeler(u, func(ctx context.Context) (*xdemat.PublicationActe, error) { return ap.DepublierActe(ctx, a.ID) }, func(*xdemat.PublicationActe) {
					dialog.ShowInformation(titre, "Le retrait est demandé : l'acte disparaîtra du site dès que la SPL aura reçu la demande.", u.win)
				})
			}
		}, u.win)
		d.SetConfirmText("Retirer du site")
		d.SetDismissText("Garder en ligne")
		d.Show()
		return
	case !e.EnLigne:
		dialog.ShowInformation(titre, "La commune a choisi la publication sur papier ou par affichage : les actes sont consultables en mairie (voir Paramètres). Rien n'est publié sur le site.", u.win)
		return
	}
	prenom, nom, qualite := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	prenom.SetText(e.AuteurPropose.Prenom)
	nom.SetText(e.AuteurPropose.Nom)
	qualite.SetText(e.AuteurPropose.Qualite)
	qualite.SetPlaceHolder("Maire, Adjoint au maire…")
	aide := widget.NewLabel("Le site montre l'acte en entier, avec le prénom, le nom et la qualité de son auteur et la date de mise en ligne (article R2131-1 du CGCT). Il y reste au moins deux mois, par défaut pour toujours.")
	aide.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("Prénom de l'auteur", prenom),
		widget.NewFormItem("Nom de l'auteur", nom),
		widget.NewFormItem("Qualité", qualite),
		widget.NewFormItem("", aide),
	}
	dlg := dialog.NewForm(titre, "Publier", "Annuler", items, func(ok bool) {
		if !ok {
			return
		}
		auteur := xdemat.AuteurActe{Prenom: strings.TrimSpace(prenom.Text), Nom: strings.TrimSpace(nom.Text), Qualite: strings.TrimSpace(qualite.Text)}
		appeler(u, func(ctx context.Context) (*xdemat.PublicationActe, error) { return ap.PublierActe(ctx, a.ID, auteur) }, func(*xdemat.PublicationActe) {
			dialog.ShowInformation(titre, "La publication est demandée : l'acte sera en ligne sur le site de la commune dès que la SPL l'aura reçu.", u.win)
		})
	}, u.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// boutonPublicite is the Paramètres button of the mode de publicité,
// shown only to a commune under 3,500 inhabitants with an agent that
// offers it (see montrerPublicite).
func (u *UI) boutonPublicite() *widget.Button {
	b := widget.NewButtonWithIcon("Mode de publicité des actes…", theme.DocumentIcon(), u.choisirPublicite)
	b.Hide()
	return b
}

// montrerPublicite shows b when the commune may choose its mode (PUB-04).
func (u *UI) montrerPublicite(b *widget.Button) {
	if _, ok := u.agentPublication(); ok && u.identite != nil && xdemat.PeutChoisirPublicite(u.identite.Commune.Population) {
		b.Show()
	} else {
		b.Hide()
	}
}

// choisirPublicite asks the mode the council chose, with its délibération.
func (u *UI) choisirPublicite() {
	ap, ok := u.agentPublication()
	if !ok {
		return
	}
	appeler(u, ap.Publicite, func(e *agent.EtatPublicite) {
		modes := xdemat.ModesPublicite()
		libelles := make([]string, len(modes))
		for i, m := range modes {
			libelles[i] = m.Libelle()
		}
		mode := widget.NewSelect(libelles, nil)
		mode.SetSelected(e.Publicite.Mode.Libelle())
		date, ref := widget.NewEntry(), widget.NewEntry()
		date.SetPlaceHolder("JJ/MM/AAAA")
		if !e.Publicite.DateDeliberation.IsZero() {
			date.SetText(e.Publicite.DateDeliberation.In(xdemat.Paris).Format("02/01/2006"))
		}
		ref.SetText(e.Publicite.ReferenceDeliberation)
		ref.SetPlaceHolder("numéro, par exemple DE2025_014")
		aide := widget.NewLabel("Sous 3 500 habitants, le conseil municipal peut choisir par délibération l'affichage, la publication sur papier ou la publication électronique (article L2131-1 du CGCT). Sans délibération, la publication est électronique. Sur papier ou par affichage, les actes restent consultables en mairie ; les procès-verbaux sont publiés en ligne dans tous les cas.")
		aide.Wrapping = fyne.TextWrapWord
		items := []*widget.FormItem{
			widget.NewFormItem("Mode de publicité", mode),
			widget.NewFormItem("Date de la délibération", date),
			widget.NewFormItem("Délibération n°", ref),
			widget.NewFormItem("", aide),
		}
		dlg := dialog.NewForm("Mode de publicité des actes", "Enregistrer", "Annuler", items, func(ok bool) {
			if !ok {
				return
			}
			p := xdemat.Publicite{Mode: modes[max(0, mode.SelectedIndex())], ReferenceDeliberation: strings.TrimSpace(ref.Text)}
			if s := strings.TrimSpace(date.Text); s != "" {
				le, err := time.ParseInLocation("02/01/2006", s, xdemat.Paris)
				if err != nil {
					u.erreur(xdemat.Errorf(xdemat.EINVALID, "La date de la délibération « %s » est mal écrite : JJ/MM/AAAA, par exemple 12/06/2025.", s))
					return
				}
				p.DateDeliberation = le
			}
			appeler(u, func(ctx context.Context) (*agent.EtatPublicite, error) { return ap.ChoisirPublicite(ctx, p) }, func(e *agent.EtatPublicite) {
				dialog.ShowInformation("Mode de publicité enregistré", e.Publicite.Mode.Libelle()+".", u.win)
			})
		}, u.win)
		dlg.Resize(fyne.NewSize(600, 0))
		dlg.Show()
	})
}
