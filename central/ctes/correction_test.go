package ctes

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/actes/simulateur"
)

// An acte the préfecture refused (unknown matière) is corrected on a poste
// and sent again: a new transmission of the same acte, in a new archive,
// which central does not take for a replay of the refused one.
func TestActeRefuseCorrigeEtRenvoye(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyerAvec("DE2026_030", "Tarifs de la cantine", "9.9")
		c := b.connecteur()
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		refuse := b.acte(a.ID)
		if refuse.Statut != xdemat.ActeEnErreur || !strings.Contains(refuse.Anomalie, "9.9") {
			t.Fatalf("acte refusé %+v", refuse)
		}
		cas := []struct {
			nom            string
			classification xdemat.Classification
			statut         xdemat.StatutActe
			archives       int
		}{
			{"corrigé avec une autre matière inconnue : refusé de nouveau", "9.8", xdemat.ActeEnErreur, 2},
			{"corrigé avec la bonne matière : acquitté", "7.2.1", xdemat.ActeAcquitte, 3},
		}
		noms := map[string]bool{refuse.NomArchive: true}
		for _, cs := range cas {
			b.appliquer(xdemat.OperationActeCorriger, &xdemat.CorrectionActe{ActeID: a.ID, Classification: cs.classification, Objet: "Tarifs de la cantine scolaire", Le: time.Now()})
			if got := b.acte(a.ID); got.Classification != cs.classification || got.Statut != xdemat.ActeEnErreur {
				t.Fatalf("%s : copie de central après la correction %+v", cs.nom, got)
			}
			b.appliquer(xdemat.OperationActeTransmettre, &xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: a.DocumentPrincipal, Le: time.Now()})
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
			got := b.acte(a.ID)
			if got.Statut != cs.statut || b.archivesRecues() != cs.archives || noms[got.NomArchive] {
				t.Fatalf("%s : %+v, %d archives", cs.nom, got, b.archivesRecues())
			}
			noms[got.NomArchive] = true
		}
		// Once acknowledged, a correction changes nothing.
		b.appliquer(xdemat.OperationActeCorriger, &xdemat.CorrectionActe{ActeID: a.ID, Objet: "Autre objet", Le: time.Now()})
		if got := b.acte(a.ID); got.Objet != "Tarifs de la cantine scolaire" || got.Statut != xdemat.ActeAcquitte {
			t.Fatalf("correction d'un acte acquitté : %+v", got)
		}
	})
}

// envoyerAvec is envoyer with the matière chosen.
func (b *banc) envoyerAvec(numero, objet string, cl xdemat.Classification) *xdemat.Acte {
	b.t.Helper()
	p := b.piecePDF("deliberation.pdf", "Délibération "+numero+" "+objet)
	p.TypePiece = "99_DE"
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: xdemat.NatureDeliberation, NumeroInterne: numero,
		DateDecision: time.Now().AddDate(0, 0, -1), Objet: objet, Classification: cl,
		DateClassification: simulateur.ClassificationDemo().DateClassification.Time, DocumentPrincipal: p}
	b.appliquer(xdemat.OperationActeCree, a, p.SHA256)
	b.appliquer(xdemat.OperationActeTransmettre, &xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: p, Le: time.Now()}, p.SHA256)
	return a
}
