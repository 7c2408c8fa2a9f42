package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat/agent"
)

// menu is the left column: one entry per service that exists, the user at
// the keyboard and "Changer d'utilisateur".
type menu struct {
	objet   fyne.CanvasObject
	entrees map[string]*widget.Button
	qui     *widget.Label
	aFaire  int
	changer *widget.Button
}

func newMenu(u *UI) *menu {
	m := &menu{entrees: map[string]*widget.Button{}}
	entree := func(ecran, texte string, icone fyne.Resource) *widget.Button {
		b := widget.NewButtonWithIcon(texte, icone, func() { u.afficher(ecran) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		m.entrees[ecran] = b
		return b
	}
	titre := widget.NewLabelWithStyle("xdemat", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	titre.SizeName = theme.SizeNameSubHeadingText
	m.qui = widget.NewLabel("")
	m.qui.Truncation = fyne.TextTruncateEllipsis
	m.changer = widget.NewButtonWithIcon("Changer d'utilisateur", theme.AccountIcon(), u.changerUtilisateur)
	m.changer.Alignment = widget.ButtonAlignLeading
	m.changer.Importance = widget.LowImportance
	haut := container.NewVBox(
		titre,
		entree(EcranAFaire, "À faire", theme.ListIcon()),
		entree(EcranActes, "Actes", theme.FileTextIcon()),
		entree(EcranParapheur, "Parapheur", theme.DocumentCreateIcon()),
		entree(EcranHelios, "Bordereaux (Hélios)", theme.MailSendIcon()),
		entree(EcranHistorique, "Historique", theme.HistoryIcon()),
		entree(EcranSauvegarde, "Sauvegarde", theme.StorageIcon()),
		entree(EcranCle, "Ma clé de signature", theme.LoginIcon()),
		entree(EcranParametres, "Paramètres", theme.SettingsIcon()),
		entree(EcranDiagnostic, "À propos / diagnostic", theme.InfoIcon()),
	)
	bas := container.NewVBox(widget.NewSeparator(), m.qui, m.changer)
	m.objet = container.NewBorder(nil, nil, nil, widget.NewSeparator(),
		container.NewPadded(container.NewBorder(haut, bas, nil, nil)))
	return m
}

// selectionner highlights the entry of the page shown.
func (m *menu) selectionner(ecran string) {
	for e, b := range m.entrees {
		imp := widget.LowImportance
		if e == ecran {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
	}
}

// compterAFaire shows how many notifications are not done yet.
func (m *menu) compterAFaire(n int) {
	m.aFaire = n
	texte := "À faire"
	if n > 0 {
		texte = fmt.Sprintf("À faire (%d)", n)
	}
	m.entrees[EcranAFaire].SetText(texte)
}

func (m *menu) afficherProfil(p *agent.Profil) {
	m.qui.SetText(p.NomComplet())
}
