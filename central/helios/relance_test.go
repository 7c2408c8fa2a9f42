package helios_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/helios"
	"xdemat/central/sqlite"
	"xdemat/helios/simulateur"
	"xdemat/internal/fixtures"
)

// compter gives how many helios.statut events carry each statut.
func compter(sts []*xdemat.StatutTransmissionPES) map[xdemat.StatutHelios]int {
	n := map[xdemat.StatutHelios]int{}
	for _, st := range sts {
		n[st.Statut]++
	}
	return n
}

// demarrerSimulateur starts the simulator on a folder (a restart when the
// folder holds a state), or in memory when dossier is "".
func demarrerSimulateur(t *testing.T, b *banc, dossier string) {
	t.Helper()
	o := simulateur.Options{SansSignature: true, Maintenant: func() time.Time { return t0 }, Dossier: dossier}
	var err error
	if dossier == "" {
		b.sim = simulateur.Nouveau(o)
	} else if b.sim, err = simulateur.Ouvrir(o); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.sim)
	t.Cleanup(srv.Close)
	b.url = srv.URL
}

// Central stopped after the upload and before the acquit was fetched, then
// started again on the same data (database and simulator state): the
// acquit arrives, once.
func TestAcquitApresRedemarrageDeCentral(t *testing.T) {
	contenu := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := nouveauBanc(t)
	demarrerSimulateur(t, b, filepath.Join(b.dir, "simulateur-helios"))
	tr := b.transmettre(t, contenu)
	ctx := context.Background()
	if err := b.connecteur().Envoyer(ctx); err != nil { // uploaded; central stops here
		t.Fatal(err)
	}
	// Restart on the same data folder: database and simulator state.
	if err := b.store.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(filepath.Join(b.dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b.store = s
	demarrerSimulateur(t, b, filepath.Join(b.dir, "simulateur-helios"))
	k := b.connecteur()
	k.Cycle(ctx)
	k.Cycle(ctx)
	if n := compter(b.statuts(t)); n[xdemat.HeliosTransmis] != 1 || n[xdemat.HeliosAcquitte] != 1 || len(n) != 2 {
		t.Fatalf("statuts relayés après le redémarrage : %v", n)
	}
	if got, err := b.store.HeliosTransmission(ctx, b.poste.CommuneID, tr.ID); err != nil || got.Statut != xdemat.HeliosAcquitte {
		t.Fatalf("transmission %+v %v", got, err)
	}
	if n := len(b.sim.Reponses()); n != 0 {
		t.Fatalf("%d réponses laissées sur le serveur", n)
	}
}

// A DGFiP that lost the file (here a simulator restarted without its
// state): past Relance, the connector uploads it again under the same
// name, and the one acquit is applied once.
func TestPESSansReponseDeposeDeNouveau(t *testing.T) {
	contenu := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := nouveauBanc(t)
	b.transmettre(t, contenu)
	ctx := context.Background()
	if err := b.connecteur().Envoyer(ctx); err != nil {
		t.Fatal(err)
	}
	demarrerSimulateur(t, b, "") // everything received is forgotten
	cycle := func(apres time.Duration) {
		k := b.connecteur()
		k.Relance = 2 * time.Hour
		k.Now = func() time.Time { return t0.Add(time.Hour + apres) }
		k.Cycle(ctx)
	}
	cycle(time.Hour) // too early: nothing sent again
	if n := compter(b.statuts(t)); n[xdemat.HeliosAcquitte] != 0 {
		t.Fatalf("acquit sans renvoi : %v", n)
	}
	cycle(3 * time.Hour)
	cycle(4 * time.Hour)
	cycle(10 * time.Hour)
	if n := compter(b.statuts(t)); n[xdemat.HeliosTransmis] != 1 || n[xdemat.HeliosAcquitte] != 1 || len(n) != 2 {
		t.Fatalf("statuts relayés après le renvoi : %v", n)
	}
	if n := len(b.sim.Reponses()); n != 0 {
		t.Fatalf("%d réponses laissées sur le serveur", n)
	}
}

// central/server finds the connector's store by a type assertion at
// start-up: a method missing from sqlstore fails here, at compile time.
var _ helios.Store = (*sqlite.Store)(nil)
