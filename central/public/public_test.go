package public_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central/blob"
	"xdemat/central/public"
	"xdemat/central/sqlite"
	"xdemat/internal/pdftest"
)

// mairie is a commune with its enrolled poste, publishing through operations.
type mairie struct {
	t       testing.TB
	s       *sqlite.Store
	blobs   *blob.Store
	commune *xdemat.Commune
	poste   *xdemat.Poste
	seq     int64
}

var (
	seance = time.Date(2026, 3, 13, 0, 0, 0, 0, xdemat.Paris)
	t1     = time.Date(2026, 3, 14, 10, 0, 0, 0, xdemat.Paris)
)

func nouvelleMairie(t testing.TB, s *sqlite.Store, blobs *blob.Store, nom, siren string, population int) *mairie {
	t.Helper()
	ctx := context.Background()
	c := &xdemat.Commune{SIREN: siren, Nom: nom, Departement: "51", Population: population}
	if err := s.CreateCommune(ctx, c); err != nil {
		t.Fatal(err)
	}
	code := &xdemat.CodeEnrolement{Code: "CODE-" + siren, CommuneID: c.ID, CreeLe: t1, ExpireLe: t1.Add(time.Hour)}
	if err := s.CreateCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	p := &xdemat.Poste{Nom: "Mairie", ClePublique: pub}
	if err := s.Enroll(ctx, code.Code, p, t1); err != nil {
		t.Fatal(err)
	}
	return &mairie{t: t, s: s, blobs: blobs, commune: c, poste: p}
}

func (m *mairie) ctx() context.Context {
	return xdemat.NewContextWithPoste(context.Background(), m.poste)
}

func (m *mairie) document(contenu []byte) *xdemat.Document {
	m.t.Helper()
	h := sha256.Sum256(contenu)
	d := &xdemat.Document{SHA256: hex.EncodeToString(h[:]), Taille: int64(len(contenu)), NomOriginal: "acte.pdf"}
	if err := m.blobs.PutVerified(contenu, d.SHA256); err != nil {
		m.t.Fatal(err)
	}
	if err := m.s.CreateDocument(m.ctx(), d, t1); err != nil {
		m.t.Fatal(err)
	}
	return d
}

func (m *mairie) op(now time.Time, typ string, payload any, docs ...string) {
	m.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		m.t.Fatal(err)
	}
	m.seq++
	o := &xdemat.Operation{ID: uuid.NewString(), Seq: m.seq, Type: typ, Payload: b, Documents: docs, CreeLe: now}
	if _, err := m.s.ApplyOperations(m.ctx(), []*xdemat.Operation{o}, now); err != nil {
		m.t.Fatalf("%s : %v", typ, err)
	}
}

func (m *mairie) acte(nature xdemat.NatureActe, numero, objet string, publier bool) *xdemat.Acte {
	m.t.Helper()
	d := m.document(pdftest.Minimal(m.commune.Nom, numero, objet))
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: nature, NumeroInterne: numero, DateDecision: seance, Objet: objet,
		Classification: "3.2", DateClassification: seance,
		DocumentPrincipal: xdemat.PieceActe{SHA256: d.SHA256, Nom: numero + ".pdf", TypeMedia: "application/pdf", Taille: d.Taille, TypePiece: nature.TypePieceParDefaut()}}
	m.op(t1, xdemat.OperationActeCree, a)
	if publier {
		m.op(t1, xdemat.OperationActePublier, &xdemat.PublicationActe{ActeID: a.ID, Auteur: xdemat.AuteurActe{Prenom: "Jacques", Nom: "Bertin", Qualite: "Maire"},
			PublieLe: t1, DocumentSHA256: d.SHA256})
	}
	return a
}

type site struct {
	t   *testing.T
	url string
}

func (s site) get(path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(b)
}

func TestPagesPubliques(t *testing.T) {
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
	auve := nouvelleMairie(t, s, blobs, "Auve", "215100009", 412)
	bussy := nouvelleMairie(t, s, blobs, "Bussy-le-Château", "215100017", 230)
	cernon := nouvelleMairie(t, s, blobs, "Cernon", "215100025", 150)
	budget := auve.acte(xdemat.NatureDeliberation, "DE2026_001", "Vote du budget primitif 2026", true)
	arrete := auve.acte(xdemat.NatureActeReglementaire, "AR2026_004", "Réglementation de la fête communale", true)
	brouillon := auve.acte(xdemat.NatureDeliberation, "DE2026_002", "Projet confidentiel de cession", false)
	eglise := bussy.acte(xdemat.NatureDeliberation, "DE2026_001", "Restauration de l'église de Bussy", true)
	pvDoc := auve.document(pdftest.Minimal("Procès-verbal de la séance du 13 mars 2026"))
	pv := &xdemat.ProcesVerbal{ID: uuid.NewString(), DateSeance: seance, DocumentSHA256: pvDoc.SHA256, Nom: "PV.pdf", Taille: pvDoc.Taille, PublieLe: t1}
	auve.op(t1, xdemat.OperationPVPublier, pv, pvDoc.SHA256)
	cernon.op(t1, xdemat.OperationCommunePublicite, &xdemat.Publicite{Mode: xdemat.PublicitePapier, DateDeliberation: seance.AddDate(-1, 0, 0), ReferenceDeliberation: "DE2025_007"})

	srv := httptest.NewServer((&public.Server{Store: s, Documents: blobs, Now: func() time.Time { return t1.AddDate(0, 0, 1) }}).Handler())
	t.Cleanup(srv.Close)
	w := site{t, srv.URL}

	t.Run("accueil : les communes qui publient", func(t *testing.T) {
		resp, body := w.get("/")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Cache-Control") == "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		for _, want := range []string{`lang="fr"`, `/communes/215100009/`, "Auve", "Bussy-le-Château", "Cernon", "consultables en mairie"} {
			if !strings.Contains(body, want) {
				t.Fatalf("accueil sans %q :\n%s", want, body)
			}
		}
	})

	t.Run("la commune : actes publiés, le plus récent d'abord, avec l'auteur et la date de mise en ligne (PUB-07)", func(t *testing.T) {
		resp, body := w.get("/communes/215100009/")
		if resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
		for _, want := range []string{"Vote du budget primitif 2026", "DE2026_001", "Délibération", "Acte réglementaire", "13 mars 2026", "14 mars 2026",
			"Jacques Bertin, Maire", "/communes/215100009/seances/2026-03-13"} {
			if !strings.Contains(body, want) {
				t.Fatalf("page d'Auve sans %q :\n%s", want, body)
			}
		}
		if strings.Contains(body, "Projet confidentiel") || strings.Contains(body, "église") {
			t.Fatalf("la page d'Auve montre un acte non publié ou d'une autre commune :\n%s", body)
		}
	})

	t.Run("fiche et document de l'acte", func(t *testing.T) {
		resp, body := w.get("/communes/215100009/actes/" + budget.ID)
		if resp.StatusCode != 200 || !strings.Contains(body, "Vote du budget primitif 2026") || !strings.Contains(body, budget.ID+".pdf") || !strings.Contains(body, "Mis en ligne le") ||
			!strings.Contains(body, "/communes/215100009/seances/2026-03-13") {
			t.Fatalf("fiche : %d\n%s", resp.StatusCode, body)
		}
		if _, body := w.get("/communes/215100009/actes/" + arrete.ID); strings.Contains(body, "/seances/") {
			t.Fatalf("un arrêté renvoie à une séance :\n%s", body)
		}
		resp, pdf := w.get("/communes/215100009/actes/" + budget.ID + ".pdf")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("document : %d %v", resp.StatusCode, resp.Header)
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "215100009-DE2026_001.pdf") {
			t.Fatalf("nom du fichier : %q", resp.Header.Get("Content-Disposition"))
		}
		if h := sha256.Sum256([]byte(pdf)); hex.EncodeToString(h[:]) != budget.DocumentPrincipal.SHA256 {
			t.Fatal("le document servi n'est pas celui publié")
		}
	})

	t.Run("copie tamponnée d'un acte reçu en préfecture : Reçu en préfecture le…, Publié le…", func(t *testing.T) {
		c := &xdemat.StatutActeChange{ActeID: arrete.ID, Statut: xdemat.ActeAcquitte, IdentifiantUnique: "051-215100009-20260310-AR2026_004-AR",
			DateAR: t1, NomArchive: "051-215100009-20260310-AR2026_004-AR-1-1_0.tar.gz", TransmisLe: t1, Le: t1}
		if err := s.ChangerStatutActe(context.Background(), auve.commune.ID, c, nil); err != nil {
			t.Fatal(err)
		}
		original, err := os.ReadFile(blobs.Path(arrete.DocumentPrincipal.SHA256))
		if err != nil {
			t.Fatal(err)
		}
		resp, pdf := w.get("/communes/215100009/actes/" + arrete.ID + ".pdf")
		if resp.StatusCode != 200 || len(pdf) <= len(original) || !strings.HasPrefix(pdf, string(original)) {
			t.Fatalf("copie tamponnée : %d, %d octets pour un original de %d", resp.StatusCode, len(pdf), len(original))
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext (poppler-utils) absent : le texte du tampon n'est pas vérifié")
		}
		f := filepath.Join(t.TempDir(), "copie.pdf")
		if err := os.WriteFile(f, []byte(pdf), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Reçu en préfecture le 14/03/2026", "Publié le 14/03/2026", "ID : 051-215100009-20260310-AR2026_004-AR"} {
			if !strings.Contains(string(out), want) {
				t.Fatalf("tampon sans %q :\n%s", want, out)
			}
		}
	})

	t.Run("isolation : rien d'une commune chez une autre, rien de non publié", func(t *testing.T) {
		for _, path := range []string{
			"/communes/215100009/actes/" + brouillon.ID,
			"/communes/215100009/actes/" + brouillon.ID + ".pdf",
			"/communes/215100009/actes/" + eglise.ID,
			"/communes/215100009/actes/" + eglise.ID + ".pdf",
			"/communes/215100017/actes/" + budget.ID,
			"/communes/215100017/actes/" + arrete.ID + ".pdf",
			"/communes/215100017/proces-verbaux/" + pv.ID + ".pdf",
			"/communes/215100009/actes/" + uuid.NewString(),
			"/communes/215100009/actes/../../communes/215100017/",
			"/communes/123456789/",
			"/communes/215100033/",
			"/communes/215100009/seances/2026-02-30",
			"/communes/215100009/seances/2026-03-12",
			"/communes/",
			"/static/",
			"/documents/" + budget.DocumentPrincipal.SHA256,
		} {
			resp, body := w.get(path)
			if resp.StatusCode != http.StatusNotFound && !(resp.StatusCode == 200 && strings.HasSuffix(path, "/communes/215100017/")) {
				t.Fatalf("%s : %d\n%s", path, resp.StatusCode, body)
			}
			if resp.StatusCode == http.StatusNotFound && (!strings.Contains(body, "Page introuvable") || resp.Header.Get("Content-Type") != "text/html; charset=utf-8") {
				t.Fatalf("%s : 404 sans page en français :\n%s", path, body)
			}
			if strings.Contains(body, "budget") || strings.Contains(body, "confidentiel") {
				t.Fatalf("%s montre un acte qu'il ne doit pas :\n%s", path, body)
			}
		}
		_, body := w.get("/communes/215100017/")
		if !strings.Contains(body, "Restauration de l&#39;église de Bussy") || strings.Contains(body, "budget") || strings.Contains(body, "fête") {
			t.Fatalf("page de Bussy :\n%s", body)
		}
	})

	t.Run("séance : liste des délibérations examinées (CM-26) et procès-verbal (CM-25)", func(t *testing.T) {
		resp, body := w.get("/communes/215100009/seances/2026-03-13")
		if resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
		for _, want := range []string{"Liste des délibérations examinées", "Vote du budget primitif 2026", "/proces-verbaux/" + pv.ID + ".pdf"} {
			if !strings.Contains(body, want) {
				t.Fatalf("séance sans %q :\n%s", want, body)
			}
		}
		if strings.Contains(body, "fête communale") {
			t.Fatalf("la liste des délibérations montre un arrêté :\n%s", body)
		}
		// CM-26: every délibération examined is listed, the one not
		// published in full too, without a way to its text.
		if !strings.Contains(body, "Projet confidentiel de cession") || !strings.Contains(body, "consultable en mairie") || strings.Contains(body, "/actes/"+brouillon.ID) {
			t.Fatalf("la liste des délibérations examinées est incomplète ou mène au texte non publié :\n%s", body)
		}
		resp, pdf := w.get("/communes/215100009/proces-verbaux/" + pv.ID + ".pdf")
		if resp.StatusCode != 200 || !bytes.HasPrefix([]byte(pdf), []byte("%PDF-")) {
			t.Fatalf("procès-verbal : %d", resp.StatusCode)
		}
		_, body = w.get("/communes/215100017/seances/2026-03-13")
		if !strings.Contains(body, "procès-verbal de cette séance n'est pas encore publié") {
			t.Fatalf("séance de Bussy sans PV :\n%s", body)
		}
	})

	t.Run("publication sur papier : les actes sont consultables en mairie (PUB-09)", func(t *testing.T) {
		resp, body := w.get("/communes/215100025/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Les actes sont consultables en mairie") || !strings.Contains(body, "DE2025_007") {
			t.Fatalf("%d\n%s", resp.StatusCode, body)
		}
		_, body = w.get("/communes/215100009/")
		if strings.Contains(body, "consultables en mairie") {
			t.Fatal("Auve publie en ligne")
		}
	})

	t.Run("en-têtes", func(t *testing.T) {
		resp, _ := w.get("/static/style.css")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("feuille de style : %d %v", resp.StatusCode, resp.Header)
		}
		resp, _ = w.get("/communes/215100009/")
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("en-têtes de sécurité : %v", resp.Header)
		}
		r, err := http.Post(srv.URL+"/communes/215100009/", "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("POST : %d", r.StatusCode)
		}
	})
}

func ouvrirSite(t testing.TB) (*sqlite.Store, *blob.Store) {
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
	return s, blobs
}

func TestLaPageDeLaCommuneSeLitParPagesDe50Actes(t *testing.T) {
	s, blobs := ouvrirSite(t)
	m := nouvelleMairie(t, s, blobs, "Auve", "215100009", 412)
	for i := 1; i <= public.ActesParPage+10; i++ {
		m.acte(xdemat.NatureActeIndividuel, fmt.Sprintf("AI2026_%03d", i), fmt.Sprintf("Arrêté individuel n° %d", i), true)
	}
	srv := httptest.NewServer((&public.Server{Store: s, Documents: blobs, Now: func() time.Time { return t1.AddDate(0, 0, 1) }}).Handler())
	t.Cleanup(srv.Close)
	w := site{t, srv.URL}
	_, p1 := w.get("/communes/215100009/")
	if n := strings.Count(p1, "/actes/"); n != public.ActesParPage || !strings.Contains(p1, `href="?page=2"`) || !strings.Contains(p1, "60 en tout") {
		t.Fatalf("première page : %d actes\n%s", n, p1)
	}
	_, p2 := w.get("/communes/215100009/?page=2")
	if n := strings.Count(p2, "/actes/"); n != 10 || !strings.Contains(p2, `href="?page=1"`) || strings.Contains(p2, `?page=3`) {
		t.Fatalf("deuxième page : %d actes\n%s", n, p2)
	}
	for _, q := range []string{"?page=3", "?page=0", "?page=abc", "?page=-1"} {
		if resp, _ := w.get("/communes/215100009/" + q); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s : %d", q, resp.StatusCode)
		}
	}
}
