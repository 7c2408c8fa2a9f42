package xdemat

import (
	"strings"
	"testing"
	"time"
)

func TestAlerteExpirationDuCertificat(t *testing.T) {
	expire := time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC)
	c := &CertificatSignature{SHA256: strings.Repeat("ab", 32), UtilisateurID: "maire", Porteur: "Jean Dupont", Emetteur: "AC Certinomis", NotBefore: expire.AddDate(-3, 0, 0), NotAfter: expire}
	for _, tc := range []struct {
		nom      string
		avant    time.Duration
		seuil    int
		severite Severite
		titre    string
	}{
		{"plus de deux mois : rien", 61 * 24 * time.Hour, -1, "", ""},
		{"deux mois avant : information", 60 * 24 * time.Hour, 60, SeveriteInfo, "Votre certificat de signature expire dans 60 jours"},
		{"un mois avant : attention", 29*24*time.Hour + time.Hour, 30, SeveriteAttention, "Votre certificat de signature expire dans 30 jours"},
		{"une semaine avant : urgent", 7 * 24 * time.Hour, 7, SeveriteUrgent, "Votre certificat de signature expire dans 7 jours"},
		{"la veille : urgent, au singulier", 3 * time.Hour, 7, SeveriteUrgent, "Votre certificat de signature expire dans 1 jour"},
		{"expiré : critique", -time.Hour, 0, SeveriteCritique, "Le certificat de votre clé de signature a expiré"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			now := expire.Add(-tc.avant)
			if got := c.SeuilAtteint(now); got != tc.seuil {
				t.Fatalf("seuil %d, attendu %d", got, tc.seuil)
			}
			n, cle := c.AlerteExpiration(now)
			if tc.seuil < 0 {
				if n != nil {
					t.Fatalf("alerte inattendue : %+v", n)
				}
				return
			}
			if n.Severite != tc.severite || n.Titre != tc.titre || n.Destinataire != "maire" || n.Objet.Ecran != "cle" {
				t.Fatalf("alerte : %+v", n)
			}
			if !strings.Contains(n.Texte, "31/03/2027") || !strings.Contains(n.Texte, "AC Certinomis") {
				t.Fatalf("le texte doit dire la date et l'autorité : %s", n.Texte)
			}
			// Same threshold, another day: the same key, raised once.
			if _, cle2 := c.AlerteExpiration(now.Add(-time.Minute)); c.SeuilAtteint(now.Add(-time.Minute)) == tc.seuil && cle2 != cle {
				t.Fatalf("clé %q puis %q pour le même seuil", cle, cle2)
			}
		})
	}
}

func TestCertificatSignatureValidate(t *testing.T) {
	ok := CertificatSignature{SHA256: strings.Repeat("0", 64), UtilisateurID: "u", Porteur: "Jean Dupont", DER: []byte{0x30}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for nom, f := range map[string]func(c *CertificatSignature){
		"sans utilisateur":   func(c *CertificatSignature) { c.UtilisateurID = "" },
		"empreinte invalide": func(c *CertificatSignature) { c.SHA256 = "xyz" },
		"sans certificat":    func(c *CertificatSignature) { c.DER = nil },
		"dates à l'envers":   func(c *CertificatSignature) { c.NotAfter = c.NotBefore.Add(-time.Hour) },
		"porteur illisible":  func(c *CertificatSignature) { c.Porteur = "a\x00b" },
	} {
		c := ok
		f(&c)
		if ErrorCode(c.Validate()) != EINVALID {
			t.Errorf("%s : accepté", nom)
		}
	}
}
