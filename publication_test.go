package xdemat

import (
	"strings"
	"testing"
	"time"
)

const (
	acteIDTest = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	sha256Test = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

func publicationTest(publieLe time.Time) PublicationActe {
	return PublicationActe{ActeID: acteIDTest, Auteur: AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"},
		PublieLe: publieLe, DocumentSHA256: sha256Test}
}

func TestPUB07_LActePublieMontreLeNomEtLaQualiteDeSonAuteur(t *testing.T) {
	le := time.Date(2026, 3, 14, 10, 0, 0, 0, Paris)
	cas := []struct {
		nom    string
		auteur AuteurActe
		refuse bool
	}{
		{"prénom, nom et qualité", AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}, false},
		{"sans qualité", AuteurActe{Prenom: "Jacques", Nom: "Bertin"}, true},
		{"sans prénom", AuteurActe{Nom: "Bertin", Qualite: "Maire"}, true},
		{"espaces seulement", AuteurActe{Prenom: " ", Nom: "Bertin", Qualite: "Maire"}, true},
		{"caractère de contrôle", AuteurActe{Prenom: "Jacques\x00", Nom: "Bertin", Qualite: "Maire"}, true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			p := publicationTest(le)
			p.Auteur = c.auteur
			err := p.Validate()
			if (err != nil) != c.refuse {
				t.Fatalf("erreur %v, refus attendu %v", err, c.refuse)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Fatalf("code %s", ErrorCode(err))
			}
		})
	}
	if got := (AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}).String(); got != "Jacques Bertin, Maire" {
		t.Fatalf("mention de l'auteur : %q", got)
	}
}

func TestPUB08_UnActeResteEnLigneAuMoinsDeuxMois(t *testing.T) {
	publie := time.Date(2026, 3, 14, 10, 0, 0, 0, Paris)
	cas := []struct {
		nom     string
		retrait time.Time
		refuse  bool
	}{
		{"le lendemain", publie.AddDate(0, 0, 1), true},
		{"la veille des deux mois", time.Date(2026, 5, 14, 9, 59, 0, 0, Paris), true},
		{"deux mois jour pour jour", time.Date(2026, 5, 14, 10, 0, 0, 0, Paris), false},
		{"un an après", publie.AddDate(1, 0, 0), false},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			p := publicationTest(publie)
			err := p.Retirer(c.retrait)
			if (err != nil) != c.refuse {
				t.Fatalf("erreur %v, refus attendu %v", err, c.refuse)
			}
			if c.refuse {
				if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "14/05/2026") {
					t.Fatalf("le refus doit dire à partir de quand : %v", err)
				}
				if !p.RetireLe.IsZero() || !p.EnLigne(c.retrait) {
					t.Fatal("un retrait refusé a retiré l'acte")
				}
				return
			}
			if p.EnLigne(c.retrait) || !p.EnLigne(c.retrait.Add(-time.Second)) {
				t.Fatal("l'acte doit être en ligne jusqu'à son retrait, plus après")
			}
			if p.Retirer(c.retrait.AddDate(0, 1, 0)) == nil {
				t.Fatal("un acte retiré ne se retire pas deux fois")
			}
		})
	}
	t.Run("une publication reçue avec un retrait trop tôt est refusée", func(t *testing.T) {
		p := publicationTest(publie)
		p.RetireLe = publie.AddDate(0, 1, 0)
		if p.Validate() == nil {
			t.Fatal("retrait avant deux mois accepté")
		}
	})
	t.Run("par défaut, en ligne pour toujours (PUB-03)", func(t *testing.T) {
		p := publicationTest(publie)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		if !p.EnLigne(publie.AddDate(30, 0, 0)) || p.EnLigne(publie.Add(-time.Minute)) {
			t.Fatal("une publication sans retrait reste en ligne dès sa mise en ligne")
		}
	})
}

func TestPUB04_PUB05_ModeDePublicite(t *testing.T) {
	delib := time.Date(2025, 6, 12, 0, 0, 0, 0, Paris)
	cas := []struct {
		nom        string
		population int
		p          Publicite
		code       string // "" = accepted
	}{
		{"par défaut, électronique", 180, Publicite{}, ""},
		{"papier sous 3 500 habitants, avec sa délibération", 180, Publicite{Mode: PublicitePapier, DateDeliberation: delib, ReferenceDeliberation: "DE2025_014"}, ""},
		{"affichage à 3 499 habitants", 3499, Publicite{Mode: PubliciteAffichage, DateDeliberation: delib, ReferenceDeliberation: "DE2025_014"}, ""},
		{"papier à 3 500 habitants (PUB-05)", 3500, Publicite{Mode: PublicitePapier, DateDeliberation: delib, ReferenceDeliberation: "DE2025_014"}, EFORBIDDEN},
		{"électronique à 12 000 habitants", 12000, Publicite{Mode: PubliciteElectronique}, ""},
		{"papier sans délibération", 180, Publicite{Mode: PublicitePapier}, EINVALID},
		{"papier sans numéro de délibération", 180, Publicite{Mode: PublicitePapier, DateDeliberation: delib}, EINVALID},
		{"retour à l'électronique par délibération", 180, Publicite{Mode: PubliciteElectronique, DateDeliberation: delib, ReferenceDeliberation: "DE2025_020"}, ""},
		{"délibération datée du futur", 180, Publicite{Mode: PublicitePapier, DateDeliberation: time.Now().AddDate(0, 0, 3), ReferenceDeliberation: "X"}, EINVALID},
		{"mode inconnu", 180, Publicite{Mode: "pigeon"}, EINVALID},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			err := c.p.Validate(c.population)
			if ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
				t.Fatalf("erreur %v, code attendu %q", err, c.code)
			}
		})
	}
	if !PubliciteParDefaut().EnLigne() || (Publicite{Mode: PublicitePapier}).EnLigne() {
		t.Fatal("seule la publication électronique met les actes en ligne")
	}
}

func TestCM25_CM26_LaSeanceEstEnLigneSousHuitJours(t *testing.T) {
	seance := time.Date(2026, 11, 20, 20, 30, 0, 0, Paris) // a Friday evening
	echeance := EcheancePublicationSeance(seance)
	if want := time.Date(2026, 11, 28, 0, 0, 0, 0, Paris); !echeance.Equal(want) {
		t.Fatalf("échéance %v, attendue %v (fin du septième jour)", echeance, want)
	}
	cas := []struct {
		nom    string
		now    time.Time
		rappel bool
	}{
		{"le lendemain de la séance", time.Date(2026, 11, 21, 9, 0, 0, 0, Paris), false},
		{"trois jours avant l'échéance", time.Date(2026, 11, 25, 9, 0, 0, 0, Paris), false},
		{"deux jours avant l'échéance", time.Date(2026, 11, 26, 0, 0, 0, 0, Paris), true},
		{"le dernier jour", time.Date(2026, 11, 27, 23, 0, 0, 0, Paris), true},
		{"échéance passée", time.Date(2026, 11, 28, 0, 0, 0, 0, Paris), false},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			if got := RappelPublicationDu(seance, c.now); got != c.rappel {
				t.Fatalf("rappel %v, attendu %v", got, c.rappel)
			}
		})
	}
	if JourSeance(seance) != "2026-11-20" {
		t.Fatalf("jour de séance %q", JourSeance(seance))
	}
	if d, err := ParseJourSeance("2026-11-20"); err != nil || !d.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, Paris)) {
		t.Fatalf("lecture de la date : %v %v", d, err)
	}
	for _, s := range []string{"", "20/11/2026", "2026-13-01", "2026-11-20/../x"} {
		if _, err := ParseJourSeance(s); err == nil {
			t.Fatalf("date %q acceptée", s)
		}
	}
}

func TestCM25_ProcesVerbal(t *testing.T) {
	ok := ProcesVerbal{ID: acteIDTest, DateSeance: time.Date(2026, 11, 20, 0, 0, 0, 0, Paris), DocumentSHA256: sha256Test, Nom: "PV 20-11-2026.pdf", Taille: 1200, PublieLe: time.Now()}
	cas := []struct {
		nom    string
		change func(*ProcesVerbal)
		refuse bool
	}{
		{"complet", func(*ProcesVerbal) {}, false},
		{"sans date de séance", func(p *ProcesVerbal) { p.DateSeance = time.Time{} }, true},
		{"séance à venir", func(p *ProcesVerbal) { p.DateSeance = time.Now().AddDate(0, 0, 2) }, true},
		{"sans document", func(p *ProcesVerbal) { p.DocumentSHA256 = "" }, true},
		{"nom de fichier avec un chemin", func(p *ProcesVerbal) { p.Nom = "../pv.pdf" }, true},
		{"identifiant invalide", func(p *ProcesVerbal) { p.ID = "1" }, true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			pv := ok
			c.change(&pv)
			if err := pv.Validate(); (err != nil) != c.refuse {
				t.Fatalf("erreur %v, refus attendu %v", err, c.refuse)
			}
		})
	}
}

func TestOperationsDePublication(t *testing.T) {
	for _, typ := range []string{OperationActePublier, OperationActeDepublier, OperationPVPublier, OperationCommunePublicite} {
		if !typeOperationRE.MatchString(typ) || !EstOperationPublication(typ) {
			t.Fatalf("type d'opération %q mal formé", typ)
		}
		if EstOperationActe(typ) {
			t.Fatalf("%q est pris pour une opération de transmission", typ)
		}
	}
}
