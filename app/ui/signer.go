package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"xdemat/agent"
)

// signer asks the PIN once and signs the dossiers ids with the token: the
// agent prepares, the token signs each empreinte, the agent assembles and
// advances the circuits. fini runs on the UI thread after the batch.
func (u *UI) signer(ids []string, fini func()) {
	pin := widget.NewPasswordEntry()
	pin.SetPlaceHolder("Code PIN de la clé")
	quoi := "ce document"
	if len(ids) > 1 {
		quoi = fmt.Sprintf("ces %d documents", len(ids))
	}
	texte := texteLong(fmt.Sprintf("Branchez votre clé de signature et tapez son code PIN pour signer %s. Le PIN sert à cette signature seulement ; il n'est jamais enregistré.", quoi))
	var dlg *dialog.ConfirmDialog
	valider := func() {
		p := []byte(pin.Text)
		pin.SetText("")
		dlg.Hide()
		u.signerAvecPIN(ids, p, fini)
	}
	pin.OnSubmitted = func(string) { valider() }
	dlg = dialog.NewCustomConfirm("Signer", "Signer", "Annuler", container.NewVBox(texte, pin), func(ok bool) {
		if ok {
			valider()
		} else {
			pin.SetText("")
		}
	}, u.win)
	dlg.Resize(fyne.NewSize(480, 220))
	dlg.Show()
	u.win.Canvas().Focus(pin)
}

// signerAvecPIN logs in to the token once, signs the batch, logs out, and
// says what was signed and what was refused.
func (u *UI) signerAvecPIN(ids []string, pin []byte, fini func()) {
	barre := widget.NewProgressBar()
	etat := widget.NewLabel("Connexion à la clé…")
	attente := dialog.NewCustomWithoutButtons("Signature en cours", container.NewVBox(etat, barre), u.win)
	attente.Resize(fyne.NewSize(420, 140))
	attente.Show()
	module, maintenant := u.opts.ModulePKCS11, u.maintenant()
	u.enFond(func() {
		cle, err := ouvrirCle(module, pin, maintenant)
		clear(pin)
		var res *agent.ReponseFinalisation
		if err == nil {
			ctx, cancel := context.WithTimeout(u.ctx, 10*delaiAppel)
			cert := cle.signataire.Certificat()
			res, err = u.ag.SignerLot(ctx, ids, cert, cle.signataire, func(fait, total int) {
				u.surUI(func() {
					etat.SetText(fmt.Sprintf("Signature %d sur %d…", fait, total))
					barre.SetValue(float64(fait) / float64(total))
				})
			})
			// The agent keeps the certificate to warn before it expires.
			desc := cle.signataire.Description()
			_, _ = u.ag.EnregistrerCertificat(ctx, cert.Raw, desc.RGS2Etoiles, desc.Qualifie)
			cancel()
			cle.Fermer()
		}
		u.surUI(func() {
			attente.Hide()
			if err != nil {
				dialog.ShowInformation("Signature impossible", messageCle(err), u.win)
				return
			}
			u.bilanSignature(res)
			if fini != nil {
				fini()
			}
		})
	})
}

// bilanSignature tells what the batch signed and why some were refused.
func (u *UI) bilanSignature(r *agent.ReponseFinalisation) {
	var l []string
	switch n := len(r.Signes); n {
	case 0:
	case 1:
		l = append(l, "« "+r.Signes[0].Titre+" » est signé.")
	default:
		l = append(l, fmt.Sprintf("%d documents signés.", n))
	}
	for _, x := range r.Refus {
		l = append(l, "Non signé : "+x.Message)
	}
	titreDlg := "Signature terminée"
	if len(r.Signes) == 0 {
		titreDlg = "Rien n'a été signé"
	}
	dialog.ShowCustom(titreDlg, "Fermer", texteLong(strings.Join(l, "\n")), u.win)
}
