package registre

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes/simulateur"
)

var edite = time.Date(2026, 11, 20, 10, 0, 0, 0, xdemat.Paris)

// unActe is a recorded acte; the options add its transmission.
func unActe(nature xdemat.NatureActe, numero string, decision time.Time, objet string, c xdemat.Classification, opts ...func(*xdemat.Acte)) *xdemat.Acte {
	a := &xdemat.Acte{ID: "id-" + numero, Nature: nature, NumeroInterne: numero, DateDecision: decision, Objet: objet,
		Classification: c, Statut: xdemat.ActeEnAttenteEnvoi}
	for _, o := range opts {
		o(a)
	}
	return a
}

func acquitte(id string, le time.Time) func(*xdemat.Acte) {
	return func(a *xdemat.Acte) {
		a.Statut, a.TransmisLe, a.DateAR, a.IdentifiantUnique = xdemat.ActeAcquitte, le, le, id
	}
}

func annule(le time.Time) func(*xdemat.Acte) {
	return func(a *xdemat.Acte) {
		acquitte("051-210000000-20260115-DE2026_002-DE", le.AddDate(0, 0, -30))(a)
		a.Statut, a.AnnuleLe = xdemat.ActeAnnule, le
	}
}

func paris(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, xdemat.Paris)
}

// deliberations2026 are three séances of 2026, given out of order, with a
// délibération of 2025, an arrêté and a budget among them.
func deliberations2026() []*xdemat.Acte {
	return []*xdemat.Acte{
		unActe(xdemat.NatureDeliberation, "2026_10", paris(2026, 3, 12, 20), "Subvention au comité des fêtes", "7.5"),
		unActe(xdemat.NatureDeliberation, "2026_1", paris(2026, 1, 15, 19), "Tarifs de la cantine scolaire « été » 2026", "7.1",
			acquitte("051-210000000-20260115-2026_1-DE", paris(2026, 1, 17, 9))),
		unActe(xdemat.NatureDeliberation, "2026_2", paris(2026, 1, 15, 19), "Retrait de la délibération sur l'éclairage", "3.2", annule(paris(2026, 2, 20, 11))),
		unActe(xdemat.NatureDeliberation, "2026_9", paris(2026, 3, 12, 20), "Vente d'une parcelle communale à M. Œuvray", "3.2",
			func(a *xdemat.Acte) { a.Statut, a.TransmisLe = xdemat.ActeTransmis, paris(2026, 3, 13, 8) }),
		unActe(xdemat.NatureDocumentBudgetaire, "2026_8", paris(2026, 3, 12, 20), "Budget primitif 2026 : 1 250 000 €", "7.1.1"),
		// 30 June 22:30 UTC is already 1 July in Paris: the séance is the 1st.
		unActe(xdemat.NatureDeliberation, "2026_11", time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC), "Désignation du délégué au syndicat des eaux", "5.3"),
		unActe(xdemat.NatureDeliberation, "2025_40", paris(2025, 12, 18, 20), "Décision modificative n° 3 de 2025", "7.1"),
		unActe(xdemat.NatureActeReglementaire, "AR2026_001", paris(2026, 3, 12, 10), "Circulation rue de l'Église", "6.1"),
	}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) absent : texte du registre non relu ; installez poppler-utils")
	}
	p := filepath.Join(t.TempDir(), "registre.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext : %v", err)
	}
	return string(out)
}

// dansLOrdre fails unless every text appears in txt, each after the one
// before; line breaks and runs of spaces count as one space.
func dansLOrdre(t *testing.T, txt string, textes ...string) {
	t.Helper()
	txt = strings.Join(strings.Fields(txt), " ")
	pos := 0
	for _, s := range textes {
		i := strings.Index(txt[pos:], s)
		if i < 0 {
			t.Fatalf("%q absent ou pas à sa place (après l'octet %d) :\n%s", s, pos, txt)
		}
		pos += i + len(s)
	}
}

func TestRegistreDesDeliberationsParSeance(t *testing.T) {
	pdf, err := Construire(Registre{Commune: "Commune de Saint-Éloi-sur-Marne", Annee: 2026, Nature: xdemat.NatureDeliberation,
		Actes: deliberations2026(), Edite: edite, Publications: map[string]time.Time{"id-2026_1": paris(2026, 1, 18, 9)}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("pas un PDF : %.20q", pdf)
	}
	txt := pdftotext(t, pdf)
	pages := strings.Split(txt, "\f")
	if pages[len(pages)-1] == "" || strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	n := len(pages)
	for i, p := range pages {
		for _, want := range []string{"Commune de Saint-Éloi-sur-Marne", "Registre des délibérations du conseil municipal", fmt.Sprintf("Feuillet %d / %d", i+1, n)} {
			if !strings.Contains(p, want) {
				t.Errorf("le feuillet %d ne porte pas %q :\n%s", i+1, want, p)
			}
		}
	}
	if strings.Contains(txt, "{nb}") {
		t.Error("le nombre de feuillets n'est pas remplacé")
	}
	dansLOrdre(t, txt,
		fmt.Sprintf("comporte %d feuillets", n),
		"Séance du jeudi 15 janvier 2026",
		"N° d'ordre 1 — 2026_1", "Tarifs de la cantine scolaire « été » 2026", "Matière : 7.1 Finances locales",
		"accusé de réception du 17/01/2026, identifiant 051-210000000-20260115-2026_1-DE",
		"Publication : mis en ligne sur le site de la commune le 18/01/2026",
		"N° d'ordre 2 — 2026_2 — ANNULÉ", "annulé le 20/02/2026",
		"Clôture de la séance du jeudi 15 janvier 2026", "numéros d'ordre 1 à 2", "n° 1 — 2026_1", "n° 2 — 2026_2",
		"Membres présents", "signé à la main, une fois par séance", "Signature du maire", "secrétaires de séance",
		"Séance du jeudi 12 mars 2026",
		"N° d'ordre 1 — 2026_8 — Document budgétaire ou financier", "1 250 000 €",
		"N° d'ordre 2 — 2026_9", "Œuvray", "transmis le 13/03/2026, accusé de réception attendu",
		"N° d'ordre 3 — 2026_10", "non transmis",
		"Clôture de la séance du jeudi 12 mars 2026", "numéros d'ordre 1 à 3", "Signature du maire",
		"Séance du mercredi 1er juillet 2026", "N° d'ordre 1 — 2026_11",
		"Clôture de la séance du mercredi 1er juillet 2026", "Une délibération", "Signature du maire",
		"Table chronologique", "15/01/2026", "2026_1", "2026_2", "12/03/2026", "2026_8", "2026_9", "2026_10", "01/07/2026", "2026_11",
		"Table des matières", "3.2 Domaine et patrimoine", "2026_2", "2026_9", "5.3 Institutions et vie politique", "7.1 Finances locales", "2026_1",
		"Fin du registre : 6 actes inscrits.")
	if c := strings.Count(txt, "Signature du maire"); c != 3 {
		t.Errorf("%d cadres « Signature du maire », un par séance attendu (3)", c)
	}
	if strings.Contains(txt, "Publication ou notification") {
		t.Error("une délibération publiée sur papier n'a pas de ligne à compléter : seuls les arrêtés en ont")
	}
	for _, absent := range []string{"2025_40", "AR2026_001", "Circulation"} {
		if strings.Contains(txt, absent) {
			t.Errorf("%s n'est pas une délibération de 2026 mais figure au registre", absent)
		}
	}
	// Each sheet of a séance bears its date (CM-29).
	for _, p := range pages {
		if strings.Contains(p, "Clôture de la séance du jeudi 12 mars 2026") && !strings.Contains(p, "séance du 12/03/2026") {
			t.Errorf("le feuillet de clôture ne porte pas la date de la séance :\n%s", p)
		}
	}
}

func TestRegistreDesArretesCloturesParMois(t *testing.T) {
	as := []*xdemat.Acte{
		unActe(xdemat.NatureActeIndividuel, "AI2026_002", paris(2026, 2, 3, 10), "Permission de voirie, 4 rue Haute", "6.1"),
		unActe(xdemat.NatureActeReglementaire, "AR2026_001", paris(2026, 1, 20, 10), "Circulation rue de l'Église", "6.1"),
		unActe(xdemat.NatureActeReglementaire, "AR2026_003", paris(2026, 2, 27, 10), "Feux de jardin interdits", "6.4"),
		unActe(xdemat.NatureDeliberation, "2026_1", paris(2026, 1, 15, 19), "Tarifs de la cantine", "7.1"),
	}
	pdf, err := Construire(Registre{Commune: "Commune de Saint-Éloi", Annee: 2026, Nature: xdemat.NatureActeIndividuel, Actes: as, Edite: edite,
		Publications: map[string]time.Time{"id-AR2026_001": paris(2026, 1, 21, 9)}})
	if err != nil {
		t.Fatal(err)
	}
	txt := pdftotext(t, pdf)
	dansLOrdre(t, txt, "Registre des arrêtés du maire", "Mois de janvier 2026",
		"AR2026_001 — décision du 20/01/2026 — Acte réglementaire", "Publication : mis en ligne sur le site de la commune le 21/01/2026", "Clôture du mois de janvier 2026 : un arrêté inscrit", "Signature du maire",
		"Mois de février 2026", "AI2026_002 — décision du 03/02/2026 — Acte individuel", "Publication ou notification : le", "à compléter à la main", "AR2026_003",
		"Clôture du mois de février 2026 : 2 arrêtés inscrits, du n° AI2026_002 au n° AR2026_003", "Signature du maire",
		"Table chronologique", "Table des matières")
	if strings.Contains(txt, "Tarifs de la cantine") {
		t.Error("une délibération figure au registre des arrêtés")
	}
}

func TestRegistreParMatiere(t *testing.T) {
	pdf, err := Construire(Registre{Commune: "Commune de Saint-Éloi", Annee: 2026, Nature: xdemat.NatureDeliberation, Ordre: ParMatiere,
		Actes: deliberations2026(), Matieres: simulateur.ClassificationDemo(), Edite: edite})
	if err != nil {
		t.Fatal(err)
	}
	txt := pdftotext(t, pdf)
	dansLOrdre(t, txt, "classement par matière", "ne remplace pas le registre tenu par ordre de date",
		"3 Domaine et patrimoine", "3.2 Domaine et patrimoine › Aliénations",
		"2026_2 — séance du 15/01/2026, n° d'ordre 2", "2026_9 — séance du 12/03/2026, n° d'ordre 2",
		"5 Institutions et vie politique", "5.3 Institutions et vie politique › Désignation de représentants", "2026_11",
		"7 Finances locales", "7.1 Finances locales › Décisions budgétaires", "2026_1 — séance du 15/01/2026",
		"7.1.1 Finances locales › Décisions budgétaires › Budget primitif", "2026_8",
		"7.5 Finances locales › Subventions", "2026_10",
		"Table chronologique", "Table des matières")
	if strings.Contains(txt, "Clôture de la séance") {
		t.Error("le classement par matière n'a pas de feuillet de clôture : il ne se signe pas")
	}
}

func TestRegistreRefuse(t *testing.T) {
	cas := []struct {
		nom   string
		r     Registre
		code  string
		motif string
	}{
		{"année sans délibération", Registre{Commune: "Saint-Éloi", Annee: 2024, Nature: xdemat.NatureDeliberation, Actes: deliberations2026()},
			xdemat.ENOTFOUND, "aucune délibération datée de 2024"},
		{"année sans arrêté", Registre{Commune: "Saint-Éloi", Annee: 2025, Nature: xdemat.NatureActeReglementaire, Actes: deliberations2026()},
			xdemat.ENOTFOUND, "aucun arrêté daté de 2025"},
		{"nature sans registre", Registre{Commune: "Saint-Éloi", Annee: 2026, Nature: xdemat.NatureContrat, Actes: deliberations2026()},
			xdemat.EINVALID, "délibérations et les arrêtés"},
		{"année illisible", Registre{Commune: "Saint-Éloi", Annee: 26, Nature: xdemat.NatureDeliberation, Actes: deliberations2026()},
			xdemat.EINVALID, "quatre chiffres"},
		{"commune sans nom", Registre{Commune: " ", Annee: 2026, Nature: xdemat.NatureDeliberation, Actes: deliberations2026()},
			xdemat.EINVALID, "nom de la commune"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			_, err := Construire(c.r)
			if xdemat.ErrorCode(err) != c.code || !strings.Contains(xdemat.ErrorMessage(err), c.motif) {
				t.Fatalf("erreur %v, attendu %s « %s »", err, c.code, c.motif)
			}
		})
	}
}

func TestOrdreDesNumeros(t *testing.T) {
	cas := []struct{ a, b string }{
		{"2026_9", "2026_10"},
		{"DE2026_009", "DE2026_010"},
		{"A2", "A10"},
		{"2026_1", "2026_1B"},
		{"A", "B"},
	}
	for _, c := range cas {
		if comparerNumeros(c.a, c.b) >= 0 || comparerNumeros(c.b, c.a) <= 0 {
			t.Errorf("%s doit venir avant %s", c.a, c.b)
		}
	}
	if comparerNumeros("DE2026_010", "DE2026_10") != 0 {
		t.Error("les zéros de tête ne changent pas le rang")
	}
}

func TestLireOrdre(t *testing.T) {
	for s, want := range map[string]Ordre{"": Chronologique, "chronologique": Chronologique, "matiere": ParMatiere, "Matière": ParMatiere} {
		if o, err := LireOrdre(s); err != nil || o != want {
			t.Errorf("LireOrdre(%q) = %v, %v", s, o, err)
		}
		if o, _ := LireOrdre(want.String()); o != want {
			t.Errorf("%v ne se relit pas", want)
		}
	}
	if _, err := LireOrdre("alphabetique"); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Errorf("ordre inconnu : %v", err)
	}
}

// milleActes is a year of 1,000 délibérations over 40 séances.
func milleActes() []*xdemat.Acte {
	var as []*xdemat.Acte
	for i := range 1000 {
		j := paris(2026, 1, 8, 20).AddDate(0, 0, 7*(i/25))
		as = append(as, unActe(xdemat.NatureDeliberation, fmt.Sprintf("DE2026_%03d", i+1), j,
			fmt.Sprintf("Délibération n° %d : convention avec l'association « Les Amis du patrimoine » pour l'entretien du lavoir et des chemins ruraux", i+1),
			xdemat.NouvelleClassification(1+i%9, 1+i%3), acquitte(fmt.Sprintf("051-210000000-%s-DE2026_%03d-DE", j.Format("20060102"), i+1), j.AddDate(0, 0, 2))))
	}
	return as
}

func TestRegistreDeMilleActes(t *testing.T) {
	if testing.Short() {
		t.Skip("registre de 1 000 actes : pas en -short")
	}
	pdf, err := Construire(Registre{Commune: "Commune de Saint-Éloi", Annee: 2026, Nature: xdemat.NatureDeliberation, Actes: milleActes(), Edite: edite})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1)
	// 40 séances of 25: at least a sheet of entries and a closing sheet each.
	if len(m) < 80 {
		t.Fatalf("%d feuillets pour 40 séances", len(m))
	}
}

func BenchmarkRegistre1000Actes(b *testing.B) {
	as := milleActes()
	for _, o := range []Ordre{Chronologique, ParMatiere} {
		b.Run(o.String(), func(b *testing.B) {
			var taille int
			for b.Loop() {
				pdf, err := Construire(Registre{Commune: "Commune de Saint-Éloi", Annee: 2026, Nature: xdemat.NatureDeliberation, Ordre: o, Actes: as, Edite: edite})
				if err != nil {
					b.Fatal(err)
				}
				taille = len(pdf)
			}
			b.ReportMetric(float64(taille)/1024, "Kio/registre")
		})
	}
}

// FuzzRegistre: whatever the secretary typed (or a store gave back), the
// register prints or says why, and never panics.
func FuzzRegistre(f *testing.F) {
	f.Add("2026_1", "Tarifs « été » de la cantine : 3,50 €", "7.1", 1)
	f.Add("", "", "", 3)
	f.Add("Ω_2026", "emoji 🎉 et\nretour à la ligne\t", "7..1", 2)
	f.Add("2026_12345678901234567890", strings.Repeat("très long objet ", 60), "99.99.99.99.99.99", 1)
	f.Fuzz(func(t *testing.T, numero, objet, classification string, nature int) {
		a := unActe(xdemat.NatureActe(nature), numero, paris(2026, 5, 4, 20), objet, xdemat.Classification(classification))
		pdf, err := Construire(Registre{Commune: "Saint-Éloi", Annee: 2026, Nature: xdemat.NatureActe(nature), Actes: []*xdemat.Acte{a}, Edite: edite})
		if err == nil && !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("ni PDF ni erreur")
		}
		if err != nil && xdemat.ErrorCode(err) == xdemat.EINTERNAL {
			t.Fatalf("erreur interne : %v", err)
		}
	})
}
