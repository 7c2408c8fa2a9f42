package ctes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/actes"
	"xdemat/internal/pdftest"
)

// piecePDF stores a PDF on central as a poste's upload would, and returns it.
func (b *banc) piecePDF(nom, texte string) xdemat.PieceActe {
	b.t.Helper()
	pdf := pdftest.Minimal(nom, texte)
	h, n, err := b.blobs.Put(bytes.NewReader(pdf), 0)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.store.CreateDocument(xdemat.NewContextWithPoste(ctx, b.poste), &xdemat.Document{SHA256: h, Taille: n, TypeMedia: "application/pdf", NomOriginal: nom}, time.Now()); err != nil {
		b.t.Fatal(err)
	}
	return xdemat.PieceActe{SHA256: h, Nom: nom, Taille: n, TypeMedia: "application/pdf"}
}

// messages returns the préfecture's messages relayed for the acte.
func (b *banc) messages(acteID string) []xdemat.MessagePrefecture {
	b.t.Helper()
	evs, err := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []xdemat.MessagePrefecture
	for _, ev := range evs {
		var m xdemat.MessagePrefecture
		if ev.Type == xdemat.EvenementActeMessage && json.Unmarshal(ev.Payload, &m) == nil && m.ActeID == acteID {
			out = append(out, m)
		}
	}
	return out
}

// etatsReponse returns the states relayed for the answer, in order, and the last one.
func (b *banc) etatsReponse(id string) ([]xdemat.EtatReponsePrefecture, *xdemat.ReponsePrefecture) {
	b.t.Helper()
	evs, err := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []xdemat.EtatReponsePrefecture
	var last *xdemat.ReponsePrefecture
	for _, ev := range evs {
		var r xdemat.ReponsePrefecture
		if ev.Type == xdemat.EvenementActeReponse && json.Unmarshal(ev.Payload, &r) == nil && r.ID == id {
			out = append(out, r.Etat)
			last = &r
		}
	}
	return out, last
}

// acquitteAvecMessage transmits an acte, has the préfecture write to it with
// ecrire, and returns the acte and the message relayed.
func (b *banc) acquitteAvecMessage(numero string, ecrire func(idActe string) (string, error)) (*xdemat.Acte, xdemat.MessagePrefecture) {
	b.t.Helper()
	a := b.envoyer(numero, "Révision du plan local d'urbanisme")
	c := b.connecteur()
	if err := c.Tour(ctx); err != nil {
		b.t.Fatal(err)
	}
	a = b.acte(a.ID)
	if _, err := ecrire(a.IdentifiantUnique); err != nil {
		b.t.Fatal(err)
	}
	if err := c.Tour(ctx); err != nil {
		b.t.Fatal(err)
	}
	ms := b.messages(a.ID)
	if len(ms) != 1 || ms[0].DateCourrier.IsZero() {
		b.t.Fatalf("messages relayés %+v", ms)
	}
	return a, ms[0]
}

func TestReponseALaPrefecture(t *testing.T) {
	cas := []struct {
		nom     string
		ecrire  func(b *banc) func(string) (string, error)
		typ     xdemat.TypeReponsePrefecture
		pieces  int  // pieces joined
		lettre  bool // letter joined
		code    actes.CodeMessage
		acquite bool // the préfecture acknowledges this kind of answer
	}{
		{"pièces complémentaires envoyées", func(b *banc) func(string) (string, error) {
			return func(id string) (string, error) { return b.sim.DemanderPieces(id, "Plan de situation") }
		}, xdemat.ReponseFavorable, 2, false, actes.CodePieceComplementaire, true},
		{"refus d'envoyer les pièces", func(b *banc) func(string) (string, error) {
			return func(id string) (string, error) { return b.sim.DemanderPieces(id, "Étude d'impact") }
		}, xdemat.ReponseRefus, 0, true, actes.CodeRefusPieceComplementaire, true},
		{"réponse à une lettre d'observations", func(b *banc) func(string) (string, error) {
			return func(id string) (string, error) { return b.sim.LettreObservations(id, "Délai de recours mal indiqué") }
		}, xdemat.ReponseFavorable, 0, true, actes.CodeReponseLettreObservations, true},
		{"rejet des observations", func(b *banc) func(string) (string, error) {
			return func(id string) (string, error) { return b.sim.LettreObservations(id, "Compétence discutée") }
		}, xdemat.ReponseRejet, 0, true, actes.CodeRejetLettreObservations, true},
		{"réponse à un courrier simple", func(b *banc) func(string) (string, error) {
			return func(id string) (string, error) { return b.sim.Courrier(id, "Merci de préciser le montant.") }
		}, xdemat.ReponseFavorable, 0, true, actes.CodeReponseCourrierSimple, false},
	}
	surChaqueBase(t, func(t *testing.T, b *banc) {
		for i, cs := range cas {
			t.Run(cs.nom, func(t *testing.T) {
				b.t = t
				a, m := b.acquitteAvecMessage("DE2026_1"+string(rune('0'+i)), cs.ecrire(b))
				r := &xdemat.ReponsePrefecture{ID: uuid.NewString(), ActeID: a.ID, MessageID: m.ID, Type: cs.typ, Le: time.Now()}
				var docs []string
				if cs.lettre {
					l := b.piecePDF("lettre-du-maire.pdf", "Monsieur le Préfet, "+cs.nom)
					r.Lettre, docs = &l, append(docs, l.SHA256)
				}
				for k := range cs.pieces {
					p := b.piecePDF("piece.pdf", cs.nom+string(rune('A'+k)))
					r.Pieces, docs = append(r.Pieces, p), append(docs, p.SHA256)
				}
				avant := b.archivesRecues()
				b.appliquer(xdemat.OperationActeRepondre, r, docs...)
				c := b.connecteur()
				for range 2 { // the second pass takes the acknowledgement
					if err := c.Tour(ctx); err != nil {
						t.Fatal(err)
					}
				}
				if n := b.archivesRecues() - avant; n != 1 {
					t.Fatalf("%d archives reçues pour la réponse", n)
				}
				etats, last := b.etatsReponse(r.ID)
				attendu := []xdemat.EtatReponsePrefecture{xdemat.ReponseDemandee, xdemat.ReponseTransmise}
				if cs.acquite {
					attendu = append(attendu, xdemat.ReponseAcquittee)
				}
				if len(etats) != len(attendu) || etats[len(etats)-1] != attendu[len(attendu)-1] || last.TransmiseLe.IsZero() || last.NomArchive == "" {
					t.Fatalf("états relayés %v (attendu %v), dernier %+v", etats, attendu, last)
				}
				sa, _ := b.sim.Acte(a.IdentifiantUnique)
				if len(sa.Courriers) != 1 || !sa.Courriers[0].Repondu || sa.Courriers[0].Reponse != cs.code {
					t.Fatalf("la plateforme n'a pas la réponse %s : %+v", cs.code, sa.Courriers)
				}
				if got := b.acte(a.ID); got.Statut != xdemat.ActeAcquitte {
					t.Fatalf("l'acte a changé de statut : %s", got.Statut)
				}
				// A second answer to the same letter is refused, nothing is sent.
				autre := *r
				autre.ID = uuid.NewString()
				b.appliquer(xdemat.OperationActeRepondre, &autre, docs...)
				if err := c.Tour(ctx); err != nil {
					t.Fatal(err)
				}
				if _, l := b.etatsReponse(autre.ID); l == nil || l.Etat != xdemat.ReponseRefusee || !strings.Contains(l.Anomalie, "déjà répondu") {
					t.Fatalf("seconde réponse %+v", l)
				}
				if n := b.archivesRecues() - avant; n != 1 {
					t.Fatalf("%d archives reçues après la seconde réponse", n)
				}
			})
		}
	})
}

func TestDefereSansReponseParCtes(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a, m := b.acquitteAvecMessage("DE2026_020", func(id string) (string, error) { return b.sim.Deferer(id, "Incompétence") })
		l := b.piecePDF("memoire.pdf", "Mémoire en défense")
		r := &xdemat.ReponsePrefecture{ID: uuid.NewString(), ActeID: a.ID, MessageID: m.ID, Type: xdemat.ReponseFavorable, Lettre: &l, Le: time.Now()}
		avant := b.archivesRecues()
		b.appliquer(xdemat.OperationActeRepondre, r, l.SHA256)
		if err := b.connecteur().Tour(ctx); err != nil {
			t.Fatal(err)
		}
		if _, last := b.etatsReponse(r.ID); last == nil || last.Etat != xdemat.ReponseRefusee || !strings.Contains(last.Anomalie, "tribunal administratif") {
			t.Fatalf("réponse à un déféré %+v", last)
		}
		if b.archivesRecues() != avant {
			t.Fatal("une archive est partie")
		}
	})
}

func TestCentralArreteEntreIntentionEtEnvoiDeLaReponse(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a, m := b.acquitteAvecMessage("DE2026_021", func(id string) (string, error) { return b.sim.DemanderPieces(id, "Plan") })
		p := b.piecePDF("plan.pdf", "Plan de situation")
		r := &xdemat.ReponsePrefecture{ID: uuid.NewString(), ActeID: a.ID, MessageID: m.ID, Type: xdemat.ReponseFavorable, Pieces: []xdemat.PieceActe{p}, Le: time.Now()}
		b.appliquer(xdemat.OperationActeRepondre, r, p.SHA256)
		avant := b.archivesRecues()
		c := b.connecteur()
		var nom string
		c.ApresIntention = func(_ context.Context, n string) error { nom = n; return errors.New("arrêt brutal") }
		if err := c.Tour(ctx); !errors.Is(err, ErrInterrompu) {
			t.Fatalf("passage interrompu : %v", err)
		}
		if b.archivesRecues() != avant {
			t.Fatal("la réponse est partie avant l'arrêt")
		}
		if err := b.store.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		if b.store, err = b.open(); err != nil {
			t.Fatal(err)
		}
		c = b.connecteur()
		for range 3 {
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.archivesRecues() - avant; n != 1 {
			t.Fatalf("%d archives reçues", n)
		}
		etats, last := b.etatsReponse(r.ID)
		if last == nil || last.Etat != xdemat.ReponseAcquittee || last.NomArchive != nom || len(etats) != 3 {
			t.Fatalf("états %v, réponse %+v (archive enregistrée %s)", etats, last, nom)
		}
	})
}
