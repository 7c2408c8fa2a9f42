package ctes

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/actes/simulateur"
	"xdemat/central"
	"xdemat/central/admin"
	"xdemat/central/blob"
	"xdemat/central/postgres"
	"xdemat/central/postgres/postgrestest"
	"xdemat/central/sqlite"
	"xdemat/internal/pdftest"
)

var ctx = context.Background()

func TestMain(m *testing.M) { postgrestest.Main(m) }

// magasin is central's database as the connector and the sync API see it.
type magasin interface {
	central.Store
	central.ActesStore
}

// surChaqueBase runs f against SQLite and PostgreSQL.
func surChaqueBase(t *testing.T, f func(t *testing.T, b *banc)) {
	t.Run("SQLite", func(t *testing.T) {
		f(t, nouveauBanc(t, func(t *testing.T, dir string) func() (magasin, error) {
			return func() (magasin, error) { return sqlite.Open(filepath.Join(dir, "central.db")) }
		}))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		f(t, nouveauBanc(t, func(t *testing.T, _ string) func() (magasin, error) {
			url := postgrestest.Start(t)
			return func() (magasin, error) { return postgres.Open(ctx, url) }
		}))
	})
}

// banc is a central (SQLite store, documents) with one commune and one
// poste, and the simulated @CTES platform.
type banc struct {
	t     *testing.T
	open  func() (magasin, error)
	store magasin
	blobs *blob.Store
	sim   *simulateur.Simulateur
	srv   *httptest.Server
	poste *xdemat.Poste
	seq   int64
}

func nouveauBanc(t *testing.T, base func(t *testing.T, dir string) func() (magasin, error)) *banc {
	t.Helper()
	dir := t.TempDir()
	b := &banc{t: t, open: base(t, dir)}
	var err error
	if b.store, err = b.open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.store.Close() })
	if b.blobs, err = blob.Open(filepath.Join(dir, "documents")); err != nil {
		t.Fatal(err)
	}
	if b.sim, err = simulateur.New(simulateur.Config{Trigramme: "XDM", Operateur: "spl-xdemat"}); err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(b.sim)
	t.Cleanup(b.srv.Close)
	c := &xdemat.Commune{SIREN: "215100009", Nom: "Fismes", Departement: "51", Population: 5000, CreeLe: time.Now()}
	if err := b.store.CreateCommune(ctx, c); err != nil {
		t.Fatal(err)
	}
	code, _ := admin.NewCode()
	if err := b.store.CreateCode(ctx, &xdemat.CodeEnrolement{Code: code, CommuneID: c.ID, CreeLe: time.Now(), ExpireLe: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	b.poste = &xdemat.Poste{Nom: "MAIRIE-01", ClePublique: pub}
	if err := b.store.Enroll(ctx, code, b.poste, time.Now()); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *banc) connecteur() *Connecteur {
	return &Connecteur{Store: b.store, Blobs: b.blobs, URL: b.srv.URL, Operateur: "spl-xdemat", Trigramme: "XDM"}
}

// envoyer applies the operations a poste sends for a new délibération and
// its transmission, and returns the acte.
func (b *banc) envoyer(numero, objet string) *xdemat.Acte {
	b.t.Helper()
	pdf := pdftest.Minimal("Délibération "+numero, objet)
	h, n, err := b.blobs.Put(bytes.NewReader(pdf), 0)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.store.CreateDocument(xdemat.NewContextWithPoste(ctx, b.poste), &xdemat.Document{SHA256: h, Taille: n, TypeMedia: "application/pdf", NomOriginal: "deliberation.pdf"}, time.Now()); err != nil {
		b.t.Fatal(err)
	}
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: xdemat.NatureDeliberation, NumeroInterne: numero,
		DateDecision: time.Now().AddDate(0, 0, -1), Objet: objet, Classification: "7.2.1",
		DateClassification: simulateur.ClassificationDemo().DateClassification.Time,
		DocumentPrincipal:  xdemat.PieceActe{SHA256: h, Nom: "deliberation.pdf", Taille: n, TypePiece: "99_DE", TypeMedia: "application/pdf"}}
	tr := xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: a.DocumentPrincipal, Le: time.Now()}
	b.appliquer(xdemat.OperationActeCree, a, h)
	b.appliquer(xdemat.OperationActeTransmettre, &tr, h)
	return a
}

func (b *banc) appliquer(typ string, payload any, docs ...string) {
	b.t.Helper()
	data, _ := json.Marshal(payload)
	b.seq++
	op := &xdemat.Operation{ID: uuid.NewString(), Seq: b.seq, Type: typ, Payload: data, Documents: docs, CreeLe: time.Now()}
	if _, err := b.store.ApplyOperations(xdemat.NewContextWithPoste(ctx, b.poste), []*xdemat.Operation{op}, time.Now()); err != nil {
		b.t.Fatal(err)
	}
}

func (b *banc) acte(id string) *xdemat.Acte {
	b.t.Helper()
	a, err := b.store.Acte(ctx, b.poste.CommuneID, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return a
}

// statutsRelayes returns the statuses relayed to the postes for the acte.
func (b *banc) statutsRelayes(id string) []xdemat.StatutActe {
	b.t.Helper()
	evs, err := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []xdemat.StatutActe
	for _, ev := range evs {
		var c xdemat.StatutActeChange
		if ev.Type == xdemat.EvenementActeStatut && json.Unmarshal(ev.Payload, &c) == nil && c.ActeID == id {
			out = append(out, c.Statut)
		}
	}
	return out
}

// archivesRecues counts the archives the platform received.
func (b *banc) archivesRecues() int { return b.sim.EtatCourant().Archives }

func TestActeTransmisPuisAcquitte(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_001", "Vote des taux d'imposition")
		c := b.connecteur()
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		got := b.acte(a.ID)
		if got.Statut != xdemat.ActeAcquitte || !xdemat.ValidIdentifiantActe(got.IdentifiantUnique) || got.DateAR.IsZero() ||
			!strings.Contains(got.IdentifiantUnique, "DE2026_001") {
			t.Fatalf("acte après le passage %+v", got)
		}
		if s := b.statutsRelayes(a.ID); len(s) != 2 || s[0] != xdemat.ActeTransmis || s[1] != xdemat.ActeAcquitte {
			t.Fatalf("statuts relayés %v", s)
		}
		// Another pass, or the same operation replayed: nothing more is sent.
		b.appliquer(xdemat.OperationActeTransmettre, &xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: a.DocumentPrincipal, Le: time.Now()})
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		if n := b.archivesRecues(); n != 1 {
			t.Fatalf("%d archives reçues", n)
		}
		if s := b.statutsRelayes(a.ID); len(s) != 2 {
			t.Fatalf("statuts relayés %v", s)
		}
	})
}

func TestAnomalieExpliqueeEnFrancais(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		b.sim.AnomalieProchainActe(simulateur.Anomalie{Nature: 3, Detail: "Matière 7.2.1 inconnue"})
		a := b.envoyer("DE2026_002", "Tarifs de la cantine")
		if err := b.connecteur().Tour(ctx); err != nil {
			t.Fatal(err)
		}
		got := b.acte(a.ID)
		if got.Statut != xdemat.ActeEnErreur || !strings.Contains(got.Anomalie, "La préfecture a refusé l'acte n° DE2026_002") {
			t.Fatalf("acte refusé %+v", got)
		}
		// Corrected and sent again: a new archive, a new series number.
		b.appliquer(xdemat.OperationActeTransmettre, &xdemat.TransmissionActe{ActeID: a.ID, DocumentPrincipal: a.DocumentPrincipal, Le: time.Now()})
		if err := b.connecteur().Tour(ctx); err != nil {
			t.Fatal(err)
		}
		if got := b.acte(a.ID); got.Statut != xdemat.ActeAcquitte || b.archivesRecues() != 2 {
			t.Fatalf("après correction %+v, %d archives", got, b.archivesRecues())
		}
	})
}

func TestCentralArreteEntreIntentionEtEnvoiTransmetUneFois(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_003", "Acquisition d'une parcelle")
		c := b.connecteur()
		var nom string
		c.ApresIntention = func(_ context.Context, n string) error { nom = n; return errors.New("arrêt brutal") }
		if err := c.Tour(ctx); !errors.Is(err, ErrInterrompu) {
			t.Fatalf("passage interrompu : %v", err)
		}
		if b.archivesRecues() != 0 || b.acte(a.ID).Statut != xdemat.ActeEnAttenteEnvoi {
			t.Fatal("l'archive est partie avant l'arrêt")
		}
		// Central starts again on the same database.
		if err := b.store.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		if b.store, err = b.open(); err != nil {
			t.Fatal(err)
		}
		c = b.connecteur()
		for range 2 {
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := b.acte(a.ID)
		if got.Statut != xdemat.ActeAcquitte || got.NomArchive != nom || b.archivesRecues() != 1 {
			t.Fatalf("après reprise %+v (archive %s), %d archives", got, nom, b.archivesRecues())
		}
		// The series number of the recorded archive is never reused.
		autre := b.envoyer("DE2026_004", "Autre délibération")
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		if g := b.acte(autre.ID); g.Statut != xdemat.ActeAcquitte || g.NomArchive == nom {
			t.Fatalf("second acte %+v", g)
		}
	})
}

func TestMessagesDeLaPrefectureRelayes(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_005", "Permis de construire")
		c := b.connecteur()
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		id := b.acte(a.ID).IdentifiantUnique
		if _, err := b.sim.Courrier(id, "Merci de préciser le montant."); err != nil {
			t.Fatal(err)
		}
		if _, err := b.sim.Deferer(id, "Incompétence de l'auteur de l'acte."); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second pass finds nothing new
			if err := c.Tour(ctx); err != nil {
				t.Fatal(err)
			}
		}
		evs, _ := b.store.Events(xdemat.NewContextWithPoste(ctx, b.poste), 0, 0)
		var types []xdemat.TypeMessagePrefecture
		notifs := 0
		for _, ev := range evs {
			var m xdemat.MessagePrefecture
			if ev.Type == xdemat.EvenementActeMessage && json.Unmarshal(ev.Payload, &m) == nil && m.ActeID == a.ID {
				types = append(types, m.Type)
			}
			var n xdemat.Notification
			if ev.Type == xdemat.OperationNotificationCreee && json.Unmarshal(ev.Payload, &n) == nil && n.Objet.Ecran == "actes" {
				notifs++
			}
		}
		if len(types) != 2 || types[0] != xdemat.MessageCourrierSimple || types[1] != xdemat.MessageDefere {
			t.Fatalf("messages relayés %v", types)
		}
		if notifs != 3 { // AR, courrier, déféré
			t.Fatalf("%d notifications", notifs)
		}
	})
}

func TestAnnulationDunActeAcquitte(t *testing.T) {
	surChaqueBase(t, func(t *testing.T, b *banc) {
		a := b.envoyer("DE2026_006", "Subvention au comité des fêtes")
		c := b.connecteur()
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		id := b.acte(a.ID).IdentifiantUnique
		b.appliquer(xdemat.OperationActeAnnuler, &xdemat.AnnulationActe{ActeID: a.ID, Motif: "Erreur de montant", Le: time.Now()})
		if got := b.acte(a.ID); got.Statut != xdemat.ActeAnnulationTransmise {
			t.Fatalf("après la demande : %s", got.Statut)
		}
		if err := c.Tour(ctx); err != nil {
			t.Fatal(err)
		}
		got := b.acte(a.ID)
		if got.Statut != xdemat.ActeAnnule || got.AnnuleLe.IsZero() || got.IdentifiantUnique != id {
			t.Fatalf("après l'accusé de réception de l'annulation : %+v", got)
		}
		if s := b.statutsRelayes(a.ID); s[len(s)-1] != xdemat.ActeAnnule {
			t.Fatalf("statuts relayés %v", s)
		}
		if sa, ok := b.sim.Acte(id); !ok || !sa.Annule {
			t.Fatalf("la plateforme ne tient pas l'acte pour annulé : %+v", sa)
		}
	})
}
