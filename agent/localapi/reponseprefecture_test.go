package localapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
)

// evenementsActe applies events as central would relay them.
func evenementsActe(t *testing.T, h *harness, depuis int64, payloads map[string]any, ordre ...string) {
	t.Helper()
	var evs []*xdemat.Evenement
	for i, k := range ordre {
		typ := strings.SplitN(k, "#", 2)[0]
		data, err := json.Marshal(payloads[k])
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, &xdemat.Evenement{Curseur: depuis + int64(i) + 1, Type: typ, Payload: data, CreeLe: time.Now()})
	}
	if err := h.store.SaveEvents(ctx, evs, depuis+int64(len(evs))); err != nil {
		t.Fatal(err)
	}
}

func TestReponseALaPrefectureEtClassificationParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, _ := mairieAPI(t, h)
	if _, err := sec.ClassificationActes(ctx); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("classification avant réception : %v", err)
	}
	a, err := sec.CreerActe(ctx, acteAPI(t, sec, pdftest.Minimal("Délibération", "Plan local d'urbanisme")))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := sec.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID}}); err != nil || res[0].Erreur != "" {
		t.Fatalf("envoi %+v (%v)", res, err)
	}
	demande := xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: xdemat.MessageDemandePieces, Texte: "Plan de situation", RecuLe: time.Now(), DateCourrier: time.Now()}
	defere := xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: xdemat.MessageDefere, Texte: "Incompétence", RecuLe: time.Now()}
	cl := xdemat.ClassificationPrefecture{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Natures:  []xdemat.NatureClassification{{Code: 1, Libelle: "Délibération", TypesPieces: []xdemat.TypePieceClassification{{Code: "99_DE", Libelle: "Délibération"}}}},
		Matieres: []xdemat.MatiereClassification{{Code: 7, Libelle: "Finances locales", SousMatieres: []xdemat.MatiereClassification{{Code: 1, Libelle: "Décisions budgétaires"}}}}}
	evenementsActe(t, h, 0, map[string]any{
		"acte.statut#1":  xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "a.tar.gz", TransmisLe: time.Now(), Le: time.Now()},
		"acte.statut#2":  xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: "034-213400000-20261123-DE2026_001-DE", DateAR: time.Now(), Le: time.Now()},
		"acte.message#1": demande, "acte.message#2": defere, xdemat.EvenementActeClassification: cl,
	}, "acte.statut#1", "acte.statut#2", "acte.message#1", "acte.message#2", xdemat.EvenementActeClassification)

	plan, err := sec.AjouterDocument(ctx, "plan.pdf", "application/pdf", bytes.NewReader(pdftest.Minimal("Plan", "de situation")))
	if err != nil {
		t.Fatal(err)
	}
	piece := xdemat.PieceActe{SHA256: plan.SHA256, Nom: "plan.pdf"}
	if _, err := sec.RepondreMessage(ctx, a.ID, defere.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Lettre: &piece}); xdemat.ErrorCode(err) != xdemat.EINVALID ||
		!strings.Contains(xdemat.ErrorMessage(err), "tribunal administratif") {
		t.Fatalf("réponse à un déféré : %v", err)
	}
	r, err := sec.RepondreMessage(ctx, a.ID, demande.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{piece}})
	if err != nil || r.Etat != xdemat.ReponseDemandee || r.Pieces[0].Taille != plan.Taille {
		t.Fatalf("réponse %+v (%v)", r, err)
	}
	if _, err := sec.RepondreMessage(ctx, a.ID, demande.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{piece}}); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("seconde réponse : %v", err)
	}
	f, err := sec.FicheActe(ctx, a.ID)
	if err != nil || len(f.Reponses) != 1 || f.Reponses[0].ID != r.ID {
		t.Fatalf("fiche %+v (%v)", f, err)
	}
	got, err := sec.ClassificationActes(ctx)
	if err != nil || !got.Date.Equal(cl.Date) {
		t.Fatalf("classification %+v (%v)", got, err)
	}
	inconnue := acteAPI(t, sec, pdftest.Minimal("Arrêté", "x"))
	inconnue.Classification = "9.9"
	if _, err := sec.CreerActe(ctx, inconnue); err == nil || !strings.Contains(xdemat.ErrorMessage(err), "La matière 9.9 n'existe pas dans la classification de la préfecture (version du 01/03/2026)") {
		t.Fatalf("matière inconnue : %v", err)
	}
	// A refused acte corrected through the API goes again.
	evenementsActe(t, h, 5, map[string]any{"acte.statut": xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeEnErreur, Anomalie: "Objet illisible", Le: time.Now()}}, "acte.statut")
	corrige, err := sec.CorrigerActe(ctx, a.ID, xdemat.CorrectionActe{Objet: "Révision du plan local d'urbanisme"})
	if err != nil || corrige.Statut != xdemat.ActeEnAttenteEnvoi || corrige.Objet != "Révision du plan local d'urbanisme" {
		t.Fatalf("correction %+v (%v)", corrige, err)
	}
}
