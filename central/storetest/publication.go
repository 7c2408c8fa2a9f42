package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// acteTest is a valid acte of the commune whose main document is doc.
func acteTest(nature xdemat.NatureActe, numero string, decision time.Time, doc *xdemat.Document) *xdemat.Acte {
	return &xdemat.Acte{ID: uuid.NewString(), Nature: nature, NumeroInterne: numero, DateDecision: decision,
		Objet: "Objet de l'acte " + numero, Classification: "3.2", DateClassification: decision,
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: doc.NomOriginal, TypeMedia: "application/pdf", Taille: doc.Taille, TypePiece: nature.TypePieceParDefaut()},
		Statut:            xdemat.ActeEnAttenteEnvoi, CreeLe: decision}
}

func publication(a *xdemat.Acte) *xdemat.PublicationActe {
	return &xdemat.PublicationActe{ActeID: a.ID, Auteur: xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"},
		PublieLe: time.Now(), DocumentSHA256: a.DocumentPrincipal.SHA256}
}

func idsPublies(ls []*central.ActePublie) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Acte.NumeroInterne)
	}
	return out
}

func notificationsDeType(t *testing.T, s central.Store, p *xdemat.Poste, typ string) []*xdemat.Notification {
	t.Helper()
	var out []*xdemat.Notification
	for _, n := range must(s.Notifications(as(p)))(t) {
		if n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

func testPublication(t *testing.T, open Opener) {
	s := open.new(t)
	ps, ok := s.(central.PublicationStore)
	if !ok {
		t.Skip("ce magasin ne gère pas la publication")
	}
	ctx := context.Background()
	seance := time.Date(2026, 3, 13, 0, 0, 0, 0, xdemat.Paris)
	t1 := time.Date(2026, 3, 14, 10, 0, 0, 0, xdemat.Paris)

	a := commune(t, s, "Auve")
	b := commune(t, s, "Bussy")
	pa, pb := poste(t, s, a.ID, "Mairie d'Auve"), poste(t, s, b.ID, "Mairie de Bussy")
	d1, d2, d3 := document(t, s, pa, "délibération 1"), document(t, s, pa, "arrêté 2"), document(t, s, pa, "délibération 3")
	db := document(t, s, pb, "délibération de Bussy")
	a1 := acteTest(xdemat.NatureDeliberation, "DE2026_001", seance, d1)
	a2 := acteTest(xdemat.NatureActeReglementaire, "AR2026_002", seance.AddDate(0, 0, -3), d2)
	a3 := acteTest(xdemat.NatureDeliberation, "DE2026_003", seance, d3)
	b1 := acteTest(xdemat.NatureDeliberation, "DE2026_001", seance, db)

	seqA := int64(0)
	applyA := func(now time.Time, typ string, payload any, docs ...string) {
		t.Helper()
		seqA++
		if _, err := s.ApplyOperations(as(pa), []*xdemat.Operation{opParapheur(t, seqA, typ, "secretaire", payload, docs...)}, now); err != nil {
			t.Fatalf("%s : %v", typ, err)
		}
	}
	for _, ac := range []*xdemat.Acte{a1, a2, a3} {
		applyA(t1, xdemat.OperationActeCree, ac)
	}
	applyA(t1, xdemat.OperationActePublier, publication(a1))
	applyA(t1.Add(time.Hour), xdemat.OperationActePublier, publication(a2))
	if _, err := s.ApplyOperations(as(pb), []*xdemat.Operation{opParapheur(t, 1, xdemat.OperationActeCree, "", b1), opParapheur(t, 2, xdemat.OperationActePublier, "", publication(b1))}, t1); err != nil {
		t.Fatal(err)
	}

	t.Run("seuls les actes publiés de la commune sont en ligne, le plus récent d'abord", func(t *testing.T) {
		now := t1.Add(2 * time.Hour)
		ls, total, err := ps.ActesPublies(ctx, a.ID, now, 0, 0)
		if got := idsPublies(ls); err != nil || total != 2 || len(got) != 2 || got[0] != "AR2026_002" || got[1] != "DE2026_001" {
			t.Fatalf("actes publiés d'Auve : %v sur %d (%v)", got, total, err)
		}
		if ls, total, _ := ps.ActesPublies(ctx, a.ID, now, 1, 1); total != 2 || len(ls) != 1 || ls[0].Acte.ID != a1.ID {
			t.Fatalf("deuxième page : %v sur %d", idsPublies(ls), total)
		}
		if _, err := ps.ActePublie(ctx, a.ID, a3.ID, now); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("acte non publié trouvé : %v", err)
		}
		if _, err := ps.ActePublie(ctx, a.ID, b1.ID, now); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("acte de Bussy trouvé chez Auve : %v", err)
		}
		ap := must(ps.ActePublie(ctx, a.ID, a1.ID, now))(t)
		sameTime(t, "mis en ligne le", ap.Publication.PublieLe, t1)
		if ap.Publication.Auteur.String() != "Jacques Bertin, Maire" || ap.Acte.Objet != a1.Objet {
			t.Fatalf("acte publié : %+v", ap)
		}
		if got, total, _ := ps.ActesPublies(ctx, a.ID, t1.Add(-time.Minute), 0, 0); len(got) != 0 || total != 0 {
			t.Fatal("en ligne avant sa mise en ligne")
		}
	})

	t.Run("publier de nouveau ne change pas la date de mise en ligne", func(t *testing.T) {
		applyA(t1.AddDate(0, 0, 1), xdemat.OperationActePublier, publication(a1))
		sameTime(t, "mis en ligne le", must(ps.ActePublie(ctx, a.ID, a1.ID, t1.AddDate(0, 0, 2)))(t).Publication.PublieLe, t1)
	})

	t.Run("un document autre que celui de l'acte n'est pas publié", func(t *testing.T) {
		pub := publication(a3)
		pub.DocumentSHA256 = d1.SHA256
		applyA(t1, xdemat.OperationActePublier, pub)
		if _, err := ps.ActePublie(ctx, a.ID, a3.ID, t1.Add(time.Hour)); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("publié avec un autre document : %v", err)
		}
		if len(notificationsDeType(t, s, pa, xdemat.NotificationEnvoiRefuse)) != 1 {
			t.Fatal("le refus n'est pas signalé à la commune")
		}
	})

	t.Run("la liste des délibérations de la séance (CM-26)", func(t *testing.T) {
		se := must(ps.SeancePubliee(ctx, a.ID, seance, t1.Add(2*time.Hour)))(t)
		if got := idsPublies(se.Deliberations); len(got) != 1 || got[0] != "DE2026_001" || se.PV != nil {
			t.Fatalf("séance : %v, PV %v", got, se.PV)
		}
		// Every délibération examined is listed, published in full or not.
		if len(se.Examinees) != 2 || se.Examinees[0].ID != a1.ID || se.Examinees[1].ID != a3.ID || se.Publiee(a3.ID) != nil || se.Publiee(a1.ID) == nil {
			t.Fatalf("délibérations examinées : %+v", se.Examinees)
		}
		jours := must(ps.SeancesPubliees(ctx, a.ID, t1.Add(2*time.Hour)))(t)
		if len(jours) != 1 || !jours[0].Equal(seance) {
			t.Fatalf("séances : %v", jours)
		}
		if _, err := ps.SeancePubliee(ctx, a.ID, seance.AddDate(0, 0, -3), t1.Add(2*time.Hour)); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("un arrêté fait une séance : %v", err)
		}
	})

	t.Run("rappel deux jours avant l'échéance d'une semaine (CM-25, CM-26), une fois", func(t *testing.T) {
		// Cuperly has put nothing of its séance online; Auve and Bussy
		// have (one délibération published puts the whole list online).
		c := commune(t, s, "Cuperly")
		pc := poste(t, s, c.ID, "Mairie de Cuperly")
		c1 := acteTest(xdemat.NatureDeliberation, "DE2026_001", seance, document(t, s, pc, "délibération de Cuperly"))
		if _, err := s.ApplyOperations(as(pc), []*xdemat.Operation{opParapheur(t, 1, xdemat.OperationActeCree, "", c1)}, t1); err != nil {
			t.Fatal(err)
		}
		if n := must(ps.RappelerPublications(ctx, seance.AddDate(0, 0, 5)))(t); n != 0 {
			t.Fatalf("%d rappels trois jours avant l'échéance", n)
		}
		rappel := seance.AddDate(0, 0, 6).Add(9 * time.Hour)
		if n := must(ps.RappelerPublications(ctx, rappel))(t); n != 1 {
			t.Fatalf("%d rappels, attendu un pour Cuperly seulement", n)
		}
		if n := must(ps.RappelerPublications(ctx, rappel.Add(time.Hour)))(t); n != 0 {
			t.Fatalf("rappel répété : %d", n)
		}
		ns := notificationsDeType(t, s, pc, xdemat.NotificationPublicationSeance)
		if len(ns) != 1 || !ns[0].Echeance.Equal(xdemat.EcheancePublicationSeance(seance)) || !strings.Contains(ns[0].Texte, "liste des délibérations") || strings.Contains(ns[0].Texte, "procès-verbal") {
			t.Fatalf("rappel de Cuperly : %+v", ns)
		}
		if len(notificationsDeType(t, s, pa, xdemat.NotificationPublicationSeance)) != 0 || len(notificationsDeType(t, s, pb, xdemat.NotificationPublicationSeance)) != 0 {
			t.Fatal("rappel d'une liste déjà en ligne")
		}

		// Auve's next séance adopts the PV of the first (CM-23): due online
		// within its week (CM-25), its list being online already.
		suivante := seance.AddDate(0, 0, 21)
		a4 := acteTest(xdemat.NatureDeliberation, "DE2026_005", suivante, document(t, s, pa, "délibération 5"))
		applyA(suivante.Add(20*time.Hour), xdemat.OperationActeCree, a4)
		applyA(suivante.Add(20*time.Hour), xdemat.OperationActePublier, publication(a4))
		if n := must(ps.RappelerPublications(ctx, suivante.AddDate(0, 0, 6).Add(9*time.Hour)))(t); n != 1 {
			t.Fatalf("%d rappels pour le procès-verbal adopté, attendu 1", n)
		}
		ns = notificationsDeType(t, s, pa, xdemat.NotificationPublicationSeance)
		if len(ns) != 1 || !strings.Contains(ns[0].Texte, "procès-verbal de la séance du 13/03/2026") || strings.Contains(ns[0].Texte, "liste") {
			t.Fatalf("rappel du procès-verbal d'Auve : %+v", ns)
		}
	})

	t.Run("procès-verbal publié (CM-25)", func(t *testing.T) {
		doc := document(t, s, pa, "procès-verbal du 13 mars")
		pv := &xdemat.ProcesVerbal{ID: uuid.NewString(), DateSeance: seance, DocumentSHA256: doc.SHA256, Nom: "PV.pdf", Taille: doc.Taille, PublieLe: t1}
		seqA++
		if _, err := s.ApplyOperations(as(pa), []*xdemat.Operation{opParapheur(t, seqA, xdemat.OperationPVPublier, "", pv)}, t1); xdemat.ErrorCode(err) != xdemat.EINVALID {
			t.Fatalf("procès-verbal sans son document accepté : %v", err)
		}
		seqA--
		applyA(t1.Add(3*time.Hour), xdemat.OperationPVPublier, pv, doc.SHA256)
		se := must(ps.SeancePubliee(ctx, a.ID, seance, t1.AddDate(0, 0, 1)))(t)
		if se.PV == nil || se.PV.DocumentSHA256 != doc.SHA256 {
			t.Fatalf("PV : %+v", se.PV)
		}
		if _, err := ps.ProcesVerbal(ctx, b.ID, pv.ID, t1.AddDate(0, 0, 1)); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatal("PV d'Auve lu chez Bussy")
		}
		if _, err := ps.SeancePubliee(ctx, b.ID, seance, t1.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("retrait : pas avant deux mois (PUB-08)", func(t *testing.T) {
		applyA(t1.AddDate(0, 0, 10), xdemat.OperationActeDepublier, &xdemat.RetraitPublication{ActeID: a2.ID, Le: t1})
		if _, err := ps.ActePublie(ctx, a.ID, a2.ID, t1.AddDate(0, 0, 11)); err != nil {
			t.Fatalf("retiré avant deux mois : %v", err)
		}
		if len(notificationsDeType(t, s, pa, xdemat.NotificationEnvoiRefuse)) != 2 {
			t.Fatal("le refus du retrait n'est pas expliqué")
		}
		retrait := t1.AddDate(0, 3, 0)
		applyA(retrait, xdemat.OperationActeDepublier, &xdemat.RetraitPublication{ActeID: a2.ID, Le: retrait})
		if _, err := ps.ActePublie(ctx, a.ID, a2.ID, retrait.Add(time.Minute)); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("toujours en ligne après son retrait : %v", err)
		}
		if _, err := ps.ActePublie(ctx, a.ID, a2.ID, retrait.Add(-time.Minute)); err != nil {
			t.Fatalf("l'acte était en ligne avant son retrait : %v", err)
		}
	})

	t.Run("mode de publicité (PUB-04, PUB-05)", func(t *testing.T) {
		cp := must(ps.CommunePublique(ctx, a.SIREN))(t)
		if cp.Commune.ID != a.ID || cp.Publicite.Mode != xdemat.PubliciteElectronique {
			t.Fatalf("par défaut : %+v", cp)
		}
		papier := &xdemat.Publicite{Mode: xdemat.PublicitePapier, DateDeliberation: seance, ReferenceDeliberation: "DE2026_001", ModifieLe: t1}
		applyA(t1, xdemat.OperationCommunePublicite, papier)
		if cp := must(ps.CommunePublique(ctx, a.SIREN))(t); cp.Publicite.Mode != xdemat.PublicitePapier || cp.Publicite.ReferenceDeliberation != "DE2026_001" {
			t.Fatalf("papier non enregistré : %+v", cp.Publicite)
		}
		// A commune of 3,500 inhabitants or more publishes electronically.
		grande := &xdemat.Commune{SIREN: SIREN(), Nom: "Grande-Ville", Departement: "51", Population: 12000}
		if err := s.CreateCommune(ctx, grande); err != nil {
			t.Fatal(err)
		}
		pg := poste(t, s, grande.ID, "Mairie de Grande-Ville")
		apply(t, s, pg, []*xdemat.Operation{opParapheur(t, 1, xdemat.OperationCommunePublicite, "", papier)}, 1)
		if cp := must(ps.CommunePublique(ctx, grande.SIREN))(t); cp.Publicite.Mode != xdemat.PubliciteElectronique {
			t.Fatalf("papier accepté à 12 000 habitants : %+v", cp.Publicite)
		}
		if _, err := ps.CommunePublique(ctx, "123456789"); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
			t.Fatalf("SIREN inconnu : %v", err)
		}
		cs := must(ps.CommunesPubliques(ctx, t1.AddDate(0, 0, 1)))(t)
		if len(cs) != 2 || cs[0].Commune.ID != a.ID || cs[1].Commune.ID != b.ID {
			t.Fatalf("communes qui publient : %d", len(cs))
		}
	})
}
