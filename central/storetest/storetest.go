// Package storetest is the behaviour every central.Store must have, run by
// each implementation's tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Suite(t, func(t *testing.T) central.Store { … })
//	}
package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// Opener returns a new, empty store. Suite closes it at the end of the test.
type Opener func(t *testing.T) central.Store

// Suite runs every case against stores made by open, which must return a new,
// empty store each time (a fresh file or database); Suite closes it when the
// case ends. Cases run one after the other; some start goroutines of their
// own to check behaviour under concurrent use.
func Suite(t *testing.T, open func(t *testing.T) central.Store) {
	o := Opener(open)
	t.Run("communes", func(t *testing.T) { testCommunes(t, o) })
	t.Run("codes d'enrôlement", func(t *testing.T) { testCodes(t, o) })
	t.Run("enrôlement", func(t *testing.T) { testEnrolement(t, o) })
	t.Run("postes", func(t *testing.T) { testPostes(t, o) })
	t.Run("opérations", func(t *testing.T) { testOperations(t, o) })
	t.Run("documents", func(t *testing.T) { testDocuments(t, o) })
	t.Run("événements", func(t *testing.T) { testEvenements(t, o) })
	t.Run("journal", func(t *testing.T) { testJournal(t, o) })
	t.Run("isolation des communes", func(t *testing.T) { testIsolation(t, o) })
	t.Run("sans poste authentifié", func(t *testing.T) { testNonAuthentifie(t, o) })
	t.Run("notifications, utilisateurs et envois", func(t *testing.T) { testXpostit(t, o) })
	t.Run("sauvegardes", func(t *testing.T) { testSauvegardes(t, o) })
	t.Run("parapheur", func(t *testing.T) { testParapheur(t, o) })
	t.Run("Hélios", func(t *testing.T) { testHelios(t, o) })
	t.Run("publication", func(t *testing.T) { testPublication(t, o) })
	t.Run("réveil des postes après chaque écriture d'événements", func(t *testing.T) { testReveil(t, o) })
}

// t0 has nanoseconds on purpose: stores keep microseconds.
var t0 = time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))

// us is what a store gives back for t: UTC, to the microsecond.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (o Opener) new(t *testing.T) central.Store {
	t.Helper()
	s := o(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

var counter atomic.Int64

// SIREN returns a valid SIREN that no other call of this process returns.
func SIREN() string {
	base := fmt.Sprintf("%08d", 21000000+counter.Add(1))
	for k := 0; k <= 9; k++ {
		if s := base + strconv.Itoa(k); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("unreachable: a Luhn check digit always exists")
}

func commune(t *testing.T, s central.Store, nom string) *xdemat.Commune {
	t.Helper()
	c := &xdemat.Commune{SIREN: SIREN(), Nom: nom, Departement: "51", Population: 412}
	if err := s.CreateCommune(context.Background(), c); err != nil {
		t.Fatalf("CreateCommune(%s): %v", nom, err)
	}
	return c
}

// code records a new code for the commune, valid from now for 48 hours.
func code(t *testing.T, s central.Store, communeID string, now time.Time) *xdemat.CodeEnrolement {
	t.Helper()
	c := &xdemat.CodeEnrolement{
		Code:      fmt.Sprintf("K%03d-%04d-%04d", counter.Add(1)%1000, counter.Add(1)%10000, counter.Add(1)%10000),
		CommuneID: communeID,
		CreeLe:    now,
		ExpireLe:  now.Add(xdemat.DureeCodeEnrolement),
	}
	if err := s.CreateCode(context.Background(), c); err != nil {
		t.Fatalf("CreateCode: %v", err)
	}
	return c
}

func cle(t *testing.T) []byte {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// poste enrolls a new poste for the commune.
func poste(t *testing.T, s central.Store, communeID, nom string) *xdemat.Poste {
	t.Helper()
	c := code(t, s, communeID, t0)
	p := &xdemat.Poste{Nom: nom, ClePublique: cle(t), Version: "1.0.0"}
	if err := s.Enroll(context.Background(), c.Code, p, t0.Add(time.Minute)); err != nil {
		t.Fatalf("Enroll(%s): %v", nom, err)
	}
	return p
}

// as returns a context authenticated as p.
func as(p *xdemat.Poste) context.Context {
	return xdemat.NewContextWithPoste(context.Background(), p)
}

func hash(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:])
}

// document records a document of the given content for the poste's commune.
func document(t *testing.T, s central.Store, p *xdemat.Poste, content string) *xdemat.Document {
	t.Helper()
	d := &xdemat.Document{SHA256: hash(content), Taille: int64(len(content)), NomOriginal: "deliberation-" + content[:min(8, len(content))] + ".pdf"}
	if err := s.CreateDocument(as(p), d, t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("CreateDocument: %v", err)
	}
	return d
}

// op returns a new operation of seq, referring to documents.
func op(seq int64, documents ...string) *xdemat.Operation {
	return &xdemat.Operation{
		ID:        uuid.NewString(),
		Seq:       seq,
		Type:      "acte.cree",
		Auteur:    "u-" + strconv.FormatInt(seq, 10),
		Payload:   json.RawMessage(fmt.Sprintf(`{"numero":"2025-%03d","objet":"Délibération n°%d"}`, seq, seq)),
		Documents: documents,
		CreeLe:    t0.Add(time.Duration(seq) * time.Second),
	}
}

func ops(from, to int64) []*xdemat.Operation {
	var out []*xdemat.Operation
	for seq := from; seq <= to; seq++ {
		out = append(out, op(seq))
	}
	return out
}

func apply(t *testing.T, s central.Store, p *xdemat.Poste, batch []*xdemat.Operation, wantAck int64) {
	t.Helper()
	ack, err := s.ApplyOperations(as(p), batch, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("ApplyOperations: %v", err)
	}
	if ack != wantAck {
		t.Fatalf("ApplyOperations ack = %d, want %d", ack, wantAck)
	}
}

// wantError fails unless err carries the domain code (and message, when not empty).
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	if got := xdemat.ErrorCode(err); got != code {
		t.Fatalf("error code %q, want %q (error: %v)", got, code, err)
	}
	if message != "" && xdemat.ErrorMessage(err) != message {
		t.Fatalf("error message\n %q\nwant\n %q", xdemat.ErrorMessage(err), message)
	}
}

// must(f())(t) returns the value of f, or fails t with its error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func events(t *testing.T, s central.Store, p *xdemat.Poste) []*xdemat.Evenement {
	t.Helper()
	return must(s.Events(as(p), 0, 1000))(t)
}

func journal(t *testing.T, s central.Store, p *xdemat.Poste) []*xdemat.Journal {
	t.Helper()
	j := must(s.Journal(as(p)))(t)
	if err := xdemat.VerifierJournal(j); err != nil {
		t.Fatalf("VerifierJournal: %v", err)
	}
	return j
}

// snapshot is what a commune's poste can see; it changes with every write.
type snapshot struct {
	ack                        int64
	ops, docs, events, journal int
}

func snap(t *testing.T, s central.Store, p *xdemat.Poste) snapshot {
	t.Helper()
	ctx := as(p)
	return snapshot{
		ack:     must(s.Ack(ctx))(t),
		ops:     len(must(s.ListOperations(ctx))(t)),
		docs:    len(must(s.ListDocuments(ctx))(t)),
		events:  len(events(t, s, p)),
		journal: len(journal(t, s, p)),
	}
}

func wantSnap(t *testing.T, s central.Store, p *xdemat.Poste, want snapshot) {
	t.Helper()
	if got := snap(t, s, p); got != want {
		t.Fatalf("state %+v, want %+v", got, want)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
