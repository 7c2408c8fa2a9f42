package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
)

func TestSauvegardeRapportEtOperationEnsemble(t *testing.T) {
	s, _ := openTest(t)
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	c, err := s.ConfigSauvegarde(ctx)
	if err != nil || c.Active || c.Heure != 2 {
		t.Fatalf("réglages par défaut : %+v %v", c, err)
	}
	if err := s.SaveConfigSauvegarde(ctx, &agent.ConfigSauvegarde{Active: true, Heure: 25}, "u1", now); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("heure 25 : %v", err)
	}
	if err := s.SaveConfigSauvegarde(ctx, &agent.ConfigSauvegarde{Active: true, Heure: 3, Dossiers: []string{"/home/mairie/Documents"}}, "u1", now); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ConfigSauvegarde(ctx); !c.Active || c.Heure != 3 || len(c.Dossiers) != 1 {
		t.Fatalf("réglages relus : %+v", c)
	}
	echec := &xdemat.Sauvegarde{ID: uuid.NewString(), Type: xdemat.TypeSauvegarde, Debut: now, Fin: now.Add(time.Minute), Statut: xdemat.SauvegardeEchouee, Erreur: "Réseau coupé."}
	n := &xdemat.Notification{ID: uuid.NewString(), Type: xdemat.NotificationSauvegardeEchec, Severite: xdemat.SeveriteUrgent, Titre: "La sauvegarde de la nuit a échoué", CreeLe: now, Objet: xdemat.Lien{Ecran: "sauvegarde"}}
	before, _ := s.Pending(ctx, 0)
	if err := s.RecordSauvegarde(ctx, echec, n, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordSauvegarde(ctx, echec, n, now); err != nil {
		t.Fatalf("le même rapport deux fois : %v", err)
	}
	after, _ := s.Pending(ctx, 0)
	if len(after)-len(before) != 2 || after[len(after)-2].Type != xdemat.OperationSauvegardeTerminee || after[len(after)-1].Type != xdemat.OperationNotificationCreee {
		t.Fatalf("opérations : %d nouvelles", len(after)-len(before))
	}
	hist, err := s.Sauvegardes(ctx, 10)
	if err != nil || len(hist) != 1 || hist[0].Statut != xdemat.SauvegardeEchouee {
		t.Fatalf("historique : %+v %v", hist, err)
	}
	ns, _ := s.Notifications(ctx, agent.FiltreNotifications{}, now)
	if len(ns) != 1 || ns[0].Type != xdemat.NotificationSauvegardeEchec {
		t.Fatalf("notifications : %+v", ns)
	}
	if err := s.RecordSauvegarde(ctx, &xdemat.Sauvegarde{ID: "x"}, nil, now); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("rapport invalide : %v", err)
	}
	copie := filepath.Join(t.TempDir(), "agent-copie.db")
	if err := s.CopieCoherente(ctx, copie); err != nil {
		t.Fatal(err)
	}
	c2, err := Open(copie)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if h, _ := c2.Sauvegardes(ctx, 10); len(h) != 1 {
		t.Fatalf("la copie ne contient pas l'historique : %d", len(h))
	}
}
