package ui

import (
	"bytes"
	"context"
	"fmt"
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

// The search of the Actes page: a field searched as the secretary types
// (numéro, objet, matière and the text of the PDFs, accents ignored), the
// filters of the page still applying, each acte found shown with the words
// found; and the export of the list shown (CSV for Excel).

// delaiFrappe lets the secretary type a few letters before the search
// runs: one search per pause, not one per key.
const delaiFrappe = 300 * time.Millisecond

type rechercheActes struct {
	p        *pageActes
	champ    *widget.Entry
	exporter *widget.Button
	// differer runs f on the UI thread after the pause; tests run it at once.
	differer func(f func())
	// generation counts the keystrokes: a search or an answer of an older
	// one is dropped.
	generation int
	extraits   map[string]string  // acte ID → extract of the last results
	affiches   []*widget.RichText // the extracts in the list shown
	total      *widget.Label
}

func newRechercheActes(p *pageActes) *rechercheActes {
	u := p.u
	r := &rechercheActes{p: p, extraits: map[string]string{}, total: widget.NewLabel("")}
	r.differer = func(f func()) { time.AfterFunc(delaiFrappe, func() { u.surUI(f) }) }
	r.champ = widget.NewEntry()
	r.champ.SetPlaceHolder("Rechercher : numéro, objet, matière, texte des PDF (ex. « voirie 2026 »)")
	r.champ.OnChanged = func(string) {
		r.generation++
		g := r.generation
		r.differer(func() {
			if g == r.generation {
				p.recharger()
			}
		})
	}
	r.exporter = widget.NewButtonWithIcon("Exporter (CSV)…", theme.DocumentSaveIcon(), r.exporterCSV)
	r.total.Hide()
	return r
}

// entourer puts the search field above the filters, the export button
// beside them.
func (r *rechercheActes) entourer(filtres fyne.CanvasObject) *fyne.Container {
	return container.NewVBox(r.champ, container.NewBorder(nil, nil, nil, r.exporter, filtres), r.total)
}

// active reports whether something is typed in the field.
func (r *rechercheActes) active() bool { return strings.TrimSpace(r.champ.Text) != "" }

// demande is the search of the field with the page's filters.
func (r *rechercheActes) demande() agent.RechercheActes {
	f := r.p.filtre()
	return agent.RechercheActes{Q: strings.TrimSpace(r.champ.Text), Nature: f.Nature, Annee: f.Annee, Statut: f.Statut, Limite: agent.LimiteRechercheMax}
}

// lancer searches and shows the results in the page's list.
func (r *rechercheActes) lancer() {
	u := r.p.u
	g := r.generation
	req := r.demande()
	appeler(u, func(ctx context.Context) (*agent.ResultatRecherche, error) { return u.ag.RechercherActes(ctx, req) }, func(res *agent.ResultatRecherche) {
		if g != r.generation {
			return // the secretary typed on meanwhile
		}
		r.extraits, r.affiches = map[string]string{}, nil
		l := make([]*xdemat.Acte, 0, len(res.Actes))
		for _, t := range res.Actes {
			l = append(l, t.Acte)
			r.extraits[t.Acte.ID] = t.Extrait
		}
		r.total.SetText(resume(res))
		r.total.Show()
		r.p.afficher(l)
	})
}

// effacer forgets the extracts when the plain list is shown again.
func (r *rechercheActes) effacer() {
	r.extraits, r.affiches = map[string]string{}, nil
	r.total.Hide()
}

func resume(res *agent.ResultatRecherche) string {
	switch {
	case res.Total == 0:
		return "Aucun acte ne contient ces mots : vérifiez l'orthographe ou retirez un mot ou un filtre."
	case res.Plafonne:
		return fmt.Sprintf("Plus de %d actes contiennent ces mots : les plus récents sont classés ; ajoutez un mot ou un filtre pour préciser.", res.Total)
	case res.Total == 1:
		return "1 acte trouvé."
	}
	return fmt.Sprintf("%d actes trouvés, les plus pertinents d'abord.", res.Total)
}

// lignes returns the title and sub-title of an acte of the list, with the
// extract of the search under them when there is one.
func (r *rechercheActes) lignes(id string, titre, sous fyne.CanvasObject) fyne.CanvasObject {
	x := r.extraits[id]
	if x == "" {
		return container.NewVBox(titre, sous)
	}
	rt := texteSurligne(x)
	r.affiches = append(r.affiches, rt)
	return container.NewVBox(titre, sous, rt)
}

// texteSurligne shows an extract with the words found in bold.
func texteSurligne(x string) *widget.RichText {
	var segs []widget.RichTextSegment
	ajouter := func(t string, gras bool) {
		if t != "" {
			segs = append(segs, &widget.TextSegment{Text: t, Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Bold: gras}}})
		}
	}
	for x != "" {
		i := strings.Index(x, agent.DebutSurligne)
		if i < 0 {
			ajouter(x, false)
			break
		}
		ajouter(x[:i], false)
		x = x[i+len(agent.DebutSurligne):]
		j := strings.Index(x, agent.FinSurligne)
		if j < 0 {
			ajouter(x, true)
			break
		}
		ajouter(x[:j], true)
		x = x[j+len(agent.FinSurligne):]
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// exporterCSV saves the list as the page shows it (search and filters,
// every acte, not only the first ones) as a CSV file for Excel.
func (r *rechercheActes) exporterCSV() {
	u := r.p.u
	req := r.demande()
	if !r.active() {
		req.Q = ""
	}
	appeler(u, func(ctx context.Context) ([]byte, error) {
		var b bytes.Buffer
		_, err := u.ag.ExporterActesCSV(ctx, req, &b)
		return b.Bytes(), err
	}, func(b []byte) {
		nom := "actes-" + u.maintenant().In(xdemat.Paris).Format("2006-01-02") + ".csv"
		u.enregistrerFichier(nom, b, func(chemin string) {
			dialog.ShowInformation("Liste des actes exportée", "Fichier enregistré : "+chemin+
				".\n\nIl s'ouvre dans Excel ou LibreOffice Calc : une ligne par acte, les dates au format international (année-mois-jour).", u.win)
		})
	})
}
