package indexation

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/sqlite"
	"xdemat/central/blob"
	"xdemat/internal/pdftest"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
)

type banc struct {
	st    *sqlite.Store
	blobs *blob.Store
	s     *Service
}

func nouveauBanc(t *testing.T) *banc {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	return &banc{st: st, blobs: blobs, s: &Service{Store: st, Blobs: blobs}}
}

// deposer puts the bytes in the blob store (as a download from central
// or an upload of the app does) and returns their piece.
func (b *banc) deposer(t *testing.T, nom string, contenu []byte) xdemat.PieceActe {
	t.Helper()
	h, n, err := b.blobs.Put(bytes.NewReader(contenu), 0)
	if err != nil {
		t.Fatal(err)
	}
	return xdemat.PieceActe{SHA256: h, Nom: nom, Taille: n, TypePiece: "99_DE"}
}

// acteRecu applies an acte created on another poste, as the inbox does.
func (b *banc) acteRecu(t *testing.T, curseur int64, numero, objet string, principal xdemat.PieceActe, annexes ...xdemat.PieceActe) *xdemat.Acte {
	t.Helper()
	a := &xdemat.Acte{ID: uuid.NewString(), Nature: xdemat.NatureDeliberation, NumeroInterne: numero, DateDecision: t0.AddDate(0, 0, -3),
		Objet: objet, Classification: "8.3", DateClassification: t0.AddDate(-1, 0, 0), DocumentPrincipal: principal, Annexes: annexes}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.st.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: curseur, Type: xdemat.OperationActeCree, Payload: data, CreeLe: t0}}, curseur); err != nil {
		t.Fatal(err)
	}
	return a
}

func (b *banc) trouve(t *testing.T, q string) []string {
	t.Helper()
	r, err := b.st.RechercherActes(ctx, agent.RechercheActes{Q: q})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range r.Actes {
		out = append(out, x.Acte.NumeroInterne)
	}
	return out
}

func (b *banc) passe(t *testing.T) int {
	t.Helper()
	n, err := b.s.Passe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTexteDuPDFEtDesAnnexesTrouve(t *testing.T) {
	b := nouveauBanc(t)
	principal := b.deposer(t, "deliberation.pdf", pdftest.Minimal("Le conseil municipal approuve le devis de l'entreprise Martin."))
	annexe := b.deposer(t, "plan.pdf", pdftest.Minimal("Plan de situation du lotissement des Oliviers"))
	image := b.deposer(t, "photo.png", []byte("\x89PNG pas un PDF"))
	b.acteRecu(t, 1, "DE2026_010", "Travaux de voirie", principal, annexe, image)
	if got := b.trouve(t, "devis martin"); len(got) != 0 {
		t.Fatalf("trouvé avant l'indexation : %v", got)
	}
	if n := b.passe(t); n != 1 {
		t.Fatalf("%d actes indexés", n)
	}
	for _, q := range []string{"devis entreprise martin", "oliviers", "lotissement olivier"} {
		if got := b.trouve(t, q); len(got) != 1 || got[0] != "DE2026_010" {
			t.Fatalf("%q : %v", q, got)
		}
	}
	// Nothing new: the next pass reads nothing again.
	if n := b.passe(t); n != 0 {
		t.Fatalf("relu %d fois", n)
	}
}

func TestActeDunAutrePosteIndexeQuandSonPDFArrive(t *testing.T) {
	b := nouveauBanc(t)
	contenu := pdftest.Minimal("Arrêté de péril imminent, immeuble du 12 rue Basse")
	pdf := b.deposer(t, "arrete.pdf", contenu)
	// Known by the acte, not yet downloaded on this poste.
	if err := os.Remove(b.blobs.Path(pdf.SHA256)); err != nil {
		t.Fatal(err)
	}
	b.acteRecu(t, 1, "DE2026_011", "Péril imminent", pdf)
	if got := b.trouve(t, "peril"); len(got) != 1 {
		t.Fatalf("l'objet doit être trouvé dès la réception : %v", got)
	}
	if n := b.passe(t); n != 0 || len(b.trouve(t, "immeuble basse")) != 0 {
		t.Fatalf("indexé sans le document (%d)", n)
	}
	b.deposer(t, "arrete.pdf", contenu) // the download from central
	if n := b.passe(t); n != 1 {
		t.Fatalf("%d actes indexés après l'arrivée du PDF", n)
	}
	if got := b.trouve(t, "immeuble basse"); len(got) != 1 {
		t.Fatalf("texte du PDF : %v", got)
	}
}

func TestPDFIllisibleNeBloquePasLesAutres(t *testing.T) {
	b := nouveauBanc(t)
	casse := b.deposer(t, "casse.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"))
	chiffre := b.deposer(t, "chiffre.pdf", []byte("%PDF-1.4\ntrailer\n<< /Encrypt 3 0 R >>\n"))
	bon := b.deposer(t, "bon.pdf", pdftest.Minimal("Convention avec le syndicat des eaux"))
	b.acteRecu(t, 1, "DE2026_012", "Acte au PDF abîmé", casse)
	b.acteRecu(t, 2, "DE2026_013", "Acte au PDF chiffré", chiffre)
	b.acteRecu(t, 3, "DE2026_014", "Convention", bon)
	if n := b.passe(t); n != 3 {
		t.Fatalf("%d actes indexés", n)
	}
	if got := b.trouve(t, "syndicat eaux"); len(got) != 1 || got[0] != "DE2026_014" {
		t.Fatalf("%v", got)
	}
	if n := b.passe(t); n != 0 {
		t.Fatalf("les PDF illisibles sont relus à chaque passage (%d)", n)
	}
}

func TestReveilleParLesEvenements(t *testing.T) {
	b := nouveauBanc(t)
	b.s.Bus, b.s.Poll = agent.NewBus(), time.Hour
	ctx, cancel := context.WithCancel(ctx)
	fini := make(chan error, 1)
	go func() { fini <- b.s.Run(ctx) }()
	defer func() { cancel(); <-fini }()
	pdf := b.deposer(t, "a.pdf", pdftest.Minimal("Budget annexe de l'assainissement"))
	b.acteRecu(t, 1, "DE2026_015", "Budget", pdf)
	b.s.Bus.Publish(agent.BusEvent{Type: "evenement.recu"})
	limite := time.Now().Add(20 * time.Second)
	for len(b.trouve(t, "assainissement")) == 0 {
		if time.Now().After(limite) {
			t.Fatal("le texte n'a pas été indexé après l'événement")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestLibellesDeLaClassificationDeLaPrefecture(t *testing.T) {
	b := nouveauBanc(t)
	pdf := b.deposer(t, "a.pdf", pdftest.Minimal("Arrêté"))
	b.acteRecu(t, 1, "DE2026_016", "Réfection du chemin de la Croix", pdf) // matière 8.3
	if got := b.trouve(t, "voirie"); len(got) != 0 {
		t.Fatalf("trouvé sans libellé : %v", got)
	}
	c := xdemat.ClassificationPrefecture{Date: t0.AddDate(0, -1, 0),
		Natures: []xdemat.NatureClassification{{Code: xdemat.NatureDeliberation, Libelle: "Délibérations"}},
		Matieres: []xdemat.MatiereClassification{{Code: 8, Libelle: "Domaines de compétences par thèmes",
			SousMatieres: []xdemat.MatiereClassification{{Code: 3, Libelle: "Voirie"}}}}}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.st.SaveEvents(ctx, []*xdemat.Evenement{{Curseur: 2, Type: xdemat.EvenementActeClassification, Payload: data, CreeLe: t0}}, 2); err != nil {
		t.Fatal(err)
	}
	b.passe(t)
	r, err := b.st.RechercherActes(ctx, agent.RechercheActes{Q: "voirie competences"})
	if err != nil || len(r.Actes) != 1 || r.Actes[0].Matiere != "8.3 Domaines de compétences par thèmes > Voirie" {
		t.Fatalf("%+v (%v)", r, err)
	}
}
