package sqlite

import (
	"encoding/json"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

// enroler gives the poste its commune, with its population.
func enroler(t *testing.T, s *Store, population int) {
	t.Helper()
	id := &agent.Identity{PosteID: "p-1", Commune: xdemat.Commune{ID: "c-1", SIREN: "215100009", Nom: "Auve", Departement: "51", Population: population},
		CentralURL: "https://central.test", CentralCert: "00", EnrolleLe: t0}
	if err := s.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestPublicationDUnActe(t *testing.T) {
	s, _ := openTest(t)
	enroler(t, s, 412)
	sec, _, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_001", "%PDF délibération publiée")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}

	t.Run("PUB-07 : le maire connu du poste est proposé comme auteur", func(t *testing.T) {
		e, err := s.EtatPublicationActe(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Publication != nil || !e.EnLigne || e.AuteurPropose != (xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}) {
			t.Fatalf("état %+v", e)
		}
	})

	t.Run("PUB-07 : sans auteur complet, rien n'est publié", func(t *testing.T) {
		_, err := s.PublierActe(ctx, a.ID, xdemat.AuteurActe{Nom: "Bertin"}, sec.ID, t0)
		wantCode(t, err, xdemat.EINVALID)
		if len(opsDeType(t, s, xdemat.OperationActePublier)) != 0 {
			t.Fatal("opération créée")
		}
	})

	auteur := xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}
	t.Run("publier : une opération avec le document, l'historique, le journal ; une seule fois", func(t *testing.T) {
		p, err := s.PublierActe(ctx, a.ID, auteur, sec.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		if p.DocumentSHA256 != a.DocumentPrincipal.SHA256 || !p.PublieLe.Equal(t0) {
			t.Fatalf("publication %+v", p)
		}
		if _, err := s.PublierActe(ctx, a.ID, auteur, sec.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		ops := opsDeType(t, s, xdemat.OperationActePublier)
		if len(ops) != 1 || len(ops[0].Documents) != 1 || ops[0].Documents[0] != a.DocumentPrincipal.SHA256 {
			t.Fatalf("opérations %+v", ops)
		}
		var recu xdemat.PublicationActe
		if json.Unmarshal(ops[0].Payload, &recu) != nil || recu.Validate() != nil || recu.Auteur != auteur {
			t.Fatalf("contenu %s", ops[0].Payload)
		}
		f, _ := s.FicheActe(ctx, a.ID)
		if h := f.Historique[len(f.Historique)-1]; h.Action != xdemat.OperationActePublier {
			t.Fatalf("historique %+v", h)
		}
		if d, _ := s.DatePublicationActe(ctx, a.ID); !d.Equal(t0) {
			t.Fatalf("date de publication %v", d)
		}
	})

	t.Run("la date de mise en ligne est celle de central", func(t *testing.T) {
		central := xdemat.PublicationActe{ActeID: a.ID, Auteur: auteur, PublieLe: t0.Add(26 * time.Hour), DocumentSHA256: a.DocumentPrincipal.SHA256}
		b, _ := json.Marshal(central)
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 1, Type: xdemat.OperationActePublier, Objet: a.ID, Payload: b, CreeLe: central.PublieLe}}, 1); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.DatePublicationActe(ctx, a.ID); !d.Equal(central.PublieLe) {
			t.Fatalf("date de publication %v, celle de central %v", d, central.PublieLe)
		}
	})

	t.Run("PUB-08 : pas de retrait avant deux mois", func(t *testing.T) {
		_, err := s.DepublierActe(ctx, a.ID, sec.ID, t0.AddDate(0, 1, 0))
		wantCode(t, err, xdemat.EFORBIDDEN)
		if len(opsDeType(t, s, xdemat.OperationActeDepublier)) != 0 {
			t.Fatal("retrait envoyé")
		}
		e, _ := s.EtatPublicationActe(ctx, a.ID)
		if e.RetraitPossible.IsZero() {
			t.Fatal("la date de retrait possible n'est pas dite")
		}
		if _, err := s.DepublierActe(ctx, a.ID, sec.ID, t0.AddDate(0, 3, 0)); err != nil {
			t.Fatal(err)
		}
		if len(opsDeType(t, s, xdemat.OperationActeDepublier)) != 1 {
			t.Fatal("retrait non envoyé")
		}
		if d, _ := s.DatePublicationActe(ctx, a.ID); !d.IsZero() {
			t.Fatal("un acte retiré garde sa date de publication sur le tampon")
		}
	})
}

func TestModeDePubliciteDuPoste(t *testing.T) {
	delib := time.Date(2025, 6, 12, 0, 0, 0, 0, xdemat.Paris)
	papier := xdemat.Publicite{Mode: xdemat.PublicitePapier, DateDeliberation: delib, ReferenceDeliberation: "DE2025_014"}

	t.Run("PUB-04 : papier sous 3 500 habitants, et les actes ne vont plus sur le site (PUB-09)", func(t *testing.T) {
		s, _ := openTest(t)
		enroler(t, s, 412)
		sec, _, _ := mairie(t, s)
		e, err := s.Publicite(ctx)
		if err != nil || e.Publicite.Mode != xdemat.PubliciteElectronique || !e.PeutChoisir {
			t.Fatalf("par défaut %+v (%v)", e, err)
		}
		if e, err = s.ChoisirPublicite(ctx, papier, sec.ID, t0); err != nil || e.Publicite.Mode != xdemat.PublicitePapier {
			t.Fatalf("papier %+v (%v)", e, err)
		}
		if len(opsDeType(t, s, xdemat.OperationCommunePublicite)) != 1 {
			t.Fatal("opération absente")
		}
		a := deliberation(t, s, "DE2026_001", "%PDF en mairie")
		if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
			t.Fatal(err)
		}
		_, err = s.PublierActe(ctx, a.ID, xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}, sec.ID, t0)
		wantCode(t, err, xdemat.ECONFLICT)
		if st, _ := s.EtatPublicationActe(ctx, a.ID); st.EnLigne {
			t.Fatal("« Publier sur le site » proposé en publication papier")
		}
	})

	t.Run("PUB-05 : à 3 500 habitants, la publication reste électronique", func(t *testing.T) {
		s, _ := openTest(t)
		enroler(t, s, 3500)
		e, _ := s.Publicite(ctx)
		if e.PeutChoisir {
			t.Fatal("choix offert à 3 500 habitants")
		}
		_, err := s.ChoisirPublicite(ctx, papier, "u", t0)
		wantCode(t, err, xdemat.EFORBIDDEN)
		if len(opsDeType(t, s, xdemat.OperationCommunePublicite)) != 0 {
			t.Fatal("opération créée")
		}
	})
}

func TestPublicationDuProcesVerbal(t *testing.T) {
	s, _ := openTest(t)
	enroler(t, s, 412)
	seance := t0.AddDate(0, 0, -3)
	doc := addDoc(t, s, "PV du conseil.pdf", "%PDF procès-verbal")
	pv, err := s.PublierPV(ctx, seance, doc, "u", t0)
	if err != nil {
		t.Fatal(err)
	}
	ops := opsDeType(t, s, xdemat.OperationPVPublier)
	if len(ops) != 1 || len(ops[0].Documents) != 1 || ops[0].Documents[0] != doc.SHA256 {
		t.Fatalf("opérations %+v", ops)
	}
	pvs, err := s.ProcesVerbaux(ctx)
	if err != nil || len(pvs) != 1 || pvs[0].ID != pv.ID {
		t.Fatalf("procès-verbaux %+v (%v)", pvs, err)
	}
	texte := addDoc(t, s, "PV.odt", "texte")
	_, err = s.PublierPV(ctx, seance, texte, "u", t0)
	wantCode(t, err, xdemat.EINVALID)
	_, err = s.PublierPV(ctx, time.Now().AddDate(0, 0, 5), doc, "u", t0) // a séance still to come
	wantCode(t, err, xdemat.EINVALID)
}

func TestPUB06_PasDePublicationAvantLaSignatureDuParapheur(t *testing.T) {
	s, _ := openTest(t)
	enroler(t, s, 412)
	sec, _, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_002", "%PDF à signer")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnvoyerActe(ctx, a.ID, sec.ID, true, nil, t0); err != nil {
		t.Fatal(err)
	}
	_, err := s.PublierActe(ctx, a.ID, xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"}, sec.ID, t0)
	wantCode(t, err, xdemat.ECONFLICT)
	if len(opsDeType(t, s, xdemat.OperationActePublier)) != 0 {
		t.Fatal("acte non signé publié")
	}
}
