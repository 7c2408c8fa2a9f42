//go:build cgo

package localapi

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/pkcs11/jetontest"
	"xdemat/signature/cades"
)

// TestMain removes the SoftHSM2 token's folder made by jetontest.
func TestMain(m *testing.M) {
	code := m.Run()
	jetontest.Nettoyer()
	os.Exit(code)
}

// With the élu's token (a throwaway SoftHSM2 token): twenty documents
// signed after one login, twenty signatures on the token; the token's
// expired certificate is refused before anything is signed.
func TestLotDeVingtAvecLeJetonSoftHSM(t *testing.T) {
	j := jetontest.Nouveau(t)
	h := start(t, avecFormats)
	sec, maire, _, _ := mairieAPI(t, h)
	var lot []string
	contenus := map[string]string{}
	for i := range 20 {
		c := fmt.Sprintf("%%PDF arrêté n° 2026-%03d", i+1)
		d := deposerAPI(t, sec, xdemat.DossierDeliberation, fmt.Sprintf("Délibération 2026-%03d", i+1), c)
		lot = append(lot, d.ID)
		contenus[d.ID] = c
	}
	// The agent refuses to prepare with the token's expired certificate
	// (and the token package would not sign with it either).
	if _, err := maire.PreparerSignatures(ctx, lot, j.Expire.Cert.Raw); xdemat.ErrorCode(err) != xdemat.EFORBIDDEN || !strings.Contains(xdemat.ErrorMessage(err), "expiré") {
		t.Fatalf("certificat expiré du jeton : %v", err)
	}
	session := j.Connecter(t) // the PIN, typed once in the app
	cle, err := session.Signataire(j.RSA.ID)
	if err != nil {
		t.Fatal(err)
	}
	avant := session.Compteurs()
	debut := time.Now()
	rep, err := maire.SignerLot(ctx, lot, cle.Certificat(), cle, nil)
	duree := time.Since(debut)
	if err != nil || len(rep.Signes) != 20 || len(rep.Refus) != 0 {
		t.Fatalf("lot : %d signés, refus %+v, %v", len(rep.Signes), rep.Refus, err)
	}
	c := session.Compteurs()
	if c.Connexions != 1 || c.Signatures-avant.Signatures != 20 {
		t.Fatalf("jeton : %d connexion(s), %d signature(s) pour le lot ; attendu 1 et 20", c.Connexions, c.Signatures-avant.Signatures)
	}
	t.Logf("lot de 20 : %v (%v par document, préparation, jeton et assemblage compris), 1 connexion, 20 signatures", duree.Round(time.Millisecond), (duree / 20).Round(time.Microsecond))
	for _, d := range rep.Signes {
		if _, err := cades.Verifier(lire(t, maire, d.Documents[len(d.Documents)-1]), strings.NewReader(contenus[d.ID]), nil); err != nil {
			t.Fatalf("« %s » : %v", d.Titre, err)
		}
	}
}
