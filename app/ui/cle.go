package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/pkcs11"
)

// EcranCle is "Ma clé de signature"; the certificate expiry notifications
// link there.
const EcranCle = "cle"

// pageCle is "Ma clé de signature": find the token, test it with the PIN
// (the PIN is typed here, used once and forgotten), see the certificate and
// its expiry; the agent then keeps the certificate and warns before it
// expires, token plugged in or not.
type pageCle struct {
	u     *UI
	objet fyne.CanvasObject

	pilote     *widget.Label
	jetons     *widget.Label
	pin        *widget.Entry
	tester     *widget.Button
	resultat   *widget.Label
	lignes     *widget.Label
	certifs    *fyne.Container
	contenu    *fyne.Container // relaid out after each change: wrapped texts grow
	enCours    bool
	dernierDia *pkcs11.Diagnostic // last test, for tests of the page
}

func newPageCle(u *UI) *pageCle {
	p := &pageCle{u: u}
	p.pilote = texteLong("")
	p.jetons = texteLong("")
	rechercher := widget.NewButtonWithIcon("Rechercher la clé", theme.SearchIcon(), p.rechercher)
	p.pin = widget.NewPasswordEntry()
	p.pin.SetPlaceHolder("Code PIN de la clé")
	p.pin.OnSubmitted = func(string) { p.lancerTest() }
	p.tester = widget.NewButtonWithIcon("Tester ma clé", theme.ConfirmIcon(), p.lancerTest)
	p.tester.Importance = widget.HighImportance
	p.resultat = texteLong("")
	p.resultat.TextStyle.Bold = true
	p.resultat.Hide()
	p.lignes = texteLong("")
	p.lignes.Hide()
	p.certifs = container.NewVBox()
	aide := texteLong("Branchez la clé USB (ou insérez la carte) puis tapez son code PIN. Le PIN n'est jamais enregistré : il ne sert qu'à ce test. Attention : plusieurs PIN faux de suite bloquent la clé.")
	aide.TextStyle.Italic = true
	cle := widget.NewCard("Clé de signature", "", container.NewVBox(
		p.pilote, p.jetons, container.NewHBox(rechercher),
		widget.NewForm(widget.NewFormItem("PIN", p.pin)),
		container.NewHBox(p.tester), aide, p.resultat, p.lignes))
	connus := widget.NewCard("Mes certificats", "Xdemat vous prévient 60, 30 et 7 jours avant leur expiration.", p.certifs)
	p.contenu = container.NewVBox(cle, connus)
	p.objet = container.NewBorder(titre("Ma clé de signature"), nil, nil, nil, container.NewVScroll(p.contenu))
	return p
}

// recharger finds the token and lists the certificates the agent keeps.
func (p *pageCle) recharger() {
	p.rechercher()
	p.rechargerCertificats()
}

func (p *pageCle) rechargerCertificats() {
	u := p.u
	appeler(u, func(ctx context.Context) ([]*xdemat.CertificatSignature, error) {
		return u.ag.Certificats(ctx)
	}, p.afficherCertificats)
}

// rechercher looks for the token's driver and the tokens plugged in, off
// the UI thread: a smart card reader may take a second to answer.
func (p *pageCle) rechercher() {
	u := p.u
	module := u.opts.ModulePKCS11
	p.pilote.SetText("Recherche du pilote de la clé…")
	u.enFond(func() {
		var texte, jetons string
		candidats, err := pkcs11.TrouverModules(module)
		switch {
		case err != nil:
			texte = messageCle(err)
		default:
			c := candidats[0]
			texte = fmt.Sprintf("Pilote : %s (%s).", c.Fournisseur, c.Chemin)
			jetons = p.listerJetons(c.Chemin)
		}
		u.surUI(func() {
			p.pilote.SetText(texte)
			p.jetons.SetText(jetons)
			p.jetons.Hidden = jetons == ""
			p.contenu.Refresh()
		})
	})
}

// listerJetons describes the tokens present, with the state of their PIN.
func (p *pageCle) listerJetons(chemin string) string {
	m, err := pkcs11.Ouvrir(chemin)
	if err != nil {
		return messageCle(err)
	}
	defer m.Fermer()
	js, err := m.Jetons()
	if err != nil {
		return messageCle(err)
	}
	if len(js) == 0 {
		return "Aucune clé branchée : branchez la clé USB ou insérez la carte, puis « Rechercher la clé »."
	}
	var l []string
	for _, j := range js {
		s := "Clé trouvée : " + j.Nom()
		if j.NumeroSerie != "" {
			s += " (n° " + j.NumeroSerie + ")"
		}
		if e := j.EtatPIN(); e != "" {
			s += ". " + e
		}
		l = append(l, s)
	}
	return strings.Join(l, "\n")
}

// lancerTest runs "Tester ma clé" with the PIN typed, then forgets it.
func (p *pageCle) lancerTest() {
	if p.enCours {
		return
	}
	u := p.u
	pin := []byte(p.pin.Text)
	p.pin.SetText("")
	if len(pin) == 0 {
		p.montrer("Tapez le code PIN de la clé, puis « Tester ma clé ».", widget.WarningImportance, nil)
		return
	}
	p.enCours = true
	p.tester.Disable()
	p.montrer("Test de la clé en cours… (une carte peut mettre quelques secondes à répondre)", widget.MediumImportance, nil)
	module := u.opts.ModulePKCS11
	maintenant := u.maintenant()
	u.enFond(func() {
		d, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: module, PIN: pin, Maintenant: maintenant})
		clear(pin)
		var garde error
		if err == nil && d.Certificat.X509 != nil {
			ctx, cancel := context.WithTimeout(u.ctx, delaiAppel)
			_, garde = u.ag.EnregistrerCertificat(ctx, d.Certificat.X509.Raw, d.Certificat.RGS2Etoiles, d.Certificat.Qualifie)
			cancel()
		}
		u.surUI(func() {
			p.enCours = false
			p.tester.Enable()
			p.dernierDia = d
			if err != nil {
				p.montrer(messageCle(err), widget.DangerImportance, nil)
				p.rechercher() // the PIN state (tries left) may have changed
				return
			}
			switch {
			case !d.OK():
				p.montrer("Cette clé ne peut pas signer aujourd'hui.", widget.DangerImportance, d.Lignes)
			case d.Alerte != pkcs11.AlerteAucune:
				p.montrer("La clé fonctionne, mais son certificat expire bientôt.", widget.WarningImportance, d.Lignes)
			default:
				p.montrer("La clé fonctionne : elle est prête à signer.", widget.SuccessImportance, d.Lignes)
			}
			if garde != nil {
				u.erreur(garde)
			}
			p.rechargerCertificats()
		})
	})
}

// montrer shows the outcome of a test and its detail lines.
func (p *pageCle) montrer(texte string, imp widget.Importance, lignes []string) {
	p.resultat.SetText(texte)
	p.resultat.Importance = imp
	p.resultat.Show()
	p.resultat.Refresh()
	p.lignes.SetText(strings.Join(lignes, "\n"))
	p.lignes.Hidden = len(lignes) == 0
	p.contenu.Refresh()
}

// afficherCertificats lists the certificates the agent keeps for the user.
func (p *pageCle) afficherCertificats(l []*xdemat.CertificatSignature) {
	u := p.u
	p.certifs.RemoveAll()
	if len(l) == 0 {
		p.certifs.Add(texteLong("Aucun certificat connu pour l'instant : testez votre clé pour que xdemat le connaisse."))
	}
	for _, c := range l {
		nom := widget.NewLabelWithStyle(c.Porteur, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		var niveau []string
		if c.RGS {
			niveau = append(niveau, "RGS**")
		}
		if c.Qualifie {
			niveau = append(niveau, "qualifié eIDAS")
		}
		detail := "Délivré par " + c.Emetteur
		if len(niveau) > 0 {
			detail += " · " + strings.Join(niveau, ", ")
		}
		validite := widget.NewLabel("")
		maintenant := u.maintenant()
		switch jours := c.JoursRestants(maintenant); {
		case jours == 0:
			validite.SetText("Expiré depuis le " + u.jour(c.NotAfter) + " : il ne peut plus signer.")
			validite.Importance = widget.DangerImportance
		case c.SeuilAtteint(maintenant) > 0:
			validite.SetText(fmt.Sprintf("Expire le %s, dans %s : commandez son renouvellement.", u.jour(c.NotAfter), pluriel(int64(jours), "jour", "jours")))
			validite.Importance = widget.WarningImportance
		default:
			validite.SetText("Valide jusqu'au " + u.jour(c.NotAfter) + ".")
		}
		p.certifs.Add(widget.NewForm(widget.NewFormItem("Porteur", nom), widget.NewFormItem("Autorité", widget.NewLabel(detail)), widget.NewFormItem("Validité", validite)))
	}
	p.contenu.Refresh()
}

// messageCle is the French sentence of a token error.
func messageCle(err error) string {
	var e *pkcs11.Erreur
	if errors.As(err, &e) {
		return e.Message
	}
	return xdemat.ErrorMessage(err)
}
