package backuprepo

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xdemat"
)

const nomValide = "4f2c8d1e9a0b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		path string
		want chemin
		ok   bool
	}{
		{"racine du dépôt", Prefix + communeA + "/", chemin{commune: communeA}, true},
		{"configuration", Prefix + communeA + "/config", chemin{commune: communeA, typ: "config"}, true},
		{"liste des paquets", Prefix + communeA + "/data/", chemin{commune: communeA, typ: "data"}, true},
		{"un instantané", Prefix + communeA + "/snapshots/" + nomValide, chemin{communeA, "snapshots", nomValide}, true},
		{"commune qui n'est pas un UUID", Prefix + "../etc/", chemin{}, false},
		{"type inconnu", Prefix + communeA + "/secrets/", chemin{}, false},
		{"nom en majuscules", Prefix + communeA + "/keys/" + strings.ToUpper(nomValide), chemin{}, false},
		{"nom trop court", Prefix + communeA + "/keys/abc", chemin{}, false},
		{"remontée de dossier", Prefix + communeA + "/data/../../x", chemin{}, false},
		{"hors du préfixe", "/v1/poste", chemin{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parse(tt.path)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("parse(%q) = %+v, %v", tt.path, got, ok)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Prefix + communeA + "/data/" + nomValide)
	f.Add(Prefix + communeA + "/config")
	f.Add(Prefix + "x/../../")
	f.Fuzz(func(t *testing.T, p string) {
		c, ok := parse(p)
		if !ok {
			return
		}
		// Whatever is accepted stays inside the commune's folder.
		s := &Server{Dir: "/depots"}
		dir := filepath.Join(s.Dir, c.commune)
		full := dir
		if c.nom != "" {
			full = s.cheminFichier(dir, c)
		}
		if !strings.HasPrefix(full, dir) || strings.Contains(full, "..") || !xdemat.ValidUUID(c.commune) {
			t.Fatalf("%q → %q sort du dépôt", p, full)
		}
	})
}

// TestAppendOnly drives the handler directly: what a poste may and may not do.
func TestAppendOnly(t *testing.T) {
	jetons := &Jetons{Dir: t.TempDir()}
	jeton, err := jetons.Nouveau(posteA)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Acces: func(_ *http.Request, poste, mdp string) (string, error) {
		if ok, _ := jetons.Verifier(poste, mdp); !ok {
			return "", xdemat.Errorf(xdemat.EUNAUTHORIZED, "refusé")
		}
		return communeA, nil
	}}
	do := func(method, path, body string) int {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.SetBasicAuth(posteA, jeton)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code
	}
	base := Prefix + communeA + "/"
	contenu := "contenu"
	nom := "3016ef88e3166466281c563b984abed5412a2de823d37ed99c2af39be422fab1" // sha256("contenu")
	for _, tt := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"création du dépôt", http.MethodPost, base + "?create=true", "", 200},
		{"dépôt d'un instantané", http.MethodPost, base + "snapshots/" + nom, contenu, 200},
		{"réécriture refusée", http.MethodPost, base + "snapshots/" + nom, contenu, 403},
		{"contenu qui ne correspond pas à son nom", http.MethodPost, base + "keys/" + nomValide, contenu, 400},
		{"lecture", http.MethodGet, base + "snapshots/" + nom, "", 200},
		{"suppression d'un instantané refusée", http.MethodDelete, base + "snapshots/" + nom, "", 403},
		{"suppression du dépôt refusée", http.MethodDelete, base, "", 403},
		{"dépôt d'un verrou", http.MethodPost, base + "locks/" + nom, contenu, 200},
		{"suppression d'un verrou permise", http.MethodDelete, base + "locks/" + nom, "", 200},
		{"dépôt d'une autre commune", http.MethodGet, Prefix + communeB + "/config", "", 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := do(tt.method, tt.path, tt.body); got != tt.want {
				t.Fatalf("HTTP %d, attendu %d", got, tt.want)
			}
		})
	}
	if n, _ := s.Utilise(communeA); n != int64(len(contenu)) {
		t.Fatalf("espace utilisé %d, attendu %d (l'instantané seul)", n, len(contenu))
	}
	r := httptest.NewRequest(http.MethodGet, base+"config", nil)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("sans identifiants : HTTP %d", w.Code)
	}
}

func TestSequestre(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "sauvegarde.key")
	s, err := OuvrirSequestre(filepath.Join(dir, "cles"), key)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(key); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("clé maîtresse : %v %v", info, err)
	}
	if got, err := s.Lire(communeA); err != nil || got != "" {
		t.Fatalf("rien en séquestre : %q %v", got, err)
	}
	mdp := "un mot de passe de dépôt assez long"
	if err := s.Deposer(communeA, mdp); err != nil {
		t.Fatal(err)
	}
	if err := s.Deposer(communeA, mdp); err != nil {
		t.Fatalf("le même mot de passe une seconde fois : %v", err)
	}
	if err := s.Deposer(communeA, "un autre mot de passe très long"); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("un autre mot de passe : %v", err)
	}
	brut, _ := os.ReadFile(filepath.Join(dir, "cles", communeA))
	if strings.Contains(string(brut), mdp) {
		t.Fatal("le mot de passe est stocké en clair")
	}
	// Reopened with the same key: readable. Copied to another commune: not.
	s2, err := OuvrirSequestre(filepath.Join(dir, "cles"), key)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Lire(communeA); err != nil || got != mdp {
		t.Fatalf("relecture : %q %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, "cles", communeB), brut, 0o600)
	if _, err := s2.Lire(communeB); err == nil {
		t.Fatal("le séquestre d'une commune se lit sous le nom d'une autre")
	}
}

func TestJetons(t *testing.T) {
	j := &Jetons{Dir: t.TempDir()}
	premier, err := j.Nouveau(posteA)
	if err != nil {
		t.Fatal(err)
	}
	second, err := j.Nouveau(posteA)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, poste, mdp string
		ok               bool
	}{
		{"le mot de passe en cours", posteA, second, true},
		{"l'ancien ne marche plus", posteA, premier, false},
		{"un autre poste", posteB, second, false},
		{"un identifiant malformé", "../x", second, false},
	} {
		if ok, _ := j.Verifier(tt.poste, tt.mdp); ok != tt.ok {
			t.Errorf("%s : %v", tt.name, ok)
		}
	}
	fichiers, _ := os.ReadDir(j.Dir)
	for _, f := range fichiers {
		b, _ := os.ReadFile(filepath.Join(j.Dir, f.Name()))
		if strings.Contains(string(b), second) {
			t.Fatal("mot de passe REST stocké en clair")
		}
	}
}
