package localapi

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
)

func TestRechercheEtExportDesActesParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, _ := mairieAPI(t, h)
	pdf := pdftest.Minimal("Délibération")
	for _, objet := range []string{"Travaux de voirie du chemin des Écoliers", "Tarifs de la cantine scolaire", "=HYPERLINK(\"http://x\") subvention"} {
		a := acteAPI(t, sec, pdf)
		a.Objet = objet
		if _, err := sec.CreerActe(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	cas := []struct {
		nom  string
		r    agent.RechercheActes
		veut int
		dans string // in the first extract
	}{
		{"sans accent et en tapant", agent.RechercheActes{Q: "ecoli"}, 1, "Écoliers"},
		{"guillemets et opérateurs tapés", agent.RechercheActes{Q: `"cantine" (scol*`}, 1, "cantine"},
		{"filtre statut", agent.RechercheActes{Q: "cantine", Statut: xdemat.ActeAcquitte}, 0, ""},
		{"sans texte, toute la liste", agent.RechercheActes{Nature: xdemat.NatureDeliberation}, 3, ""},
		{"page de un", agent.RechercheActes{Limite: 1, Decalage: 2}, 1, ""},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			r, err := sec.RechercherActes(ctx, c.r)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Actes) != c.veut {
				t.Fatalf("%d résultats, attendu %d : %+v", len(r.Actes), c.veut, r)
			}
			if c.dans != "" && !strings.Contains(r.Actes[0].Extrait, c.dans) {
				t.Fatalf("extrait %q", r.Actes[0].Extrait)
			}
		})
	}
	// The list of GET /v1/actes takes q too.
	if l, err := sec.Actes(ctx, agent.FiltreActes{}); err != nil || len(l) != 3 {
		t.Fatalf("liste %d (%v)", len(l), err)
	}
	var l []*xdemat.Acte
	if err := sec.call(ctx, "GET", "/v1/actes?q=voirie", nil, &l); err != nil || len(l) != 1 || !strings.Contains(l[0].Objet, "voirie") {
		t.Fatalf("GET /v1/actes?q= : %v (%v)", l, err)
	}
	if _, err := sec.RechercherActes(ctx, agent.RechercheActes{Nature: 9}); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("nature inconnue : %v", err)
	}

	var b bytes.Buffer
	if _, err := sec.ExporterActesCSV(ctx, agent.RechercheActes{Q: "cantine"}, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\ufeffNuméro;Nature;Date de décision;")) {
		t.Fatalf("début de l'export %q", b.String())
	}
	lignes, err := lireCSV(b.Bytes())
	if err != nil || len(lignes) != 2 || lignes[1][3] != "Tarifs de la cantine scolaire" || lignes[1][5] != "En attente d'envoi" {
		t.Fatalf("export %q (%v)", lignes, err)
	}
	b.Reset()
	if _, err := sec.ExporterActesCSV(ctx, agent.RechercheActes{Q: "subvention"}, &b); err != nil {
		t.Fatal(err)
	}
	if lignes, _ := lireCSV(b.Bytes()); len(lignes) != 2 || !strings.HasPrefix(lignes[1][3], "'=") {
		t.Fatalf("une formule passe dans Excel : %q", lignes)
	}
}

var majReference = flag.Bool("maj", false, "réécrire les fichiers de référence de testdata/")

func lireCSV(b []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = ';'
	return r.ReadAll()
}

// TestExportCSVDeReference: the file Excel opens, byte for byte
// (testdata/actes.csv; go test -run ExportCSV -args -maj to rewrite it).
func TestExportCSVDeReference(t *testing.T) {
	transmis := time.Date(2026, 3, 5, 14, 2, 0, 0, time.UTC)
	actes := []*agent.ActeTrouve{
		{Acte: &xdemat.Acte{Nature: xdemat.NatureDeliberation, NumeroInterne: "DE2026_004", DateDecision: time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC),
			Objet: "Tarifs de la cantine ; année « 2026-2027 »", Statut: xdemat.ActeAcquitte, TransmisLe: transmis,
			DateAR: transmis.Add(3 * time.Hour), IdentifiantUnique: "034-213400000-20260302-DE2026_004-DE"},
			Matiere: "7.1 Finances locales > Décisions budgétaires"},
		{Acte: &xdemat.Acte{Nature: xdemat.NatureActeIndividuel, NumeroInterne: "AR2026_012", DateDecision: time.Date(2026, 7, 14, 10, 0, 0, 0, xdemat.Paris),
			Objet: "Permis de stationnement \"terrasse\" du café", Statut: xdemat.ActeEnAttenteEnvoi}, Matiere: "6.1"},
		{Acte: &xdemat.Acte{Nature: xdemat.NatureAutre, NumeroInterne: "AU2026_001", DateDecision: time.Date(2026, 8, 1, 0, 0, 0, 0, xdemat.Paris),
			Objet: "-Retrait d'une délégation", Statut: xdemat.ActeEnErreur}, Matiere: "5.2"},
	}
	var b bytes.Buffer
	err := EcrireCSVActes(&b, func(f func(*agent.ActeTrouve) error) error {
		for _, a := range actes {
			if err := f(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "actes.csv")
	if *majReference {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run ExportCSV -args -maj)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("export différent de %s :\n%s", golden, b.String())
	}
}
