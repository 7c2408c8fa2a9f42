package localapi

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/internal/pdftest"
)

func TestPublicationParLAPI(t *testing.T) {
	h := start(t, avecActes)
	sec, _, _, _ := mairieAPI(t, h)
	a, err := sec.CreerActe(ctx, acteAPI(t, sec, pdftest.Minimal("Délibération n° 1", "Tarifs de la cantine scolaire")))
	if err != nil {
		t.Fatal(err)
	}

	e, err := sec.EtatPublicationActe(ctx, a.ID)
	if err != nil || e.Publication != nil || !e.EnLigne || e.AuteurPropose.Nom != "Bertin" || e.AuteurPropose.Qualite != "Maire" {
		t.Fatalf("état avant publication %+v (%v)", e, err)
	}
	p, err := sec.PublierActe(ctx, a.ID, xdemat.AuteurActe{Prenom: "Marie", Nom: "Roux", Qualite: "Adjointe au maire"})
	if err != nil || p.Auteur.Nom != "Roux" || p.DocumentSHA256 != a.DocumentPrincipal.SHA256 {
		t.Fatalf("publication %+v (%v)", p, err)
	}
	if _, err := sec.DepublierActe(ctx, a.ID); xdemat.ErrorCode(err) != xdemat.EFORBIDDEN || !strings.Contains(xdemat.ErrorMessage(err), "deux mois") {
		t.Fatalf("retrait le jour même (PUB-08) : %v", err)
	}
	if _, err := sec.PublierActe(ctx, "inconnu", p.Auteur); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("acte inconnu : %v", err)
	}

	seance := time.Now().AddDate(0, 0, -2)
	pv, err := sec.PublierPV(ctx, seance, "PV du conseil.pdf", bytes.NewReader(pdftest.Minimal("Procès-verbal")))
	if err != nil || pv.Nom != "PV du conseil.pdf" || xdemat.JourSeance(pv.DateSeance) != xdemat.JourSeance(seance) {
		t.Fatalf("procès-verbal %+v (%v)", pv, err)
	}
	if _, err := sec.PublierPV(ctx, seance, "PV.docx", strings.NewReader("PK\x03\x04 pas un PDF")); xdemat.ErrorCode(err) != xdemat.EINVALID || !strings.Contains(xdemat.ErrorMessage(err), "n'est pas un PDF") {
		t.Fatalf("PV en .docx : %v", err)
	}
	if pvs, err := sec.ProcesVerbaux(ctx); err != nil || len(pvs) != 1 {
		t.Fatalf("procès-verbaux %+v (%v)", pvs, err)
	}

	ep, err := sec.Publicite(ctx)
	if err != nil || ep.Publicite.Mode != xdemat.PubliciteElectronique || !ep.PeutChoisir {
		t.Fatalf("mode de publicité %+v (%v)", ep, err)
	}
	if _, err := sec.ChoisirPublicite(ctx, xdemat.Publicite{Mode: xdemat.PublicitePapier}); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("papier sans délibération : %v", err)
	}
	ep, err = sec.ChoisirPublicite(ctx, xdemat.Publicite{Mode: xdemat.PublicitePapier, DateDeliberation: seance, ReferenceDeliberation: "DE2026_003"})
	if err != nil || ep.Publicite.Mode != xdemat.PublicitePapier {
		t.Fatalf("papier : %+v (%v)", ep, err)
	}
	ops, _ := h.store.Pending(ctx, 0)
	vus := map[string]int{}
	for _, op := range ops {
		vus[op.Type]++
	}
	if vus[xdemat.OperationActePublier] != 1 || vus[xdemat.OperationPVPublier] != 1 || vus[xdemat.OperationCommunePublicite] != 1 || vus[xdemat.OperationActeDepublier] != 0 {
		t.Fatalf("opérations %v", vus)
	}
}
