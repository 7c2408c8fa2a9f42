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

// deliberation returns an acte whose main document is recorded on s.
func deliberation(t *testing.T, s *Store, numero, contenu string) *xdemat.Acte {
	t.Helper()
	doc := addDoc(t, s, "deliberation.pdf", contenu)
	return &xdemat.Acte{
		Nature: xdemat.NatureDeliberation, NumeroInterne: numero, DateDecision: t0.AddDate(0, 0, -2),
		Objet: "Tarifs de la cantine scolaire", Classification: "7.1", DateClassification: t0.AddDate(-1, 0, 0),
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"},
	}
}

func opsDeType(t *testing.T, s *Store, typ string) []*xdemat.Operation {
	t.Helper()
	ops, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*xdemat.Operation
	for _, op := range ops {
		if op.Type == typ {
			out = append(out, op)
		}
	}
	return out
}

func TestCreationDunActeHorsLigne(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	num, err := s.ProposerNumeroActe(ctx, xdemat.NatureDeliberation, 2026)
	if err != nil || num != "DE2026_001" {
		t.Fatalf("numéro proposé %q (%v)", num, err)
	}
	a := deliberation(t, s, num, "%PDF délibération")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	if !xdemat.ValidUUID(a.ID) || a.Statut != xdemat.ActeEnAttenteEnvoi {
		t.Fatalf("acte créé %+v", a)
	}
	// One transaction: the operation carrying the acte and its document, the journal.
	ops := opsDeType(t, s, xdemat.OperationActeCree)
	if len(ops) != 1 || len(ops[0].Documents) != 1 || ops[0].Documents[0] != a.DocumentPrincipal.SHA256 {
		t.Fatalf("opérations %+v", ops)
	}
	var recu xdemat.Acte
	if json.Unmarshal(ops[0].Payload, &recu) != nil || recu.ID != a.ID || recu.NumeroInterne != num {
		t.Fatalf("contenu %s", ops[0].Payload)
	}
	j, _ := s.Journal(ctx)
	if e := j[len(j)-1]; e.Action != xdemat.OperationActeCree || e.Objet != a.DocumentPrincipal.SHA256 || !strings.Contains(e.Details, num) {
		t.Fatalf("journal %+v", e)
	}
	if err := xdemat.VerifierJournal(j); err != nil {
		t.Fatal(err)
	}
	// The counter follows: next proposal, and the arrêtés have their own register.
	if n, _ := s.ProposerNumeroActe(ctx, xdemat.NatureDeliberation, 2026); n != "DE2026_002" {
		t.Fatalf("numéro suivant %q", n)
	}
	if n, _ := s.ProposerNumeroActe(ctx, xdemat.NatureActeIndividuel, 2026); n != "AR2026_001" {
		t.Fatalf("premier arrêté %q", n)
	}
	f, err := s.FicheActe(ctx, a.ID)
	if err != nil || len(f.Historique) != 1 || f.Historique[0].Statut != xdemat.ActeEnAttenteEnvoi {
		t.Fatalf("fiche %+v (%v)", f, err)
	}
	l, err := s.Actes(ctx, agent.FiltreActes{Nature: xdemat.NatureDeliberation, Annee: 2026, Statut: xdemat.ActeEnAttenteEnvoi})
	if err != nil || len(l) != 1 {
		t.Fatalf("liste %v (%v)", l, err)
	}
	if l, _ := s.Actes(ctx, agent.FiltreActes{Annee: 2025}); len(l) != 0 {
		t.Fatalf("filtre sur l'année : %v", l)
	}
}

func TestActesRefusesEnFrancaisSansRienEnvoyer(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	premier := deliberation(t, s, "DE2026_001", "%PDF premier")
	if err := s.CreerActe(ctx, premier, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	avant := len(opsDeType(t, s, xdemat.OperationActeCree))
	docTexte := addDoc(t, s, "deliberation.odt", "texte")
	cas := []struct {
		nom     string
		changer func(a *xdemat.Acte)
		code    string
		dit     string
	}{
		{"numéro déjà pris", func(a *xdemat.Acte) { a.NumeroInterne = "DE2026_001" }, xdemat.ECONFLICT, "DE2026_002"},
		{"caractères interdits", func(a *xdemat.Acte) { a.NumeroInterne = "2026/12 é" }, xdemat.EINVALID, "caractère interdit"},
		{"objet trop long", func(a *xdemat.Acte) { a.Objet = strings.Repeat("é", 520) }, xdemat.EINVALID, "raccourcissez-le de 21 caractères"},
		{"document principal pas en PDF", func(a *xdemat.Acte) {
			a.DocumentPrincipal = xdemat.PieceActe{SHA256: docTexte.SHA256, Nom: "deliberation.odt", Taille: docTexte.Taille, TypePiece: "99_DE"}
		}, xdemat.EINVALID, "n'est pas un PDF"},
		{"document absent du poste", func(a *xdemat.Acte) { a.DocumentPrincipal.SHA256 = strings.Repeat("a", 64) }, xdemat.EINVALID, "déposez-le de nouveau"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			a := deliberation(t, s, "DE2026_009", "%PDF second")
			c.changer(a)
			err := s.CreerActe(ctx, a, sec.ID, t0)
			wantCode(t, err, c.code)
			if !strings.Contains(xdemat.ErrorMessage(err), c.dit) {
				t.Fatalf("message %q, attendu %q", xdemat.ErrorMessage(err), c.dit)
			}
		})
	}
	if n := len(opsDeType(t, s, xdemat.OperationActeCree)); n != avant {
		t.Fatalf("%d actes partis au lieu de %d", n, avant)
	}
}

func TestEnvoiDirectPuisStatutsRelayes(t *testing.T) {
	s, _ := openTest(t)
	sec, _, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_001", "%PDF signé à la main")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnvoyerActe(ctx, a.ID, sec.ID, false, nil, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.EnvoyerActe(ctx, a.ID, sec.ID, false, nil, t0.Add(2*time.Hour))
	wantCode(t, err, xdemat.ECONFLICT)
	ops := opsDeType(t, s, xdemat.OperationActeTransmettre)
	if len(ops) != 1 {
		t.Fatalf("%d transmissions", len(ops))
	}
	var tr xdemat.TransmissionActe
	if json.Unmarshal(ops[0].Payload, &tr) != nil || tr.Validate() != nil || tr.ActeID != a.ID {
		t.Fatalf("transmission %s", ops[0].Payload)
	}
	// Central relays: transmitted, then the AR.
	ident := "034-213400000-20261123-DE2026_001-DE"
	evs := []*xdemat.Evenement{
		evenementActe(t, 1, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeTransmis, NomArchive: "034-213400000-20261125-DE2026_001-DE-1-1_0.tar.gz", TransmisLe: t0, Le: t0}),
		evenementActe(t, 2, xdemat.EvenementActeStatut, xdemat.StatutActeChange{ActeID: a.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: ident, DateAR: t0.Add(time.Hour), Le: t0.Add(time.Hour)}),
		evenementActe(t, 3, xdemat.EvenementActeMessage, xdemat.MessagePrefecture{ID: uuid.NewString(), ActeID: a.ID, Type: xdemat.MessageCourrierSimple, Code: "2-1", Texte: "Merci de préciser le montant.", RecuLe: t0.Add(2 * time.Hour)}),
	}
	if err := s.SaveEvents(ctx, evs, 3); err != nil {
		t.Fatal(err)
	}
	f, err := s.FicheActe(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Acte.Statut != xdemat.ActeAcquitte || f.Acte.IdentifiantUnique != ident || !f.Acte.DateAR.Equal(t0.Add(time.Hour)) || len(f.Messages) != 1 {
		t.Fatalf("fiche %+v", f)
	}
	if h := f.Historique[len(f.Historique)-1]; !strings.Contains(h.Details, "Merci de préciser") {
		t.Fatalf("historique %+v", f.Historique)
	}
	// Cancelling an acknowledged acte asks the préfecture.
	got, err := s.AnnulerActe(ctx, a.ID, sec.ID, "Erreur de montant", t0.Add(3*time.Hour))
	if err != nil || got.Statut != xdemat.ActeAnnulationTransmise || len(opsDeType(t, s, xdemat.OperationActeAnnuler)) != 1 {
		t.Fatalf("annulation %+v (%v)", got, err)
	}
}

func evenementActe(t *testing.T, curseur int64, typ string, payload any) *xdemat.Evenement {
	t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &xdemat.Evenement{Curseur: curseur, Type: typ, Payload: data, CreeLe: t0}
}

func TestEnvoiParLeParapheurTransmisUneSeuleFoisApresSignature(t *testing.T) {
	s, path := openTest(t)
	sec, maire, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_001", "%PDF à signer")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	_, dossierID, err := s.EnvoyerActe(ctx, a.ID, sec.ID, true, nil, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.FindDossierParapheur(ctx, dossierID)
	if err != nil || d.Type != xdemat.DossierDeliberation || d.Documents[0] != a.DocumentPrincipal.SHA256 {
		t.Fatalf("dossier %+v (%v)", d, err)
	}
	if len(opsDeType(t, s, xdemat.OperationActeTransmettre)) != 0 {
		t.Fatal("transmis avant d'être signé")
	}
	_, _, err = s.EnvoyerActe(ctx, a.ID, sec.ID, true, nil, t0.Add(time.Hour))
	wantCode(t, err, xdemat.ECONFLICT)

	signe := addDoc(t, s, "deliberation-signee.pdf", "%PDF délibération signée")
	act := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID, Document: signe.SHA256, Certificat: certificatTest()}
	if _, err := s.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, act, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ops := opsDeType(t, s, xdemat.OperationActeTransmettre)
	if len(ops) != 1 {
		t.Fatalf("%d transmissions après la signature", len(ops))
	}
	var tr xdemat.TransmissionActe
	json.Unmarshal(ops[0].Payload, &tr)
	if tr.DocumentPrincipal.SHA256 != signe.SHA256 || tr.DocumentPrincipal.Taille != signe.Taille || tr.DossierID != d.ID {
		t.Fatalf("transmission %+v", tr)
	}
	// Central relays its copy of the signed dossier (after a restart too):
	// nothing is queued again.
	s = reopen(t, s, path)
	signeParCentral, _ := s.FindDossierParapheur(ctx, d.ID)
	data, _ := json.Marshal(signeParCentral)
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 1, Type: xdemat.OperationParapheurSigne, Payload: data, CreeLe: t0}}, 1); err != nil {
		t.Fatal(err)
	}
	if n := len(opsDeType(t, s, xdemat.OperationActeTransmettre)); n != 1 {
		t.Fatalf("%d transmissions après le relais", n)
	}
	f, _ := s.FicheActe(ctx, a.ID)
	if f.Acte.DocumentPrincipal.SHA256 != signe.SHA256 || f.DossierID != d.ID || f.EnvoyeLe.IsZero() {
		t.Fatalf("fiche %+v", f)
	}
}

func TestSignatureRelayeeDunAutrePosteDeclencheLaTransmission(t *testing.T) {
	s, _ := openTest(t)
	sec, maire, _ := mairie(t, s)
	a := deliberation(t, s, "DE2026_001", "%PDF à signer ailleurs")
	if err := s.CreerActe(ctx, a, sec.ID, t0); err != nil {
		t.Fatal(err)
	}
	_, dossierID, err := s.EnvoyerActe(ctx, a.ID, sec.ID, true, nil, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// The maire signed on his own poste; central relays the signed dossier,
	// whose signed PDF this poste does not hold yet.
	d, _ := s.FindDossierParapheur(ctx, dossierID)
	signe := strings.Repeat("5", 64)
	act := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: maire.ID, Document: signe, Certificat: certificatTest(), Le: t0.Add(2 * time.Hour)}
	if _, err := d.Appliquer(xdemat.OperationParapheurSigne, act, maire, nil); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(d)
	for c := int64(1); c <= 2; c++ {
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: c, Type: xdemat.OperationParapheurSigne, Payload: data, CreeLe: t0}}, c); err != nil {
			t.Fatal(err)
		}
	}
	ops := opsDeType(t, s, xdemat.OperationActeTransmettre)
	if len(ops) != 1 || len(ops[0].Documents) != 0 {
		t.Fatalf("transmissions %+v", ops)
	}
	var tr xdemat.TransmissionActe
	json.Unmarshal(ops[0].Payload, &tr)
	if tr.DocumentPrincipal.SHA256 != signe {
		t.Fatalf("document transmis %s", tr.DocumentPrincipal.SHA256)
	}
}

// FuzzEvenementsActes applies events of Xactes with arbitrary payloads, as
// central (or someone posing as it) could relay them: never an error that
// would stall the inbox, never an acte in a status it does not know.
func FuzzEvenementsActes(f *testing.F) {
	types := []string{xdemat.OperationActeCree, xdemat.EvenementActeStatut, xdemat.EvenementActeMessage}
	const acte = "0b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87"
	for i, seed := range []string{
		`{"id":"` + acte + `","nature":1,"numeroInterne":"DE2026_001","dateDecision":"2026-01-14T00:00:00Z","objet":"Budget","classification":"7.1","dateClassification":"2025-01-01T00:00:00Z","documentPrincipal":{"sha256":"` + strings.Repeat("a", 64) + `","nom":"d.pdf","taille":10,"typePiece":"99_DE"}}`,
		`{"acteId":"` + acte + `","statut":"acquitte","identifiantUnique":"051-215100009-20260114-DE2026_001-DE","dateAR":"2026-01-15T00:00:00Z","le":"2026-01-15T00:00:00Z"}`,
		`{"id":"1b1f3c0e-8a7d-4c6b-9f51-3e2d1c0b9a87","acteId":"` + acte + `","type":"defere","texte":"Déféré","recuLe":"2026-01-16T00:00:00Z"}`,
		`{"acteId":"` + acte + `","statut":"inconnu","le":"2026-01-15T00:00:00Z"}`,
		`null`, `{}`, `[]`, `"texte"`,
	} {
		f.Add(byte(i%len(types)), []byte(seed))
	}
	s, _ := openTest(f)
	curseur := int64(0)
	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		curseur++
		ev := &xdemat.Evenement{Curseur: curseur, Type: types[int(typ)%len(types)], Payload: payload, CreeLe: t0}
		if err := s.SaveEvents(ctx, []*xdemat.Evenement{ev}, curseur); err != nil {
			t.Fatalf("%s %q : %v", ev.Type, payload, err)
		}
		as, err := s.Actes(ctx, agent.FiltreActes{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if !a.Statut.Valid() {
				t.Fatalf("acte au statut inconnu %q", a.Statut)
			}
		}
	})
}

func TestActeDunAutrePosteEtSesDocuments(t *testing.T) {
	s, _ := openTest(t)
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: xdemat.NatureActeIndividuel, NumeroInterne: "AR2026_007", DateDecision: t0.AddDate(0, 0, -1),
		Objet: "Permis de stationnement", Classification: "6.1", DateClassification: t0.AddDate(-1, 0, 0),
		DocumentPrincipal: xdemat.PieceActe{SHA256: strings.Repeat("b", 64), Nom: "arrete.pdf", Taille: 10, TypePiece: "99_AI"}}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{evenementActe(t, 1, xdemat.OperationActeCree, a)}, 1); err != nil {
		t.Fatal(err)
	}
	f, err := s.FicheActe(ctx, a.ID)
	if err != nil || f.Acte.NumeroInterne != "AR2026_007" || f.Acte.Statut != xdemat.ActeEnAttenteEnvoi {
		t.Fatalf("fiche %+v (%v)", f, err)
	}
	// Its PDF is fetched from central, and its register's counter follows.
	m, err := s.DocumentsManquants(ctx)
	if err != nil || len(m) != 1 || m[0].SHA256 != a.DocumentPrincipal.SHA256 || !strings.Contains(m[0].Titre, "AR2026_007") {
		t.Fatalf("documents manquants %+v (%v)", m, err)
	}
	if n, _ := s.ProposerNumeroActe(ctx, xdemat.NatureActeReglementaire, 2026); n != "AR2026_008" {
		t.Fatalf("numéro proposé %q", n)
	}
}
