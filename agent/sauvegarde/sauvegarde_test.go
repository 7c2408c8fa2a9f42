package sauvegarde

import (
	"context"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

func TestPrecedente(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tt := range []struct {
		name      string
		now, want time.Time
	}{
		{"le matin, la nuit passée", time.Date(2026, 11, 25, 9, 0, 0, 0, paris), time.Date(2026, 11, 25, 2, 0, 0, 0, paris)},
		{"avant l'heure, la veille", time.Date(2026, 11, 25, 1, 59, 0, 0, paris), time.Date(2026, 11, 24, 2, 0, 0, 0, paris)},
		{"à l'heure pile", time.Date(2026, 11, 25, 2, 0, 0, 0, paris), time.Date(2026, 11, 25, 2, 0, 0, 0, paris)},
	} {
		if got := Precedente(tt.now, 2); !got.Equal(tt.want) {
			t.Errorf("%s : %v, attendu %v", tt.name, got, tt.want)
		}
	}
}

// faux is an in-memory Store.
type faux struct {
	config agent.ConfigSauvegarde
	hist   []*xdemat.Sauvegarde
}

func (f *faux) Identity(context.Context) (*agent.Identity, error) {
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "")
}
func (f *faux) ConfigSauvegarde(context.Context) (*agent.ConfigSauvegarde, error) {
	c := f.config
	return &c, nil
}
func (f *faux) SaveConfigSauvegarde(_ context.Context, c *agent.ConfigSauvegarde, _ string, _ time.Time) error {
	f.config = *c
	return nil
}
func (f *faux) RecordSauvegarde(_ context.Context, r *xdemat.Sauvegarde, _ *xdemat.Notification, _ time.Time) error {
	f.hist = append([]*xdemat.Sauvegarde{r}, f.hist...)
	return nil
}
func (f *faux) Sauvegardes(context.Context, int) ([]*xdemat.Sauvegarde, error) { return f.hist, nil }
func (f *faux) CopieCoherente(context.Context, string) error                   { return nil }

func TestEcheance(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	nuit := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		hist []*xdemat.Sauvegarde
		want time.Time
	}{
		{"jamais sauvegardé : tout de suite (rattrapage)", nil, nuit},
		{"PC éteint cette nuit, réussie la veille : tout de suite", []*xdemat.Sauvegarde{{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeReussie, Debut: nuit.AddDate(0, 0, -1)}}, nuit},
		{"réussie cette nuit : la nuit prochaine", []*xdemat.Sauvegarde{{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeReussie, Debut: nuit.Add(time.Minute)}}, nuit.AddDate(0, 0, 1)},
		{"échouée cette nuit : on réessaie", []*xdemat.Sauvegarde{{Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeEchouee, Debut: nuit.Add(time.Minute)}}, nuit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{Store: &faux{hist: tt.hist, config: agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{"/srv/mairie"}}}, Now: func() time.Time { return now }}
			got, err := s.Echeance(context.Background())
			if err != nil || !got.Equal(tt.want) {
				t.Fatalf("%v %v, attendu %v", got, err, tt.want)
			}
		})
	}
}

func TestEtatAvantEnrolement(t *testing.T) {
	s := &Service{Store: &faux{}, DataDir: t.TempDir()}
	e, err := s.Etat(context.Background())
	if err != nil || e.Probleme == "" {
		t.Fatalf("avant l'enrôlement, l'état dit pourquoi rien ne part : %+v %v", e, err)
	}
	if _, err := s.Sauvegarder(context.Background()); err == nil {
		t.Fatal("sauvegarde sans dossier ni enrôlement acceptée")
	}
}

func TestExerciceDu(t *testing.T) {
	now := time.Date(2026, 11, 25, 2, 30, 0, 0, time.UTC)
	ok := func(typ string, jours int) *xdemat.Sauvegarde {
		return &xdemat.Sauvegarde{Type: typ, Statut: xdemat.SauvegardeReussie, Debut: now.AddDate(0, 0, -jours)}
	}
	for _, tt := range []struct {
		name string
		hist []*xdemat.Sauvegarde // newest first
		want bool
	}{
		{"aucune sauvegarde : rien à vérifier", nil, false},
		{"première sauvegarde de cette nuit : pas encore", []*xdemat.Sauvegarde{ok(xdemat.TypeSauvegarde, 0)}, false},
		{"sauvegardes depuis plus d'un mois, jamais vérifiées", []*xdemat.Sauvegarde{ok(xdemat.TypeSauvegarde, 0), ok(xdemat.TypeSauvegarde, 31)}, true},
		{"vérifiée il y a dix jours", []*xdemat.Sauvegarde{ok(xdemat.TypeSauvegarde, 0), ok(xdemat.TypeExercice, 10), ok(xdemat.TypeSauvegarde, 60)}, false},
		{"vérifiée il y a un mois", []*xdemat.Sauvegarde{ok(xdemat.TypeSauvegarde, 0), ok(xdemat.TypeExercice, 30)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{Store: &faux{hist: tt.hist}, Now: func() time.Time { return now }}
			if got, err := s.exerciceDu(context.Background()); err != nil || got != tt.want {
				t.Fatalf("%v %v, attendu %v", got, err, tt.want)
			}
		})
	}
}
