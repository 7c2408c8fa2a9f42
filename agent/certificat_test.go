package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"xdemat"
)

type certificatsEnMemoire []*xdemat.CertificatSignature

func (m *certificatsEnMemoire) EnregistrerCertificat(_ context.Context, c *xdemat.CertificatSignature) error {
	*m = append(*m, c)
	return nil
}

func (m *certificatsEnMemoire) Certificats(context.Context) ([]*xdemat.CertificatSignature, error) {
	return *m, nil
}

// TestAlertesDExpirationAuFilDesJours: checked every few hours, the
// certificate of the maire raises one warning at 60, 30 and 7 days and one
// at expiry, never twice (the IDs are fixed per threshold).
func TestAlertesDExpirationAuFilDesJours(t *testing.T) {
	fin := time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC)
	magasin := &certificatsEnMemoire{{SHA256: strings.Repeat("c", 64), UtilisateurID: "maire", Porteur: "Paul Martin", NotBefore: fin.AddDate(-3, 0, 0), NotAfter: fin, DER: []byte{0x30}}}
	levees := map[string]*xdemat.Notification{}
	var maintenant time.Time
	c := &Certificats{Store: magasin, Now: func() time.Time { return maintenant },
		Lever: func(_ context.Context, n *xdemat.Notification) error {
			if _, deja := levees[n.ID]; !deja {
				levees[n.ID] = n
			}
			return nil
		}}
	var titres []string
	for maintenant = fin.AddDate(0, 0, -70); maintenant.Before(fin.AddDate(0, 0, 3)); maintenant = maintenant.Add(6 * time.Hour) {
		avant := len(levees)
		if err := c.Verifier(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, n := range levees {
			if len(levees) > avant && n.CreeLe.IsZero() {
				titres = append(titres, n.Titre)
				n.CreeLe = maintenant
			}
		}
	}
	if len(levees) != 4 {
		t.Fatalf("%d alertes, 4 attendues (60, 30, 7 jours, expiré) : %q", len(levees), titres)
	}
	want := []string{
		"Votre certificat de signature expire dans 60 jours",
		"Votre certificat de signature expire dans 30 jours",
		"Votre certificat de signature expire dans 7 jours",
		"Le certificat de votre clé de signature a expiré",
	}
	for i, w := range want {
		if titres[i] != w {
			t.Errorf("alerte %d : %q, attendu %q", i+1, titres[i], w)
		}
	}
}
