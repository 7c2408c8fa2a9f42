package xdemat

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Journal entries form an append-only chain: each entry carries the SHA-256 of
// the previous one, so that removing or altering an entry breaks every later
// hash. This is the legal trace of who did what and when.
type Journal struct {
	Seq       int64     `json:"seq"` // 1, 2, 3…
	Date      time.Time `json:"date"`
	Acteur    string    `json:"acteur"` // user ID, or "agent", "central"
	Action    string    `json:"action"` // "document.ajoute", "poste.enrole"…
	Objet     string    `json:"objet"`  // what the action is about (an ID, a hash)
	Details   string    `json:"details,omitempty"`
	Precedent string    `json:"precedent"` // hash of the previous entry; GenesisHash for the first
	Hash      string    `json:"hash"`
}

// GenesisHash is the "previous hash" of the first entry of a journal.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Chainer fills in Seq, Precedent and Hash of e so that it follows prev (nil
// for the first entry). Date is truncated to the microsecond so that the hash
// survives a round trip through any store.
func (e *Journal) Chainer(prev *Journal) {
	e.Seq, e.Precedent = 1, GenesisHash
	if prev != nil {
		e.Seq, e.Precedent = prev.Seq+1, prev.Hash
	}
	e.Date = e.Date.UTC().Truncate(time.Microsecond)
	e.Hash = e.computeHash()
}

func (e *Journal) computeHash() string {
	// Fields are length-prefixed so that no two different entries share an input.
	var b strings.Builder
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), e.Date.UTC().Format(time.RFC3339Nano), e.Acteur, e.Action, e.Objet, e.Details, e.Precedent} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// VerifierJournal checks that entries (in order, starting at Seq 1) form an
// unbroken chain, and returns an error naming the first broken entry.
func VerifierJournal(entries []*Journal) error {
	var prev *Journal
	for _, e := range entries {
		want := *e
		want.Chainer(prev)
		if e.Seq != want.Seq || e.Precedent != want.Precedent || e.Hash != want.Hash {
			return Errorf(ECONFLICT, "Le journal est altéré à l'entrée n°%d (%s du %s) : contactez la SPL.", e.Seq, e.Action, e.Date.Local().Format("02/01/2006 15:04"))
		}
		prev = e
	}
	return nil
}
