package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
)

// typesDepot are the document types offered at deposit, in menu order.
var typesDepot = []xdemat.TypeDossier{xdemat.DossierDeliberation, xdemat.DossierArrete, xdemat.DossierCourrier,
	xdemat.DossierDevis, xdemat.DossierFacture, xdemat.DossierBordereau}

// ouvrirDepot asks for the file, its title and type, and the circuit (the
// type's usual one, each step for a role or a named person), then deposits.
func (u *UI) ouvrirDepot() {
	fichier := widget.NewLabel("Aucun fichier choisi")
	var chemin string
	choisir := widget.NewButton("Choisir le fichier…", func() {
		u.choisirFichier(func(p string) {
			chemin = p
			fichier.SetText(filepath.Base(p))
		})
	})
	titreE := widget.NewEntry()
	titreE.SetPlaceHolder("Ex. : Délibération 2026-041 — tarifs de la cantine")
	var libelles []string
	for _, t := range typesDepot {
		libelles = append(libelles, t.Libelle())
	}
	circuit := container.NewVBox()
	var etapes []xdemat.Etape
	var choix []*widget.Select
	typeS := widget.NewSelect(libelles, func(l string) {
		t := typesDepot[indexDe(libelles, l)]
		appeler(u, func(ctx context.Context) ([]xdemat.Etape, error) { return u.ag.ModeleCircuit(ctx, t) }, func(es []xdemat.Etape) {
			etapes, choix = es, nil
			circuit.RemoveAll()
			for i, e := range es {
				s := widget.NewSelect(u.choixEtape(e), nil)
				s.SetSelectedIndex(0)
				choix = append(choix, s)
				circuit.Add(container.NewBorder(nil, nil, widget.NewLabel(fmt.Sprintf("%d. %s :", i+1, e.Nature.Libelle())), nil, s))
			}
			circuit.Refresh()
		})
	})
	typeS.SetSelectedIndex(0)
	form := widget.NewForm(
		widget.NewFormItem("Fichier", container.NewBorder(nil, nil, nil, choisir, fichier)),
		widget.NewFormItem("Titre", titreE),
		widget.NewFormItem("Type", typeS),
		widget.NewFormItem("Circuit", circuit),
	)
	dlg := dialog.NewCustomConfirm("Déposer un document dans le parapheur", "Déposer", "Annuler", form, func(ok bool) {
		if !ok {
			return
		}
		t := typesDepot[indexDe(libelles, typeS.Selected)]
		circ := make([]xdemat.Etape, len(etapes))
		for i, e := range etapes {
			circ[i] = u.etapeChoisie(e, choix[i].SelectedIndex())
		}
		u.deposer(chemin, strings.TrimSpace(titreE.Text), t, circ)
	}, u.win)
	dlg.Resize(fyne.NewSize(640, 420))
	dlg.Show()
}

// choixEtape lists who may do a step: its role (whoever holds it), then
// each active user by name.
func (u *UI) choixEtape(e xdemat.Etape) []string {
	out := []string{"Rôle : " + e.Role.Libelle()}
	for _, q := range u.profils {
		if q.Actif {
			out = append(out, q.NomComplet()+" ("+q.Role.Libelle()+")")
		}
	}
	return out
}

// etapeChoisie applies the choice i of choixEtape to e.
func (u *UI) etapeChoisie(e xdemat.Etape, i int) xdemat.Etape {
	if i <= 0 {
		return e
	}
	n := 0
	for _, q := range u.profils {
		if !q.Actif {
			continue
		}
		n++
		if n == i {
			e.UtilisateurID, e.Role = q.ID, ""
		}
	}
	return e
}

// deposer adds the file to the agent, then deposits the dossier.
func (u *UI) deposer(chemin, titreD string, t xdemat.TypeDossier, etapes []xdemat.Etape) {
	if chemin == "" {
		dialog.ShowInformation("Dépôt impossible", "Choisissez le fichier à déposer.", u.win)
		return
	}
	appeler(u, func(ctx context.Context) (*xdemat.DossierParapheur, error) {
		f, err := os.Open(chemin)
		if err != nil {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le fichier %s ne s'ouvre pas (%v) : vérifiez qu'il existe et qu'aucun programme ne le bloque.", filepath.Base(chemin), err)
		}
		defer f.Close()
		doc, err := u.ag.AjouterDocument(ctx, filepath.Base(chemin), "", f)
		if err != nil {
			return nil, err
		}
		if titreD == "" {
			titreD = strings.TrimSuffix(filepath.Base(chemin), filepath.Ext(chemin))
		}
		return u.ag.DeposerDossier(ctx, agent.DemandeDepot{Titre: titreD, Type: t, Documents: []string{doc.SHA256}, Etapes: etapes})
	}, func(d *xdemat.DossierParapheur) {
		u.dossier.ouvrir(d.ID)
	})
}

func indexDe(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return 0
}
