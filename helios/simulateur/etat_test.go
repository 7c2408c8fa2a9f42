package simulateur

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"xdemat/internal/pkitest"
)

// rouvrir starts (or restarts) a simulator on the folder of o.
func rouvrir(t *testing.T, o Options) *banc {
	t.Helper()
	s, err := Ouvrir(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &banc{t: t, sim: s, srv: srv}
}

func TestEtatGardeApresUnRedemarrage(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	o := Options{Dossier: t.TempDir()}
	b := rouvrir(t, o)
	pes := signer(t, sig, pesAller("PES_R", []string{"PJ0001"}, bord{num: "12", pieces: []string{"121", "122"}}), maire)
	statut, premier, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	if statut != http.StatusCreated {
		t.Fatal(statut)
	}
	acquit, _ := b.sim.Contenu(premier.Reponse)

	// Restarted before the acquit was fetched: it still waits, the same.
	b = rouvrir(t, o)
	if rs := b.sim.Reponses(); len(rs) != 1 || rs[0].Nom != premier.Reponse || !rs[0].Accepte {
		t.Fatalf("réponses après redémarrage : %+v", rs)
	}
	if c, _ := b.sim.Contenu(premier.Reponse); !bytes.Equal(c, acquit) {
		t.Fatal("l'acquit a changé au redémarrage")
	}
	// The client, unsure, sends the file again: same acquit, no second one.
	statut, second, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	if statut != http.StatusOK || !second.DejaRecu || second.Reponse != premier.Reponse || len(b.sim.Reponses()) != 1 {
		t.Fatalf("renvoi après redémarrage : %d %+v, %d réponses", statut, second, len(b.sim.Reponses()))
	}
	// Fetched and deleted, then sent again after a restart: the same acquit
	// is offered once more, nothing is integrated twice.
	b.sim.Supprimer(premier.Reponse)
	b = rouvrir(t, o)
	if n := len(b.sim.Reponses()); n != 0 {
		t.Fatalf("%d réponses après suppression et redémarrage", n)
	}
	_, troisieme, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	if c, _ := b.sim.Contenu(troisieme.Reponse); !troisieme.DejaRecu || !bytes.Equal(c, acquit) || len(b.sim.Reponses()) != 1 {
		t.Fatalf("renvoi d'un fichier déjà acquitté : %+v", troisieme)
	}
	// The bordereaux accepted before the restart get their PES_Retour.
	noms, err := b.sim.ProduireRetours(DemandeRetour{})
	if err != nil || len(noms) != 1 {
		t.Fatalf("retours après redémarrage : %v %v", noms, err)
	}
	m, _ := b.reponse(noms[0])
	if ps := m.Retour.Pieces(); len(ps) != 2 || ps[1].IdPce != "122" {
		t.Fatalf("pièces du retour : %+v", ps)
	}
	// The doublon check survived too.
	_, res, _ := b.deposer("PESALR2_21510108000019_260302_002.xml", signer(t, sig, pesAller("PES_S", nil, bord{num: "12", pieces: []string{"121", "122"}}), maire))
	if m, _ := b.reponse(res.Reponse); m.Acquit == nil || m.Acquit.Accepte() {
		t.Fatalf("bordereau intégré avant le redémarrage accepté de nouveau : %+v", m)
	}
}

func TestEtatIllisibleSignale(t *testing.T) {
	o := Options{Dossier: t.TempDir()}
	if err := os.WriteFile(o.Dossier+"/"+fichierEtat, []byte("{pas du json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ouvrir(o); err == nil {
		t.Fatal("état illisible accepté")
	}
}
