package sqlite

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

// acteAcquitteAvecMessages records an acte, sends it, and applies what
// central relays: transmitted, acknowledged, then the messages.
func acteAcquitteAvecMessages(t *testing.T, s *Store, par string, types ...xdemat.TypeMessagePrefecture) (*xdemat.Acte, []xdemat.MessagePrefecture) {
	t.Helper()
	a := deliberation(t, s, "DE2026_001", "%PDF délibération")
	if err := s.CreerActe(ctx, a, par, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnvoyerActe(ctx, a.ID, par, false, nil, t0); err != nil {
		t.Fatal(err)
	}
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "a.tar.gz", TransmisLe: t0, Le: t0}),
		evenementActe(t, 2, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: "034-213400000-20261123-DE2026_001-DE", DateAR: t0, Le: t0}),
	}
	var ms []xdemat.MessagePrefecture
	for i, typ := range types {
		m := xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: typ, Texte: typ.Libelle(), RecuLe: t0.Add(time.Hour), DateCourrier: t0}
		ms = append(ms, m)
		evs = append(evs, evenementActe(t, int64(3+i), xdemat.EvenementActeMessage, m))
	}
	if err := s.SaveEvents(ctx, evs, int64(len(evs))); err != nil {
		t.Fatal(err)
	}
	return a, ms
}

func TestReponseAuxMessagesDeLaPrefectureSurLePoste(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	a, ms := acteAcquitteAvecMessages(t, s, sec.ID, xdemat.MessageDemandePieces, xdemat.MessageDefere, xdemat.MessageCourrierSimple)
	demande, defere, courrier := ms[0], ms[1], ms[2]
	plan := addDoc(t, s, "plan.pdf", "%PDF plan de situation")
	lettre := addDoc(t, s, "lettre.pdf", "%PDF lettre du maire")
	word := addDoc(t, s, "plan.docx", "PK word")
	piece := func(d *xdemat.Document) xdemat.PieceActe {
		return xdemat.PieceActe{SHA256: d.SHA256, Nom: d.NomOriginal}
	}
	absent := xdemat.PieceActe{SHA256: strings.Repeat("e", 64), Nom: "absent.pdf"}
	l := piece(lettre)
	cas := []struct {
		nom     string
		message xdemat.MessagePrefecture
		d       agent.DemandeReponse
		erreur  string
	}{
		{"déféré", defere, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Lettre: &l}, "tribunal administratif"},
		{"pièce en Word", demande, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{piece(word)}}, "n'est pas un PDF"},
		{"pièce absente du poste", demande, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{absent}}, "n'est pas enregistré sur ce poste"},
		{"sans pièce", demande, agent.DemandeReponse{Type: xdemat.ReponseFavorable}, "Joignez les pièces"},
		{"courrier sans lettre", courrier, agent.DemandeReponse{Type: xdemat.ReponseFavorable}, "Joignez la lettre"},
		{"pièces envoyées", demande, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{piece(plan)}}, ""},
		{"seconde réponse à la même demande", demande, agent.DemandeReponse{Type: xdemat.ReponseRefus, Lettre: &l}, "déjà répondu"},
		{"réponse au courrier", courrier, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Lettre: &l}, ""},
	}
	var envoyee *xdemat.ReponsePrefecture
	for i, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			avant := len(opsDeType(t, s, xdemat.OperationActeRepondre))
			r, err := s.RepondreMessage(ctx, a.ID, c.message.ID, sec.ID, c.d, t0.Add(time.Duration(2+i)*time.Minute))
			if c.erreur != "" {
				if err == nil || !strings.Contains(xdemat.ErrorMessage(err), c.erreur) {
					t.Fatalf("erreur %v, attendu « %s »", err, c.erreur)
				}
				if n := len(opsDeType(t, s, xdemat.OperationActeRepondre)); n != avant {
					t.Fatal("une opération est partie malgré le refus")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ops := opsDeType(t, s, xdemat.OperationActeRepondre)
			if len(ops) != avant+1 || len(ops[len(ops)-1].Documents) != len(r.Documents()) {
				t.Fatalf("opérations %+v", ops)
			}
			if envoyee == nil {
				envoyee = r
			}
		})
	}
	// Central relays: transmitted, acknowledged; a late replay changes nothing.
	tr, acq := *envoyee, *envoyee
	tr.Etat, tr.NomArchive, tr.TransmiseLe = xdemat.ReponseTransmise, "r.tar.gz", t0.Add(3*time.Hour)
	acq.Etat, acq.NomArchive, acq.TransmiseLe, acq.AcquitteeLe = xdemat.ReponseAcquittee, "r.tar.gz", tr.TransmiseLe, t0.Add(24*time.Hour)
	evs := []*xdemat.Evenement{
		evenementActe(t, 10, xdemat.EvenementActeReponse, tr),
		evenementActe(t, 11, xdemat.EvenementActeReponse, acq),
		evenementActe(t, 12, xdemat.EvenementActeReponse, tr),
	}
	if err := s.SaveEvents(ctx, evs, 12); err != nil {
		t.Fatal(err)
	}
	f, err := s.FicheActe(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Reponses) != 2 || f.Reponses[0].ID != envoyee.ID || f.Reponses[0].Etat != xdemat.ReponseAcquittee {
		t.Fatalf("réponses de la fiche %+v", f.Reponses)
	}
	// Refused by the platform: the secretary may answer again.
	ref := *f.Reponses[1]
	ref.Etat, ref.Anomalie = xdemat.ReponseRefusee, "Archive mal formée"
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{evenementActe(t, 13, xdemat.EvenementActeReponse, ref)}, 13); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RepondreMessage(ctx, a.ID, courrier.ID, sec.ID, agent.DemandeReponse{Type: xdemat.ReponseFavorable, Lettre: &l}, t0.Add(25*time.Hour)); err != nil {
		t.Fatalf("nouvelle réponse après un refus : %v", err)
	}
}

func TestClassificationDeLaPrefectureSurLePoste(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	if _, err := s.ClassificationActes(ctx); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("classification avant réception : %v", err)
	}
	// Until the préfecture's file arrives, the matière is taken on trust.
	a := deliberation(t, s, "DE2026_001", "%PDF un")
	a.Classification = "9.9"
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	c := xdemat.ClassificationPrefecture{Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Natures:  []xdemat.NatureClassification{{Code: xdemat.NatureDeliberation, Libelle: "Délibération", TypesPieces: []xdemat.TypePieceClassification{{Code: "99_DE", Libelle: "Délibération"}}}},
		Matieres: []xdemat.MatiereClassification{{Code: 7, Libelle: "Finances locales", SousMatieres: []xdemat.MatiereClassification{{Code: 1, Libelle: "Décisions budgétaires"}}}}}
	ancienne := c
	ancienne.Date = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeClassification, c),
		evenementActe(t, 2, xdemat.EvenementActeClassification, ancienne), // late: ignored
	}
	if err := s.SaveEvents(ctx, evs, 2); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClassificationActes(ctx)
	if err != nil || !got.Date.Equal(c.Date) || len(got.Liste()) != 1 {
		t.Fatalf("classification %+v (%v)", got, err)
	}
	cas := []struct {
		nom            string
		classification xdemat.Classification
		erreur         string
	}{
		{"matière de la préfecture", "7.1", ""},
		{"matière inconnue", "9.9", "La matière 9.9 n'existe pas dans la classification de la préfecture (version du 01/03/2026) : choisissez-en une autre."},
	}
	for i, cs := range cas {
		t.Run(cs.nom, func(t *testing.T) {
			a := deliberation(t, s, "DE2026_01"+string(rune('0'+i)), "%PDF "+cs.nom)
			a.Classification = cs.classification
			err := s.CreerActe(ctx, a, sec.ID, t0)
			if cs.erreur == "" && err != nil {
				t.Fatal(err)
			}
			if cs.erreur != "" && (err == nil || xdemat.ErrorMessage(err) != cs.erreur) {
				t.Fatalf("erreur %v", err)
			}
		})
	}
}

func TestCorrectionEtRenvoiDUnActeRefuse(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_001", "%PDF délibération")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnvoyerActe(ctx, a.ID, sec.ID, false, nil, t0); err != nil {
		t.Fatal(err)
	}
	// Not refused: nothing to correct.
	_, err := s.CorrigerActe(ctx, a.ID, sec.ID, xdemat.CorrectionActe{Objet: "Autre objet"}, t0)
	wantCode(t, err, xdemat.ECONFLICT)
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "a.tar.gz", TransmisLe: t0, Le: t0}),
		evenementActe(t, 2, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeEnErreur, Anomalie: "La matière 7.1 est inconnue.", Le: t0}),
	}
	if err := s.SaveEvents(ctx, evs, 2); err != nil {
		t.Fatal(err)
	}
	doc := addDoc(t, s, "deliberation-corrigee.pdf", "%PDF délibération corrigée")
	got, err := s.CorrigerActe(ctx, a.ID, sec.ID, xdemat.CorrectionActe{Classification: "7.2",
		DocumentPrincipal: &xdemat.PieceActe{SHA256: doc.SHA256, Nom: doc.NomOriginal}}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Statut != xdemat.ActeEnAttenteEnvoi || got.Classification != "7.2" || got.DocumentPrincipal.SHA256 != doc.SHA256 || got.DocumentPrincipal.TypePiece != "99_DE" {
		t.Fatalf("acte corrigé %+v", got)
	}
	corr := opsDeType(t, s, xdemat.OperationActeCorriger)
	trs := opsDeType(t, s, xdemat.OperationActeTransmettre)
	if len(corr) != 1 || len(corr[0].Documents) != 1 || len(trs) != 2 || corr[0].Seq > trs[1].Seq {
		t.Fatalf("opérations : %d corrections, %d transmissions", len(corr), len(trs))
	}
	var tr xdemat.TransmissionActe
	if json.Unmarshal(trs[1].Payload, &tr) != nil || tr.DocumentPrincipal.SHA256 != doc.SHA256 {
		t.Fatalf("nouvelle transmission %s", trs[1].Payload)
	}
}

func FuzzEvenementsReponsesEtClassification(f *testing.F) {
	types := []string{xdemat.EvenementActeReponse, xdemat.EvenementActeClassification, xdemat.OperationActeCorriger}
	const acte = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	h := strings.Repeat("a", 64)
	for i, seed := range []string{
		`{"id":"2b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87","acteId":"` + acte + `","messageId":"1b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87","type":"reponse","lettre":{"sha256":"` + h + `","nom":"l.pdf","taille":10},"le":"2026-01-16T00:00:00Z","etat":"transmise"}`,
		`{"date":"2026-03-01T00:00:00Z","natures":[{"code":1,"libelle":"Délibération","typesPieces":[{"code":"99_DE","libelle":"D"}]}],"matieres":[{"code":7,"libelle":"Finances","sousMatieres":[{"code":1,"libelle":"Budget"}]}]}`,
		`{"acteId":"` + acte + `","objet":"Nouvel objet","le":"2026-01-16T00:00:00Z"}`,
		`{"date":"2026-03-01T00:00:00Z","natures":[],"matieres":[{"code":700,"libelle":"x"}]}`,
		`null`, `{}`, `[]`,
	} {
		f.Add(byte(i%len(types)), []byte(seed))
	}
	s, _ := openTest(f)
	curseur := int64(0)
	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		curseur++
		ev := &xdemat.Evenement{Curseur: curseur, Type: types[int(typ)%len(types)], Payload: payload, CreeLe: t0}
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{ev}, curseur); err != nil {
			t.Fatalf("%s %q : %v", ev.Type, payload, err)
		}
		if c, err := s.ClassificationActes(ctx); err == nil && c.Validate() != nil {
			t.Fatalf("classification invalide gardée : %+v", c)
		}
	})
}
