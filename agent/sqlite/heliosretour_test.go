package sqlite

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

// Central relays the Trésorerie's PES_Retour: the pièces' states are kept
// with the cursor, a replayed or late retour changes nothing, and the
// secretary is told once about a rejected mandat, with the reason.
func TestRetourDeLaTresorerieParPiece(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	tr, d := pesImporte(t, s, sec.ID, "PES2026_0011", "<PES_Aller>11</PES_Aller>")
	curseur := int64(0)
	envoyer := func(typ string, v any) {
		t.Helper()
		curseur++
		data, _ := json.Marshal(v)
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: curseur, Type: typ, Objet: tr.ID, Payload: data, CreeLe: t0.Add(time.Duration(curseur) * time.Hour)}}, curseur); err != nil {
			t.Fatal(err)
		}
	}
	envoyer(xdemat.EvenementHeliosStatut, xdemat.StatutTransmissionPES{TransmissionID: tr.ID, DossierID: d.ID, Statut: xdemat.HeliosAcquitte, Le: t0})
	retour := func(nom string, pieces ...xdemat.PiecePES) xdemat.RetourPES {
		return xdemat.RetourPES{TransmissionID: tr.ID, DossierID: d.ID, NomFic: tr.NomFic, NomRetour: nom, Le: t0,
			Bordereaux: []xdemat.RetourBordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "7", Pieces: pieces}}}
	}
	rejet := xdemat.PiecePES{Numero: "71", Statut: xdemat.PieceRejetee, Phrase: "Mandat n° 71 : rejeté par la Trésorerie. Motif : insuffisance de crédits budgétaires. Corrigez la pièce dans le logiciel de comptabilité."}
	cas := []struct {
		nom    string
		r      xdemat.RetourPES
		etats  string
		notifs int
	}{
		{"prise en charge", retour("R1", xdemat.PiecePES{Numero: "71", Statut: xdemat.PiecePriseEnCharge}, xdemat.PiecePES{Numero: "72", Statut: xdemat.PieceEnInstance}), "prise_en_charge en_instance", 0},
		{"mandat rejeté", retour("R2", rejet, xdemat.PiecePES{Numero: "72", Statut: xdemat.PieceSoldee}), "rejetee soldee", 1},
		{"retour rejoué", retour("R2", rejet), "rejetee soldee", 1},
		{"instance arrivée en retard", retour("R0", xdemat.PiecePES{Numero: "72", Statut: xdemat.PieceEnInstance}), "rejetee soldee", 1},
	}
	for _, c := range cas {
		envoyer(xdemat.EvenementHeliosRetour, c.r)
		all, _ := s.TransmissionsPES(ctx)
		var etats []string
		for _, p := range all[0].Bordereaux[0].Pieces {
			etats = append(etats, string(p.Statut))
		}
		if got := strings.Join(etats, " "); got != c.etats {
			t.Fatalf("%s : états %q, attendus %q", c.nom, got, c.etats)
		}
		ns, _ := s.Notifications(ctx, agent.FiltreNotifications{Pour: sec.ID, Service: xdemat.ServiceHelios}, t0)
		n := 0
		for _, x := range ns {
			if x.Type == xdemat.NotificationHeliosPieceRejetee {
				n++
				if !strings.Contains(x.Texte, "insuffisance de crédits") || x.Objet.ID != d.ID {
					t.Fatalf("%s : notification %+v", c.nom, x)
				}
			}
		}
		if n != c.notifs {
			t.Fatalf("%s : %d notification(s) de rejet, %d attendue(s)", c.nom, n, c.notifs)
		}
	}
	if evs, _ := s.Events(ctx, 0, 0); int64(len(evs)) != curseur {
		t.Fatalf("%d événements gardés, %d attendus", len(evs), curseur)
	}
	if j, _ := s.Journal(ctx); xdemat.VerifierJournal(j) != nil {
		t.Fatal("journal local rompu")
	}
}
