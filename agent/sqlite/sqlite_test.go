package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

var ctx = context.Background()

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func reopen(t *testing.T, s *Store, path string) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

// addDoc records a document made of content and returns it.
func addDoc(t testing.TB, s *Store, nom, content string) *xdemat.Document {
	t.Helper()
	sum := sha256.Sum256([]byte(content))
	d := &xdemat.Document{SHA256: hex.EncodeToString(sum[:]), Taille: int64(len(content)), NomOriginal: nom}
	if err := s.AddDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

func enqueue(t testing.TB, s *Store, typ string, docs ...string) *xdemat.Operation {
	t.Helper()
	op, err := s.Enqueue(ctx, typ, "u-secretaire", json.RawMessage(`{"objet":"test"}`), docs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func seqs(ops []*xdemat.Operation) []int64 {
	var out []int64
	for _, op := range ops {
		out = append(out, op.Seq)
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if xdemat.ErrorCode(err) != code {
		t.Fatalf("erreur = %v, attendu le code %s", err, code)
	}
	if code != "" && code != xdemat.EINTERNAL && strings.HasPrefix(xdemat.ErrorMessage(err), "Erreur interne") {
		t.Fatalf("message non métier : %v", err)
	}
}

func TestOuvertureConfigureLaBaseEtAppliqueLesMigrationsUneFois(t *testing.T) {
	s, path := openTest(t)
	for _, db := range []struct {
		nom string
		s   *Store
	}{{"écriture", s}, {"lecture", s}} {
		pool := db.s.w
		if db.nom == "lecture" {
			pool = db.s.r
		}
		var mode string
		var syncMode, fk int
		pool.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		pool.QueryRow(`PRAGMA synchronous`).Scan(&syncMode)
		pool.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
		if mode != "wal" || syncMode != 2 || fk != 1 {
			t.Fatalf("connexion %s : journal_mode=%s synchronous=%d foreign_keys=%d", db.nom, mode, syncMode, fk)
		}
	}
	ms, _ := loadMigrations()
	s = reopen(t, s, path)
	var n, max int
	s.r.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &max)
	if n != len(ms) || max != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations : %d lignes, version max %d ; attendu %d", n, max, len(ms))
	}
}

func TestBaseCreeeParUneVersionPlusRecenteRefusee(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.w.Exec(`INSERT INTO schema_migrations (version, nom, applique_le) VALUES (9999, '9999_futur.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(path)
	wantCode(t, err, xdemat.EUNAVAILABLE)
}

func TestCheminAvecCaracteresSpeciaux(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Mairie de Saint-Rémy #2 ?", "agent 1%.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var file string
	var seq int
	var name string
	if err := s.r.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	if file != path {
		t.Fatalf("fichier ouvert = %q, attendu %q", file, path)
	}
}

func TestIdentiteDuPoste(t *testing.T) {
	s, path := openTest(t)
	_, err := s.Identity(ctx)
	wantCode(t, err, xdemat.ENOTFOUND)
	if xdemat.ErrorMessage(err) != MessageNonEnrole {
		t.Fatalf("message = %q", xdemat.ErrorMessage(err))
	}
	wantCode(t, s.SaveIdentity(ctx, &agent.Identity{}), xdemat.EINVALID)
	wantCode(t, s.SaveIdentity(ctx, nil), xdemat.EINVALID)

	id := &agent.Identity{
		PosteID:     "4b7e2a9c-1f3d-4e5a-9b8c-0d1e2f3a4b5c",
		Commune:     xdemat.Commune{ID: "c-1", SIREN: "210800280", Nom: "Attigny", Departement: "08", Population: 1150},
		CentralURL:  "https://central.spl-xdemat.fr",
		CentralCert: strings.Repeat("ab", 32),
		EnrolleLe:   time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
	}
	if err := s.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	id.CentralURL = "https://central2.spl-xdemat.fr" // re-enrollment replaces
	if err := s.SaveIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	got, err := s.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.PosteID != id.PosteID || got.Commune != id.Commune || got.CentralURL != id.CentralURL ||
		got.CentralCert != id.CentralCert || !got.EnrolleLe.Equal(id.EnrolleLe) {
		t.Fatalf("identité relue = %+v", got)
	}
	st, _ := s.SyncState(ctx)
	if !st.Enrole {
		t.Fatal("l'état devrait indiquer un poste enrôlé")
	}
}

func TestAjoutDeDocuments(t *testing.T) {
	s, _ := openTest(t)
	d := addDoc(t, s, "Délibération 2026-01.pdf", "contenu")
	if d.TypeMedia != "application/pdf" {
		t.Fatalf("type deviné = %q", d.TypeMedia)
	}
	// Same content again, other name: idempotent, the first record stays.
	again := &xdemat.Document{SHA256: d.SHA256, Taille: d.Taille, NomOriginal: "copie.pdf"}
	if err := s.AddDocument(ctx, again); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindDocument(ctx, d.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.NomOriginal != d.NomOriginal || got.Taille != d.Taille || !got.CreeLe.Equal(d.CreeLe) || got.TypeMedia != d.TypeMedia {
		t.Fatalf("document relu = %+v, attendu %+v", got, d)
	}
	_, err = s.FindDocument(ctx, strings.Repeat("0", 64))
	wantCode(t, err, xdemat.ENOTFOUND)

	tests := []struct {
		nom  string
		doc  *xdemat.Document
		code string
	}{
		{"empreinte invalide", &xdemat.Document{SHA256: "abc", NomOriginal: "a.pdf"}, xdemat.EINVALID},
		{"empreinte en majuscules", &xdemat.Document{SHA256: strings.Repeat("A", 64), NomOriginal: "a.pdf"}, xdemat.EINVALID},
		{"nom avec barre oblique", &xdemat.Document{SHA256: strings.Repeat("1", 64), NomOriginal: "../a.pdf"}, xdemat.EINVALID},
		{"registre trop volumineux", &xdemat.Document{SHA256: strings.Repeat("2", 64), Taille: xdemat.TailleMaxDocument + 1, NomOriginal: "registre.pdf"}, xdemat.ETOOLARGE},
		{"document absent", nil, xdemat.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			wantCode(t, s.AddDocument(ctx, tt.doc), tt.code)
		})
	}
}

func TestEnregistrementDUneOperation(t *testing.T) {
	s, _ := openTest(t)
	pv := addDoc(t, s, "PV conseil.pdf", "pv")
	tests := []struct {
		nom     string
		typ     string
		auteur  string
		payload json.RawMessage
		docs    []string
		code    string
	}{
		{"acte sans document", "acte.cree", "u-1", json.RawMessage(`{"numero":"2026-01"}`), nil, ""},
		{"acte avec son PV", "acte.cree", "u-1", json.RawMessage(`{"numero":"2026-02"}`), []string{pv.SHA256}, ""},
		{"action de l'agent sans contenu", "poste.demarre", "", nil, nil, ""},
		{"document jamais ajouté", "acte.cree", "u-1", nil, []string{strings.Repeat("e", 64)}, xdemat.EINVALID},
		{"empreinte de document invalide", "acte.cree", "u-1", nil, []string{"pas-une-empreinte"}, xdemat.EINVALID},
		{"type d'opération invalide", "Acte Créé", "u-1", nil, nil, xdemat.EINVALID},
		{"contenu qui n'est pas du JSON", "acte.cree", "u-1", json.RawMessage(`{numero:`), nil, xdemat.EINVALID},
		{"contenu trop volumineux", "acte.cree", "u-1", json.RawMessage(`"` + strings.Repeat("x", xdemat.TailleMaxPayload) + `"`), nil, xdemat.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			before, _ := s.Pending(ctx, 0)
			journalBefore, _ := s.Journal(ctx)
			now := time.Date(2026, 3, 2, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
			op, err := s.Enqueue(ctx, tt.typ, tt.auteur, tt.payload, tt.docs, now)
			wantCode(t, err, tt.code)
			after, _ := s.Pending(ctx, 0)
			journal, _ := s.Journal(ctx)
			if tt.code != "" {
				if len(after) != len(before) || len(journal) != len(journalBefore) {
					t.Fatal("une opération refusée ne doit rien laisser")
				}
				return
			}
			if !xdemat.ValidUUID(op.ID) || op.Seq != int64(len(before))+1 {
				t.Fatalf("opération = %+v", op)
			}
			if !op.CreeLe.Equal(now.Truncate(time.Microsecond)) || op.CreeLe.Location() != time.UTC {
				t.Fatalf("date = %v", op.CreeLe)
			}
			stored := after[len(after)-1]
			if !reflect.DeepEqual(stored, op) {
				t.Fatalf("opération relue = %+v\nattendu       = %+v", stored, op)
			}
			last := journal[len(journal)-1]
			acteur := tt.auteur
			if acteur == "" {
				acteur = "agent"
			}
			if last.Acteur != acteur || last.Action != tt.typ || last.Objet != op.ID || !last.Date.Equal(op.CreeLe) {
				t.Fatalf("entrée de journal = %+v", last)
			}
		})
	}
}

func TestSequenceJamaisReutiliseeApresAcquittementEtReouverture(t *testing.T) {
	s, path := openTest(t)
	for i := 0; i < 3; i++ {
		enqueue(t, s, "acte.cree")
	}
	if err := s.Acknowledge(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Pending(ctx, 0); len(p) != 0 {
		t.Fatalf("en attente après acquittement : %v", seqs(p))
	}
	if op := enqueue(t, s, "acte.cree"); op.Seq != 4 {
		t.Fatalf("seq après acquittement = %d, attendu 4", op.Seq)
	}
	s = reopen(t, s, path)
	if op := enqueue(t, s, "acte.cree"); op.Seq != 5 {
		t.Fatalf("seq après réouverture = %d, attendu 5", op.Seq)
	}
	if err := s.Acknowledge(ctx, 5); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	if op := enqueue(t, s, "acte.cree"); op.Seq != 6 {
		t.Fatalf("seq après tout acquitté puis réouverture = %d, attendu 6", op.Seq)
	}
}

func TestAcquittementPartiel(t *testing.T) {
	tests := []struct {
		nom        string
		jusquA     int64
		enAttente  []int64
		dernierAck int64
		code       string
	}{
		{"rien d'acquitté", 0, []int64{1, 2, 3, 4, 5}, 0, ""},
		{"les deux premières", 2, []int64{3, 4, 5}, 2, ""},
		{"toutes", 5, nil, 5, ""},
		{"accusé négatif", -1, []int64{1, 2, 3, 4, 5}, 0, xdemat.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			s, _ := openTest(t)
			for i := 0; i < 5; i++ {
				enqueue(t, s, "acte.cree")
			}
			wantCode(t, s.Acknowledge(ctx, tt.jusquA), tt.code)
			p, err := s.Pending(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(seqs(p), tt.enAttente) {
				t.Fatalf("en attente = %v, attendu %v", seqs(p), tt.enAttente)
			}
			st, _ := s.SyncState(ctx)
			if st.DernierAck != tt.dernierAck || st.OperationsEnAttente != int64(len(tt.enAttente)) {
				t.Fatalf("état = %+v", st)
			}
			// A smaller acknowledgement never moves DernierAck back.
			s.Acknowledge(ctx, 1)
			if st, _ := s.SyncState(ctx); st.DernierAck < tt.dernierAck {
				t.Fatalf("dernier ack reculé à %d", st.DernierAck)
			}
		})
	}
}

func TestSequenceAuDelaDuDernierAccuseDuCentral(t *testing.T) {
	// Central acknowledged more than this poste ever sent (the database was
	// restored from an old copy): new operations must go above, or central
	// would take them for replays.
	s, _ := openTest(t)
	enqueue(t, s, "acte.cree")
	if err := s.Acknowledge(ctx, 40); err != nil {
		t.Fatal(err)
	}
	if op := enqueue(t, s, "acte.cree"); op.Seq != 41 {
		t.Fatalf("seq = %d, attendu 41", op.Seq)
	}
}

func TestLimiteDesOperationsEnAttente(t *testing.T) {
	s, _ := openTest(t)
	d := addDoc(t, s, "a.pdf", "a")
	for i := 0; i < 5; i++ {
		enqueue(t, s, "acte.cree", d.SHA256)
	}
	tests := []struct {
		nom    string
		limite int
		want   []int64
	}{
		{"deux par lot", 2, []int64{1, 2}},
		{"plus que disponible", 10, []int64{1, 2, 3, 4, 5}},
		{"sans limite", 0, []int64{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			p, err := s.Pending(ctx, tt.limite)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(seqs(p), tt.want) {
				t.Fatalf("seqs = %v, attendu %v", seqs(p), tt.want)
			}
			for _, op := range p {
				if !reflect.DeepEqual(op.Documents, []string{d.SHA256}) {
					t.Fatalf("documents de %d = %v", op.Seq, op.Documents)
				}
			}
		})
	}
}

func TestDocumentsAEnvoyerDansLOrdreDesOperations(t *testing.T) {
	s, _ := openTest(t)
	pv := addDoc(t, s, "pv.pdf", "procès-verbal")
	budget := addDoc(t, s, "budget.xlsx", "budget primitif")
	arrete := addDoc(t, s, "arrete.pdf", "arrêté")
	addDoc(t, s, "inutilise.pdf", "jamais référencé")

	enqueue(t, s, "acte.cree", budget.SHA256)            // 1
	enqueue(t, s, "acte.cree", pv.SHA256, budget.SHA256) // 2
	enqueue(t, s, "acte.cree", arrete.SHA256, pv.SHA256) // 3
	enqueue(t, s, "acte.cree")                           // 4

	names := func() []string {
		docs, err := s.PendingDocuments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.NomOriginal)
		}
		return out
	}
	octets := func() int64 {
		st, err := s.SyncState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.OctetsEnAttente
	}
	steps := []struct {
		nom    string
		action func()
		want   []string
		octets int64
	}{
		{"au départ", func() {}, []string{"budget.xlsx", "pv.pdf", "arrete.pdf"}, budget.Taille + pv.Taille + arrete.Taille},
		{"budget envoyé", func() { s.MarkUploaded(ctx, budget.SHA256) }, []string{"pv.pdf", "arrete.pdf"}, pv.Taille + arrete.Taille},
		{"envoi confirmé deux fois", func() { s.MarkUploaded(ctx, budget.SHA256) }, []string{"pv.pdf", "arrete.pdf"}, pv.Taille + arrete.Taille},
		{"opérations 1 et 2 acquittées", func() { s.Acknowledge(ctx, 2) }, []string{"arrete.pdf", "pv.pdf"}, pv.Taille + arrete.Taille},
		{"tout acquitté", func() { s.Acknowledge(ctx, 4) }, nil, 0},
	}
	for _, st := range steps {
		st.action()
		if got := names(); !reflect.DeepEqual(got, st.want) {
			t.Fatalf("%s : documents à envoyer = %v, attendu %v", st.nom, got, st.want)
		}
		if got := octets(); got != st.octets {
			t.Fatalf("%s : octets en attente = %d, attendu %d", st.nom, got, st.octets)
		}
	}
	wantCode(t, s.MarkUploaded(ctx, strings.Repeat("f", 64)), xdemat.ENOTFOUND)
}

func TestEvenementsRecusDuCentral(t *testing.T) {
	s, path := openTest(t)
	ev := func(c int64, objet string) *xdemat.Evenement {
		return &xdemat.Evenement{Curseur: c, Type: xdemat.EvenementOperationRecue, Objet: objet, PosteID: "p-2",
			Payload: json.RawMessage(`{"n":1}`), CreeLe: time.Date(2026, 3, 2, 10, 0, 0, int(c)*1000, time.UTC)}
	}
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{ev(1, "a"), ev(2, "b")}, 2); err != nil {
		t.Fatal(err)
	}
	// The same events again (a retried pull) with a newer one: no duplicate,
	// and the first version stays.
	if err := s.SaveEvents(ctx, []*xdemat.Evenement{ev(2, "b modifié"), ev(3, "c")}, 3); err != nil {
		t.Fatal(err)
	}
	// An older cursor never moves it back.
	if err := s.SaveEvents(ctx, nil, 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 0, Type: "x.y"}}, 9), xdemat.EINVALID)
	s = reopen(t, s, path)

	tests := []struct {
		nom    string
		apres  int64
		limite int
		objets []string
	}{
		{"tout", 0, 0, []string{"a", "b", "c"}},
		{"après le premier", 1, 0, []string{"b", "c"}},
		{"un seul", 0, 1, []string{"a"}},
		{"rien de nouveau", 3, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			evs, err := s.Events(ctx, tt.apres, tt.limite)
			if err != nil {
				t.Fatal(err)
			}
			var objets []string
			for _, e := range evs {
				objets = append(objets, e.Objet)
				want := ev(e.Curseur, e.Objet)
				if !reflect.DeepEqual(e, want) {
					t.Fatalf("événement relu = %+v, attendu %+v", e, want)
				}
			}
			if !reflect.DeepEqual(objets, tt.objets) {
				t.Fatalf("objets = %v, attendu %v", objets, tt.objets)
			}
		})
	}
	st, _ := s.SyncState(ctx)
	if st.Curseur != 3 {
		t.Fatalf("curseur = %d, attendu 3", st.Curseur)
	}
}

func TestJournalChaineEtInalterable(t *testing.T) {
	s, path := openTest(t)
	d := addDoc(t, s, "a.pdf", "a")
	enqueue(t, s, "acte.cree", d.SHA256)
	if err := s.AppendJournal(ctx, &xdemat.Journal{Acteur: "agent", Action: "poste.enrole", Objet: "p-1", Details: "Attigny"}); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, "acte.modifie")
	wantCode(t, s.AppendJournal(ctx, &xdemat.Journal{Acteur: "agent"}), xdemat.EINVALID)
	s = reopen(t, s, path)
	entries, err := s.Journal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[0].Precedent != xdemat.GenesisHash {
		t.Fatalf("journal = %+v", entries)
	}
	if err := xdemat.VerifierJournal(entries); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE journal SET acteur = 'pirate' WHERE seq = 2`, `DELETE FROM journal WHERE seq = 3`} {
		if _, err := s.w.Exec(q); err == nil {
			t.Fatalf("%s : le journal aurait dû refuser", q)
		}
	}
}

func TestEtatDeSynchronisation(t *testing.T) {
	s, path := openTest(t)
	st, err := s.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, &agent.SyncState{}) {
		t.Fatalf("état initial = %+v", st)
	}
	t1 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		nom    string
		action func() error
		succes time.Time
		erreur string
	}{
		{"premier échange réussi", func() error { return s.RecordSuccess(ctx, t1) }, t1, ""},
		{"serveur injoignable", func() error {
			return s.RecordFailure(ctx, t1.Add(time.Hour), "Le serveur central ne répond pas.")
		}, t1, "Le serveur central ne répond pas."},
		{"retour du réseau", func() error { return s.RecordSuccess(ctx, t1.Add(2*time.Hour)) }, t1.Add(2 * time.Hour), ""},
	}
	for _, step := range steps {
		if err := step.action(); err != nil {
			t.Fatal(err)
		}
		s = reopen(t, s, path)
		st, err := s.SyncState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.DernierSucces.Equal(step.succes) || st.DerniereErreur != step.erreur {
			t.Fatalf("%s : état = %+v", step.nom, st)
		}
	}
}

func TestBaseReouverteGardeTout(t *testing.T) {
	s, path := openTest(t)
	d := addDoc(t, s, "registre.pdf", "registre")
	enqueue(t, s, "acte.cree", d.SHA256)
	op := enqueue(t, s, "acte.cree", d.SHA256)
	s.Acknowledge(ctx, 1)
	s.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 7, Type: "poste.enrole", Objet: "p", CreeLe: time.Now()}}, 7)
	s.RecordSuccess(ctx, time.Now())
	s.SaveIdentity(ctx, &agent.Identity{PosteID: "p-1"})
	wantState, _ := s.SyncState(ctx)
	wantJournal, _ := s.Journal(ctx)
	wantPending, _ := s.Pending(ctx, 0)

	s = reopen(t, s, path)
	gotState, _ := s.SyncState(ctx)
	gotJournal, _ := s.Journal(ctx)
	gotPending, _ := s.Pending(ctx, 0)
	if !reflect.DeepEqual(gotState, wantState) || !reflect.DeepEqual(gotJournal, wantJournal) || !reflect.DeepEqual(gotPending, wantPending) {
		t.Fatalf("après réouverture :\nétat %+v / %+v\nattente %v / %v", gotState, wantState, seqs(gotPending), seqs(wantPending))
	}
	if _, err := s.FindDocument(ctx, d.SHA256); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.Events(ctx, 0, 0); len(evs) != 1 {
		t.Fatalf("événements = %d", len(evs))
	}
	if id, err := s.Identity(ctx); err != nil || id.PosteID != "p-1" {
		t.Fatalf("identité = %+v, %v", id, err)
	}
	if gotPending[0].ID != op.ID {
		t.Fatalf("première opération en attente = %s, attendu %s", gotPending[0].ID, op.ID)
	}
}

func TestSaisiesSimultaneesDonnentDesSequencesConsecutives(t *testing.T) {
	s, _ := openTest(t)
	d := addDoc(t, s, "a.pdf", "a")
	const postes, parPoste = 10, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []int64
	ids := map[string]bool{}
	errs := make(chan error, postes)
	for g := 0; g < postes; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < parPoste; i++ {
				op, err := s.Enqueue(ctx, "acte.cree", fmt.Sprintf("u-%d", g), json.RawMessage(`{}`), []string{d.SHA256}, time.Now())
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				all = append(all, op.Seq)
				ids[op.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) != postes*parPoste || len(ids) != postes*parPoste {
		t.Fatalf("%d seqs, %d identifiants", len(all), len(ids))
	}
	for i, seq := range all {
		if seq != int64(i+1) {
			t.Fatalf("seq n°%d = %d : séquence non consécutive", i, seq)
		}
	}
	entries, _ := s.Journal(ctx)
	if len(entries) != postes*parPoste {
		t.Fatalf("journal : %d entrées", len(entries))
	}
	if err := xdemat.VerifierJournal(entries); err != nil {
		t.Fatal(err)
	}
}

func TestRechercheTexteIntegralSurLesNomsDeDocuments(t *testing.T) {
	s, _ := openTest(t)
	addDoc(t, s, "Délibération budget primitif 2026.pdf", "1")
	addDoc(t, s, "Arrêté de voirie.pdf", "2")
	addDoc(t, s, "Délibération tarifs cantine.pdf", "3")
	addDoc(t, s, "Délibération budget primitif 2026.pdf", "1") // idempotent: not indexed twice
	tests := []struct {
		nom     string
		requete string
		nombre  int
	}{
		{"sans accent", "deliberation", 2},
		{"avec accent", "arrêté", 1},
		{"deux mots", "deliberation budget", 1},
		{"préfixe", "cant*", 1},
		{"absent", "cimetière", 0},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			var n int
			if err := s.r.QueryRow(`SELECT COUNT(*) FROM recherche WHERE recherche MATCH ?`, tt.requete).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != tt.nombre {
				t.Fatalf("%q : %d résultats, attendu %d", tt.requete, n, tt.nombre)
			}
		})
	}
}

func BenchmarkEnqueue(b *testing.B) {
	s, _ := openTest(b)
	d := addDoc(b, s, "a.pdf", "a")
	payload := json.RawMessage(`{"numero":"2026-01","objet":"Vote du budget primitif"}`)
	for b.Loop() {
		if _, err := s.Enqueue(ctx, "acte.cree", "u-1", payload, []string{d.SHA256}, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCentralRestaureeRecoitDeNouveauCeQuIlAPerdu(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	pv := addDoc(t, s, "pv.pdf", "procès-verbal")
	arrete := addDoc(t, s, "arrete.pdf", "arrêté")
	enqueue(t, s, "acte.cree")
	enqueue(t, s, "document.ajoute", pv.SHA256)
	enqueue(t, s, "document.ajoute", arrete.SHA256)
	if err := s.MarkUploaded(ctx, pv.SHA256, arrete.SHA256); err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, 3); err != nil {
		t.Fatal(err)
	}
	// Central comes back from a backup that holds only operation 1.
	if err := s.Rewind(ctx, 1); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx, 0)
	if err != nil || !slices.Equal(seqs(pending), []int64{2, 3}) {
		t.Fatalf("en attente : %v (%v)", seqs(pending), err)
	}
	docs, err := s.PendingDocuments(ctx)
	if err != nil || len(docs) != 2 || docs[0].SHA256 != pv.SHA256 || docs[1].SHA256 != arrete.SHA256 {
		t.Fatalf("documents à renvoyer : %+v (%v)", docs, err)
	}
	st, err := s.SyncState(ctx)
	if err != nil || st.DernierAck != 1 || st.OperationsEnAttente != 2 {
		t.Fatalf("état : %+v (%v)", st, err)
	}
	// New operations keep numbering after everything ever issued.
	if op := enqueue(t, s, "acte.cree"); op.Seq != 4 {
		t.Fatalf("nouvelle opération n°%d, 4 attendu", op.Seq)
	}
}
