package backuprepo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xdemat"
	"xdemat/central"
)

// depotDeTest is a handler whose every request is the poste of commune A.
type depotDeTest struct {
	t      *testing.T
	s      *Server
	mu     sync.Mutex
	seuils []float64
}

func nouveauDepot(t *testing.T, quota int64) *depotDeTest {
	d := &depotDeTest{t: t}
	d.s = &Server{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		Acces: func(*http.Request, string, string) (string, error) { return communeA, nil },
		Quota: func(string) int64 { return quota },
		Seuil: func(_ string, f float64, _, _ int64) { d.mu.Lock(); d.seuils = append(d.seuils, f); d.mu.Unlock() },
	}
	d.do(http.MethodPost, "?create=true", "", nil)
	return d
}

func (d *depotDeTest) do(method, path, body string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, Prefix+communeA+"/"+path, strings.NewReader(body))
	r.SetBasicAuth(posteA, "jeton")
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	d.s.ServeHTTP(w, r)
	return w
}

func nomDe(contenu string) string {
	h := sha256.Sum256([]byte(contenu))
	return hex.EncodeToString(h[:])
}

func TestQuota(t *testing.T) {
	d := nouveauDepot(t, 100)
	for _, tt := range []struct {
		name      string
		taille    int
		want      int
		seuils    []float64
		utiliseOk int64
	}{
		{"sous 80 %", 70, 200, nil, 70},
		{"franchit 80 %", 15, 200, []float64{0.8}, 85},
		{"reste au-dessus de 80 % : pas de seconde alerte", 5, 200, []float64{0.8}, 90},
		{"atteint 100 %", 10, 200, []float64{0.8, 1}, 100},
		{"au-delà : refusé avec un message clair", 1, http.StatusInsufficientStorage, []float64{0.8, 1, 1}, 100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			contenu := strings.Repeat(tt.name[:1], tt.taille) + tt.name
			contenu = contenu[:tt.taille]
			w := d.do(http.MethodPost, "data/"+nomDe(contenu), contenu, nil)
			if w.Code != tt.want {
				t.Fatalf("HTTP %d, attendu %d : %s", w.Code, tt.want, w.Body)
			}
			if tt.want != 200 && !strings.Contains(w.Body.String(), "Espace de sauvegarde plein (100 octets)") {
				t.Errorf("message %q", w.Body)
			}
			d.mu.Lock()
			got := append([]float64(nil), d.seuils...)
			d.mu.Unlock()
			if len(got) != len(tt.seuils) {
				t.Errorf("seuils signalés %v, attendu %v", got, tt.seuils)
			}
			if n, _ := d.s.Utilise(communeA); n != tt.utiliseOk {
				t.Errorf("espace utilisé %d, attendu %d", n, tt.utiliseOk)
			}
		})
	}
}

func TestListeEtLecture(t *testing.T) {
	d := nouveauDepot(t, 1<<20)
	contenu := "contenu d'un paquet de données"
	nom := nomDe(contenu)
	if w := d.do(http.MethodPost, "data/"+nom, contenu, nil); w.Code != 200 {
		t.Fatalf("dépôt : %d %s", w.Code, w.Body)
	}
	t.Run("liste v2 avec les tailles", func(t *testing.T) {
		w := d.do(http.MethodGet, "data/", "", http.Header{"Accept": {mediaV2}})
		var got []entree
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Header().Get("Content-Type") != mediaV2 {
			t.Fatalf("%v, %q", err, w.Header().Get("Content-Type"))
		}
		if len(got) != 1 || got[0].Name != nom || got[0].Size != int64(len(contenu)) {
			t.Fatalf("liste %+v", got)
		}
	})
	t.Run("liste v1 : les noms seuls", func(t *testing.T) {
		w := d.do(http.MethodGet, "data/", "", nil)
		var got []string
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0] != nom {
			t.Fatalf("%v, %v", err, got)
		}
	})
	t.Run("liste vide d'un type sans fichier", func(t *testing.T) {
		w := d.do(http.MethodGet, "snapshots/", "", http.Header{"Accept": {mediaV2}})
		if strings.TrimSpace(w.Body.String()) != "[]" {
			t.Fatalf("%q", w.Body)
		}
	})
	t.Run("HEAD donne la taille", func(t *testing.T) {
		w := d.do(http.MethodHead, "data/"+nom, "", nil)
		if w.Code != 200 || w.Header().Get("Content-Length") != strconv.Itoa(len(contenu)) {
			t.Fatalf("%d, longueur %q", w.Code, w.Header().Get("Content-Length"))
		}
		if w := d.do(http.MethodHead, "data/"+nomValide, "", nil); w.Code != 404 {
			t.Fatalf("fichier absent : %d", w.Code)
		}
	})
	t.Run("lecture d'une partie (Range)", func(t *testing.T) {
		w := d.do(http.MethodGet, "data/"+nom, "", http.Header{"Range": {"bytes=8-9"}})
		if w.Code != http.StatusPartialContent || w.Body.String() != "d'" {
			t.Fatalf("%d %q", w.Code, w.Body)
		}
	})
	t.Run("config sans contrôle de nom", func(t *testing.T) {
		if w := d.do(http.MethodPost, "config", "config chiffrée", nil); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		w := d.do(http.MethodGet, "config", "", nil)
		if b, _ := io.ReadAll(w.Body); string(b) != "config chiffrée" {
			t.Fatalf("%q", b)
		}
	})
}

// alertes records the notifications raised, keeping one per ID as the store does.
type alertes struct {
	par map[string]*xdemat.Notification
	n   int
}

func (a *alertes) RaiseNotification(_ context.Context, n *xdemat.Notification) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if a.par == nil {
		a.par = map[string]*xdemat.Notification{}
	}
	if _, ok := a.par[n.ID]; !ok {
		a.par[n.ID] = n
		a.n++
	}
	return nil
}

func TestAlertesManquees(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	commune := func(id string) *xdemat.Commune { return &xdemat.Commune{ID: id, Nom: "Commune"} }
	reussie := func(id string, fin time.Time) *xdemat.Sauvegarde {
		return &xdemat.Sauvegarde{ID: id, Type: xdemat.TypeSauvegarde, Statut: xdemat.SauvegardeReussie, Debut: fin.Add(-time.Minute), Fin: fin}
	}
	const s1, s2 = "51000000-0000-4000-8000-000000000001", "51000000-0000-4000-8000-000000000002"
	for _, tt := range []struct {
		name    string
		bilan   *central.BilanSauvegarde
		alertee bool
	}{
		{"sauvegardée cette nuit", &central.BilanSauvegarde{Commune: commune(communeA), Premiere: now.Add(-90 * 24 * time.Hour), DerniereReussie: reussie(s1, now.Add(-7*time.Hour))}, false},
		{"dernière réussite il y a 35 h", &central.BilanSauvegarde{Commune: commune(communeA), Premiere: now.Add(-90 * 24 * time.Hour), DerniereReussie: reussie(s1, now.Add(-35*time.Hour))}, false},
		{"dernière réussite il y a 2 jours", &central.BilanSauvegarde{Commune: commune(communeA), Premiere: now.Add(-90 * 24 * time.Hour), DerniereReussie: reussie(s1, now.Add(-48*time.Hour))}, true},
		{"jamais réussie depuis 3 jours", &central.BilanSauvegarde{Commune: commune(communeA), Premiere: now.Add(-72 * time.Hour)}, true},
		{"jamais sauvegardée : pas d'offre, pas d'alerte", &central.BilanSauvegarde{Commune: commune(communeA)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &alertes{}
			got, err := AlertesManquees(t.Context(), a, []*central.BilanSauvegarde{tt.bilan}, now)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tt.alertee || (a.n == 1) != tt.alertee {
				t.Fatalf("alertées %v (%d notifications), attendu %v", got, a.n, tt.alertee)
			}
			for _, n := range a.par {
				if n.Type != xdemat.NotificationSauvegardeManquee || n.CommuneID != communeA || n.Objet.Ecran != "sauvegarde" {
					t.Errorf("notification %+v", n)
				}
			}
		})
	}

	t.Run("une seule alerte par interruption, une nouvelle à la suivante", func(t *testing.T) {
		a := &alertes{}
		b := &central.BilanSauvegarde{Commune: commune(communeA), Premiere: now.Add(-90 * 24 * time.Hour), DerniereReussie: reussie(s1, now.Add(-48*time.Hour))}
		for h := 0; h < 24; h++ { // the hourly check of a whole day
			if _, err := AlertesManquees(t.Context(), a, []*central.BilanSauvegarde{b}, now.Add(time.Duration(h)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if a.n != 1 {
			t.Fatalf("%d alertes pour une même interruption", a.n)
		}
		b.DerniereReussie = reussie(s2, now.Add(24*time.Hour))
		if _, err := AlertesManquees(t.Context(), a, []*central.BilanSauvegarde{b}, now.Add(72*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if a.n != 2 {
			t.Fatalf("%d alertes après une seconde interruption, 2 attendues", a.n)
		}
	})
}

func TestAlerteQuota(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a := &alertes{}
	for _, tt := range []struct {
		fraction float64
		typ      string
	}{{0.8, xdemat.NotificationSauvegardeQuota80}, {1, xdemat.NotificationSauvegardeQuotaAtteint}} {
		for range 3 { // restic retries a refused upload
			if err := AlerteQuota(t.Context(), a, communeA, tt.fraction, 40<<30, 50<<30, now); err != nil {
				t.Fatal(err)
			}
		}
		found := false
		for _, n := range a.par {
			found = found || n.Type == tt.typ
		}
		if !found {
			t.Errorf("pas d'alerte %s", tt.typ)
		}
	}
	if a.n != 2 {
		t.Fatalf("%d alertes, 2 attendues (80 %% puis 100 %%, une fois chacune dans la journée)", a.n)
	}
}
