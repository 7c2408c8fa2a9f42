package server

import (
	"context"
	"testing"

	"xdemat/helios"
)

// The Hélios simulator started with central keeps what it received in the
// data folder: after a restart on the same folder, the answer not fetched
// yet is still there to fetch.
func TestSimulateurHeliosGardeSonEtatAuRedemarrage(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	demarrer := func() *Main {
		t.Helper()
		m, _ := newTestMain(dir)
		if err := m.ParseFlags(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if m.SimulateurHelios() == nil {
			t.Fatal("simulateur Hélios absent")
		}
		return m
	}
	m := demarrer()
	// An unreadable file is answered by a non-acquit: one reply to fetch.
	d := helios.NouveauDepot("PESALR2_21510108000019_260302_001.xml", helios.ServeursDGFiP[0], helios.EnTetePES{IdPost: "051000", IdColl: "21510108000019", CodCol: "108", CodBud: "01"})
	res, err := m.SimulateurHelios().Deposer(d, []byte("pas un PES"))
	if err != nil || res.Reponse == "" {
		t.Fatalf("dépôt : %+v, %v", res, err)
	}
	m.ReveillerHelios() // the connector finds no PES of ours for it and leaves it
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = demarrer()
	defer m.Close()
	rs := m.SimulateurHelios().Reponses()
	if len(rs) != 1 || rs[0].Nom != res.Reponse {
		t.Fatalf("réponses après le redémarrage : %+v", rs)
	}
}
