package xdemat

import (
	"strings"
	"testing"
	"time"
)

func TestChangementsDeStatutDUnActe(t *testing.T) {
	le := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	const id = "051-215100009-20260313-DE2026_001-DE"
	cas := []struct {
		nom    string
		depuis StatutActe
		c      StatutActeChange
		vers   StatutActe
		refuse bool
	}{
		{"transmis", ActeEnAttenteEnvoi, StatutActeChange{Statut: ActeTransmis, NomArchive: "a.tar.gz", TransmisLe: le}, ActeTransmis, false},
		{"accusé de réception", ActeTransmis, StatutActeChange{Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le}, ActeAcquitte, false},
		{"accusé de réception arrivé avant « transmis »", ActeEnAttenteEnvoi, StatutActeChange{Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le}, ActeAcquitte, false},
		{"anomalie", ActeTransmis, StatutActeChange{Statut: ActeEnErreur, Anomalie: "Matière inconnue"}, ActeEnErreur, false},
		{"rejeu de l'accusé de réception", ActeAcquitte, StatutActeChange{Statut: ActeAcquitte, IdentifiantUnique: id, DateAR: le}, ActeAcquitte, false},
		{"annulation acquittée", ActeAnnulationTransmise, StatutActeChange{Statut: ActeAnnule, AnnuleLe: le}, ActeAnnule, false},
		{"un acte annulé ne revient pas", ActeAnnule, StatutActeChange{Statut: ActeTransmis}, ActeAnnule, true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			a := &Acte{NumeroInterne: "DE2026_001", Statut: c.depuis}
			c.c.ActeID, c.c.Le = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87", le
			if err := c.c.Validate(); err != nil {
				t.Fatal(err)
			}
			err := c.c.Appliquer(a)
			if (err != nil) != c.refuse || a.Statut != c.vers {
				t.Fatalf("statut %s, erreur %v", a.Statut, err)
			}
			if c.vers == ActeAcquitte && (a.IdentifiantUnique != id || !a.DateAR.Equal(le)) {
				t.Fatalf("accusé de réception non gardé : %+v", a)
			}
		})
	}
}

func TestMessagesEtDemandesInvalidesRefusesEnFrancais(t *testing.T) {
	le := time.Now()
	const acte = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	cas := []struct {
		nom string
		err error
		dit string
	}{
		{"acquitté sans identifiant", (&StatutActeChange{ActeID: acte, Statut: ActeAcquitte, Le: le}).Validate(), "identifiant unique"},
		{"statut inconnu", (&StatutActeChange{ActeID: acte, Statut: "perdu", Le: le}).Validate(), "inconnu"},
		{"message d'un type inconnu", (&MessagePrefecture{ID: acte, ActeID: acte, Type: "fax", RecuLe: le}).Validate(), "inconnu"},
		{"transmission sans document", (&TransmissionActe{ActeID: acte, Le: le}).Validate(), "empreinte"},
		{"annulation d'un acte sans identifiant", (&AnnulationActe{ActeID: "x", Le: le}).Validate(), "invalide"},
	}
	for _, c := range cas {
		if c.err == nil || ErrorCode(c.err) != EINVALID || !strings.Contains(ErrorMessage(c.err), c.dit) {
			t.Errorf("%s : %v", c.nom, c.err)
		}
	}
}
