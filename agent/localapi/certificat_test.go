package localapi

import (
	"context"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/internal/pkitest"
)

// TestCertificatDeLaCleDuMaire: the app tells the agent the certificate it
// read on the maire's token; the agent keeps it for him only and warns him
// at once when it expires within 60, 30 or 7 days — once per threshold.
func TestCertificatDeLaCleDuMaire(t *testing.T) {
	maintenant := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var lever func(n *xdemat.Notification) error
	h := start(t, func(s *Server) {
		s.Certificats = &agent.Certificats{Store: s.Store, Now: func() time.Time { return maintenant },
			Lever: func(_ context.Context, n *xdemat.Notification) error { return lever(n) }}
	})
	lever = func(n *xdemat.Notification) error { return h.store.RaiseNotification(ctx, n, maintenant) }
	enroll(t, h)
	maire, err := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Martin", Prenom: "Paul", Role: xdemat.RoleMaire, Actif: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	ac := pkitest.NouvelleAC(t)
	cert := ac.Emettre(t, pkitest.CleRSA(t).Public(), pkitest.Signataire{Nom: "Paul Martin", NotBefore: maintenant.AddDate(-2, 0, 0), NotAfter: maintenant.Add(20 * 24 * time.Hour)})

	if _, err := h.client.EnregistrerCertificat(ctx, cert.Raw, true, false); xdemat.ErrorCode(err) != xdemat.EUNAUTHORIZED {
		t.Fatalf("sans session : %v", err)
	}
	if _, err := h.client.OuvrirSession(ctx, maire.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.EnregistrerCertificat(ctx, []byte("pas un certificat"), true, false); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("certificat illisible : %v", err)
	}
	for range 2 {
		c, err := h.client.EnregistrerCertificat(ctx, cert.Raw, true, false)
		if err != nil {
			t.Fatal(err)
		}
		if c.Porteur != "Paul Martin" || c.Emetteur != "AC de test xdemat RGS" || !c.RGS || c.UtilisateurID != maire.ID {
			t.Fatalf("certificat gardé : %+v", c)
		}
	}
	ns, err := h.client.Notifications(ctx, agent.FiltreNotifications{})
	if err != nil {
		t.Fatal(err)
	}
	var alertes []*xdemat.Notification
	for _, n := range ns {
		if n.Type == xdemat.NotificationCertificatExpiration {
			alertes = append(alertes, n)
		}
	}
	if len(alertes) != 1 || alertes[0].Titre != "Votre certificat de signature expire dans 20 jours" || alertes[0].Severite != xdemat.SeveriteAttention || alertes[0].Destinataire != maire.ID {
		t.Fatalf("une seule alerte au seuil de 30 jours attendue, pour le maire : %+v", alertes)
	}
	l, err := h.client.Certificats(ctx)
	if err != nil || len(l) != 1 || l[0].Porteur != "Paul Martin" {
		t.Fatalf("certificats du maire : %+v %v", l, err)
	}

	// Someone else's session does not see the maire's certificates.
	anne, _ := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Dupont", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true}, "")
	if _, err := h.client.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}
	if l, err := h.client.Certificats(ctx); err != nil || len(l) != 0 {
		t.Fatalf("la secrétaire voit %d certificat(s) : %v", len(l), err)
	}
}
