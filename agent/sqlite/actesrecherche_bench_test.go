package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// The vocabulary of the generated actes: what a commune decides about,
// and the words of the body of a délibération.
var (
	sujetsBench = []string{
		"Travaux de voirie", "Réfection de la toiture de l'église", "Tarifs de la cantine scolaire", "Subvention à l'association",
		"Budget primitif", "Décision modificative n° 2", "Compte administratif", "Vote des taux des contributions directes",
		"Création d'un poste d'adjoint technique", "Convention de mise à disposition de la salle des fêtes",
		"Acquisition d'une parcelle", "Révision du plan local d'urbanisme", "Dénomination de la rue", "Arrêté de circulation",
		"Permis de stationnement", "Régie de recettes de la bibliothèque", "Indemnités des élus", "Éclairage public",
		"Assainissement collectif", "Cimetière communal : concessions", "Transport scolaire", "Défense extérieure contre l'incendie",
	}
	complementsBench = []string{
		"chemin des Écoliers", "place de la Mairie", "route de Montpellier", "hameau de Saint-Martin", "comité des fêtes",
		"école maternelle", "club de football", "exercice 2026", "lotissement Les Oliviers", "parking de la gare",
		"quartier du Moulin", "rue Jean Jaurès", "avenue de la République", "stade municipal", "médiathèque",
	}
	corpsBench = strings.Fields(`le conseil municipal après en avoir délibéré décide à l'unanimité des membres présents
		et représentés vu le code général des collectivités territoriales considérant que la commune doit assurer
		l'entretien de ses équipements autorise monsieur le maire à signer toutes les pièces relatives à ce dossier
		dit que les crédits nécessaires sont inscrits au budget de l'exercice en cours approuve le montant des travaux
		charge le maire de l'exécution de la présente délibération qui sera transmise au représentant de l'État
		dans le département conformément à la réglementation en vigueur marché public procédure adaptée entreprise
		devis estimation subvention département région dotation d'équipement des territoires ruraux plan de financement
		recettes dépenses investissement fonctionnement section chapitre article amortissement emprunt taux durée
		annuité remboursement propriété parcelle cadastrée section superficie mètres carrés prix euros notaire acte
		servitude bornage géomètre enquête publique commissaire enquêteur avis favorable réserves recommandations`)
)

// objetBench is a realistic objet, different for every i.
func objetBench(rng *rand.Rand) string {
	return sujetsBench[rng.IntN(len(sujetsBench))] + " — " + complementsBench[rng.IntN(len(complementsBench))]
}

// texteBench is about n bytes of the body of an acte, with some rarer words
// (names, numbers) as real documents have.
func texteBench(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		switch rng.IntN(12) {
		case 0:
			fmt.Fprintf(&b, "%d ", rng.IntN(100000))
		case 1:
			b.WriteString(complementsBench[rng.IntN(len(complementsBench))] + " ")
		default:
			b.WriteString(corpsBench[rng.IntN(len(corpsBench))] + " ")
		}
	}
	return b.String()
}

// remplirBench writes n actes straight into the tables (the triggers of
// the index run as for real ones), with ~1 KB of PDF text each.
func remplirBench(b *testing.B, s *Store, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	natures := xdemat.NaturesActes()
	statuts := []xdemat.StatutActe{xdemat.ActeAcquitte, xdemat.ActeAcquitte, xdemat.ActeAcquitte, xdemat.ActeTransmis, xdemat.ActeEnAttenteEnvoi, xdemat.ActeAnnule}
	matieres := []string{"1.1", "2.1", "3.2", "4.1", "5.3", "6.1", "7.1", "7.2", "8.3", "9.1"}
	const parTransaction = 5000
	for debut := 0; debut < n; debut += parTransaction {
		err := s.write(ctx, func(tx *sql.Tx) error {
			for i := debut; i < min(n, debut+parTransaction); i++ {
				nat := natures[rng.IntN(len(natures))]
				le := time.Date(2006+i*20/n, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 10, 0, 0, 0, xdemat.Paris)
				a := xdemat.Acte{ID: uuid.NewString(), Nature: nat, NumeroInterne: fmt.Sprintf("%s%d_%05d", nat.Abrege(), le.Year(), i),
					DateDecision: le, Objet: objetBench(rng), Classification: xdemat.Classification(matieres[rng.IntN(len(matieres))]),
					DateClassification: le, Statut: statuts[rng.IntN(len(statuts))],
					DocumentPrincipal: xdemat.PieceActe{SHA256: fmt.Sprintf("%064x", i), Nom: "acte.pdf", Taille: 1000, TypePiece: nat.TypePieceParDefaut()}}
				data, _ := json.Marshal(&a)
				if _, err := tx.ExecContext(ctx, `INSERT INTO actes (id, numero, nature, annee, statut, date_decision, modifie_le, donnees) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					a.ID, a.NumeroInterne, int(a.Nature), le.Year(), string(a.Statut), micro(le), micro(le), string(data)); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE actes_recherche SET texte = ? WHERE rowid = (SELECT rang FROM actes_recherche_lignes WHERE acte_id = ?)`,
					texteBench(rng, 1024), a.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO actes_recherche (actes_recherche) VALUES ('optimize')`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRechercheActes100000 measures the search as the secretary uses
// it (a page of 20 results and the total) over 100,000 actes: 1 to 3 words,
// prefixes typed halfway, with and without filters. p50/p95 per query.
// The set-up (about a minute) runs only in benchmark runs.
func BenchmarkRechercheActes100000(b *testing.B) {
	if testing.Short() {
		b.Skip("100 000 actes à générer : lancé par make bench, pas en -short")
	}
	// XDEMAT_BENCH_ACTES names a database kept between runs (made the
	// first time), to measure again without waiting for the set-up.
	var s *Store
	garde := os.Getenv("XDEMAT_BENCH_ACTES")
	_, err := os.Stat(garde)
	switch {
	case garde != "" && err == nil:
		if s, err = Open(garde); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
	case garde != "":
		if s, err = Open(garde); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fallthrough
	default:
		if s == nil {
			s, _ = openTest(b)
		}
		debut := time.Now()
		remplirBench(b, s, 100000)
		b.Logf("100 000 actes indexés en %s", time.Since(debut).Round(time.Second))
	}
	requetes := []agent.RechercheActes{
		{Q: "voirie"}, {Q: "voir"}, {Q: "cantine scolaire"}, {Q: "deliberation"}, {Q: "subvention comite"},
		{Q: "toiture eglise"}, {Q: "budg"}, {Q: "parcelle notaire"}, {Q: "eclairage public"}, {Q: "DE2019"},
		{Q: "stationnement", Nature: xdemat.NatureActeIndividuel}, {Q: "travaux", Annee: 2020}, {Q: "conseil municipal", Statut: xdemat.ActeEnAttenteEnvoi},
		{Q: "emprunt taux duree"}, {Q: "rue jean jaures"}, {Q: "m"}, {Q: "le"}, {Q: "enquete publique commissaire"},
		{Nature: xdemat.NatureDeliberation, Annee: 2024}, {Q: "mediatheque", Annee: 2025, Statut: xdemat.ActeAcquitte},
	}
	durees := make([]time.Duration, 0, b.N)
	parRequete := make([]time.Duration, len(requetes))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := requetes[i%len(requetes)]
		r.Limite = 20
		t := time.Now()
		if _, err := s.RechercherActes(ctx, r); err != nil {
			b.Fatal(err)
		}
		durees = append(durees, time.Since(t))
		parRequete[i%len(requetes)] = max(parRequete[i%len(requetes)], time.Since(t))
	}
	b.StopTimer()
	for i, d := range parRequete {
		if d > 20*time.Millisecond {
			b.Logf("%+v : jusqu'à %s", requetes[i], d.Round(time.Millisecond))
		}
	}
	slices.Sort(durees)
	p := func(q float64) float64 {
		return float64(durees[min(len(durees)-1, int(q*float64(len(durees))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
	b.ReportMetric(p(0.99), "p99-ms")
}
