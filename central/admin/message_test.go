package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xdemat"
	"xdemat/central/admin"
)

func TestEnvoyerUnMessageALaCommune(t *testing.T) {
	c := newConsole(t)
	co := c.createCommune("Épernay", "22000")
	u := &xdemat.Utilisateur{CommuneID: co.ID, Nom: "Lefèvre", Prenom: "Anne", Email: "anne@epernay.example", Telephone: "+33612345678", Role: xdemat.RoleSecretaire, Actif: true}
	if err := c.store.SaveUtilisateur(context.Background(), u); err != nil {
		t.Fatal(err)
	}

	status, body, _ := c.get("/communes/"+co.ID, c.admin())
	if status != http.StatusOK || !strings.Contains(body, "Anne Lefèvre") || !strings.Contains(body, "Secrétaire de mairie") ||
		!strings.Contains(body, "Envoyer un message à la commune") || !strings.Contains(body, "Aucun courriel ni SMS envoyé") {
		t.Fatalf("page de la commune : %d %s", status, body)
	}

	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"sans titre", url.Values{"type": {"spl.message"}, "titre": {" "}}, http.StatusBadRequest, "doit avoir un titre"},
		{"type réservé aux postes", url.Values{"type": {"poste.revoque"}, "titre": {"x"}}, http.StatusBadRequest, "spl.message ou spl.alerte"},
		{"échéance illisible", url.Values{"type": {"spl.message"}, "titre": {"x"}, "echeance": {"01/12/2026"}}, http.StatusBadRequest, "AAAA-MM-JJ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := c.post("/communes/"+co.ID+"/notifications", tc.form, c.admin())
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s", status, body)
			}
		})
	}

	status, body, h := c.post("/communes/"+co.ID+"/notifications", url.Values{"type": {"spl.alerte"}, "titre": {"Hameçonnage en cours"},
		"texte": {"Ne cliquez pas sur les liens."}, "echeance": {"2026-12-01"}}, c.admin())
	if status != http.StatusSeeOther || h.Get("Location") != "/communes/"+co.ID+"?envoye=1" {
		t.Fatalf("envoi : %d %s", status, body)
	}
	ctx := xdemat.NewContextWithPoste(context.Background(), &xdemat.Poste{ID: "console", CommuneID: co.ID})
	ns, err := c.store.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Titre != "Hameçonnage en cours" || ns[0].Severite != xdemat.SeveriteCritique || ns[0].Echeance.IsZero() {
		t.Fatalf("notifications %+v", ns)
	}
	if got := c.notified.communes; len(got) == 0 || got[len(got)-1] != co.ID {
		t.Fatalf("communes notifiées %v", got)
	}
	_, body, _ = c.get("/communes/"+co.ID+"?envoye=1", c.admin())
	for _, want := range []string{"Message envoyé", "anne@epernay.example", "+33612345678", "à envoyer", "SMS", "courriel"} {
		if !strings.Contains(body, want) {
			t.Errorf("la page ne montre pas %q", want)
		}
	}

	// Without the form's token: refused.
	status, _, _ = c.post("/communes/"+co.ID+"/notifications", url.Values{"type": {"spl.message"}, "titre": {"x"}}, requete{user: admin.User, pass: password, noCSRF: true})
	if status != http.StatusForbidden {
		t.Fatalf("sans jeton CSRF : %d", status)
	}
}

func TestRoleParNom(t *testing.T) {
	for in, want := range map[string]xdemat.Role{"secretaire": xdemat.RoleSecretaire, "Secrétaire": xdemat.RoleSecretaire, "MAIRE": xdemat.RoleMaire, "adjoint": xdemat.RoleAdjoint, "élu": xdemat.RoleElu} {
		if got, err := admin.RoleParNom(in); err != nil || got != want {
			t.Errorf("RoleParNom(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := admin.RoleParNom("technicien"); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Errorf("technicien : %v", err)
	}
}
