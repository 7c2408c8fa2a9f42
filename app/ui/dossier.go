package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// vueDossier is one dossier of the parapheur: its documents (to read
// before signing), its circuit, its history, and what the user at the
// keyboard may do with it now.
type vueDossier struct {
	u     *UI
	objet fyne.CanvasObject

	d         *xdemat.DossierParapheur
	titre     *widget.Label
	entete    *widget.Label
	documents *fyne.Container
	circuit   *fyne.Container
	histoire  *fyne.Container
	actions   *fyne.Container
	contenu   *fyne.Container
}

func newVueDossier(u *UI) *vueDossier {
	v := &vueDossier{u: u, documents: container.NewVBox(), circuit: container.NewVBox(), histoire: container.NewVBox(), actions: container.NewHBox()}
	v.titre = titre("")
	v.titre.Wrapping = fyne.TextWrapWord
	v.entete = texteLong("")
	retour := widget.NewButtonWithIcon("Parapheur", theme.NavigateBackIcon(), func() { u.afficher(EcranParapheur) })
	retour.Importance = widget.LowImportance
	v.contenu = container.NewVBox(v.entete,
		widget.NewCard("Documents", "", v.documents),
		widget.NewCard("Circuit", "", v.circuit),
		widget.NewCard("Historique", "", v.histoire))
	v.objet = container.NewBorder(container.NewVBox(container.NewHBox(retour), v.titre), v.actions, nil, nil, container.NewVScroll(v.contenu))
	return v
}

// ouvrir shows the dossier id.
func (v *vueDossier) ouvrir(id string) {
	u := v.u
	u.ecran = EcranParapheur
	u.corps.Objects = []fyne.CanvasObject{v.objet}
	u.corps.Refresh()
	u.menu.selectionner(EcranParapheur)
	appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) { return u.ag.DossierParapheur(ctx, id) }, v.afficher)
}

// recharger reloads the dossier shown.
func (v *vueDossier) recharger() {
	if v.d != nil {
		v.ouvrir(v.d.ID)
	}
}

func (v *vueDossier) afficher(d *xdemat.DossierParapheur) {
	u := v.u
	v.d = d
	v.titre.SetText(d.Titre)
	v.entete.SetText(fmt.Sprintf("%s · %s · déposé par %s %s", d.Type.Libelle(), d.Etat.Libelle(), u.nomDe(d.DeposePar), u.moment(d.DeposeLe)))

	v.documents.RemoveAll()
	for i, sha := range d.Documents {
		sha := sha
		nom := fmt.Sprintf("Document %d", i+1)
		if i == 0 {
			nom = "Document principal"
		}
		lire := widget.NewButtonWithIcon("Lire", theme.VisibilityIcon(), func() { u.lireDocument(d.Titre, sha) })
		v.documents.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), lire, widget.NewLabel(nom+" · empreinte "+sha[:12]+"…")))
	}

	v.circuit.RemoveAll()
	for i := range d.Etapes {
		e := &d.Etapes[i]
		qui := u.nomDe(e.UtilisateurID)
		if e.UtilisateurID == "" {
			qui = e.Role.Libelle()
		}
		texte := fmt.Sprintf("%d. %s — %s", i+1, e.Nature.Libelle(), qui)
		l := widget.NewLabel("")
		switch {
		case e.Faite():
			texte += " — fait par " + u.nomDe(e.FaitePar) + " " + u.moment(e.FaiteLe)
			if e.PourLeCompteDe != "" {
				texte += " (" + xdemat.MentionDelegation + ")"
			}
			l.Importance = widget.SuccessImportance
		case d.Etat == xdemat.DossierEnCours && i == d.EtapeCourante:
			texte += " — en attente"
			l.TextStyle.Bold = true
		}
		l.SetText(texte)
		l.Wrapping = fyne.TextWrapWord
		v.circuit.Add(l)
	}

	v.histoire.RemoveAll()
	for i := len(d.Historique) - 1; i >= 0; i-- {
		h := &d.Historique[i]
		v.histoire.Add(texteLong(u.ligneHistorique(h)))
	}

	v.actions.RemoveAll()
	if d.Etat == xdemat.DossierEnCours && u.profil != nil {
		if e := d.Courante(); e != nil && v.attendMoi() {
			switch e.Nature {
			case xdemat.EtapeSignature:
				b := widget.NewButtonWithIcon("Signer…", theme.ConfirmIcon(), func() { u.signer([]string{d.ID}, v.recharger) })
				b.Importance = widget.HighImportance
				v.actions.Add(b)
			case xdemat.EtapeVisa:
				b := widget.NewButtonWithIcon("Viser", theme.ConfirmIcon(), v.viser)
				b.Importance = widget.HighImportance
				v.actions.Add(b)
			}
			r := widget.NewButtonWithIcon("Refuser…", theme.CancelIcon(), v.refuser)
			r.Importance = widget.DangerImportance
			v.actions.Add(r)
		}
		if d.DeposePar == u.profil.ID {
			v.actions.Add(widget.NewButtonWithIcon("Retirer…", theme.DeleteIcon(), v.retirer))
		}
	}
	v.actions.Add(widget.NewButtonWithIcon("Annoter…", theme.DocumentCreateIcon(), v.annoter))
	// The whole view is laid out again: the action bar's height changes
	// with its buttons.
	v.objet.(*fyne.Container).Refresh()
}

// attendMoi tells whether the current step waits for the user at the
// keyboard (directly or by delegation), as the agent's list said.
func (v *vueDossier) attendMoi() bool {
	for _, a := range v.u.parapheur.aTraiter {
		if a.Dossier.ID == v.d.ID {
			return true
		}
	}
	e := v.d.Courante()
	p := v.u.profil
	return e != nil && (e.UtilisateurID == p.ID || (e.UtilisateurID == "" && e.Role == p.Role))
}

// ligneHistorique is one line of a dossier's history, in French.
func (u *UI) ligneHistorique(h *xdemat.EntreeHistorique) string {
	var quoi string
	switch h.Action {
	case xdemat.OperationParapheurDepose:
		quoi = "déposé"
	case xdemat.OperationParapheurVise:
		quoi = fmt.Sprintf("visé (étape %d)", h.Etape)
	case xdemat.OperationParapheurSigne:
		quoi = fmt.Sprintf("signé (étape %d)", h.Etape)
		if h.Certificat != nil {
			quoi += " avec le certificat de " + strings.TrimPrefix(h.Certificat.Sujet, "CN=")
		}
	case xdemat.OperationParapheurRefuse:
		quoi = fmt.Sprintf("refusé (étape %d)", h.Etape)
	case xdemat.OperationParapheurRetire:
		quoi = "retiré"
	case xdemat.OperationParapheurAnnote:
		quoi = "annoté"
	default:
		quoi = h.Action
	}
	s := capitale(u.moment(h.Le)) + " : " + quoi + " par " + u.nomDe(h.Par)
	if h.PourLeCompteDe != "" {
		s += ", pour " + u.nomDe(h.PourLeCompteDe) + " (" + xdemat.MentionDelegation + ")"
	}
	if h.Motif != "" {
		s += " — motif : " + h.Motif
	}
	if h.Texte != "" {
		s += " — « " + h.Texte + " »"
	}
	return s
}

func (v *vueDossier) apres(d *xdemat.DossierParapheur) {
	v.afficher(d)
	v.u.parapheur.recharger()
}

func (v *vueDossier) viser() {
	u, d := v.u, v.d
	appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) {
		return u.ag.Viser(ctx, d.ID, d.EtapeCourante+1)
	}, v.apres)
}

// refuser asks for the reason (required) and refuses the current step.
func (v *vueDossier) refuser() {
	u, d := v.u, v.d
	v.demanderTexte("Refuser « "+d.Titre+" »", "Motif du refus (il sera envoyé à "+u.nomDe(d.DeposePar)+")", "Refuser", func(motif string) {
		appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) {
			return u.ag.Refuser(ctx, d.ID, d.EtapeCourante+1, motif)
		}, v.apres)
	})
}

func (v *vueDossier) retirer() {
	u, d := v.u, v.d
	v.demanderTexte("Retirer « "+d.Titre+" »", "Pourquoi le retirez-vous ?", "Retirer", func(motif string) {
		appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) { return u.ag.Retirer(ctx, d.ID, motif) }, v.apres)
	})
}

func (v *vueDossier) annoter() {
	u, d := v.u, v.d
	v.demanderTexte("Annoter « "+d.Titre+" »", "Votre note (visible de tous ceux qui suivent ce dossier)", "Ajouter la note", func(texte string) {
		appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) { return u.ag.Annoter(ctx, d.ID, texte) }, v.apres)
	})
}

// demanderTexte opens a dialog with a multi-line entry; ok gets the text,
// never empty.
func (v *vueDossier) demanderTexte(titreDlg, invite, bouton string, ok func(string)) {
	e := widget.NewMultiLineEntry()
	e.SetPlaceHolder(invite)
	e.Wrapping = fyne.TextWrapWord
	e.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("à remplir")
		}
		return nil
	}
	dlg := dialog.NewForm(titreDlg, bouton, "Annuler", []*widget.FormItem{widget.NewFormItem("", e)}, func(valide bool) {
		if valide {
			ok(strings.TrimSpace(e.Text))
		}
	}, v.u.win)
	dlg.Resize(fyne.NewSize(520, 260))
	dlg.Show()
}
