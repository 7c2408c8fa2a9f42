//go:build cgo

package main

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes"
	"xdemat/actes/simulateur"
	"xdemat/agent"
	"xdemat/central/server"
	"xdemat/internal/pdftest"
)

// The préfecture's classification reaches the poste through central; the
// préfecture asks for pieces about an acknowledged délibération, the
// secretary sends them from her poste, and central stops right after
// recording the answer's archive, before posting it: started again, it posts
// that archive, once, and the poste shows the answer received by the
// préfecture. An acte the préfecture refused is corrected on the poste and
// acknowledged at its new transmission.
func TestReponseALaPrefectureDepuisLaMairie(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central et agent")
	}
	ctx := context.Background()
	dir := t.TempDir()
	var couper atomic.Bool
	intention := make(chan string, 1)
	configurer := func(m *server.Main) {
		// As if central died once the answer's archive is recorded.
		m.ApresIntentionActe = func(ctx context.Context, nom string) error {
			if !couper.Load() {
				return nil
			}
			select {
			case intention <- nom:
			default:
			}
			<-ctx.Done()
			return ctx.Err()
		}
	}
	c := startCentralAvec(t, dir, "127.0.0.1:0", configurer)
	addr := c.Addr
	commune, code := newCommune(t, c.Store, "Fismes", sirens[5])
	anne := secretaireDe(commune)
	enregistrerUtilisateurs(t, c, anne)
	secretaire := ouvrirPoste(t, c, code, anne, 1)

	// The classification comes first: the connector asks for it at its first pass.
	demo := simulateur.ClassificationDemo()
	var cl *xdemat.ClassificationPrefecture
	var err error
	waitFor(t, "la classification de la préfecture arrive sur le poste", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		cl, err = secretaire.ClassificationActes(ctx)
		return err == nil, fmt.Sprint(err)
	})
	if !cl.Date.Equal(demo.DateClassification.Time) || cl.Libelles("7.2.1") == nil {
		t.Fatalf("classification reçue %+v", cl)
	}
	document := func(nom, texte string) xdemat.PieceActe {
		d, err := secretaire.AjouterDocument(ctx, nom, "application/pdf", bytes.NewReader(pdftest.Minimal(nom, texte)))
		if err != nil {
			t.Fatal(err)
		}
		return xdemat.PieceActe{SHA256: d.SHA256, Nom: nom, Taille: d.Taille, TypePiece: "99_DE"}
	}
	nouvelActe := func(objet string, matiere xdemat.Classification) *xdemat.Acte {
		return &xdemat.Acte{Nature: xdemat.NatureDeliberation, DateDecision: time.Now().AddDate(0, 0, -1), Objet: objet,
			Classification: matiere, DateClassification: cl.Date, DocumentPrincipal: document("deliberation.pdf", objet)}
	}
	if _, err := secretaire.CreerActe(ctx, nouvelActe("Budget", "9.9")); err == nil || xdemat.ErrorMessage(err) !=
		"La matière 9.9 n'existe pas dans la classification de la préfecture (version du 01/01/2025) : choisissez-en une autre." {
		t.Fatalf("matière inconnue de la préfecture : %v", err)
	}
	attendre := func(quoi string, id string, ok func(f *agent.FicheActe) bool) *agent.FicheActe {
		t.Helper()
		var f *agent.FicheActe
		waitFor(t, quoi, 60*time.Second, func() (bool, string) {
			c.m.ReveillerActes()
			var err error
			if f, err = secretaire.FicheActe(ctx, id); err != nil {
				return false, err.Error()
			}
			return ok(f), fmt.Sprintf("%s, %d messages, %d réponses", f.Acte.Statut, len(f.Messages), len(f.Reponses))
		})
		return f
	}
	envoyer := func(a *xdemat.Acte) {
		if res, err := secretaire.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID}}); err != nil || res[0].Erreur != "" {
			t.Fatalf("envoi direct : %+v, %v", res, err)
		}
	}

	a, err := secretaire.CreerActe(ctx, nouvelActe("Révision du plan local d'urbanisme", "2.1"))
	if err != nil {
		t.Fatal(err)
	}
	envoyer(a)
	f := attendre("l'acte est acquitté", a.ID, func(f *agent.FicheActe) bool { return f.Acte.Statut == xdemat.ActeAcquitte })
	ident := f.Acte.IdentifiantUnique
	if _, err := c.m.SimulateurActes().DemanderPieces(ident, "Plan de situation"); err != nil {
		t.Fatal(err)
	}
	f = attendre("la demande de pièces arrive sur le poste", a.ID, func(f *agent.FicheActe) bool { return len(f.Messages) == 1 })
	m := f.Messages[0]
	if m.Type != xdemat.MessageDemandePieces || m.DateCourrier.IsZero() {
		t.Fatalf("message %+v", m)
	}

	// The answer leaves; central stops between recording and posting it.
	couper.Store(true)
	avant := c.m.SimulateurActes().EtatCourant().Archives
	plan := document("plan-de-situation.pdf", "Plan de situation")
	r, err := secretaire.RepondreMessage(ctx, a.ID, m.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{plan}})
	if err != nil {
		t.Fatal(err)
	}
	var nom string
	waitFor(t, "central enregistre l'archive de la réponse", 60*time.Second, func() (bool, string) {
		c.m.ReveillerActes()
		select {
		case nom = <-intention:
			return true, ""
		default:
			return false, "pas encore"
		}
	})
	c.Close()
	if n := c.m.SimulateurActes().EtatCourant().Archives; n != avant {
		t.Fatalf("la réponse est partie avant l'arrêt (%d archives, %d avant)", n, avant)
	}
	couper.Store(false)
	c = startCentralAvec(t, dir, addr, configurer)
	f = attendre("la réponse est reçue par la préfecture", a.ID, func(f *agent.FicheActe) bool {
		return len(f.Reponses) == 1 && f.Reponses[0].Etat == xdemat.ReponseAcquittee
	})
	sim := c.m.SimulateurActes()
	if rep := f.Reponses[0]; rep.ID != r.ID || rep.NomArchive != nom || rep.TransmiseLe.IsZero() || rep.AcquitteeLe.IsZero() || sim.EtatCourant().Archives != avant+1 {
		t.Fatalf("réponse %+v (archive attendue %s), %d archives (%d avant)", rep, nom, sim.EtatCourant().Archives, avant)
	}
	if sa, _ := sim.Acte(ident); len(sa.Courriers) != 1 || !sa.Courriers[0].Repondu || sa.Courriers[0].Reponse != actes.CodePieceComplementaire {
		t.Fatalf("la plateforme n'a pas reçu les pièces : %+v", sa.Courriers)
	}
	if _, err := secretaire.RepondreMessage(ctx, a.ID, m.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{plan}}); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("seconde réponse à la même demande : %v", err)
	}

	// Refused by the préfecture, corrected on the poste, acknowledged.
	sim.AnomalieProchainActe(simulateur.Anomalie{Nature: 3, Detail: "Objet incomplet"})
	b, err := secretaire.CreerActe(ctx, nouvelActe("Tarifs", "7.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	envoyer(b)
	f = attendre("l'acte est refusé", b.ID, func(f *agent.FicheActe) bool { return f.Acte.Statut == xdemat.ActeEnErreur })
	refuse := f.Acte.NomArchive
	if _, err := secretaire.CorrigerActe(ctx, b.ID, xdemat.CorrectionActe{Objet: "Tarifs de la cantine scolaire 2026"}); err != nil {
		t.Fatal(err)
	}
	f = attendre("l'acte corrigé est acquitté", b.ID, func(f *agent.FicheActe) bool { return f.Acte.Statut == xdemat.ActeAcquitte })
	if f.Acte.Objet != "Tarifs de la cantine scolaire 2026" || f.Acte.NomArchive == refuse {
		t.Fatalf("acte corrigé %+v (archive refusée %s)", f.Acte, refuse)
	}
}
