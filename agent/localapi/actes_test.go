package localapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pdftest"
	"xdemat/internal/pkitest"
)

// avecActes serves Xactes and the parapheur with the formats of this build.
func avecActes(s *Server) {
	avecFormats(s)
	s.Actes = s.Store.(agent.ActesStore)
}

// acteAPI adds the PDF and returns a délibération of today carrying it.
func acteAPI(t *testing.T, c *Client, pdf []byte) *xdemat.Acte {
	t.Helper()
	doc, err := c.AjouterDocument(ctx, "deliberation.pdf", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	return &xdemat.Acte{
		Nature: xdemat.NatureDeliberation, DateDecision: time.Now(), Objet: "Tarifs de la cantine scolaire",
		Classification: "7.1", DateClassification: time.Now().AddDate(-1, 0, 0),
		DocumentPrincipal: xdemat.PieceActe{SHA256: doc.SHA256, Nom: "deliberation.pdf", Taille: doc.Taille, TypePiece: "99_DE"},
	}
}

func TestActeCreeSigneDansLeParapheurPuisEnvoyeParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, maire, _, ids := mairieAPI(t, h)
	annee := time.Now().In(xdemat.Paris).Year()
	num, err := sec.ProposerNumeroActe(ctx, xdemat.NatureDeliberation, 0)
	if err != nil || num != "DE"+strconv.Itoa(annee)+"_001" {
		t.Fatalf("numéro proposé %q (%v)", num, err)
	}
	pdf := pdftest.Minimal("Délibération n° 1", "Tarifs de la cantine scolaire")
	a, err := sec.CreerActe(ctx, acteAPI(t, sec, pdf)) // no numéro: the register's next one
	if err != nil || a.NumeroInterne != num || a.Statut != xdemat.ActeEnAttenteEnvoi {
		t.Fatalf("acte créé %+v (%v)", a, err)
	}
	doublon := acteAPI(t, sec, pdf)
	doublon.NumeroInterne = num
	if _, err := sec.CreerActe(ctx, doublon); xdemat.ErrorCode(err) != xdemat.ECONFLICT || !strings.Contains(xdemat.ErrorMessage(err), "déjà celui d'un autre acte") {
		t.Fatalf("numéro en double : %v", err)
	}

	res, err := sec.EnvoyerActes(ctx, agent.DemandeEnvoiActes{Actes: []string{a.ID, "inconnu"}, ViaParapheur: true})
	if err != nil || len(res) != 2 || res[0].DossierID == "" || res[1].Erreur == "" {
		t.Fatalf("envoi : %+v (%v)", res, err)
	}
	// The maire signs the délibération with his key (PAdES).
	ac := pkitest.NouvelleAC(t)
	j := nouveauJeton(t, ac, pkitest.Signataire{Nom: "Jacques Bertin"})
	cle, _ := j.Login("1234")
	rep, err := maire.SignerLot(ctx, []string{res[0].DossierID}, j.cert, cle, nil)
	if err != nil || len(rep.Signes) != 1 {
		t.Fatalf("signature : %+v (%v)", rep, err)
	}
	f, err := sec.FicheActe(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Acte.DocumentPrincipal.SHA256 != rep.Signes[0].Documents[0] || f.EnvoyeLe.IsZero() || f.DossierID != res[0].DossierID {
		t.Fatalf("fiche après signature %+v", f)
	}
	if signe := lire(t, sec, f.Acte.DocumentPrincipal.SHA256); !bytes.HasPrefix(signe, pdf) {
		t.Fatal("le document principal n'est pas le PDF signé")
	}
	ops, _ := h.store.Pending(ctx, 0)
	n := 0
	for _, op := range ops {
		if op.Type == xdemat.OperationActeTransmettre {
			n++
			var tr xdemat.TransmissionActe
			if json.Unmarshal(op.Payload, &tr) != nil || tr.ActeID != a.ID || op.Auteur != ids["maire"] {
				t.Fatalf("transmission %+v", op)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d transmissions", n)
	}
	l, err := sec.Actes(ctx, agent.FiltreActes{Nature: xdemat.NatureDeliberation, Annee: annee, Statut: xdemat.ActeEnAttenteEnvoi})
	if err != nil || len(l) != 1 {
		t.Fatalf("liste %v (%v)", l, err)
	}
	// On its way: it cannot be cancelled before its AR.
	if _, err := sec.AnnulerActe(ctx, a.ID, "erreur"); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("annulation d'un acte en route : %v", err)
	}
}

func TestActesSansSessionRefuses(t *testing.T) {
	h := start(t, avecActes)
	enroll(t, h)
	if _, err := h.client.Actes(ctx, agent.FiltreActes{}); xdemat.ErrorCode(err) != xdemat.EUNAUTHORIZED {
		t.Fatalf("sans session : %v", err)
	}
}
