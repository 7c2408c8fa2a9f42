package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
	"xdemat/app/rapport"
	"xdemat/pkcs11"
)

// Steps of the installation, in order: each records its check for the
// report.
const (
	etapeEnrolement = "Enrôlement du poste"
	etapeCle        = "Clé de signature"
	etapeSauvegarde = "Dossiers sauvegardés"
	etapeExports    = "Exports du logiciel comptable"
	etapeEssai      = "Sauvegarde d'essai"
)

var etapesInstallation = []string{etapeEnrolement, etapeCle, etapeSauvegarde, etapeExports, etapeEssai}

// assistant is the technician's installation wizard: after the poste is
// enrolled (from the waiting page), the token's driver and a test of the
// key, the folders to back up, the accounting software's export folders,
// a first test backup, and a printable report of what was checked. It can
// be run again from Paramètres.
type assistant struct {
	u     *UI
	objet fyne.CanvasObject

	enrolement *widget.Label
	pilote     *widget.Label
	pin        *widget.Entry
	sansCle    *widget.Check
	cleRes     *widget.Label
	sauvegarde *widget.CheckGroup
	heure      *widget.Select
	sauvRes    *widget.Label
	exports    *widget.CheckGroup
	exportsRes *widget.Label
	essai      *widget.Button
	essaiRes   *widget.Label
	rapportRes *widget.Label
	contenu    *fyne.Container

	constats map[string]rapport.Constat
	// logiciels names the software of each proposed export folder.
	logiciels    map[string]string
	essaiEnCours bool
}

func newAssistant(u *UI) *assistant {
	a := &assistant{u: u, constats: map[string]rapport.Constat{}, logiciels: map[string]string{}}
	a.enrolement = texteLong("")
	a.pilote = texteLong("")
	a.pin = widget.NewPasswordEntry()
	a.pin.SetPlaceHolder("PIN de la clé de l'élu (il le tape lui-même)")
	a.sansCle = widget.NewCheck("Pas de clé de signature sur ce poste", func(v bool) {
		if v {
			a.noter(etapeCle, "Aucune clé de signature sur ce poste (choix du technicien).", true)
			a.cleRes.SetText("Étape passée : pas de clé sur ce poste.")
		}
	})
	a.cleRes = texteLong("")
	tester := widget.NewButtonWithIcon("Tester la clé", theme.ConfirmIcon(), a.testerCle)
	a.sauvegarde = widget.NewCheckGroup(nil, nil)
	a.heure = widget.NewSelect(heures, nil)
	a.heure.SetSelected("2 h")
	a.sauvRes = texteLong("")
	ajouterSauv := widget.NewButtonWithIcon("Ajouter un dossier…", theme.FolderNewIcon(), func() { a.ajouter(a.sauvegarde) })
	enrSauv := widget.NewButtonWithIcon("Enregistrer", theme.DocumentSaveIcon(), a.enregistrerSauvegarde)
	a.exports = widget.NewCheckGroup(nil, nil)
	a.exportsRes = texteLong("")
	ajouterExp := widget.NewButtonWithIcon("Ajouter un dossier…", theme.FolderNewIcon(), func() { a.ajouter(a.exports) })
	enrExp := widget.NewButtonWithIcon("Enregistrer", theme.DocumentSaveIcon(), a.enregistrerExports)
	a.essai = widget.NewButtonWithIcon("Lancer la sauvegarde d'essai", theme.UploadIcon(), a.lancerEssai)
	a.essaiRes = texteLong("")
	a.rapportRes = texteLong("")
	rapportB := widget.NewButtonWithIcon("Enregistrer le rapport d'installation (PDF)…", theme.DocumentPrintIcon(), a.enregistrerRapport)
	rapportB.Importance = widget.HighImportance

	a.contenu = container.NewVBox(
		widget.NewCard("1. "+etapeEnrolement, "", a.enrolement),
		widget.NewCard("2. "+etapeCle, "Le pilote de la clé, puis un test : l'élu tape son PIN.", container.NewVBox(
			a.pilote, widget.NewForm(widget.NewFormItem("PIN", a.pin)), container.NewHBox(tester, a.sansCle), a.cleRes)),
		widget.NewCard("3. "+etapeSauvegarde, "Cochez ce qui doit être sauvegardé chaque nuit (la base de xdemat l'est toujours).", container.NewVBox(
			a.sauvegarde, container.NewHBox(ajouterSauv, widget.NewLabel("Heure :"), a.heure, enrSauv), a.sauvRes)),
		widget.NewCard("4. "+etapeExports, "Les dossiers où le logiciel comptable dépose les fichiers PES : xdemat les surveille.", container.NewVBox(
			a.exports, container.NewHBox(ajouterExp, enrExp), a.exportsRes)),
		widget.NewCard("5. "+etapeEssai, "", container.NewVBox(container.NewHBox(a.essai), a.essaiRes)),
		widget.NewCard("6. Rapport", "À imprimer et à laisser à la mairie.", container.NewVBox(container.NewHBox(rapportB), a.rapportRes)),
	)
	a.objet = container.NewBorder(titre("Installation du poste"), nil, nil, nil, container.NewVScroll(a.contenu))
	return a
}

// ouvrirAssistant shows the wizard (a session is open).
func (u *UI) ouvrirAssistant() {
	u.ecran = EcranParametres
	u.corps.Objects = []fyne.CanvasObject{u.assistant.objet}
	u.corps.Refresh()
	u.menu.selectionner(EcranParametres)
	u.assistant.recharger()
}

// noter records the outcome of a step for the report.
func (a *assistant) noter(etape, resultat string, ok bool) {
	a.constats[etape] = rapport.Constat{Etape: etape, Resultat: resultat, OK: ok}
}

func (a *assistant) rafraichir() { a.contenu.Refresh() }

// recharger shows what is already set up on the poste.
func (a *assistant) recharger() {
	u := a.u
	if id := u.identite; id != nil {
		a.enrolement.SetText(fmt.Sprintf("Poste relié à %s (SIREN %s), identifiant %s, serveur %s (empreinte %s).", id.Commune.Nom, id.Commune.SIREN, id.PosteID, id.CentralURL, id.CentralCert))
		if _, deja := a.constats[etapeEnrolement]; !deja {
			a.noter(etapeEnrolement, fmt.Sprintf("Poste relié à %s par le serveur %s.", id.Commune.Nom, id.CentralURL), true)
		}
	}
	module := u.opts.ModulePKCS11
	u.enFond(func() {
		var texte string
		if cs, err := pkcs11.TrouverModules(module); err != nil {
			texte = messageCle(err)
		} else {
			texte = fmt.Sprintf("Pilote trouvé : %s (%s).", cs[0].Fournisseur, cs[0].Chemin)
		}
		u.surUI(func() { a.pilote.SetText(texte); a.rafraichir() })
	})
	appeler(u, u.ag.EtatSauvegarde, func(e *agent.EtatSauvegarde) {
		options := slices.Clone(e.Config.Dossiers)
		for _, p := range e.Propositions {
			if !slices.Contains(options, p) {
				options = append(options, p)
			}
		}
		a.sauvegarde.Options = options
		sel := slices.Clone(e.Config.Dossiers)
		if len(sel) == 0 {
			sel = slices.Clone(e.Propositions)
		}
		a.sauvegarde.SetSelected(sel)
		a.heure.SetSelected(fmt.Sprintf("%d h", e.Config.Heure))
		a.rafraichir()
	})
	appeler(u, u.ag.Exports, func(e *agent.EtatExports) {
		var options, sel []string
		for _, d := range e.Config.Dossiers {
			options = append(options, d.Chemin)
			sel = append(sel, d.Chemin)
			a.logiciels[d.Chemin] = d.Logiciel
		}
		for _, d := range e.Propositions {
			if !slices.Contains(options, d.Chemin) {
				options = append(options, d.Chemin)
				a.logiciels[d.Chemin] = d.Logiciel
			}
		}
		a.exports.Options = options
		a.exports.SetSelected(sel)
		if len(options) == 0 {
			a.exportsRes.SetText("Aucun dossier d'export habituel trouvé sur ce PC : ajoutez celui que le logiciel comptable utilise.")
		}
		a.rafraichir()
	})
}

// ajouter asks for a folder and adds it, ticked, to g.
func (a *assistant) ajouter(g *widget.CheckGroup) {
	a.u.choisirDossier(func(chemin string) {
		if !slices.Contains(g.Options, chemin) {
			g.Options = append(g.Options, chemin)
		}
		g.SetSelected(append(slices.Clone(g.Selected), chemin))
		a.rafraichir()
	})
}

// testerCle runs "Tester la clé" with the PIN the élu typed, then forgets it.
func (a *assistant) testerCle() {
	u := a.u
	pin := []byte(a.pin.Text)
	a.pin.SetText("")
	if len(pin) == 0 {
		a.cleRes.SetText("Demandez à l'élu de taper le PIN de sa clé, ou cochez « Pas de clé de signature sur ce poste ».")
		return
	}
	a.cleRes.SetText("Test de la clé en cours…")
	module, maintenant := u.opts.ModulePKCS11, u.maintenant()
	u.enFond(func() {
		d, err := pkcs11.TesterMaCle(pkcs11.DemandeDiagnostic{Module: module, PIN: pin, Maintenant: maintenant})
		clear(pin)
		if err == nil && d.Certificat.X509 != nil {
			ctx, cancel := context.WithTimeout(u.ctx, delaiAppel)
			_, _ = u.ag.EnregistrerCertificat(ctx, d.Certificat.X509.Raw, d.Certificat.RGS2Etoiles, d.Certificat.Qualifie)
			cancel()
		}
		u.surUI(func() {
			switch {
			case err != nil:
				a.noter(etapeCle, messageCle(err), false)
				a.cleRes.SetText(messageCle(err))
			case !d.OK():
				a.noter(etapeCle, strings.Join(d.Lignes, " "), false)
				a.cleRes.SetText("La clé ne peut pas signer : " + strings.Join(d.Lignes, " "))
			default:
				res := fmt.Sprintf("Clé de %s testée : signature d'essai vérifiée, certificat valide jusqu'au %s.", d.Certificat.NomCommun, d.Certificat.FinValidite.In(u.fuseau()).Format("02/01/2006"))
				if d.Certificat.RGS2Etoiles {
					res += " Niveau RGS** reconnu."
				}
				a.noter(etapeCle, res, true)
				a.cleRes.SetText(res)
			}
			a.rafraichir()
		})
	})
}

func (a *assistant) enregistrerSauvegarde() {
	u := a.u
	dossiers := slices.Clone(a.sauvegarde.Selected)
	var h int
	fmt.Sscanf(a.heure.Selected, "%d", &h)
	c := agent.ConfigSauvegarde{Active: true, Heure: h, Dossiers: dossiers}
	appelerSinon(u, sansValeur(func(ctx context.Context) error { return u.ag.ConfigurerSauvegarde(ctx, c) }), func(struct{}) {
		res := fmt.Sprintf("Sauvegarde chaque nuit à %d h de : %s.", h, strings.Join(dossiers, ", "))
		if len(dossiers) == 0 {
			res = fmt.Sprintf("Sauvegarde chaque nuit à %d h de la base de xdemat seulement (aucun dossier choisi).", h)
		}
		a.noter(etapeSauvegarde, res, true)
		a.sauvRes.SetText(res)
		a.rafraichir()
	}, func(err error) bool {
		a.noter(etapeSauvegarde, xdemat.ErrorMessage(err), false)
		return false
	})
}

func (a *assistant) enregistrerExports() {
	u := a.u
	var c agent.ConfigExports
	for _, d := range a.exports.Selected {
		c.Dossiers = append(c.Dossiers, agent.DossierExport{Logiciel: a.logiciels[d], Chemin: d})
	}
	appelerSinon(u, sansValeur(func(ctx context.Context) error { return u.ag.ConfigurerExports(ctx, c) }), func(struct{}) {
		res := "Dossiers d'export surveillés : " + strings.Join(a.exports.Selected, ", ") + "."
		if len(c.Dossiers) == 0 {
			res = "Aucun dossier d'export surveillé : les bordereaux seront déposés à la main."
		}
		a.noter(etapeExports, res, true)
		a.exportsRes.SetText(res)
		a.rafraichir()
	}, func(err error) bool {
		a.noter(etapeExports, xdemat.ErrorMessage(err), false)
		return false
	})
}

// lancerEssai starts a backup now; its end comes as an event (terminee).
func (a *assistant) lancerEssai() {
	u := a.u
	a.essai.Disable()
	a.essaiRes.SetText("Sauvegarde d'essai en cours… (la première peut être longue : tout est envoyé)")
	appelerSinon(u, sansValeur(u.ag.LancerSauvegarde), func(struct{}) {
		a.essaiEnCours = true
	}, func(err error) bool {
		if xdemat.ErrorCode(err) == xdemat.ECONFLICT {
			a.essaiEnCours = true // one runs already: its end answers
			return true
		}
		a.essai.Enable()
		a.noter(etapeEssai, xdemat.ErrorMessage(err), false)
		a.essaiRes.SetText(xdemat.ErrorMessage(err))
		return true
	})
}

// terminee receives the end of a backup run while the wizard waits for one.
func (a *assistant) terminee(s xdemat.Sauvegarde) {
	if !a.essaiEnCours || s.Type != xdemat.TypeSauvegarde {
		return
	}
	a.essaiEnCours = false
	a.essai.Enable()
	if s.Statut.Reussie() {
		res := fmt.Sprintf("Sauvegarde d'essai réussie en %s : %s envoyés à la SPL.", duree(s.Duree()), xdemat.Octets(s.OctetsAjoutes))
		a.noter(etapeEssai, res, true)
		a.essaiRes.SetText(res)
	} else {
		a.noter(etapeEssai, "Échec : "+s.Erreur, false)
		a.essaiRes.SetText("La sauvegarde d'essai a échoué : " + s.Erreur)
	}
	a.rafraichir()
}

// leRapport gathers what was checked; a step not done says so.
func (a *assistant) leRapport() *rapport.Rapport {
	u := a.u
	r := &rapport.Rapport{Version: u.opts.Version, Date: u.maintenant().In(u.fuseau())}
	if id := u.identite; id != nil {
		r.Commune, r.SIREN, r.PosteID, r.Central, r.Empreinte = id.Commune.Nom, id.Commune.SIREN, id.PosteID, id.CentralURL, id.CentralCert
	}
	r.Poste, _ = os.Hostname()
	if u.profil != nil {
		r.Technicien = u.profil.NomComplet()
	}
	for _, e := range etapesInstallation {
		c, ok := a.constats[e]
		if !ok {
			c = rapport.Constat{Etape: e, Resultat: "Étape non faite.", OK: false}
		}
		r.Constats = append(r.Constats, c)
	}
	return r
}

// enregistrerRapport writes the report where the technician chooses.
func (a *assistant) enregistrerRapport() {
	u := a.u
	b, err := a.leRapport().PDF()
	if err != nil {
		u.erreur(err)
		return
	}
	nom := "rapport-installation-xdemat.pdf"
	if u.identite != nil {
		nom = "rapport-installation-xdemat-" + strings.ReplaceAll(strings.ToLower(u.identite.Commune.Nom), " ", "-") + ".pdf"
	}
	u.enregistrerFichier(nom, b, func(chemin string) {
		a.rapportRes.SetText("Rapport enregistré : " + chemin + ". Imprimez-le et faites-le signer.")
		a.rafraichir()
	})
}

// dialogueEnregistrer asks where to save b and writes it there.
func (u *UI) dialogueEnregistrer(nom string, b []byte, ok func(chemin string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(b); err != nil {
			u.erreur(xdemat.Errorf(xdemat.EUNAVAILABLE, "Le fichier n'a pas pu être écrit (%v) : choisissez un autre dossier.", err))
			return
		}
		ok(w.URI().Path())
	}, u.win)
	d.SetFileName(filepath.Base(nom))
	d.Show()
}
