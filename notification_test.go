package xdemat

import (
	"strings"
	"testing"
	"time"
)

func TestTrierParUrgence(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	n := func(titre string, sev Severite, echeance time.Time, creeIlYa time.Duration, faite bool) *Notification {
		x := &Notification{Titre: titre, Severite: sev, Echeance: echeance, CreeLe: now.Add(-creeIlYa)}
		if faite {
			x.FaitLe = now
		}
		return x
	}
	ns := []*Notification{
		n("info récente", SeveriteInfo, time.Time{}, time.Minute, false),
		n("déjà traitée, critique", SeveriteCritique, time.Time{}, time.Hour, true),
		n("urgent à échéance lointaine", SeveriteUrgent, now.Add(72*time.Hour), time.Hour, false),
		n("info en retard", SeveriteInfo, now.Add(-time.Hour), 48*time.Hour, false),
		n("urgent à échéance proche", SeveriteUrgent, now.Add(2*time.Hour), time.Hour, false),
		n("critique sans échéance", SeveriteCritique, time.Time{}, 3*time.Hour, false),
		n("info ancienne", SeveriteInfo, time.Time{}, 24*time.Hour, false),
		n("urgent sans échéance", SeveriteUrgent, time.Time{}, time.Hour, false),
	}
	TrierParUrgence(ns, now)
	want := []string{
		"info en retard",              // overdue first, whatever its severity
		"critique sans échéance",      // then by severity
		"urgent à échéance proche",    // nearest deadline first
		"urgent à échéance lointaine", //
		"urgent sans échéance",        // no deadline after a deadline
		"info récente",                // newest first
		"info ancienne",
		"déjà traitée, critique", // done ones last
	}
	for i, x := range ns {
		if x.Titre != want[i] {
			var got []string
			for _, y := range ns {
				got = append(got, y.Titre)
			}
			t.Fatalf("ordre :\n%s\nattendu :\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestNotificationValidate(t *testing.T) {
	ok := func() *Notification {
		return &Notification{
			ID: "0b8f3c1e-8f44-4c59-9d3a-2f1f0c6a7b10", Type: NotificationMessageSPL, Severite: SeveriteInfo,
			Titre: "Maintenance samedi", Texte: "Ligne 1\nLigne 2\tavec tabulation", CreeLe: time.Now(),
			Objet: Lien{Ecran: "notification", ID: "0b8f3c1e-8f44-4c59-9d3a-2f1f0c6a7b10"},
		}
	}
	if err := ok().Validate(); err != nil {
		t.Fatalf("notification correcte refusée : %v", err)
	}
	tests := []struct {
		name   string
		change func(*Notification)
	}{
		{"identifiant qui n'est pas un UUID", func(n *Notification) { n.ID = "42" }},
		{"type sans service", func(n *Notification) { n.Type = "message" }},
		{"gravité inconnue", func(n *Notification) { n.Severite = "grave" }},
		{"titre vide", func(n *Notification) { n.Titre = "  " }},
		{"titre sur deux lignes", func(n *Notification) { n.Titre = "a\nb" }},
		{"octet nul dans le texte", func(n *Notification) { n.Texte = "a\x00b" }},
		{"texte trop long", func(n *Notification) { n.Texte = strings.Repeat("é", 2001) }},
		{"sans date de création", func(n *Notification) { n.CreeLe = time.Time{} }},
		{"lien vers un écran mal nommé", func(n *Notification) { n.Objet = Lien{Ecran: "../etc"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok()
			tt.change(n)
			err := n.Validate()
			if ErrorCode(err) != EINVALID || ErrorMessage(err) == "" {
				t.Fatalf("attendu un refus en français, obtenu %v", err)
			}
		})
	}
}

func TestNotificationEnRetard(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	n := &Notification{Echeance: now.Add(-time.Minute)}
	if !n.EnRetard(now) {
		t.Error("échéance passée non traitée : devrait être en retard")
	}
	n.FaitLe = now
	if n.EnRetard(now) {
		t.Error("une notification traitée n'est jamais en retard")
	}
	if (&Notification{}).EnRetard(now) {
		t.Error("sans échéance, jamais en retard")
	}
}

func TestNotificationService(t *testing.T) {
	if s := (&Notification{Type: NotificationPosteEnrole}).Service(); s != ServicePlateforme {
		t.Errorf("poste.enrole : service %q", s)
	}
	if s := (&Notification{Type: "acte.ar_recu"}).Service(); s != "acte" {
		t.Errorf("type inconnu : le service est le préfixe, obtenu %q", s)
	}
}

func TestTypesNotificationCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, ty := range TypesNotification() {
		if seen[ty.Code] {
			t.Errorf("type %s en double", ty.Code)
		}
		seen[ty.Code] = true
		if !typeOperationRE.MatchString(ty.Code) || ty.Libelle == "" || ty.Severite.Rang() < 0 {
			t.Errorf("type mal décrit : %+v", ty)
		}
		if ty.Critique != (ty.Severite == SeveriteCritique) {
			t.Errorf("%s : un type critique a la gravité critique, et réciproquement", ty.Code)
		}
		if LibelleService(ty.Service) == ty.Service {
			t.Errorf("%s : service %q sans libellé français", ty.Code, ty.Service)
		}
	}
}
