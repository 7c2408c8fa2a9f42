package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// EcranActes lists the commune's actes (délibérations, arrêtés…) and their
// transmission to the préfecture; the actes notifications link there.
const EcranActes = "actes"

const tous = "Toutes"

// dateClassificationParDefaut is the version of the classification the
// actes are prepared against until the préfecture's own file (message 7-2)
// reaches the poste through central: the default one shipped for the
// demonstration, which the simulator of the Ministry's platform also uses.
var dateClassificationParDefaut = time.Date(2025, 1, 1, 12, 0, 0, 0, xdemat.Paris)

// pageActes is Xactes: the actes of the commune with filters, a new acte
// (prepared offline), sending a batch (signed first in the parapheur, or
// directly when already signed), and each acte's follow-up.
type pageActes struct {
	u     *UI
	objet fyne.CanvasObject

	nature, annee, statut *widget.Select
	viaParapheur          *widget.Check
	envoyer               *widget.Button
	liste                 *fyne.Container
	vide                  *widget.Label
	coches                map[string]bool
	actes                 []*xdemat.Acte
	recherche             *rechercheActes // recherche.go
}

func newPageActes(u *UI) *pageActes {
	p := &pageActes{u: u, liste: container.NewVBox(), coches: map[string]bool{}}
	natures := []string{tous}
	for _, n := range xdemat.NaturesActes() {
		natures = append(natures, n.Libelle())
	}
	p.nature = widget.NewSelect(natures, func(string) { p.recharger() })
	an := u.maintenant().Year()
	p.annee = widget.NewSelect([]string{tous, strconv.Itoa(an), strconv.Itoa(an - 1), strconv.Itoa(an - 2)}, func(string) { p.recharger() })
	statuts := []string{tous}
	for _, s := range []xdemat.StatutActe{xdemat.ActeEnAttenteEnvoi, xdemat.ActeTransmis, xdemat.ActeAcquitte, xdemat.ActeEnErreur, xdemat.ActeAnnulationTransmise, xdemat.ActeAnnule} {
		statuts = append(statuts, s.Libelle())
	}
	p.statut = widget.NewSelect(statuts, func(string) { p.recharger() })
	p.nature.SetSelectedIndex(0)
	p.annee.SetSelectedIndex(0)
	p.statut.SetSelectedIndex(0)
	nouvel := widget.NewButtonWithIcon("Nouvel acte…", theme.ContentAddIcon(), u.nouvelActe)
	nouvel.Importance = widget.HighImportance
	registres := widget.NewButtonWithIcon("Registres…", theme.DocumentPrintIcon(), u.registres)
	p.viaParapheur = widget.NewCheck("Faire signer dans le parapheur avant l'envoi", nil)
	p.viaParapheur.SetChecked(true)
	p.envoyer = widget.NewButtonWithIcon("Envoyer la sélection", theme.MailSendIcon(), p.envoyerSelection)
	p.envoyer.Disable()
	p.vide = texteLong("Aucun acte ne correspond.")
	p.recherche = newRechercheActes(p)
	filtres := p.recherche.entourer(container.NewHBox(widget.NewLabel("Nature :"), p.nature, widget.NewLabel("Année :"), p.annee, widget.NewLabel("Statut :"), p.statut))
	p.objet = container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(registres, nouvel), titre("Actes")), filtres),
		container.NewHBox(p.envoyer, p.viaParapheur), nil, nil, container.NewVScroll(container.NewVBox(p.vide, p.liste)))
	return p
}

func (p *pageActes) filtre() agent.FiltreActes {
	f := agent.FiltreActes{Limite: 500}
	for _, n := range xdemat.NaturesActes() {
		if n.Libelle() == p.nature.Selected {
			f.Nature = n
		}
	}
	f.Annee, _ = strconv.Atoi(p.annee.Selected)
	for _, s := range []xdemat.StatutActe{xdemat.ActeEnAttenteEnvoi, xdemat.ActeTransmis, xdemat.ActeAcquitte, xdemat.ActeEnErreur, xdemat.ActeAnnulationTransmise, xdemat.ActeAnnule} {
		if s.Libelle() == p.statut.Selected {
			f.Statut = s
		}
	}
	return f
}

func (p *pageActes) recharger() {
	u := p.u
	if u.profil == nil || p.statut == nil || p.statut.Selected == "" {
		return
	}
	if p.recherche.active() {
		p.recherche.lancer()
		return
	}
	p.recherche.effacer()
	f := p.filtre()
	appeler(u, func(ctx context.Context) ([]*xdemat.Acte, error) { return u.ag.Actes(ctx, f) }, p.afficher)
}

func (p *pageActes) afficher(l []*xdemat.Acte) {
	u := p.u
	p.actes = l
	p.liste.RemoveAll()
	garde := map[string]bool{}
	for _, a := range l {
		var gauche fyne.CanvasObject = widget.NewIcon(theme.FileIcon())
		if a.Statut == xdemat.ActeEnAttenteEnvoi {
			id := a.ID
			garde[id] = p.coches[id]
			c := widget.NewCheck("", func(v bool) { p.coches[id] = v; p.compter() })
			c.SetChecked(p.coches[id])
			gauche = c
		}
		t := widget.NewLabelWithStyle(a.NumeroInterne+" — "+a.Objet, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		t.Truncation = fyne.TextTruncateEllipsis
		sous := widget.NewLabel(fmt.Sprintf("%s · décision du %s · %s", a.Nature.Libelle(), a.DateDecision.In(xdemat.Paris).Format("02/01/2006"), ligneStatutActe(a)))
		sous.Truncation = fyne.TextTruncateEllipsis
		id := a.ID
		ouvrir := widget.NewButtonWithIcon("Ouvrir", theme.NavigateNextIcon(), func() { u.ouvrirActe(id) })
		p.liste.Add(container.NewVBox(container.NewBorder(nil, nil, gauche, ouvrir, p.recherche.lignes(a.ID, t, sous)), widget.NewSeparator()))
	}
	p.coches = garde
	p.vide.Hidden = len(l) > 0
	p.compter()
	p.objet.(*fyne.Container).Refresh()
}

// ligneStatutActe is the status line of an acte, in French.
func ligneStatutActe(a *xdemat.Acte) string {
	s := a.Statut.Libelle()
	switch {
	case a.Statut == xdemat.ActeAcquitte && !a.DateAR.IsZero():
		s += " le " + a.DateAR.In(xdemat.Paris).Format("02/01/2006") + " — " + a.IdentifiantUnique
	case a.Statut == xdemat.ActeEnErreur && a.Anomalie != "":
		s += " : " + a.Anomalie
	}
	return s
}

func (p *pageActes) selection() []string {
	var ids []string
	for _, a := range p.actes {
		if p.coches[a.ID] {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func (p *pageActes) compter() {
	n := len(p.selection())
	if n == 0 {
		p.envoyer.SetText("Envoyer la sélection")
		p.envoyer.Disable()
		return
	}
	p.envoyer.SetText(fmt.Sprintf("Envoyer la sélection (%d)", n))
	p.envoyer.Enable()
}

// envoyerSelection sends the actes ticked: through the parapheur (the
// maire signs, then they leave by themselves) or directly.
func (p *pageActes) envoyerSelection() {
	u := p.u
	req := agent.DemandeEnvoiActes{Actes: p.selection(), ViaParapheur: p.viaParapheur.Checked}
	appeler(u, func(ctx context.Context) ([]agent.ResultatEnvoiActe, error) { return u.ag.EnvoyerActes(ctx, req) }, func(rs []agent.ResultatEnvoiActe) {
		var ok int
		var l []string
		for _, r := range rs {
			if r.Erreur != "" {
				l = append(l, "Non envoyé : "+r.Erreur)
			} else {
				ok++
			}
		}
		quoi := fmt.Sprintf("%s envoyé(s) à la préfecture.", pluriel(int64(ok), "acte", "actes"))
		if req.ViaParapheur {
			quoi = fmt.Sprintf("%s déposé(s) dans le parapheur : ils partiront à la préfecture dès qu'ils seront signés.", pluriel(int64(ok), "acte", "actes"))
		}
		dialog.ShowInformation("Envoi des actes", strings.Join(append([]string{quoi}, l...), "\n"), u.win)
		p.coches = map[string]bool{}
		p.recharger()
	})
}

// nouvelActe asks for the acte's nature, numéro (the next of the register
// is proposed), date, objet, matière and main document, then creates it.
func (u *UI) nouvelActe() {
	var natures []string
	for _, n := range xdemat.NaturesActes() {
		natures = append(natures, n.Libelle())
	}
	numero := widget.NewEntry()
	date := widget.NewEntry()
	date.SetText(u.maintenant().In(u.fuseau()).Format("02/01/2006"))
	objet := widget.NewMultiLineEntry()
	objet.Wrapping = fyne.TextWrapWord
	objet.SetPlaceHolder("Ex. : Tarifs de la cantine scolaire pour l'année 2027")
	classification := widget.NewEntry()
	classification.SetPlaceHolder("matière, ex. 7.1 (finances locales, décisions budgétaires)")
	matiere, versionClassification := u.champMatiere(classification) // reponseprefecture.go
	fichier := widget.NewLabel("Aucun fichier choisi (PDF)")
	var chemin string
	var taille int64
	annexes := u.champAnnexes(func() int64 { return taille }) // annexes.go
	choisir := widget.NewButton("Choisir…", func() {
		u.choisirFichier(func(p string) {
			chemin, taille = p, 0
			if st, err := os.Stat(p); err == nil {
				taille = st.Size()
			}
			fichier.SetText(filepath.Base(p))
			annexes.rafraichir()
		})
	})
	natureDe := func(l string) xdemat.NatureActe {
		for _, n := range xdemat.NaturesActes() {
			if n.Libelle() == l {
				return n
			}
		}
		return xdemat.NatureDeliberation
	}
	var classif *xdemat.ClassificationPrefecture // the préfecture's, once it has reached the poste
	nature := widget.NewSelect(natures, func(l string) {
		n := natureDe(l)
		annexes.typologies(typologiesDe(classif, n))
		appeler(u, func(ctx context.Context) (string, error) {
			return u.ag.ProposerNumeroActe(ctx, n, u.maintenant().In(u.fuseau()).Year())
		}, numero.SetText)
	})
	nature.SetSelectedIndex(0)
	if ar := u.agentReponses(); ar != nil {
		appelerSinon(u, ar.ClassificationActes, func(c *xdemat.ClassificationPrefecture) {
			classif = c
			annexes.typologies(typologiesDe(c, natureDe(nature.Selected)))
		}, func(error) bool { return true }) // none yet: "Autre document" for every annexe
	}
	form := []*widget.FormItem{
		widget.NewFormItem("Nature", nature),
		widget.NewFormItem("Numéro", numero),
		widget.NewFormItem("Décidé le", date),
		widget.NewFormItem("Objet", objet),
		widget.NewFormItem("Matière", matiere),
		widget.NewFormItem("Document", container.NewBorder(nil, nil, nil, choisir, fichier)),
		widget.NewFormItem("Annexes", annexes.objet),
	}
	dlg := dialog.NewForm("Nouvel acte", "Créer l'acte", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		le, err := time.ParseInLocation("02/01/2006", strings.TrimSpace(date.Text), xdemat.Paris)
		if err != nil {
			u.erreur(xdemat.Errorf(xdemat.EINVALID, "La date %q n'est pas lisible : écrivez-la jj/mm/aaaa.", date.Text))
			return
		}
		if chemin == "" {
			u.erreur(xdemat.Errorf(xdemat.EINVALID, "Choisissez le document de l'acte (PDF)."))
			return
		}
		if err := annexes.verifier(); err != nil {
			u.erreur(err)
			return
		}
		a := &xdemat.Acte{Nature: natureDe(nature.Selected), NumeroInterne: strings.TrimSpace(numero.Text), DateDecision: le,
			Objet: strings.TrimSpace(objet.Text), Classification: xdemat.Classification(strings.TrimSpace(classification.Text)),
			DateClassification: versionClassification()}
		u.creerActe(a, chemin, annexes)
	}, u.win)
	annexes.relayout = dlg.Refresh
	dlg.Resize(fyne.NewSize(720, 560))
	dlg.Show()
}

// creerActe adds the main document and the annexes to the agent, then
// creates the acte.
func (u *UI) creerActe(a *xdemat.Acte, chemin string, annexes *champAnnexes) {
	appeler(u, func(ctx context.Context) (*xdemat.Acte, error) {
		doc, err := envoyerFichier(ctx, u.ag, chemin)
		if err != nil {
			return nil, err
		}
		a.DocumentPrincipal = xdemat.PieceActe{SHA256: doc.SHA256, Nom: doc.NomOriginal, TypeMedia: doc.TypeMedia, Taille: doc.Taille, TypePiece: a.Nature.TypePieceParDefaut()}
		if a.Annexes, err = annexes.envoyer(ctx, u.ag); err != nil {
			return nil, err
		}
		return u.ag.CreerActe(ctx, a)
	}, func(cree *xdemat.Acte) {
		u.afficher(EcranActes)
		u.ouvrirActe(cree.ID)
	})
}

// ouvrirActe shows an acte's follow-up: status line, history, messages of
// the préfecture, its document, and what can be done.
func (u *UI) ouvrirActe(id string) {
	appeler(u, func(ctx context.Context) (*agent.FicheActe, error) { return u.ag.FicheActe(ctx, id) }, u.montrerActe)
}

func (u *UI) montrerActe(f *agent.FicheActe) {
	a := f.Acte
	corps := container.NewVBox(
		texteLong(fmt.Sprintf("%s n° %s, décision du %s, matière %s", a.Nature.Libelle(), a.NumeroInterne, a.DateDecision.In(xdemat.Paris).Format("02/01/2006"), a.Classification)),
		widget.NewLabelWithStyle(ligneStatutActe(a), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	for i := len(f.Historique) - 1; i >= 0; i-- {
		h := f.Historique[i]
		t := capitale(u.moment(h.Le)) + " : " + h.Statut.Libelle()
		if h.Details != "" {
			t += " — " + h.Details
		}
		corps.Add(texteLong(t))
	}
	// Up to seven actions (documents, publication, correction…): three a
	// row keeps the fiche within the 1024-pixel screens of mairie PCs.
	actions := container.NewGridWithColumns(3)
	sha := a.DocumentPrincipal.SHA256
	var dlg dialog.Dialog
	u.ajouterMessages(corps, f, func() { dlg.Hide() }) // reponseprefecture.go
	u.ajouterCorrection(actions, a, func() { dlg.Hide() })
	actions.Add(widget.NewButtonWithIcon("Lire l'acte", theme.VisibilityIcon(), func() { dlg.Hide(); u.lireDocument(a.Objet, sha) }))
	if f.DossierID != "" {
		dossier := f.DossierID
		actions.Add(widget.NewButtonWithIcon("Ouvrir dans le parapheur", theme.DocumentCreateIcon(), func() { dlg.Hide(); u.dossier.ouvrir(dossier) }))
	}
	if a.Statut == xdemat.ActeTransmis || a.Statut == xdemat.ActeAcquitte {
		actions.Add(widget.NewButtonWithIcon("Annuler l'acte…", theme.CancelIcon(), func() {
			dlg.Hide()
			e := widget.NewEntry()
			dialog.ShowForm("Annuler « "+a.NumeroInterne+" »", "Demander l'annulation", "Retour", []*widget.FormItem{widget.NewFormItem("Motif", e)}, func(ok bool) {
				if ok {
					appeler(u, func(ctx context.Context) (*xdemat.Acte, error) { return u.ag.AnnulerActe(ctx, a.ID, e.Text) }, func(*xdemat.Acte) { u.actes.recharger() })
				}
			}, u.win)
		}))
	}
	u.ajouterPreuves(actions, a) // acteexport.go
	u.ajouterPublication(actions, a, func() { dlg.Hide() })
	corps.Add(actions)
	dlg = dialog.NewCustom(a.NumeroInterne+" — "+a.Objet, "Fermer", container.NewVScroll(corps), u.win)
	dlg.Resize(fyne.NewSize(720, 460))
	dlg.Show()
}
