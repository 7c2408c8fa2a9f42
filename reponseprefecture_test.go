package xdemat

import (
	"strings"
	"testing"
	"time"
)

func TestReponseAuxMessagesDeLaPrefecture(t *testing.T) {
	acte, msg := "6f1c1f0e-8a3b-4c55-9d1e-0a6f7a1b2c3d", "0b8e2f6a-1c2d-4e5f-8a9b-1c2d3e4f5a6b"
	pdf := func(nom string) PieceActe {
		return PieceActe{SHA256: strings.Repeat("ab", 32), Nom: nom, Taille: 1200, TypeMedia: "application/pdf"}
	}
	lettre := pdf("lettre.pdf")
	doc := PieceActe{SHA256: strings.Repeat("cd", 32), Nom: "plan.docx", Taille: 10}
	cas := []struct {
		nom     string
		message TypeMessagePrefecture
		typ     TypeReponsePrefecture
		lettre  *PieceActe
		pieces  []PieceActe
		erreur  string // "" : acceptée
	}{
		{"pièces envoyées", MessageDemandePieces, ReponseFavorable, nil, []PieceActe{pdf("plan.pdf")}, ""},
		{"pièces envoyées avec une lettre", MessageDemandePieces, ReponseFavorable, &lettre, []PieceActe{pdf("plan.pdf")}, ""},
		{"demande de pièces sans pièce", MessageDemandePieces, ReponseFavorable, &lettre, nil, "Joignez les pièces demandées"},
		{"refus d'envoyer les pièces", MessageDemandePieces, ReponseRefus, &lettre, nil, ""},
		{"refus sans lettre", MessageDemandePieces, ReponseRefus, nil, nil, "Joignez la lettre"},
		{"rejet d'une demande de pièces", MessageDemandePieces, ReponseRejet, &lettre, nil, "envoyant les pièces ou en refusant"},
		{"réponse aux observations", MessageLettreObservations, ReponseFavorable, &lettre, nil, ""},
		{"rejet des observations", MessageLettreObservations, ReponseRejet, &lettre, nil, ""},
		{"observations sans lettre", MessageLettreObservations, ReponseFavorable, nil, nil, "Joignez la lettre de réponse"},
		{"refus d'observations", MessageLettreObservations, ReponseRefus, &lettre, nil, "on répond ou on rejette"},
		{"réponse à un courrier", MessageCourrierSimple, ReponseFavorable, &lettre, nil, ""},
		{"rejet d'un courrier", MessageCourrierSimple, ReponseRejet, &lettre, nil, "par une lettre"},
		{"déféré", MessageDefere, ReponseFavorable, &lettre, nil, "ne se répond pas par @CTES"},
		{"pièce qui n'est pas un PDF", MessageDemandePieces, ReponseFavorable, nil, []PieceActe{doc}, "n'est pas un PDF"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			r := &ReponsePrefecture{ID: "9d8c7b6a-5f4e-4d3c-8b2a-190817161514", ActeID: acte, MessageID: msg, Type: c.typ,
				Lettre: c.lettre, Pieces: c.pieces, Le: time.Now()}
			m := &MessagePrefecture{ID: msg, ActeID: acte, Type: c.message, Texte: "…", RecuLe: time.Now()}
			err := r.Validate()
			if err == nil {
				err = r.ValiderPour(m)
			}
			switch {
			case c.erreur == "" && err != nil:
				t.Fatalf("refusée : %v", err)
			case c.erreur != "" && (err == nil || !strings.Contains(ErrorMessage(err), c.erreur)):
				t.Fatalf("erreur %v, attendu « %s »", err, c.erreur)
			}
		})
	}
}

func TestEtatDUneReponseNeReculeJamais(t *testing.T) {
	if !ReponseDemandee.Avance(ReponseTransmise) || !ReponseTransmise.Avance(ReponseAcquittee) || !ReponseDemandee.Avance(ReponseRefusee) {
		t.Fatal("progression refusée")
	}
	if ReponseAcquittee.Avance(ReponseTransmise) || ReponseTransmise.Avance(ReponseTransmise) || ReponseRefusee.Avance(ReponseAcquittee) {
		t.Fatal("retour en arrière accepté")
	}
}

func TestCorrectionDUnActeRefuse(t *testing.T) {
	base := func(st StatutActe) *Acte {
		return &Acte{ID: "6f1c1f0e-8a3b-4c55-9d1e-0a6f7a1b2c3d", Nature: NatureDeliberation, NumeroInterne: "DE2026_001",
			DateDecision: time.Now().AddDate(0, 0, -3), Objet: "Tarifs", Classification: "7.2", DateClassification: time.Now(),
			DocumentPrincipal: PieceActe{SHA256: strings.Repeat("ab", 32), Nom: "d.pdf", Taille: 10, TypePiece: "99_DE", TypeMedia: "application/pdf"},
			Statut:            st, Anomalie: "Matière inconnue"}
	}
	cas := []struct {
		nom    string
		statut StatutActe
		c      CorrectionActe
		erreur string
	}{
		{"nouvelle matière", ActeEnErreur, CorrectionActe{Classification: "7.1.2"}, ""},
		{"nouvel objet", ActeEnErreur, CorrectionActe{Objet: "Tarifs de la cantine 2026"}, ""},
		{"nouveau document", ActeEnErreur, CorrectionActe{DocumentPrincipal: &PieceActe{SHA256: strings.Repeat("ef", 32), Nom: "d2.pdf", Taille: 20, TypePiece: "99_DE", TypeMedia: "application/pdf"}}, ""},
		{"rien de changé", ActeEnErreur, CorrectionActe{}, "Rien n'a été corrigé"},
		{"acte acquitté", ActeAcquitte, CorrectionActe{Objet: "Autre"}, "seul un acte refusé"},
		{"matière mal écrite", ActeEnErreur, CorrectionActe{Classification: "7"}, "incomplète"},
		{"document Word", ActeEnErreur, CorrectionActe{DocumentPrincipal: &PieceActe{SHA256: strings.Repeat("ef", 32), Nom: "d2.docx", Taille: 20, TypePiece: "99_DE"}}, "n'est pas un PDF"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			a := base(c.statut)
			avant := *a
			c.c.ActeID, c.c.Le = a.ID, time.Now()
			err := c.c.Validate()
			if err == nil {
				err = c.c.Appliquer(a)
			}
			switch {
			case c.erreur == "" && err != nil:
				t.Fatalf("refusée : %v", err)
			case c.erreur != "":
				if err == nil || !strings.Contains(ErrorMessage(err), c.erreur) {
					t.Fatalf("erreur %v, attendu « %s »", err, c.erreur)
				}
				if a.Objet != avant.Objet || a.Classification != avant.Classification || a.DocumentPrincipal != avant.DocumentPrincipal {
					t.Fatal("l'acte a changé malgré le refus")
				}
			}
		})
	}
}
