package helios_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/blob"
	"xdemat/central/helios"
	"xdemat/central/sqlite"
	dgfip "xdemat/helios"
	"xdemat/helios/simulateur"
	"xdemat/internal/fixtures"
	"xdemat/pes"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type banc struct {
	store *sqlite.Store
	blobs *blob.Store
	sim   *simulateur.Simulateur
	url   string
	poste *xdemat.Poste
	seq   int64
	dir   string // central's data folder
}

func nouveauBanc(t *testing.T) *banc {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(filepath.Join(dir, "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := &xdemat.Commune{SIREN: "243100633", Nom: "Sicoval", Departement: "31", Population: 7000}
	if err := s.CreateCommune(ctx, c); err != nil {
		t.Fatal(err)
	}
	code := &xdemat.CodeEnrolement{Code: "K001-0001-0001", CommuneID: c.ID, CreeLe: t0, ExpireLe: t0.Add(xdemat.DureeCodeEnrolement)}
	if err := s.CreateCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	p := &xdemat.Poste{Nom: "Secrétariat", ClePublique: pub, Version: "1.0.0"}
	if err := s.Enroll(ctx, code.Code, p, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The PES of the fixtures is not signed: the simulator takes it as from
	// a collectivité still on paper; the signature checks are the
	// simulator's own tests and the end-to-end test's.
	sim := simulateur.Nouveau(simulateur.Options{SansSignature: true, Maintenant: func() time.Time { return t0 }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &banc{store: s, blobs: blobs, sim: sim, url: srv.URL, poste: p, dir: dir}
}

func (b *banc) connecteur() *helios.Connecteur {
	return &helios.Connecteur{Store: b.store, Blobs: b.blobs, URL: b.url, Now: func() time.Time { return t0.Add(time.Hour) }, Poll: time.Minute}
}

// transmettre hands over a PES as a poste does (helios.transmettre).
func (b *banc) transmettre(t *testing.T, contenu []byte) *xdemat.TransmissionPES {
	t.Helper()
	ctx := xdemat.NewContextWithPoste(context.Background(), b.poste)
	hash, taille, err := b.blobs.Put(bytes.NewReader(contenu), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.CreateDocument(ctx, &xdemat.Document{SHA256: hash, Taille: taille, TypeMedia: "application/xml", NomOriginal: "pes.xml"}, t0); err != nil {
		t.Fatal(err)
	}
	f, err := pes.Lire(bytes.NewReader(contenu))
	if err != nil {
		t.Fatal(err)
	}
	tr := &xdemat.TransmissionPES{ID: uuid.NewString(), DossierID: uuid.NewString(), Original: hash, Document: hash,
		NomFic: f.NomFic, CodCol: f.EnTete.CodCol, IdPost: f.EnTete.IdPost, CodBud: f.EnTete.CodBud, IdColl: f.EnTete.IdColl, TypFic: f.TypFic,
		Statut: xdemat.HeliosSigne, ImporteLe: t0, SigneLe: t0}
	for _, bo := range f.Bordereaux() {
		dom := "depense"
		if bo.Domaine == pes.Recette {
			dom = "recette"
		}
		tr.Bordereaux = append(tr.Bordereaux, xdemat.BordereauPES{Domaine: dom, Exercice: bo.Exer, Numero: bo.IdBord, Type: bo.TypBord, Statut: xdemat.HeliosSigne})
	}
	data, _ := json.Marshal(tr)
	b.seq++
	op := &xdemat.Operation{ID: uuid.NewString(), Seq: b.seq, Type: xdemat.OperationHeliosTransmettre, Payload: data, Documents: []string{hash}, CreeLe: t0}
	if _, err := b.store.ApplyOperations(ctx, []*xdemat.Operation{op}, t0); err != nil {
		t.Fatal(err)
	}
	return tr
}

func (b *banc) statuts(t *testing.T) []*xdemat.StatutTransmissionPES {
	t.Helper()
	evs, err := b.store.Events(xdemat.NewContextWithPoste(context.Background(), b.poste), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*xdemat.StatutTransmissionPES
	for _, e := range evs {
		if e.Type == xdemat.EvenementHeliosStatut {
			var st xdemat.StatutTransmissionPES
			if err := json.Unmarshal(e.Payload, &st); err != nil {
				t.Fatal(err)
			}
			out = append(out, &st)
		}
	}
	return out
}

func TestPESEnvoyeUneFoisPuisAcquitte(t *testing.T) {
	contenu := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	cas := []struct {
		nom          string
		comportement simulateur.Comportement
		statut       xdemat.StatutHelios
		explication  string
	}{
		{"acquit : bordereau accepté", simulateur.Comportement{}, xdemat.HeliosAcquitte, ""},
		{"acquit KO : bordereau refusé avec l'explication", simulateur.Comportement{RejetForce: dgfip.CodeAnomalie("ERREUR_AUTRE"), LibelleRejet: "1971 - Compte fonction présent à tort"}, xdemat.HeliosRefuse, "1971"},
		{"non-acquit : fichier refusé", simulateur.Comportement{NonAcquitForce: "Fichier illisible"}, xdemat.HeliosRefuse, "illisible"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			b := nouveauBanc(t)
			b.sim.Regler(c.comportement)
			tr := b.transmettre(t, contenu)
			ctx := context.Background()
			k := b.connecteur()
			k.Cycle(ctx)
			k.Cycle(ctx) // nothing more: sent once, answered once
			if n := len(b.sim.Reponses()); n != 0 {
				t.Fatalf("%d réponses laissées sur le serveur", n)
			}
			sts := b.statuts(t)
			if len(sts) != 2 || sts[0].Statut != xdemat.HeliosTransmis || sts[1].Statut != c.statut {
				t.Fatalf("statuts relayés %+v", sts)
			}
			if !strings.HasPrefix(sts[0].NomTransport, "PESALR2_24310063300011_260302_") {
				t.Fatalf("nom de transport %q", sts[0].NomTransport)
			}
			tout := strings.Join(sts[1].Explications, " ")
			for _, bo := range sts[1].Bordereaux {
				tout += strings.Join(bo.Explications, " ")
			}
			if c.explication != "" && !strings.Contains(tout, c.explication) {
				t.Fatalf("explication absente : %q", tout)
			}
			got, err := b.store.HeliosTransmission(ctx, b.poste.CommuneID, tr.ID)
			if err != nil || got.Statut != c.statut {
				t.Fatalf("transmission %+v %v", got, err)
			}
		})
	}
}

func TestRepriseApresArretPendantLEnvoi(t *testing.T) {
	contenu := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := nouveauBanc(t)
	tr := b.transmettre(t, contenu)
	ctx := context.Background()
	// Central stopped after recording the intent and uploading, before
	// recording the upload: on restart the same file goes under the same
	// name, the transport takes it as already received, one acquit only.
	avant, err := b.store.HeliosIntention(ctx, b.poste.CommuneID, tr.ID, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.sim.Deposer(dgfip.NouveauDepot(avant.NomTransport, dgfip.ServeursDGFiP[0], dgfip.EnTetePES{IdPost: tr.IdPost, CodCol: tr.CodCol, CodBud: tr.CodBud, IdColl: tr.IdColl}), contenu)
	if err != nil {
		t.Fatal(err)
	}
	b.connecteur().Cycle(ctx)
	sts := b.statuts(t)
	if len(sts) != 2 || sts[0].NomTransport != res.Nom || sts[1].Statut != xdemat.HeliosAcquitte {
		t.Fatalf("statuts %+v (déposé sous %s)", sts, res.Nom)
	}
	// The same NomFic and CodCol from another dossier: never sent.
	b.transmettre(t, contenu)
	b.connecteur().Cycle(ctx)
	if sts := b.statuts(t); len(sts) != 3 || sts[2].Statut != xdemat.HeliosRefuse || !strings.Contains(sts[2].Explications[0], "déjà été confié") {
		t.Fatalf("doublon : %+v", sts[len(sts)-1])
	}
}

func TestServeurHeliosEnPanne(t *testing.T) {
	contenu := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := nouveauBanc(t)
	b.sim.Regler(simulateur.Comportement{Panne: true})
	b.transmettre(t, contenu)
	ctx := context.Background()
	k := b.connecteur()
	k.Cycle(ctx)
	if sts := b.statuts(t); len(sts) != 0 {
		t.Fatalf("statut annoncé pendant la panne : %+v", sts)
	}
	b.sim.Regler(simulateur.Comportement{})
	k.Cycle(ctx) // next attempt not due yet
	if sts := b.statuts(t); len(sts) != 0 {
		t.Fatalf("nouvel essai avant le délai : %+v", sts)
	}
	k.Now = func() time.Time { return t0.Add(3 * time.Hour) }
	k.Cycle(ctx)
	if sts := b.statuts(t); len(sts) != 2 || sts[1].Statut != xdemat.HeliosAcquitte {
		t.Fatalf("après la panne : %+v", sts)
	}
}
