package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/protocol"
)

func TestPurgeDesTeleversementsAbandonnes(t *testing.T) {
	e := newEnv(t)
	c := e.commune("Commune de Démonstration")
	p := e.enroll(c.ID)
	now := time.Now()
	e.server.Now = func() time.Time { return now }

	// One upload left half-way in the spring, one opened today; the poste's
	// clock agrees with central's each time.
	begin := func(content []byte, d xdemat.Document, at time.Time) {
		t.Helper()
		now = at
		sig := p.sig()
		sig.date = at
		if status, body := e.send(http.MethodPost, "/v1/televersements", mustMarshal(t, protocol.TeleversementRequest{Document: d}), sig); status != http.StatusOK {
			t.Fatalf("ouverture : %d %s", status, body)
		}
		if status, body := e.send(http.MethodPut, "/v1/televersements/"+d.SHA256+"?offset=0", content[:1000], sig); status != http.StatusOK {
			t.Fatalf("bloc : %d %s", status, body)
		}
	}
	old, oldDoc := document(3000)
	begin(old, oldDoc, time.Now().AddDate(0, -8, 0))
	recent, recentDoc := document(3000)
	begin(recent, recentDoc, time.Now())
	var etat protocol.TeleversementEtat

	n, err := e.server.PurgeUploads(api.DureeTeleversementAbandonne)
	if err != nil || n != 1 {
		t.Fatalf("purge : %d supprimé(s), %v ; 1 attendu", n, err)
	}
	for _, f := range []string{oldDoc.SHA256 + ".part", oldDoc.SHA256 + ".json"} {
		if _, err := os.Stat(filepath.Join(e.uploadDir, c.ID, f)); !os.IsNotExist(err) {
			t.Fatalf("%s devait être supprimé (%v)", f, err)
		}
	}
	// The recent upload resumes where it was; the old one starts again.
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: recentDoc}, &etat)
	if etat.Offset != 1000 {
		t.Fatalf("reprise du téléversement récent à %d, 1000 attendu", etat.Offset)
	}
	e.call(p, http.MethodPost, "/v1/televersements", protocol.TeleversementRequest{Document: oldDoc}, &etat)
	if etat.Offset != 0 {
		t.Fatalf("le téléversement abandonné doit repartir de 0, pas de %d", etat.Offset)
	}
}
