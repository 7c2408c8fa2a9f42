package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// heliosStore is what central/helios needs of a store.
type heliosStore interface {
	HeliosAEnvoyer(ctx context.Context, now time.Time, limite int) ([]*xdemat.TransmissionPES, error)
	HeliosIntention(ctx context.Context, communeID, id string, now time.Time) (*xdemat.TransmissionPES, error)
	HeliosEnvoye(ctx context.Context, communeID, id string, now time.Time) error
	HeliosEchec(ctx context.Context, communeID, id, motif string, prochain time.Time) error
	HeliosEnAttente(ctx context.Context, nomFic string) ([]*xdemat.TransmissionPES, error)
	HeliosReponse(ctx context.Context, communeID string, st *xdemat.StatutTransmissionPES, now time.Time) error
	HeliosRepondues(ctx context.Context, idColl, codCol string) ([]*xdemat.TransmissionPES, error)
	HeliosRetour(ctx context.Context, communeID string, r *xdemat.RetourPES, now time.Time) error
	HeliosSansReponse(ctx context.Context, avant, now time.Time, limite int) ([]*xdemat.TransmissionPES, error)
	HeliosRelance(ctx context.Context, communeID, id string, prochain time.Time) error
}

func transmissionPES(nomFic, document string) *xdemat.TransmissionPES {
	return &xdemat.TransmissionPES{ID: uuid.NewString(), DossierID: uuid.NewString(), Original: strings.Repeat("a", 64), Document: document,
		NomFic: nomFic, CodCol: "100", IdPost: "031007", CodBud: "00", IdColl: "24310063300011", TypFic: "PESALR2", Statut: xdemat.HeliosSigne,
		ImporteLe: t0, SigneLe: t0, Bordereaux: []xdemat.BordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "12", Type: "01", Montant: 5522, NbPieces: 1, Statut: xdemat.HeliosSigne}}}
}

func statutsHelios(t *testing.T, s central.Store, p *xdemat.Poste) []xdemat.StatutTransmissionPES {
	t.Helper()
	var out []xdemat.StatutTransmissionPES
	for _, e := range eventsOfType(t, s, p, xdemat.EvenementHeliosStatut) {
		var st xdemat.StatutTransmissionPES
		if err := json.Unmarshal(e.Payload, &st); err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

func testHelios(t *testing.T, open Opener) {
	s := open.new(t)
	hs, ok := s.(heliosStore)
	if !ok {
		t.Skip("ce magasin ne gère pas Hélios")
	}
	ctx := context.Background()
	c := commune(t, s, "Sicoval")
	p := poste(t, s, c.ID, "Secrétariat")
	autre := poste(t, s, commune(t, s, "Voisine").ID, "Voisine")
	doc := document(t, s, p, "PES signé n° 1")
	tr := transmissionPES("PES2026_001", doc.SHA256)

	// Handed over once, relayed to the commune only; a replay changes nothing.
	o := opParapheur(t, 1, xdemat.OperationHeliosTransmettre, "", tr, doc.SHA256)
	for range 2 {
		if _, err := s.ApplyOperations(as(p), []*xdemat.Operation{o}, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if evs := eventsOfType(t, s, p, xdemat.OperationHeliosTransmettre); len(evs) != 1 || evs[0].Objet != tr.ID {
		t.Fatalf("relais : %+v", evs)
	}
	if evs := eventsOfType(t, s, autre, xdemat.OperationHeliosTransmettre); len(evs) != 0 {
		t.Fatal("relayé à une autre commune")
	}
	// Without its signed document: refused.
	sans := transmissionPES("PES2026_009", doc.SHA256)
	if _, err := s.ApplyOperations(as(p), []*xdemat.Operation{opParapheur(t, 2, xdemat.OperationHeliosTransmettre, "", sans)}, t0); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("PES sans document accepté : %v", err)
	}

	// Sent once under a name kept across retries; the next PES of the day
	// gets the next number.
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	dus, err := hs.HeliosAEnvoyer(ctx, now, 10)
	if err != nil || len(dus) != 1 || dus[0].ID != tr.ID || dus[0].CommuneID != c.ID {
		t.Fatalf("à envoyer : %+v, %v", dus, err)
	}
	a, err := hs.HeliosIntention(ctx, c.ID, tr.ID, now)
	if err != nil || a.NomTransport != "PESALR2_24310063300011_260302_001.xml" {
		t.Fatalf("intention : %+v, %v", a, err)
	}
	if again, _ := hs.HeliosIntention(ctx, c.ID, tr.ID, now.Add(time.Hour)); again.NomTransport != a.NomTransport {
		t.Fatalf("nom changé à la reprise : %s", again.NomTransport)
	}
	doc2 := document(t, s, p, "PES signé n° 2")
	tr2 := transmissionPES("PES2026_002", doc2.SHA256)
	if _, err := s.ApplyOperations(as(p), []*xdemat.Operation{opParapheur(t, 2, xdemat.OperationHeliosTransmettre, "", tr2, doc2.SHA256)}, t0); err != nil {
		t.Fatal(err)
	}
	if b, _ := hs.HeliosIntention(ctx, c.ID, tr2.ID, now); b == nil || b.NomTransport != "PESALR2_24310063300011_260302_002.xml" {
		t.Fatalf("second nom du jour : %+v", b)
	}
	// A failed attempt waits for its time.
	if err := hs.HeliosEchec(ctx, c.ID, tr2.ID, "panne", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if dus, _ := hs.HeliosAEnvoyer(ctx, now, 10); len(dus) != 1 || dus[0].ID != tr.ID {
		t.Fatalf("à envoyer pendant l'attente : %+v", dus)
	}

	if err := hs.HeliosEnvoye(ctx, c.ID, tr.ID, now); err != nil {
		t.Fatal(err)
	}
	att, err := hs.HeliosEnAttente(ctx, "PES2026_001")
	if err != nil || len(att) != 1 || att[0].Statut != xdemat.HeliosTransmis {
		t.Fatalf("en attente : %+v, %v", att, err)
	}
	st := &xdemat.StatutTransmissionPES{TransmissionID: tr.ID, DossierID: tr.DossierID, Statut: xdemat.HeliosAcquitte, Le: now.Add(time.Hour)}
	for range 2 {
		if err := hs.HeliosReponse(ctx, c.ID, st, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	sts := statutsHelios(t, s, p)
	if len(sts) != 2 || sts[0].Statut != xdemat.HeliosTransmis || sts[0].NomTransport != a.NomTransport || sts[1].Statut != xdemat.HeliosAcquitte {
		t.Fatalf("statuts relayés : %+v", sts)
	}
	if att, _ := hs.HeliosEnAttente(ctx, "PES2026_001"); len(att) != 0 {
		t.Fatal("toujours en attente après l'acquit")
	}

	// The same NomFic and CodCol again: not recorded, the postes are told.
	doc3 := document(t, s, p, "PES signé n° 3")
	double := transmissionPES("PES2026_001", doc3.SHA256)
	if _, err := s.ApplyOperations(as(p), []*xdemat.Operation{opParapheur(t, 3, xdemat.OperationHeliosTransmettre, "", double, doc3.SHA256)}, t0); err != nil {
		t.Fatal(err)
	}
	sts = statutsHelios(t, s, p)
	if last := sts[len(sts)-1]; last.TransmissionID != double.ID || last.Statut != xdemat.HeliosRefuse || !strings.Contains(last.Explications[0], "déjà été confié") {
		t.Fatalf("doublon : %+v", last)
	}

	// Uploaded and unanswered: uploaded again once the delay is past, then
	// not before the next check.
	if err := hs.HeliosEnvoye(ctx, c.ID, tr2.ID, now); err != nil {
		t.Fatal(err)
	}
	if sr, err := hs.HeliosSansReponse(ctx, now.Add(-time.Minute), now.Add(2*time.Hour), 10); err != nil || len(sr) != 0 {
		t.Fatalf("sans réponse trop tôt : %+v, %v", sr, err)
	}
	sr, err := hs.HeliosSansReponse(ctx, now.Add(time.Hour), now.Add(2*time.Hour), 10)
	if err != nil || len(sr) != 1 || sr[0].ID != tr2.ID || sr[0].CommuneID != c.ID {
		t.Fatalf("sans réponse : %+v, %v", sr, err)
	}
	if err := hs.HeliosRelance(ctx, c.ID, tr2.ID, now.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if sr, _ := hs.HeliosSansReponse(ctx, now.Add(time.Hour), now.Add(2*time.Hour), 10); len(sr) != 0 {
		t.Fatalf("renvoyé avant la prochaine vérification : %+v", sr)
	}

	// A PES_Retour: the answered transmission of the collectivité is found,
	// the rejected pièce recorded and relayed once.
	rep, err := hs.HeliosRepondues(ctx, "24310063300011", "100")
	if err != nil || len(rep) != 1 || rep[0].ID != tr.ID {
		t.Fatalf("transmissions répondues : %+v, %v", rep, err)
	}
	if rep, _ := hs.HeliosRepondues(ctx, "21510108000019", "100"); len(rep) != 0 {
		t.Fatalf("transmission d'une autre collectivité : %+v", rep)
	}
	r := &xdemat.RetourPES{TransmissionID: tr.ID, DossierID: tr.DossierID, NomFic: tr.NomFic, NomRetour: "PESRETOUR_24310063300011_260305_001.xml", Le: now.Add(72 * time.Hour),
		Bordereaux: []xdemat.RetourBordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "12", Pieces: []xdemat.PiecePES{{Numero: "1", Statut: xdemat.PieceRejetee, Phrase: "Mandat n° 1 : rejeté par la Trésorerie."}}}}}
	for range 2 {
		if err := hs.HeliosRetour(ctx, c.ID, r, now.Add(72*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if evs := eventsOfType(t, s, p, xdemat.EvenementHeliosRetour); len(evs) != 1 || evs[0].Objet != tr.ID {
		t.Fatalf("retours relayés : %+v", evs)
	}
	if evs := eventsOfType(t, s, autre, xdemat.EvenementHeliosRetour); len(evs) != 0 {
		t.Fatal("retour relayé à une autre commune")
	}
	got, err := hs.(interface {
		HeliosTransmission(ctx context.Context, communeID, id string) (*xdemat.TransmissionPES, error)
	}).HeliosTransmission(ctx, c.ID, tr.ID)
	if err != nil || len(got.Bordereaux[0].Pieces) != 1 || got.Bordereaux[0].Pieces[0].Statut != xdemat.PieceRejetee || got.Statut != xdemat.HeliosAcquitte {
		t.Fatalf("transmission après le retour : %+v, %v", got, err)
	}
	journal(t, s, p)
}
