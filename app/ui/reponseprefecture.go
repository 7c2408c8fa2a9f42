package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// The acte's fiche, continued: the préfecture's messages with the
// commune's answers ("Répondre…"), the correction of a refused acte
// ("Corriger et renvoyer…"), and the préfecture's classification in the
// "Nouvel acte" dialog.

// agentReponses is what the agent serves for the answers, the corrections
// and the classification (localapi.Client does). An agent without them
// (older service) shows the messages without the buttons.
type agentReponses interface {
	RepondreMessage(ctx context.Context, acteID, mid string, d agent.DemandeReponse) (*xdemat.ReponsePrefecture, error)
	CorrigerActe(ctx context.Context, id string, c xdemat.CorrectionActe) (*xdemat.Acte, error)
	ClassificationActes(ctx context.Context) (*xdemat.ClassificationPrefecture, error)
}

func (u *UI) agentReponses() agentReponses {
	r, _ := u.ag.(agentReponses)
	return r
}

// ligneReponse says in French where the answer to a message stands.
func (u *UI) ligneReponse(r *xdemat.ReponsePrefecture) string {
	s := r.Libelle()
	switch r.Etat {
	case xdemat.ReponseDemandee:
		return s + " : en attente d'envoi (préparée " + u.moment(r.Le) + ")."
	case xdemat.ReponseTransmise:
		return s + " : répondu le " + r.TransmiseLe.In(xdemat.Paris).Format("02/01/2006 à 15:04") + "."
	case xdemat.ReponseAcquittee:
		return fmt.Sprintf("%s : répondu le %s, reçue par la préfecture le %s.", s, r.TransmiseLe.In(xdemat.Paris).Format("02/01/2006"), r.AcquitteeLe.In(xdemat.Paris).Format("02/01/2006"))
	case xdemat.ReponseRefusee:
		return s + " : non envoyée — " + r.Anomalie + " Vous pouvez répondre de nouveau."
	}
	return s
}

// ajouterMessages lists the préfecture's messages of the fiche, each with
// where its answer stands and, when it may be answered, "Répondre…".
func (u *UI) ajouterMessages(corps *fyne.Container, f *agent.FicheActe, fermer func()) {
	ar := u.agentReponses()
	for _, m := range f.Messages {
		x := texteLong(fmt.Sprintf("%s de la préfecture (%s) : %s", m.Type.Libelle(), u.moment(m.RecuLe), m.Texte))
		x.Importance = widget.WarningImportance
		corps.Add(x)
		repondu := false
		for _, r := range f.Reponses {
			if r.MessageID != m.ID {
				continue
			}
			corps.Add(texteLong(u.ligneReponse(r)))
			if r.Etat != xdemat.ReponseRefusee {
				repondu = true
			}
		}
		// The préfecture's letter itself (PDF), once the poste has fetched it.
		boutons := container.NewHBox()
		for i, h := range m.Documents {
			titre := m.Type.Libelle() + " de la préfecture"
			libelle := "Lire le courrier"
			if len(m.Documents) > 1 {
				libelle = fmt.Sprintf("Lire le courrier (%d/%d)", i+1, len(m.Documents))
			}
			boutons.Add(widget.NewButtonWithIcon(libelle, theme.VisibilityIcon(), func() { fermer(); u.lireDocument(titre, h) }))
		}
		switch {
		case m.Type == xdemat.MessageDefere:
			corps.Add(texteLong("Un déféré ne se répond pas par @CTES : la commune présente sa défense au tribunal administratif (Télérecours citoyens ou courrier), au besoin avec un avocat."))
		case ar != nil && !repondu && m.Repondable() && f.Acte.IdentifiantUnique != "":
			acte := f.Acte
			boutons.Add(widget.NewButtonWithIcon("Répondre…", theme.MailReplyIcon(), func() {
				fermer()
				u.repondreMessage(acte, m)
			}))
		}
		if len(boutons.Objects) > 0 {
			corps.Add(boutons)
		}
	}
}

// choixReponses are the kinds of answer a message admits, in French.
func choixReponses(t xdemat.TypeMessagePrefecture) ([]string, []xdemat.TypeReponsePrefecture) {
	switch t {
	case xdemat.MessageDemandePieces:
		return []string{"Envoyer les pièces demandées", "Refuser de les envoyer (lettre motivée)"}, []xdemat.TypeReponsePrefecture{xdemat.ReponseFavorable, xdemat.ReponseRefus}
	case xdemat.MessageLettreObservations:
		return []string{"Répondre aux observations", "Rejeter les observations (lettre motivée)"}, []xdemat.TypeReponsePrefecture{xdemat.ReponseFavorable, xdemat.ReponseRejet}
	}
	return []string{"Répondre au courrier"}, []xdemat.TypeReponsePrefecture{xdemat.ReponseFavorable}
}

// repondreMessage asks for the kind of answer, the letter and the pieces
// (PDF), adds them to the agent, then records the answer.
func (u *UI) repondreMessage(a *xdemat.Acte, m *xdemat.MessagePrefecture) {
	libelles, types := choixReponses(m.Type)
	choix := widget.NewRadioGroup(libelles, nil)
	choix.SetSelected(libelles[0])
	var lettre string
	var pieces []string
	nomLettre := widget.NewLabel("Aucune lettre choisie (PDF)")
	nomPieces := widget.NewLabel("Aucune pièce choisie (PDF)")
	choisirLettre := widget.NewButton("Choisir la lettre…", func() {
		u.choisirFichier(func(p string) { lettre = p; nomLettre.SetText(filepath.Base(p)) })
	})
	ajouterPiece := widget.NewButton("Ajouter une pièce…", func() {
		u.choisirFichier(func(p string) {
			pieces = append(pieces, p)
			noms := make([]string, len(pieces))
			for i, x := range pieces {
				noms[i] = filepath.Base(x)
			}
			nomPieces.SetText(strings.Join(noms, ", "))
		})
	})
	form := []*widget.FormItem{
		widget.NewFormItem("Message", texteLong(m.Type.Libelle()+" du "+u.moment(m.RecuLe)+" : "+m.Texte)),
		widget.NewFormItem("Réponse", choix),
		widget.NewFormItem("Lettre", container.NewBorder(nil, nil, nil, choisirLettre, nomLettre)),
	}
	if m.Type == xdemat.MessageDemandePieces {
		form = append(form, widget.NewFormItem("Pièces", container.NewBorder(nil, nil, nil, ajouterPiece, nomPieces)))
	}
	dlg := dialog.NewForm("Répondre à la préfecture — acte "+a.NumeroInterne, "Envoyer la réponse", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		typ := types[0]
		for i, l := range libelles {
			if l == choix.Selected {
				typ = types[i]
			}
		}
		lettre, pieces := lettre, append([]string(nil), pieces...)
		if typ != xdemat.ReponseFavorable || m.Type != xdemat.MessageDemandePieces {
			pieces = nil // only the pieces sent in answer to a demande travel apart
		}
		appeler(u, func(ctx context.Context) (*xdemat.ReponsePrefecture, error) {
			d := agent.DemandeReponse{Type: typ}
			if lettre != "" {
				p, err := u.deposerPiece(ctx, lettre)
				if err != nil {
					return nil, err
				}
				d.Lettre = &p
			}
			for _, c := range pieces {
				p, err := u.deposerPiece(ctx, c)
				if err != nil {
					return nil, err
				}
				d.Pieces = append(d.Pieces, p)
			}
			return u.agentReponses().RepondreMessage(ctx, a.ID, m.ID, d)
		}, func(r *xdemat.ReponsePrefecture) {
			dialog.ShowInformation("Réponse à la préfecture", r.Libelle()+" : elle part à la préfecture dès la prochaine synchronisation avec le serveur de la SPL.", u.win)
			u.ouvrirActe(a.ID)
		})
	}, u.win)
	dlg.Resize(fyne.NewSize(640, 420))
	dlg.Show()
}

// deposerPiece adds a file to the agent and returns it as a piece.
func (u *UI) deposerPiece(ctx context.Context, chemin string) (xdemat.PieceActe, error) {
	f, err := os.Open(chemin)
	if err != nil {
		return xdemat.PieceActe{}, xdemat.Errorf(xdemat.EINVALID, "Le fichier %s ne s'ouvre pas (%v).", filepath.Base(chemin), err)
	}
	defer f.Close()
	doc, err := u.ag.AjouterDocument(ctx, filepath.Base(chemin), "", f)
	if err != nil {
		return xdemat.PieceActe{}, err
	}
	return xdemat.PieceActe{SHA256: doc.SHA256, Nom: doc.NomOriginal, TypeMedia: doc.TypeMedia, Taille: doc.Taille}, nil
}

// ajouterCorrection offers "Corriger et renvoyer…" on an acte the
// préfecture refused.
func (u *UI) ajouterCorrection(actions *fyne.Container, a *xdemat.Acte, fermer func()) {
	if a.Statut != xdemat.ActeEnErreur || u.agentReponses() == nil {
		return
	}
	actions.Add(widget.NewButtonWithIcon("Corriger et renvoyer…", theme.DocumentCreateIcon(), func() {
		fermer()
		u.corrigerActe(a)
	}))
}

// corrigerActe asks for the new objet, matière or document of a refused
// acte, then sends it again.
func (u *UI) corrigerActe(a *xdemat.Acte) {
	objet := widget.NewMultiLineEntry()
	objet.Wrapping = fyne.TextWrapWord
	objet.SetText(a.Objet)
	matiere := widget.NewEntry()
	matiere.SetText(string(a.Classification))
	champ, version := u.champMatiere(matiere)
	fichier := widget.NewLabel("Garder « " + a.DocumentPrincipal.Nom + " »")
	var chemin string
	choisir := widget.NewButton("Remplacer…", func() {
		u.choisirFichier(func(p string) { chemin = p; fichier.SetText(filepath.Base(p)) })
	})
	form := []*widget.FormItem{
		widget.NewFormItem("Refus", texteLong(a.Anomalie)),
		widget.NewFormItem("Objet", objet),
		widget.NewFormItem("Matière", champ),
		widget.NewFormItem("Document", container.NewBorder(nil, nil, nil, choisir, fichier)),
	}
	dlg := dialog.NewForm("Corriger l'acte "+a.NumeroInterne, "Renvoyer à la préfecture", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		c := xdemat.CorrectionActe{}
		if o := strings.TrimSpace(objet.Text); o != a.Objet {
			c.Objet = o
		}
		if m := xdemat.Classification(strings.TrimSpace(matiere.Text)); m != a.Classification {
			c.Classification, c.DateClassification = m, version()
		}
		chemin := chemin
		appeler(u, func(ctx context.Context) (*xdemat.Acte, error) {
			if chemin != "" {
				p, err := u.deposerPiece(ctx, chemin)
				if err != nil {
					return nil, err
				}
				p.TypePiece = a.DocumentPrincipal.TypePiece
				c.DocumentPrincipal = &p
			}
			return u.agentReponses().CorrigerActe(ctx, a.ID, c)
		}, func(corrige *xdemat.Acte) {
			dialog.ShowInformation("Acte corrigé", "L'acte "+corrige.NumeroInterne+" corrigé repart à la préfecture.", u.win)
			u.actes.recharger()
		})
	}, u.win)
	dlg.Resize(fyne.NewSize(640, 460))
	dlg.Show()
}

// champMatiere returns the matière field with, once the préfecture's
// classification has reached the poste, a list to pick the matière from,
// and the version to record with the acte (the default one until then).
func (u *UI) champMatiere(e *widget.Entry) (fyne.CanvasObject, func() time.Time) {
	version := dateClassificationParDefaut
	liste := widget.NewSelect(nil, nil)
	liste.PlaceHolder = "Classification de la préfecture…"
	liste.Hide()
	var matieres []xdemat.Matiere
	liste.OnChanged = func(s string) {
		for _, m := range matieres {
			if string(m.Classification)+" "+m.Libelle == s {
				e.SetText(string(m.Classification))
			}
		}
	}
	if ar := u.agentReponses(); ar != nil {
		appelerSinon(u, ar.ClassificationActes, func(c *xdemat.ClassificationPrefecture) {
			version, matieres = c.Date, c.Liste()
			opts := make([]string, len(matieres))
			for i, m := range matieres {
				opts[i] = string(m.Classification) + " " + m.Libelle
			}
			liste.SetOptions(opts)
			liste.Show()
		}, func(error) bool { return true }) // none yet: the default classification stands
	}
	return container.NewVBox(e, liste), func() time.Time { return version }
}
