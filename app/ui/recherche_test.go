package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// actesDeLaCommune records two délibérations in the fake agent.
func actesDeLaCommune(t *testing.T, ag *fauxAgent) {
	t.Helper()
	for i, objet := range []string{"Tarifs de la cantine scolaire", "Travaux de voirie du chemin des Écoliers"} {
		a := &xdemat.Acte{Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_00" + string(rune('1'+i)), DateDecision: maintenantTest.AddDate(0, 0, -i-1),
			Objet: objet, Classification: "7.1", DateClassification: dateClassificationParDefaut,
			DocumentPrincipal: xdemat.PieceActe{SHA256: strings.Repeat("a", 64), Nom: "acte.pdf", Taille: 10, TypePiece: "99_DE"}}
		if _, err := ag.CreerActe(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
}

// extraitsAffiches returns the extracts shown under the actes, with the
// words found between [ ].
func extraitsAffiches(p *pageActes) []string {
	var out []string
	for _, rt := range p.recherche.affiches {
		var b strings.Builder
		for _, s := range rt.Segments {
			if ts, ok := s.(*widget.TextSegment); ok {
				if ts.Style.TextStyle.Bold {
					b.WriteString("[" + ts.Text + "]")
				} else {
					b.WriteString(ts.Text)
				}
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestRechercheEnTapant: the secretary types in the search field of the
// Actes page; the list keeps the actes found, each with the words found
// in bold; emptying the field brings the whole list back.
func TestRechercheEnTapant(t *testing.T) {
	ag := communeAvecParapheur()
	actesDeLaCommune(t, ag)
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	p := u.actes
	p.recherche.differer = func(f func()) { f() }
	if n := len(p.actes); n != 2 {
		t.Fatalf("%d actes avant la recherche", n)
	}
	cas := []struct {
		nom      string
		tape     string
		numeros  string
		extraits string
	}{
		{"un mot", "cantine", "DE2026_001", "Tarifs de la [cantine] scolaire"},
		{"deux mots", "voirie chemin", "DE2026_002", "Travaux de [voirie] du chemin des Écoliers"},
		{"rien de trouvé", "piscine", "", ""},
		{"champ vidé : toute la liste", "", "DE2026_001 DE2026_002", ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			test.Type(p.recherche.champ, "")
			p.recherche.champ.SetText(c.tape)
			var nums []string
			for _, a := range p.actes {
				nums = append(nums, a.NumeroInterne)
			}
			if got := strings.Join(nums, " "); got != c.numeros {
				t.Fatalf("actes montrés %q, attendu %q", got, c.numeros)
			}
			if got := strings.Join(extraitsAffiches(p), " | "); got != c.extraits {
				t.Fatalf("extraits %q, attendu %q", got, c.extraits)
			}
			if c.tape != "" && !p.recherche.total.Visible() {
				t.Fatal("le nombre d'actes trouvés n'est pas dit")
			}
		})
	}
	// The page's filters still apply to the search.
	p.statut.SetSelected(xdemat.ActeTransmis.Libelle())
	p.recherche.champ.SetText("cantine")
	if len(p.actes) != 0 || !strings.Contains(p.recherche.total.Text, "Aucun acte") {
		t.Fatalf("filtre statut ignoré : %d actes, %q", len(p.actes), p.recherche.total.Text)
	}
}

// TestFrappeRapideUneSeuleRecherche: only the last of several quick
// keystrokes searches.
func TestFrappeRapideUneSeuleRecherche(t *testing.T) {
	ag := communeAvecParapheur()
	actesDeLaCommune(t, ag)
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	p := u.actes
	var enAttente []func()
	p.recherche.differer = func(f func()) { enAttente = append(enAttente, f) }
	for _, s := range []string{"c", "ca", "can", "cant"} {
		p.recherche.champ.SetText(s)
	}
	ag.mu.Lock()
	avant := strings.Count(strings.Join(ag.appels, "\n"), "RechercherActes")
	ag.mu.Unlock()
	for _, f := range enAttente {
		f()
	}
	ag.mu.Lock()
	n := strings.Count(strings.Join(ag.appels, "\n"), "RechercherActes") - avant
	ag.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d recherches pour une frappe", n)
	}
	if len(p.actes) != 1 || p.actes[0].NumeroInterne != "DE2026_001" {
		t.Fatalf("résultat %v", p.actes)
	}
}

// TestExportCSVDeLaListe: "Exporter (CSV)…" saves the list as shown
// (search and filters) in a file Excel opens.
func TestExportCSVDeLaListe(t *testing.T) {
	ag := communeAvecParapheur()
	actesDeLaCommune(t, ag)
	u := connecte(t, ag, Options{})
	test.Tap(bouton(t, u.menu.objet, "Actes"))
	p := u.actes
	p.recherche.differer = func(f func()) { f() }
	var nom string
	var csv []byte
	u.enregistrerFichier = func(n string, b []byte, ok func(string)) { nom, csv = n, b; ok("/home/marie/Documents/" + n) }
	p.recherche.champ.SetText("voirie")
	test.Tap(bouton(t, p.objet, "Exporter (CSV)"))
	if nom != "actes-2026-11-25.csv" || !bytes.HasPrefix(csv, []byte("\ufeffNuméro;Nature;Date de décision;Objet;")) {
		t.Fatalf("fichier %q : %.80q", nom, csv)
	}
	lignes := strings.Split(strings.TrimSpace(string(csv)), "\r\n")
	if len(lignes) != 2 || !strings.HasPrefix(lignes[1], "DE2026_002;Délibération;2026-11-23;Travaux de voirie") {
		t.Fatalf("lignes %q", lignes)
	}
	if got := strings.Join(dialogue(u), " "); !strings.Contains(got, "/home/marie/Documents/actes-2026-11-25.csv") {
		t.Fatalf("message %q", got)
	}
}
