package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// rolesCommune are the roles a mairie gives its users; the SPL's own roles
// are set at the SPL.
var rolesCommune = []xdemat.Role{xdemat.RoleSecretaire, xdemat.RoleMaire, xdemat.RoleAdjoint, xdemat.RoleElu}

// formulaireProfil is the form of a user of the commune: to create the first
// profile, to add one, to edit one.
type formulaireProfil struct {
	prenom, nom, email, telephone *widget.Entry
	role                          *widget.Select
	actif                         *widget.Check
	motDePasse, confirmation      *widget.Entry
	// retirer removes the password of the profile edited; shown only when
	// it has one. Its owner sets OnTapped.
	retirer *widget.Button
	itemMdp *widget.FormItem // its hint says what an empty field does
	form    *widget.Form
	base    xdemat.Utilisateur
}

// Hints of the password field.
const (
	aideSansMotDePasse = "Facultatif ; 8 caractères au moins. Sans mot de passe, le profil s'ouvre d'un clic."
	aideAvecMotDePasse = "Laissez vide pour garder le mot de passe actuel."
)

// newFormulaireProfil fills the form with p (nil for a new profile).
func newFormulaireProfil(p *agent.Profil) *formulaireProfil {
	f := &formulaireProfil{
		prenom:       widget.NewEntry(),
		nom:          widget.NewEntry(),
		email:        widget.NewEntry(),
		telephone:    widget.NewEntry(),
		actif:        widget.NewCheck("Peut ouvrir une session sur ce poste", nil),
		motDePasse:   widget.NewPasswordEntry(),
		confirmation: widget.NewPasswordEntry(),
	}
	var libelles []string
	for _, r := range rolesCommune {
		libelles = append(libelles, r.Libelle())
	}
	f.role = widget.NewSelect(libelles, nil)
	f.email.SetPlaceHolder("prenom.nom@mairie.fr")
	f.telephone.SetPlaceHolder("06 12 34 56 78")
	f.actif.Checked = true
	if p != nil {
		f.base = p.Utilisateur
		f.prenom.SetText(p.Prenom)
		f.nom.SetText(p.Nom)
		f.email.SetText(p.Email)
		f.telephone.SetText(p.Telephone)
		f.actif.Checked = p.Actif
		f.role.Selected = p.Role.Libelle()
	} else {
		f.role.Selected = xdemat.RoleSecretaire.Libelle()
	}
	f.retirer = widget.NewButtonWithIcon("Retirer le mot de passe", theme.ContentRemoveIcon(), nil)
	f.retirer.Hide()
	aideMdp := aideSansMotDePasse
	if p != nil && p.AvecMotDePasse {
		aideMdp = aideAvecMotDePasse
		f.retirer.Show()
	}
	f.itemMdp = &widget.FormItem{Text: "Mot de passe", Widget: f.motDePasse, HintText: aideMdp}
	f.form = widget.NewForm(
		widget.NewFormItem("Prénom", f.prenom),
		widget.NewFormItem("Nom", f.nom),
		widget.NewFormItem("Fonction", f.role),
		&widget.FormItem{Text: "Courriel", Widget: f.email, HintText: "Facultatif ; pour recevoir les alertes."},
		&widget.FormItem{Text: "Téléphone mobile", Widget: f.telephone, HintText: "Facultatif ; pour recevoir les alertes critiques par SMS."},
		f.itemMdp,
		widget.NewFormItem("Confirmation", f.confirmation),
	)
	if p != nil && p.AvecMotDePasse {
		f.form.Append("", container.NewHBox(f.retirer))
	}
	if p != nil {
		f.form.Append("Profil actif", f.actif)
	}
	return f
}

// motDePasseRetire says in the form that the profile now opens with a click.
func (f *formulaireProfil) motDePasseRetire() {
	f.retirer.Hide()
	f.itemMdp.HintText = "Mot de passe retiré : le profil s'ouvre d'un clic. Vous pouvez en choisir un nouveau ici."
	f.form.Refresh()
}

// valeur returns the user to record and the new password ("" keeps it), or
// a French error saying what to correct.
func (f *formulaireProfil) valeur(communeID string) (xdemat.Utilisateur, string, error) {
	u := f.base
	u.Prenom = strings.TrimSpace(f.prenom.Text)
	u.Nom = strings.TrimSpace(f.nom.Text)
	u.Email = strings.TrimSpace(f.email.Text)
	u.Actif = f.actif.Checked
	if u.CommuneID == "" {
		u.CommuneID = communeID
	}
	if i := f.role.SelectedIndex(); i >= 0 {
		u.Role = rolesCommune[i]
	}
	if u.Nom == "" {
		return u, "", xdemat.Errorf(xdemat.EINVALID, "Indiquez le nom de la personne.")
	}
	tel, err := xdemat.NormaliserTelephone(f.telephone.Text)
	if err != nil {
		return u, "", err
	}
	u.Telephone = tel
	if f.motDePasse.Text != f.confirmation.Text {
		return u, "", xdemat.Errorf(xdemat.EINVALID, "Les deux mots de passe sont différents : tapez le même dans les deux cases.")
	}
	u.MotDePasse = "" // the agent keeps the hash; the app never sees it
	return u, f.motDePasse.Text, nil
}

// objet is the form to put in a page or a dialog.
func (f *formulaireProfil) objet() fyne.CanvasObject { return f.form }

// communeID is the commune of this poste, "" before enrolment.
func (u *UI) communeID() string {
	if u.identite == nil {
		return ""
	}
	return u.identite.Commune.ID
}
