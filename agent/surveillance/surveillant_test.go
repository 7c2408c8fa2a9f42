package surveillance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// pes is a small complete PES_Aller in ISO-8859-1.
func pes(nomFic string) []byte {
	return []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"><Enveloppe><Parametres><NomFic V="` + nomFic + `"/></Parametres></Enveloppe><EnTetePES><LibelleColBud V="Commune d'` + "\xC9" + `cury"/></EnTetePES></n:PES_Aller>
`)
}

// recepteur is a Traitement that records what it received; echecs makes the
// first calls fail, refus refuses the files whose name contains it.
type recepteur struct {
	mu      sync.Mutex
	recus   []Fichier
	contenu map[string][]byte
	echecs  int
	refus   string
}

func (r *recepteur) traiter(_ context.Context, f Fichier) error {
	b, err := os.ReadFile(f.Chemin)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.echecs > 0 {
		r.echecs--
		return errors.New("central injoignable")
	}
	if r.refus != "" && strings.Contains(f.Nom, r.refus) {
		return Refuser("Ce fichier n'est pas un PES Aller : choisissez l'export PES du logiciel de comptabilité.")
	}
	if r.contenu == nil {
		r.contenu = map[string][]byte{}
	}
	r.recus = append(r.recus, f)
	r.contenu[f.Nom] = b
	return nil
}

func (r *recepteur) recu(nom string) (Fichier, []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.recus {
		if f.Nom == nom {
			return f, r.contenu[nom]
		}
	}
	return Fichier{}, nil
}

func (r *recepteur) noms() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, f := range r.recus {
		out = append(out, f.Nom)
	}
	return out
}

type banc struct {
	t       *testing.T
	dossier string
	etat    string
	rec     *recepteur
	arret   func()
}

func nouveauBanc(t *testing.T) *banc {
	d := t.TempDir()
	b := &banc{t: t, dossier: filepath.Join(d, "exports"), etat: filepath.Join(d, "agent", "surveillance.json"), rec: &recepteur{}}
	if err := os.MkdirAll(b.dossier, 0o755); err != nil {
		t.Fatal(err)
	}
	return b
}

// config uses short delays so that the tests run quickly; nothing asserts
// on durations.
func (b *banc) config() Config {
	return Config{
		Dossiers: []string{b.dossier}, Etat: b.etat, Traitement: b.rec.traiter,
		Attente: 20 * time.Millisecond, Stabilite: 60 * time.Millisecond, Abandon: 400 * time.Millisecond,
		Reessai: 50 * time.Millisecond, Rescan: 200 * time.Millisecond,
		Journal: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func (b *banc) demarrer() {
	b.t.Helper()
	s, err := Nouveau(b.config())
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, annuler := context.WithCancel(context.Background())
	fini := make(chan error)
	go func() { fini <- s.Executer(ctx) }()
	b.arret = func() {
		annuler()
		if err := <-fini; err != nil {
			b.t.Error(err)
		}
		b.arret = nil
	}
	b.t.Cleanup(func() {
		if b.arret != nil {
			b.arret()
		}
	})
}

func (b *banc) ecrire(nom string, contenu []byte) {
	b.t.Helper()
	if err := os.WriteFile(filepath.Join(b.dossier, nom), contenu, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// attendre polls cond; the deadline only bounds a failing test.
func (b *banc) attendre(quoi string, cond func() bool) {
	b.t.Helper()
	limite := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(limite) {
			b.t.Fatalf("toujours pas : %s (reçus %v, dossier %v)", quoi, b.rec.noms(), b.lister(""))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (b *banc) lister(sous string) []string {
	entrees, _ := os.ReadDir(filepath.Join(b.dossier, sous))
	var out []string
	for _, e := range entrees {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func (b *banc) existe(sous, nom string) bool {
	_, err := os.Stat(filepath.Join(b.dossier, sous, nom))
	return err == nil
}

func TestFichierDeposeImporteUneFoisPuisRange(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.ecrire("lisez-moi.pdf", []byte("%PDF"))
	b.attendre("fichier rangé dans traités", func() bool { return b.existe(DossierTraites, "PESALR2_001.xml") })
	if n := b.rec.noms(); len(n) != 1 || n[0] != "PESALR2_001.xml" {
		t.Fatalf("reçus : %v", n)
	}
	f, _ := b.rec.recu("PESALR2_001.xml")
	if f.Dossier != b.dossier || f.Taille != int64(len(pes("A"))) || len(f.Empreinte) != 64 {
		t.Errorf("%+v", f)
	}
	if !b.existe("", "lisez-moi.pdf") {
		t.Error("un fichier qui n'est pas un export est laissé en place")
	}
}

func TestEcritureEnPlusieursFois(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	complet := pes("LENT")
	chemin := filepath.Join(b.dossier, "PESALR2_lent.xml")
	f, err := os.Create(chemin)
	if err != nil {
		t.Fatal(err)
	}
	moitie := len(complet) / 2
	if _, err := f.Write(complet[:moitie]); err != nil {
		t.Fatal(err)
	}
	// Long enough for several stability checks, shorter than Abandon.
	time.Sleep(250 * time.Millisecond)
	if len(b.rec.noms()) != 0 {
		t.Fatal("un fichier à moitié écrit ne doit pas être importé")
	}
	if _, err := f.Write(complet[moitie:]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b.attendre("fichier complet importé", func() bool { return b.existe(DossierTraites, "PESALR2_lent.xml") })
	if _, got := b.rec.recu("PESALR2_lent.xml"); string(got) != string(complet) {
		t.Errorf("contenu reçu incomplet : %q", got)
	}
}

func TestFichierTronqueRefuseAvecMotif(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	b.ecrire("PESALR2_coupe.xml", pes("X")[:80])
	b.attendre("fichier tronqué refusé", func() bool { return b.existe(DossierRefuses, "PESALR2_coupe.xml.txt") })
	motif, _ := os.ReadFile(filepath.Join(b.dossier, DossierRefuses, "PESALR2_coupe.xml.txt"))
	if !strings.Contains(string(motif), "n'est pas un document XML complet") || !strings.Contains(string(motif), "exportez-le de nouveau") {
		t.Errorf("%s", motif)
	}
	if len(b.rec.noms()) != 0 || !b.existe(DossierRefuses, "PESALR2_coupe.xml") {
		t.Error("le fichier tronqué est gardé dans refusés, jamais transmis")
	}
}

func TestDoublonParContenu(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.attendre("premier importé", func() bool { return b.existe(DossierTraites, "PESALR2_001.xml") })
	// The same export saved again under another name, then under the same name.
	b.ecrire("copie de PESALR2_001.xml", pes("A"))
	b.attendre("copie refusée", func() bool { return b.existe(DossierRefuses, "copie de PESALR2_001.xml.txt") })
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.attendre("même nom refusé", func() bool { return b.existe(DossierRefuses, "PESALR2_001.xml.txt") })
	motif, _ := os.ReadFile(filepath.Join(b.dossier, DossierRefuses, "copie de PESALR2_001.xml.txt"))
	if !strings.Contains(string(motif), "déjà été importé") || !strings.Contains(string(motif), "« PESALR2_001.xml »") {
		t.Errorf("%s", motif)
	}
	if n := b.rec.noms(); len(n) != 1 {
		t.Errorf("un seul import attendu : %v", n)
	}
	// A different content under an already used name is a new file; the
	// earlier one in traités is kept.
	b.ecrire("PESALR2_001.xml", pes("B"))
	b.attendre("nouveau contenu importé", func() bool { return b.existe(DossierTraites, "PESALR2_001 (2).xml") })
	if !b.existe(DossierTraites, "PESALR2_001.xml") {
		t.Error("le premier fichier rangé ne doit pas être écrasé")
	}
}

func TestRenommageDansLeDossier(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	// The software writes a temporary file, then renames it: the temporary
	// name is ignored, the final one taken.
	tmp := filepath.Join(b.dossier, "PESALR2_002.xml.tmp")
	if err := os.WriteFile(tmp, pes("R"), 0o644); err != nil {
		t.Fatal(err)
	}
	ailleurs := filepath.Join(t.TempDir(), "PESALR2_003.xml")
	if err := os.WriteFile(ailleurs, pes("S"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(b.dossier, "PESALR2_002.xml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(ailleurs, filepath.Join(b.dossier, "PESALR2_003.xml")); err != nil {
		t.Fatal(err)
	}
	b.attendre("fichiers renommés importés", func() bool {
		return b.existe(DossierTraites, "PESALR2_002.xml") && b.existe(DossierTraites, "PESALR2_003.xml")
	})
	if n := b.rec.noms(); len(n) != 2 {
		t.Errorf("%v", n)
	}
}

func TestBeaucoupDeFichiersDUnCoup(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	const n = 60
	for i := 0; i < n; i++ {
		b.ecrire(fmt.Sprintf("PESALR2_%03d.xml", i), pes(fmt.Sprint(i)))
	}
	b.attendre("tous importés", func() bool { return len(b.lister(DossierTraites)) == n })
	if len(b.rec.noms()) != n || len(b.lister("")) != 0 {
		t.Errorf("%d reçus, restent %v", len(b.rec.noms()), b.lister(""))
	}
}

func TestEchecDuTraitementGardeLeFichier(t *testing.T) {
	b := nouveauBanc(t)
	b.rec.echecs = 2
	b.demarrer()
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.attendre("importé après deux échecs", func() bool { return b.existe(DossierTraites, "PESALR2_001.xml") })
	if n := b.rec.noms(); len(n) != 1 {
		t.Errorf("%v", n)
	}
}

func TestRefusDuTraitement(t *testing.T) {
	b := nouveauBanc(t)
	b.rec.refus = "budget"
	b.demarrer()
	b.ecrire("export budget.xml", pes("BUD"))
	b.attendre("refusé", func() bool { return b.existe(DossierRefuses, "export budget.xml.txt") })
	motif, _ := os.ReadFile(filepath.Join(b.dossier, DossierRefuses, "export budget.xml.txt"))
	if !strings.Contains(string(motif), "n'est pas un PES Aller") {
		t.Errorf("%s", motif)
	}
}

func TestRedemarrage(t *testing.T) {
	b := nouveauBanc(t)
	b.demarrer()
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.attendre("premier importé", func() bool { return b.existe(DossierTraites, "PESALR2_001.xml") })
	b.arret()

	// Dropped while the agent was stopped: picked at start-up. The same
	// content as before is still recognised after the restart.
	b.ecrire("PESALR2_002.xml", pes("B"))
	b.ecrire("encore PESALR2_001.xml", pes("A"))
	b.demarrer()
	b.attendre("déposé pendant l'arrêt importé", func() bool { return b.existe(DossierTraites, "PESALR2_002.xml") })
	b.attendre("doublon reconnu après redémarrage", func() bool { return b.existe(DossierRefuses, "encore PESALR2_001.xml.txt") })
	if n := b.rec.noms(); strings.Join(n, ",") != "PESALR2_001.xml,PESALR2_002.xml" {
		t.Errorf("%v", n)
	}
}

// A stop between the hand-over and the move leaves the file in place with
// its state recorded: at start-up the move is finished, and the file is not
// handed over a second time.
func TestArretEntreTraitementEtDeplacement(t *testing.T) {
	b := nouveauBanc(t)
	b.ecrire("PESALR2_001.xml", pes("A"))
	l, err := lire(filepath.Join(b.dossier, "PESALR2_001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := chargerEtat(b.etat)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ecrire(l.empreinte, Import{Nom: "PESALR2_001.xml", Dossier: b.dossier, Date: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b.demarrer()
	b.attendre("déplacement terminé et enregistré", func() bool {
		relu, err := chargerEtat(b.etat)
		if err != nil {
			return false
		}
		imp, ok := relu.lire(l.empreinte)
		return ok && imp.Range && b.existe(DossierTraites, "PESALR2_001.xml")
	})
	if n := b.rec.noms(); len(n) != 0 {
		t.Errorf("remis une seconde fois : %v", n)
	}
}

func TestDossierCreePlusTard(t *testing.T) {
	b := nouveauBanc(t)
	if err := os.Remove(b.dossier); err != nil {
		t.Fatal(err)
	}
	b.demarrer()
	if err := os.MkdirAll(b.dossier, 0o755); err != nil {
		t.Fatal(err)
	}
	b.ecrire("PESALR2_001.xml", pes("A"))
	b.attendre("importé une fois le dossier créé", func() bool { return b.existe(DossierTraites, "PESALR2_001.xml") })
}

func TestConfigurationIncomplete(t *testing.T) {
	if _, err := Nouveau(Config{Traitement: (&recepteur{}).traiter}); err == nil {
		t.Error("sans fichier d'état")
	}
	if _, err := Nouveau(Config{Etat: filepath.Join(t.TempDir(), "e.json")}); err == nil {
		t.Error("sans traitement")
	}
	d := t.TempDir()
	casse := filepath.Join(d, "e.json")
	_ = os.WriteFile(casse, []byte("{"), 0o644)
	if _, err := Nouveau(Config{Etat: casse, Traitement: (&recepteur{}).traiter}); err == nil || !strings.Contains(err.Error(), "illisible") {
		t.Errorf("état abîmé : %v", err)
	}
}
