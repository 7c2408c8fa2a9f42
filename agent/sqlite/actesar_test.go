package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
)

func TestAccuseDeReceptionEtCourrierATelecharger(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_021", "%PDF délibération")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	ar, courrier := strings.Repeat("a", 64), strings.Repeat("c", 64)
	ident := "034-213400000-20261123-DE2026_021-DE"
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: ident,
			DateAR: t0.Add(time.Hour), DocumentAR: ar, Le: t0.Add(time.Hour)}),
		evenementActe(t, 2, xdemat.EvenementActeMessage, xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: xdemat.MessageCourrierSimple,
			Code: "2-1", Texte: "Merci de préciser le montant.", Documents: []string{courrier}, RecuLe: t0.Add(2 * time.Hour)}),
	}
	if err := s.SaveEvents(ctx, evs, 2); err != nil {
		t.Fatal(err)
	}
	f, err := s.FicheActe(ctx, a.ID)
	if err != nil || f.Acte.DocumentAR != ar || f.Acte.Statut != xdemat.ActeAcquitte {
		t.Fatalf("fiche %+v (%v)", f, err)
	}
	// The poste fetches both from central; its own PDF is here already.
	m, err := s.DocumentsManquants(ctx)
	if err != nil || len(m) != 2 || m[0].SHA256 != ar || !strings.Contains(m[0].Titre, "Accusé de réception DE2026_021") ||
		m[1].SHA256 != courrier || !strings.Contains(m[1].Titre, "Courrier simple") {
		t.Fatalf("documents manquants %+v (%v)", m, err)
	}
	// Once here, nothing is missing.
	for _, h := range []string{ar, courrier} {
		if err := s.AddDocument(ctx, &xdemat.Document{SHA256: h, Taille: 1, NomOriginal: "recu.xml"}); err != nil {
			t.Fatal(err)
		}
	}
	if m, err := s.DocumentsManquants(ctx); err != nil || len(m) != 0 {
		t.Fatalf("documents manquants après téléchargement %+v (%v)", m, err)
	}
}
