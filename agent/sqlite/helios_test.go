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

func pesImporte(t *testing.T, s *Store, par, nomFic, contenu string) (*xdemat.TransmissionPES, *xdemat.DossierParapheur) {
	t.Helper()
	doc := addDoc(t, s, nomFic+".xml", contenu)
	tr := &xdemat.TransmissionPES{ID: uuid.NewString(), Original: doc.SHA256, NomFic: nomFic, CodCol: "123", IdPost: "012345", CodBud: "01",
		Bordereaux: []xdemat.BordereauPES{{Domaine: "depense", Exercice: "2026", Numero: "7", Type: "01", Montant: 12345, NbPieces: 2}}}
	d := &xdemat.DossierParapheur{Titre: "Bordereaux PES mandats n° 7", Type: xdemat.DossierBordereau, Documents: []string{doc.SHA256}, DeposePar: par}
	if err := s.ImporterPES(ctx, tr, d, t0); err != nil {
		t.Fatal(err)
	}
	return tr, d
}

func TestPESImporteSigneTransmisPuisAcquitte(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, _ := mairie(t, s)
	tr, d := pesImporte(t, s, sec.ID, "PES2026_0007", "<PES_Aller/>")
	if tr.Statut != xdemat.HeliosASigner || tr.DossierID != d.ID || d.Etat != xdemat.DossierEnCours {
		t.Fatalf("import %+v / %+v", tr, d)
	}
	if got := pendingTypes(t, s); !strings.Contains(strings.Join(got, " "), "parapheur.depose") {
		t.Fatalf("le dépôt n'est pas confié à central : %v", got)
	}
	j, _ := s.Journal(ctx)
	if e := j[len(j)-1]; e.Action != "helios.importe" || e.Objet != tr.Original {
		t.Fatalf("journal %+v", e)
	}

	// Le même NomFic et CodCol une seconde fois : refusé, rien de plus.
	doc := addDoc(t, s, "autre.xml", "<PES_Aller>autre</PES_Aller>")
	double := &xdemat.TransmissionPES{ID: uuid.NewString(), Original: doc.SHA256, NomFic: "PES2026_0007", CodCol: "123", IdPost: "012345", CodBud: "01",
		Bordereaux: tr.Bordereaux}
	err := s.ImporterPES(ctx, double, &xdemat.DossierParapheur{Titre: "x", Type: xdemat.DossierBordereau, Documents: []string{doc.SHA256}, DeposePar: sec.ID}, t0)
	if xdemat.ErrorCode(err) != xdemat.ECONFLICT || !strings.Contains(xdemat.ErrorMessage(err), "déjà été importé") {
		t.Fatalf("doublon accepté : %v", err)
	}
	if ds, _ := s.DossiersParapheur(ctx, agent.FiltreDossiers{}); len(ds) != 1 {
		t.Fatalf("le doublon a laissé un dossier : %d dossiers", len(ds))
	}

	// Pas signé : rien à transmettre.
	if ts, err := s.TransmettrePESSignes(ctx, nil, t0); err != nil || len(ts) != 0 {
		t.Fatalf("transmis avant signature : %v %v", ts, err)
	}
	signe := addDoc(t, s, "pes-signe.xml", "<PES_Aller signé/>")
	a := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID, Document: signe.SHA256, Certificat: certificatTest()}
	if _, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, a, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Le PES signé manque encore sur ce poste : on attend.
	if ts, _ := s.TransmettrePESSignes(ctx, func(string) bool { return false }, t0); len(ts) != 0 {
		t.Fatal("transmis sans le fichier signé")
	}
	ts, err := s.TransmettrePESSignes(ctx, func(string) bool { return true }, t0.Add(2*time.Hour))
	if err != nil || len(ts) != 1 || ts[0].Document != signe.SHA256 || ts[0].Statut != xdemat.HeliosSigne {
		t.Fatalf("transmission %+v, %v", ts, err)
	}
	// Une seule fois.
	if ts, _ := s.TransmettrePESSignes(ctx, nil, t0.Add(3*time.Hour)); len(ts) != 0 {
		t.Fatal("transmis deux fois")
	}
	n := 0
	ops, _ := s.Pending(ctx, 0)
	for _, op := range ops {
		if op.Type == xdemat.OperationHeliosTransmettre {
			n++
			var p xdemat.TransmissionPES
			if json.Unmarshal(op.Payload, &p) != nil || p.ID != tr.ID || len(op.Documents) != 1 || op.Documents[0] != signe.SHA256 {
				t.Fatalf("opération %+v", op)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d opérations helios.transmettre", n)
	}

	// Central relaie : transmis, puis le refus du bordereau.
	statut := func(curseur int64, st xdemat.StatutTransmissionPES) {
		t.Helper()
		st.TransmissionID, st.DossierID, st.Le = tr.ID, d.ID, t0.Add(time.Duration(curseur)*time.Hour)
		data, _ := json.Marshal(st)
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: curseur, Type: xdemat.EvenementHeliosStatut, Objet: tr.ID, Payload: data, CreeLe: st.Le}}, curseur); err != nil {
			t.Fatal(err)
		}
	}
	statut(10, xdemat.StatutTransmissionPES{Statut: xdemat.HeliosTransmis, NomTransport: "PESALR2_21000000000000_260301_001.xml"})
	statut(11, xdemat.StatutTransmissionPES{Statut: xdemat.HeliosRefuse, Bordereaux: []xdemat.StatutBordereauPES{
		{Domaine: "depense", Exercice: "2026", Numero: "7", Statut: xdemat.HeliosRefuse, Explications: []string{"Le compte 6063 n'existe pas au budget : corrigez l'imputation."}}}})
	statut(12, xdemat.StatutTransmissionPES{Statut: xdemat.HeliosAcquitte}) // second verdict: ignored
	all, _ := s.TransmissionsPES(ctx)
	if len(all) != 1 || all[0].Statut != xdemat.HeliosRefuse || all[0].Bordereaux[0].Statut != xdemat.HeliosRefuse || all[0].NomTransport == "" {
		t.Fatalf("état local %+v", all[0])
	}
	if j, _ := s.Journal(ctx); xdemat.VerifierJournal(j) != nil {
		t.Fatal("journal local rompu")
	}
	ns, _ := s.Notifications(ctx, agent.FiltreNotifications{Pour: sec.ID, Service: xdemat.ServiceHelios}, t0)
	if len(ns) != 1 || ns[0].Type != xdemat.NotificationHeliosRefuse || !strings.Contains(ns[0].Texte, "6063") || !strings.Contains(ns[0].Texte, "Corrigez") {
		t.Fatalf("notification de refus %+v", ns)
	}
}

func TestPESRelayeDUnAutrePoste(t *testing.T) {
	s, _ := openTest(t)
	tr := xdemat.TransmissionPES{ID: uuid.NewString(), DossierID: uuid.NewString(), Original: strings.Repeat("a", 64), Document: strings.Repeat("b", 64),
		NomFic: "PES_A", CodCol: "123", IdPost: "1", CodBud: "01", Statut: xdemat.HeliosSigne,
		Bordereaux: []xdemat.BordereauPES{{Domaine: "recette", Exercice: "2026", Numero: "3", Statut: xdemat.HeliosSigne}}}
	data, _ := json.Marshal(tr)
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 1, Type: xdemat.OperationHeliosTransmettre, Objet: tr.ID, Payload: data, CreeLe: t0}}, 1); err != nil {
		t.Fatal(err)
	}
	st, _ := json.Marshal(xdemat.StatutTransmissionPES{TransmissionID: tr.ID, DossierID: tr.DossierID, Statut: xdemat.HeliosAcquitte, Le: t0})
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 2, Type: xdemat.EvenementHeliosStatut, Objet: tr.ID, Payload: st, CreeLe: t0}}, 2); err != nil {
		t.Fatal(err)
	}
	all, _ := s.TransmissionsPES(ctx)
	if len(all) != 1 || all[0].Statut != xdemat.HeliosAcquitte {
		t.Fatalf("%+v", all)
	}
}

func TestPESRefuseAuParapheurPeutRevenir(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, _ := mairie(t, s)
	_, d := pesImporte(t, s, sec.ID, "PES2026_0008", "<PES_Aller>1</PES_Aller>")
	if _, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurRefuse, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID, Motif: "Mauvais exercice"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The same NomFic again: the first never left, the new one is taken.
	nouveau, _ := pesImporte(t, s, sec.ID, "PES2026_0008", "<PES_Aller>2</PES_Aller>")
	all, _ := s.TransmissionsPES(ctx)
	if len(all) != 1 || all[0].ID != nouveau.ID {
		t.Fatalf("transmissions %+v", all)
	}
}
