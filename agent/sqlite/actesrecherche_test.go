package sqlite

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// registreDeTest records a few actes of a commune: two délibérations of
// 2026 and an arrêté of 2025, the first one acknowledged.
func registreDeTest(t *testing.T, s *Store) map[string]*xdemat.Acte {
	t.Helper()
	sec, _, _ := mairie(t, s)
	actes := map[string]*xdemat.Acte{}
	creer := func(numero string, nature xdemat.NatureActe, le time.Time, objet, matiere string) {
		a := deliberation(t, s, numero, "%PDF "+numero)
		a.Nature, a.DateDecision, a.Objet, a.Classification = nature, le, objet, xdemat.Classification(matiere)
		a.DocumentPrincipal.TypePiece = nature.TypePieceParDefaut()
		if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
			t.Fatal(err)
		}
		actes[numero] = a
	}
	creer("DE2026_001", xdemat.NatureDeliberation, t0.AddDate(0, -2, 0), "Travaux de voirie : réfection du chemin des Écoliers", "8.3")
	creer("DE2026_002", xdemat.NatureDeliberation, t0.AddDate(0, -1, 0), "Délibération fixant les tarifs de la cantine scolaire", "7.1")
	creer("AR2025_014", xdemat.NatureActeReglementaire, time.Date(2025, 6, 3, 10, 0, 0, 0, xdemat.Paris), "Arrêté portant réglementation de la circulation rue de la Voie Romaine", "6.1")
	ident := "034-213400000-20261123-DE2026_001-DE"
	a := actes["DE2026_001"]
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "x.tar.gz", TransmisLe: t0, Le: t0}),
		evenementActe(t, 2, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: ident, DateAR: t0.Add(time.Hour), Le: t0.Add(time.Hour)}),
	}
	if err := s.SaveEvents(ctx, evs, 2); err != nil {
		t.Fatal(err)
	}
	return actes
}

func numeros(r *agent.ResultatRecherche) string {
	var l []string
	for _, t := range r.Actes {
		l = append(l, t.Acte.NumeroInterne)
	}
	return strings.Join(l, " ")
}

func TestRechercheDesActes(t *testing.T) {
	s, _ := openTest(t)
	registreDeTest(t, s)
	cas := []struct {
		nom  string
		r    agent.RechercheActes
		veut string // numéros, best first
	}{
		{"sans accent, « deliberation » trouve « Délibération »", agent.RechercheActes{Q: "deliberation tarifs"}, "DE2026_002"},
		{"en majuscules avec accents", agent.RechercheActes{Q: "ÉCOLIERS"}, "DE2026_001"},
		{"en tapant, « voir » trouve « voirie »", agent.RechercheActes{Q: "voir"}, "DE2026_001"},
		{"un début de mot trouve aussi « Voie »", agent.RechercheActes{Q: "voi"}, "DE2026_001 AR2025_014"},
		{"tous les mots sont exigés", agent.RechercheActes{Q: "voirie cantine"}, ""},
		{"par numéro", agent.RechercheActes{Q: "AR2025_014"}, "AR2025_014"},
		{"par le libellé de la nature", agent.RechercheActes{Q: "acte reglementaire"}, "AR2025_014"},
		{"par code de matière", agent.RechercheActes{Q: "6.1"}, "AR2025_014"},
		{"filtre nature", agent.RechercheActes{Q: "voi", Nature: xdemat.NatureActeReglementaire}, "AR2025_014"},
		{"filtre année", agent.RechercheActes{Q: "voi", Annee: 2026}, "DE2026_001"},
		{"filtre statut (l'acquittement relayé par central est pris en compte)", agent.RechercheActes{Q: "voi", Statut: xdemat.ActeAcquitte}, "DE2026_001"},
		{"sans texte : la liste filtrée, la plus récente d'abord", agent.RechercheActes{Annee: 2026}, "DE2026_002 DE2026_001"},
		{"page suivante", agent.RechercheActes{Limite: 1, Decalage: 1}, "DE2026_001"},
		{"rien de cherchable : toute la liste", agent.RechercheActes{Q: `" * ( ) - ^`}, "DE2026_002 DE2026_001 AR2025_014"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			r, err := s.RechercherActes(ctx, c.r)
			if err != nil {
				t.Fatal(err)
			}
			if got := numeros(r); got != c.veut {
				t.Fatalf("trouvé %q, attendu %q", got, c.veut)
			}
		})
	}
}

func TestRechercheTotalEtExtrait(t *testing.T) {
	s, _ := openTest(t)
	registreDeTest(t, s)
	r, err := s.RechercherActes(ctx, agent.RechercheActes{Q: "voi", Limite: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 2 || len(r.Actes) != 1 {
		t.Fatalf("total %d, %d résultats", r.Total, len(r.Actes))
	}
	r, err = s.RechercherActes(ctx, agent.RechercheActes{Q: "cantine"})
	if err != nil || len(r.Actes) != 1 {
		t.Fatalf("%+v (%v)", r, err)
	}
	if want := "tarifs de la " + agent.DebutSurligne + "cantine" + agent.FinSurligne + " scolaire"; !strings.Contains(r.Actes[0].Extrait, want) {
		t.Fatalf("extrait %q, attendu %q", r.Actes[0].Extrait, want)
	}
	if r.Actes[0].Matiere != "7.1" {
		t.Fatalf("matière sans libellé connu %q", r.Actes[0].Matiere)
	}
}

func TestRechercheSaisiesHostilesSansErreur(t *testing.T) {
	s, _ := openTest(t)
	registreDeTest(t, s)
	// Operators are plain words: "NOT cantine" looks for both words.
	trouveLaCantine := map[string]bool{`cantine*`: true, `"cantine`: true, `cantine"`: true, `^cantine`: true, `(cantine)`: true,
		"\xff\xfe cantine": true, strings.Repeat("cantine ", 500): true, `cantine'; DROP TABLE actes; --`: false}
	for _, q := range []string{`"voirie`, `voirie AND`, `OR`, `NOT cantine`, `NEAR(voirie cantine)`, `*`, `objet:cantine`,
		`{objet}: cantine`, `cantine -voirie`, `((`, "can\x00tine", strings.Repeat("é", 10000)} {
		trouveLaCantine[q] = false
	}
	for q, trouve := range trouveLaCantine {
		r, err := s.RechercherActes(ctx, agent.RechercheActes{Q: q})
		if err != nil {
			t.Fatalf("%.40q : %v", q, err)
		}
		if trouve && numeros(r) != "DE2026_002" {
			t.Errorf("%.40q trouve %q", q, numeros(r))
		}
	}
	if _, err := s.RechercherActes(ctx, agent.RechercheActes{Nature: 42}); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("nature inconnue : %v", err)
	}
}

func TestRechercheDansLeTexteDesPDF(t *testing.T) {
	s, _ := openTest(t)
	actes := registreDeTest(t, s)
	a := actes["DE2026_002"]
	l, err := s.TextesAIndexer(ctx, 0, 10)
	if err != nil || len(l) != 3 {
		t.Fatalf("à indexer %+v (%v)", l, err)
	}
	if err := s.EnregistrerTexteActe(ctx, a.ID, []string{a.DocumentPrincipal.SHA256}, "Le conseil municipal fixe le prix du repas à 3,20 euros pour les élèves de maternelle."); err != nil {
		t.Fatal(err)
	}
	r, err := s.RechercherActes(ctx, agent.RechercheActes{Q: "eleves maternelle"})
	if err != nil || numeros(r) != "DE2026_002" {
		t.Fatalf("%+v (%v)", r, err)
	}
	if !strings.Contains(r.Actes[0].Extrait, agent.DebutSurligne+"élèves"+agent.FinSurligne) {
		t.Fatalf("extrait %q", r.Actes[0].Extrait)
	}
	// Done: no longer listed; a status change keeps the text.
	l, _ = s.TextesAIndexer(ctx, 0, 10)
	for _, x := range l {
		if x.ActeID == a.ID {
			t.Fatalf("toujours à indexer")
		}
	}
	if _, _, err := s.EnvoyerActe(ctx, a.ID, "u", false, nil, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RechercherActes(ctx, agent.RechercheActes{Q: "maternelle"}); numeros(r) != "DE2026_002" {
		t.Fatalf("après l'envoi : %q", numeros(r))
	}
}

func TestActeDunAutrePosteIndexe(t *testing.T) {
	s, _ := openTest(t)
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: xdemat.NatureActeIndividuel, NumeroInterne: "AR2026_007", DateDecision: t0.AddDate(0, 0, -1),
		Objet: "Permis de stationnement pour la terrasse du café", Classification: "6.1", DateClassification: t0.AddDate(-1, 0, 0),
		DocumentPrincipal: xdemat.PieceActe{SHA256: strings.Repeat("b", 64), Nom: "arrete.pdf", Taille: 10, TypePiece: "99_AI"}}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{evenementActe(t, 1, xdemat.OperationActeCree, a)}, 1); err != nil {
		t.Fatal(err)
	}
	r, err := s.RechercherActes(ctx, agent.RechercheActes{Q: "terrasse cafe"})
	if err != nil || numeros(r) != "AR2026_007" {
		t.Fatalf("%+v (%v)", r, err)
	}
	// Its PDF is not here yet: the indexing pass will read it when it comes.
	l, err := s.TextesAIndexer(ctx, 0, 10)
	if err != nil || len(l) != 1 || l[0].ActeID != a.ID || len(l[0].Pieces) != 1 || len(l[0].Indexees) != 0 {
		t.Fatalf("à indexer %+v (%v)", l, err)
	}
	// Its status relayed later: still found, filtered by the new status.
	ev := evenementActe(t, 2, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "y.tar.gz", TransmisLe: t0, Le: t0})
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{ev}, 2); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RechercherActes(ctx, agent.RechercheActes{Q: "terrasse", Statut: xdemat.ActeTransmis}); numeros(r) != "AR2026_007" {
		t.Fatalf("par statut : %q", numeros(r))
	}
}

func TestLibellesDesMatieresEtDesNatures(t *testing.T) {
	s, _ := openTest(t)
	registreDeTest(t, s)
	if err := s.EnregistrerLibellesMatieres(ctx, map[xdemat.Classification]string{
		"7.1": "Finances locales > Décisions budgétaires", "8.3": "Domaines de compétences par thèmes > Voirie",
	}); err != nil {
		t.Fatal(err)
	}
	r, err := s.RechercherActes(ctx, agent.RechercheActes{Q: "budgetaires"})
	if err != nil || numeros(r) != "DE2026_002" || r.Actes[0].Matiere != "7.1 Finances locales > Décisions budgétaires" {
		t.Fatalf("%+v (%v)", r, err)
	}
	// The index's nature labels are the domain's.
	for _, n := range xdemat.NaturesActes() {
		var compte int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM actes_recherche r JOIN actes_recherche_lignes l ON l.rang = r.rowid
			JOIN actes a ON a.id = l.acte_id WHERE a.nature = ? AND r.nature <> ?`, int(n), n.Libelle()).Scan(&compte); err != nil || compte != 0 {
			t.Fatalf("libellé de %s dans l'index (%d, %v)", n.Libelle(), compte, err)
		}
	}
	wantCode(t, s.EnregistrerLibellesMatieres(ctx, map[xdemat.Classification]string{"7.x": "?"}), xdemat.EINVALID)
}

// FuzzRechercheActes: whatever the secretary types, the search answers
// without error.
func FuzzRechercheActes(f *testing.F) {
	for _, q := range []string{"cantine", `"voirie`, "NOT OR AND", "NEAR(a b, 2)", "a* ^b {objet}:c", "déli", "\xff", "- + : ( )"} {
		f.Add(q)
	}
	s, _ := openTest(f)
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.RechercherActes(ctx, agent.RechercheActes{Q: q}); err != nil {
			t.Fatalf("%q : %v", q, err)
		}
	})
}

// TestTexteReluQuandLeDocumentChange: the signed PDF replaces the one
// deposited (acteApresSignature): its text is to be read again.
func TestTexteReluQuandLeDocumentChange(t *testing.T) {
	s, _ := openTest(t)
	a := registreDeTest(t, s)["DE2026_002"]
	if err := s.EnregistrerTexteActe(ctx, a.ID, []string{a.DocumentPrincipal.SHA256}, "texte du PDF déposé"); err != nil {
		t.Fatal(err)
	}
	signe := addDoc(t, s, "signe.pdf", "%PDF signé")
	err := s.write(ctx, func(tx *sql.Tx) error {
		l, err := loadActe(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		l.acte.DocumentPrincipal.SHA256 = signe.SHA256
		return saveActe(ctx, tx, l.acte, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.TextesAIndexer(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range l {
		if x.ActeID == a.ID {
			if x.Pieces[0].SHA256 != signe.SHA256 || len(x.Indexees) != 1 || x.Indexees[0] != a.DocumentPrincipal.SHA256 {
				t.Fatalf("%+v", x)
			}
			return
		}
	}
	t.Fatal("le PDF signé n'est pas à relire")
}
