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

// mairie records the secretary, the maire and an adjoint of the commune.
func mairie(t *testing.T, s *Store) (sec, maire, adjoint *xdemat.Utilisateur) {
	t.Helper()
	sec = &xdemat.Utilisateur{CommuneID: "c-1", Nom: "Lefèvre", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true}
	maire = &xdemat.Utilisateur{CommuneID: "c-1", Nom: "Bertin", Prenom: "Jacques", Role: xdemat.RoleMaire, Actif: true}
	adjoint = &xdemat.Utilisateur{CommuneID: "c-1", Nom: "Roux", Prenom: "Marie", Role: xdemat.RoleAdjoint, Actif: true}
	for _, u := range []*xdemat.Utilisateur{sec, maire, adjoint} {
		if err := s.SaveUtilisateur(ctx, u, "technicien", t0); err != nil {
			t.Fatal(err)
		}
	}
	return
}

func certificatTest() *xdemat.CertificatSignataire {
	return &xdemat.CertificatSignataire{Sujet: "CN=Jacques Bertin,O=Commune de Test,C=FR", Emetteur: "CN=AC de test", Serie: "1f2e",
		ValideDu: t0.AddDate(-1, 0, 0), ValideAu: t0.AddDate(1, 0, 0), Empreinte: strings.Repeat("d", 64)}
}

func deposer(t *testing.T, s *Store, par string, typ xdemat.TypeDossier, contenu string) *xdemat.DossierParapheur {
	t.Helper()
	doc := addDoc(t, s, "arrete.pdf", contenu)
	d := &xdemat.DossierParapheur{Titre: "Arrêté de voirie rue des Écoles", Type: typ, Documents: []string{doc.SHA256}, DeposePar: par}
	if err := s.DeposerDossier(ctx, d, t0); err != nil {
		t.Fatal(err)
	}
	return d
}

func notificationsPour(t *testing.T, s *Store, u string) []*xdemat.Notification {
	t.Helper()
	ns, err := s.Notifications(ctx, agent.FiltreNotifications{Pour: u, Service: xdemat.ServiceParapheur}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*xdemat.Notification
	for _, n := range ns {
		if n.Destinataire == u {
			out = append(out, n)
		}
	}
	return out
}

func TestDepotVisaPuisSignatureSurLePoste(t *testing.T) {
	s, path := openTest(t)
	sec, maire, _ := mairie(t, s)
	d := deposer(t, s, sec.ID, xdemat.DossierArrete, "%PDF arrêté")
	if !xdemat.ValidUUID(d.ID) || d.Etat != xdemat.DossierEnCours || len(d.Etapes) != 2 {
		t.Fatalf("dossier déposé %+v", d)
	}
	// One transaction: the operation with the document, the journal with
	// the hash, the notification "à viser" for the secretary (role step).
	op := lastPending(t, s)
	if got := pendingTypes(t, s); strings.Join(got[len(got)-2:], " ") != "parapheur.depose notification.creee" {
		t.Fatalf("opérations %v", got)
	}
	if ops, _ := s.Pending(ctx, 0); ops[len(ops)-2].Documents[0] != d.Documents[0] {
		t.Fatalf("le dépôt ne porte pas le document : %+v", ops[len(ops)-2])
	}
	var n xdemat.Notification
	json.Unmarshal(op.Payload, &n)
	if n.Type != xdemat.NotificationParapheurAViser || n.Destinataire != sec.ID || n.Objet != (xdemat.Lien{Ecran: "parapheur", ID: d.ID}) {
		t.Fatalf("notification %+v", n)
	}
	j, _ := s.Journal(ctx)
	if depot := j[len(j)-2]; depot.Objet != d.Documents[0] || depot.Action != xdemat.OperationParapheurDepose || depot.Acteur != sec.ID {
		t.Fatalf("journal %+v", depot)
	}

	// The visa moves the circuit to the maire: his notification is raised,
	// the secretary's is done.
	if _, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurVise, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: sec.ID}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ns := notificationsPour(t, s, maire.ID); len(ns) != 1 || ns[0].Type != xdemat.NotificationParapheurASigner {
		t.Fatalf("notifications du maire %+v", ns)
	}
	if ns := notificationsPour(t, s, sec.ID); len(ns) != 0 {
		t.Fatalf("la notification « à viser » reste à faire : %+v", ns)
	}

	signe := addDoc(t, s, "arrete-signe.pdf", "%PDF arrêté signé")
	a := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 2, Par: maire.ID, Document: signe.SHA256, Certificat: certificatTest()}
	got, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, a, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Etat != xdemat.DossierSigne || got.Documents[0] != signe.SHA256 || got.Version != 3 {
		t.Fatalf("après signature : %+v", got)
	}
	ops, _ := s.Pending(ctx, 0)
	var signeOp *xdemat.Operation
	for _, op := range ops {
		if op.Type == xdemat.OperationParapheurSigne {
			signeOp = op
		}
	}
	if signeOp == nil || len(signeOp.Documents) != 1 || signeOp.Documents[0] != signe.SHA256 || signeOp.Auteur != maire.ID {
		t.Fatalf("opération de signature %+v", signeOp)
	}
	j, _ = s.Journal(ctx)
	var trace *xdemat.Journal
	for _, e := range j {
		if e.Action == xdemat.OperationParapheurSigne && e.Objet == signe.SHA256 {
			trace = e
		}
	}
	if trace == nil || !strings.Contains(trace.Details, "n° 1f2e") {
		t.Fatalf("le journal ne garde pas l'empreinte du document signé : %+v", j[len(j)-1])
	}
	if err := xdemat.VerifierJournal(j); err != nil {
		t.Fatal(err)
	}
	if ns := notificationsPour(t, s, sec.ID); len(ns) != 1 || ns[0].Type != xdemat.NotificationParapheurTermine {
		t.Fatalf("la secrétaire n'apprend pas que l'arrêté est signé : %+v", ns)
	}

	// Survives a restart, history included.
	s = reopen(t, s, path)
	back, err := s.FindDossierParapheur(ctx, d.ID)
	if err != nil || back.Etat != xdemat.DossierSigne || len(back.Historique) != 3 || back.Historique[2].Certificat.Serie != "1f2e" {
		t.Fatalf("relu %+v, %v", back, err)
	}
	signes, _ := s.DossiersParapheur(ctx, agent.FiltreDossiers{Etat: xdemat.DossierSigne})
	if len(signes) != 1 {
		t.Fatalf("%d dossiers signés", len(signes))
	}
}

func TestActionRefuseeNeLaisseAucuneTrace(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, adjoint := mairie(t, s)
	d := deposer(t, s, sec.ID, xdemat.DossierDeliberation, "%PDF délibération")
	avant := len(pendingTypes(t, s))
	j0, _ := s.Journal(ctx)
	for _, tc := range []struct {
		nom  string
		typ  string
		a    xdemat.ActionParapheur
		code string
	}{
		{"refus sans motif", xdemat.OperationParapheurRefuse, xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID}, xdemat.EINVALID},
		{"l'adjoint sans délégation", xdemat.OperationParapheurRefuse, xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: adjoint.ID, Motif: "non"}, xdemat.EFORBIDDEN},
		{"dossier inconnu", xdemat.OperationParapheurVise, xdemat.ActionParapheur{DossierID: uuid.NewString(), Etape: 1, Par: maire.ID}, xdemat.ENOTFOUND},
		{"retrait par le maire", xdemat.OperationParapheurRetire, xdemat.ActionParapheur{DossierID: d.ID, Par: maire.ID}, xdemat.EFORBIDDEN},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			_, err := s.AgirSurDossier(ctx, tc.typ, &tc.a, t0)
			wantCode(t, err, tc.code)
		})
	}
	j1, _ := s.Journal(ctx)
	if len(pendingTypes(t, s)) != avant || len(j1) != len(j0) {
		t.Fatal("une action refusée a été envoyée ou journalisée")
	}
	refus := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID, Motif: "Le montant n'est pas celui voté."}
	got, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurRefuse, refus, t0)
	if err != nil || got.Etat != xdemat.DossierRefuse {
		t.Fatalf("refus : %v", err)
	}
	if ns := notificationsPour(t, s, sec.ID); len(ns) != 1 || !strings.Contains(ns[0].Texte, refus.Motif) {
		t.Fatalf("la déposante n'apprend pas le refus : %+v", ns)
	}
}

func TestDelegationPendantUneAbsence(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, adjoint := mairie(t, s)
	del := &xdemat.Delegation{Delegant: maire.ID, Delegataire: adjoint.ID, Du: t0, Au: t0.AddDate(0, 0, 7), Motif: "Congés"}
	if err := s.EnregistrerDelegation(ctx, del, adjoint.ID, t0); xdemat.ErrorCode(err) != xdemat.EFORBIDDEN {
		t.Fatalf("délégation que l'adjoint se donne : %v", err)
	}
	if err := s.EnregistrerDelegation(ctx, del, maire.ID, t0); err != nil {
		t.Fatal(err)
	}
	if del.DelegantRole != xdemat.RoleMaire || lastPending(t, s).Type != xdemat.OperationParapheurDelegation {
		t.Fatalf("délégation %+v", del)
	}
	d := deposer(t, s, sec.ID, xdemat.DossierCourrier, "%PDF courrier")
	signe := addDoc(t, s, "courrier-signe.pdf", "%PDF courrier signé")
	a := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: adjoint.ID, Document: signe.SHA256, Certificat: certificatTest(), Le: t0.AddDate(0, 0, 9)}
	_, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, a, t0.AddDate(0, 0, 9))
	wantCode(t, err, xdemat.EFORBIDDEN)
	a.Le = t0.AddDate(0, 0, 2)
	got, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, a, t0.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if h := got.Historique[len(got.Historique)-1]; h.PourLeCompteDe != maire.ID || h.Mention() != xdemat.MentionDelegation {
		t.Fatalf("entrée %+v", h)
	}
	j, _ := s.Journal(ctx)
	found := false
	for _, e := range j {
		found = found || (e.Action == xdemat.OperationParapheurSigne && strings.Contains(e.Details, xdemat.MentionDelegation))
	}
	if !found {
		t.Fatal("le journal ne dit pas que la signature est faite par délégation")
	}
	// Withdrawn: no longer effective.
	del.RetireeLe = t0.AddDate(0, 0, 3)
	if err := s.EnregistrerDelegation(ctx, del, maire.ID, t0.AddDate(0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	dels, _ := s.Delegations(ctx)
	if len(dels) != 1 || dels[0].Active(t0.AddDate(0, 0, 4)) {
		t.Fatalf("délégations %+v", dels)
	}
}

// A dossier relayed by central replaces the local copy unless older, and
// this poste's actions not yet applied by central stay visible on it.
func TestProjectionDesDossiersRelayesParCentral(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, _ := mairie(t, s)
	// Deposited on another poste: known here only through central.
	doc := strings.Repeat("e", 64)
	d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: "Devis toiture de l'école", Type: xdemat.DossierDevis, Documents: []string{doc},
		Etapes: xdemat.ModeleCircuit(xdemat.DossierDevis)}
	if err := d.Deposer(sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	v1 := d.Copie()
	if _, err := d.Appliquer(xdemat.OperationParapheurVise, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: sec.ID, Le: t0}, sec, nil); err != nil {
		t.Fatal(err)
	}
	v2 := d.Copie()
	event := func(curseur int64, typ string, payload any) *xdemat.Evenement {
		b, _ := json.Marshal(payload)
		return &xdemat.Evenement{Curseur: curseur, Type: typ, Objet: d.ID, Payload: b, CreeLe: t0}
	}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{event(1, xdemat.OperationParapheurDepose, v1), event(2, xdemat.OperationParapheurVise, v2)}, 2); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindDossierParapheur(ctx, d.ID)
	if err != nil || got.Version != 2 || got.EtapeCourante != 1 {
		t.Fatalf("projeté %+v, %v", got, err)
	}
	if manquants, _ := s.DocumentsManquants(ctx); len(manquants) != 1 || manquants[0].SHA256 != doc || manquants[0].Titre != d.Titre {
		t.Fatalf("documents manquants %v", manquants)
	}
	// The maire refuses offline; then an older copy and an unrelated newer
	// one (an annotation from another poste) arrive.
	if _, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurRefuse, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 2, Par: maire.ID, Motif: "Trop cher."}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	annote := d.Copie()
	annote.Appliquer(xdemat.OperationParapheurAnnote, &xdemat.ActionParapheur{DossierID: d.ID, Par: sec.ID, Le: t0.Add(time.Minute), Texte: "Deux autres devis demandés."}, sec, nil)
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{event(3, xdemat.OperationParapheurDepose, v1), event(4, xdemat.OperationParapheurAnnote, annote)}, 4); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindDossierParapheur(ctx, d.ID)
	if got.Etat != xdemat.DossierRefuse || len(got.Historique) != 4 || got.Historique[2].Texte == "" {
		t.Fatalf("après projection : état %s, historique %+v", got.Etat, got.Historique)
	}
	// An annotation of this poste, relayed by central before its
	// acknowledgement arrived, is not shown twice.
	note, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurAnnote, &xdemat.ActionParapheur{DossierID: d.ID, Par: sec.ID, Texte: "Vu."}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	avecNote := annote.Copie()
	if _, err := avecNote.Appliquer(xdemat.OperationParapheurAnnote, &xdemat.ActionParapheur{DossierID: d.ID, Par: sec.ID, Le: note.Historique[len(note.Historique)-1].Le, Texte: "Vu."}, sec, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{event(5, xdemat.OperationParapheurAnnote, avecNote)}, 5); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindDossierParapheur(ctx, d.ID)
	vus := 0
	for _, h := range got.Historique {
		if h.Texte == "Vu." {
			vus++
		}
	}
	if vus != 1 || got.Etat != xdemat.DossierRefuse {
		t.Fatalf("annotation vue %d fois, état %s", vus, got.Etat)
	}
	annote = avecNote

	// Central refused the maire's action (someone else acted first): its
	// copy wins once the operation is acknowledged.
	s.Acknowledge(ctx, lastPending(t, s).Seq)
	refus := xdemat.RefusParapheur{Type: xdemat.OperationParapheurRefuse, Motif: "déjà traité", Dossier: annote}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{event(6, xdemat.EvenementParapheurActionRefusee, refus)}, 6); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindDossierParapheur(ctx, d.ID)
	if got.Etat != xdemat.DossierEnCours || got.Version != annote.Version {
		t.Fatalf("après refus de central : %+v", got)
	}
}

func TestPreparationsGardeesApresRedemarrage(t *testing.T) {
	s, path := openTest(t)
	p := &agent.Preparation{ID: uuid.NewString(), DossierID: uuid.NewString(), UtilisateurID: "maire", Etape: 1, Version: 1,
		Document: strings.Repeat("a", 64), Format: agent.FormatCAdES, Certificat: []byte{1, 2}, Etat: []byte(`{}`), CreeLe: time.Now()}
	if err := s.SavePreparations(ctx, []*agent.Preparation{p}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	got, err := s.FindPreparation(ctx, p.ID)
	if err != nil || got.DossierID != p.DossierID || string(got.Etat) != "{}" {
		t.Fatalf("relu %+v, %v", got, err)
	}
	if err := s.DeletePreparation(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindPreparation(ctx, p.ID)
	wantCode(t, err, xdemat.ENOTFOUND)
}
