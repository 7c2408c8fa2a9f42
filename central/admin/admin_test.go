package admin_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/admin"
	"xdemat/central/sqlite"
)

const password = "mot-de-passe-de-test"

type console struct {
	t        *testing.T
	store    *sqlite.Store
	http     *httptest.Server
	notified *notified
}

// notified records the communes the console notified.
type notified struct {
	mu       sync.Mutex
	communes []string
}

func (n *notified) Notify(communeID string) {
	n.mu.Lock()
	n.communes = append(n.communes, communeID)
	n.mu.Unlock()
}

func newConsole(t *testing.T) *console {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	n := &notified{}
	s := &admin.Server{
		Store:       store,
		Password:    []byte(password),
		CentralURL:  "https://central.spl.example:8443",
		Fingerprint: strings.Repeat("ab", 32),
		Notifier:    n,
	}
	h := httptest.NewServer(s.Handler())
	t.Cleanup(h.Close)
	return &console{t: t, store: store, http: h, notified: n}
}

// client does not follow redirects, so that tests see them.
func (c *console) client() *http.Client {
	cl := *c.http.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cl
}

type requete struct {
	user, pass string // "" = no credentials
	origin     string
	noCSRF     bool
	csrf       string // "" = the right token
}

func (c *console) admin() requete { return requete{user: admin.User, pass: password} }

func (c *console) get(path string, rq requete) (int, string, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.http.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req, rq)
}

func (c *console) post(path string, form url.Values, rq requete) (int, string, http.Header) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !rq.noCSRF {
		token := rq.csrf
		if token == "" {
			token = c.csrfToken()
		}
		form.Set("csrf", token)
	}
	req, err := http.NewRequest(http.MethodPost, c.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rq.origin != "" {
		req.Header.Set("Origin", rq.origin)
	}
	return c.do(req, rq)
}

func (c *console) do(req *http.Request, rq requete) (int, string, http.Header) {
	c.t.Helper()
	if rq.user != "" || rq.pass != "" {
		req.SetBasicAuth(rq.user, rq.pass)
	}
	res, err := c.client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, html.UnescapeString(string(b)), res.Header
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrfToken reads the token from the console's home page, as a browser would.
func (c *console) csrfToken() string {
	c.t.Helper()
	_, body, _ := c.get("/", c.admin())
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("pas de jeton CSRF dans la page : %s", body)
	}
	return m[1]
}

var sirenSeq atomic.Int64

func newSIREN() string {
	prefix := fmt.Sprintf("2%07d", sirenSeq.Add(1))
	for d := 0; d < 10; d++ {
		if s := prefix + fmt.Sprint(d); xdemat.ValidSIREN(s) {
			return s
		}
	}
	panic("no SIREN check digit")
}

func (c *console) createCommune(nom string, population string) *xdemat.Commune {
	c.t.Helper()
	siren := newSIREN()
	status, body, h := c.post("/communes", url.Values{"nom": {nom}, "siren": {siren}, "departement": {"51"}, "population": {population}}, c.admin())
	if status != http.StatusSeeOther {
		c.t.Fatalf("création : %d %s", status, body)
	}
	communes, err := c.store.ListCommunes(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	for _, co := range communes {
		if co.SIREN == siren {
			if want := "/communes/" + co.ID; h.Get("Location") != want {
				c.t.Fatalf("redirection vers %q, %q attendu", h.Get("Location"), want)
			}
			return co
		}
	}
	c.t.Fatalf("commune %s non enregistrée", siren)
	return nil
}

func TestCreerCommune(t *testing.T) {
	c := newConsole(t)
	co := c.createCommune("Commune de Démonstration", "1 834")
	if co.Nom != "Commune de Démonstration" || co.Departement != "51" || co.Population != 1834 {
		t.Fatalf("commune %+v", co)
	}
	status, body, _ := c.get("/", c.admin())
	for _, want := range []string{"Commune de Démonstration", co.SIREN, ">51<", "1\u202f834", "500-1999"} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("liste des communes (%d) sans %q :\n%s", status, want, body)
		}
	}
	status, body, _ = c.get("/communes/"+co.ID, c.admin())
	if status != http.StatusOK || !strings.Contains(body, "Aucun poste enrôlé") {
		t.Fatalf("page de la commune : %d %s", status, body)
	}
}

func TestCommuneInvalide(t *testing.T) {
	c := newConsole(t)
	existing := c.createCommune("Sézanne", "4800")
	tests := []struct {
		nom     string
		form    url.Values
		status  int
		message string
	}{
		{"SIREN à la clé fausse", url.Values{"nom": {"Avize"}, "siren": {"123456789"}, "departement": {"51"}, "population": {"1700"}},
			http.StatusBadRequest, `Le SIREN "123456789" n'est pas valide`},
		{"département inconnu", url.Values{"nom": {"Avize"}, "siren": {newSIREN()}, "departement": {"99"}, "population": {"1700"}},
			http.StatusBadRequest, "département"},
		{"population illisible", url.Values{"nom": {"Avize"}, "siren": {newSIREN()}, "departement": {"51"}, "population": {"beaucoup"}},
			http.StatusBadRequest, "n'est pas un nombre"},
		{"nom absent", url.Values{"nom": {"  "}, "siren": {newSIREN()}, "departement": {"51"}},
			http.StatusBadRequest, "nom de la commune est obligatoire"},
		{"SIREN déjà enregistré", url.Values{"nom": {"Avize"}, "siren": {existing.SIREN}, "departement": {"51"}},
			http.StatusConflict, existing.SIREN},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body, _ := c.post("/communes", tt.form, c.admin())
			if status != tt.status || !strings.Contains(body, tt.message) {
				t.Fatalf("%d (%d attendu), message %q attendu dans :\n%s", status, tt.status, tt.message, body)
			}
			// The form keeps what was typed.
			if !strings.Contains(body, `value="`+tt.form.Get("siren")+`"`) {
				t.Fatalf("saisie perdue :\n%s", body)
			}
			communes, _ := c.store.ListCommunes(context.Background())
			if len(communes) != 1 {
				t.Fatalf("%d communes enregistrées", len(communes))
			}
		})
	}
}

var codeRE = regexp.MustCompile(`class="code-grand">([` + admin.CodeAlphabet + `]{4}-[` + admin.CodeAlphabet + `]{4}-[` + admin.CodeAlphabet + `]{4})<`)

func TestEmettreEtAnnulerCode(t *testing.T) {
	c := newConsole(t)
	co := c.createCommune("Montmirail", "3700")
	before := time.Now()
	status, body, h := c.post("/communes/"+co.ID+"/codes", nil, c.admin())
	if status != http.StatusSeeOther {
		t.Fatalf("émission : %d %s", status, body)
	}
	status, body, _ = c.get(h.Get("Location"), c.admin())
	m := codeRE.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("page du code (%d) :\n%s", status, body)
	}
	shown := m[1]
	codes, err := c.store.ListCodes(context.Background(), co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || codes[0].Code != admin.NormalizeCode(shown) {
		t.Fatalf("codes %+v, %s affiché", codes, shown)
	}
	stored := codes[0]
	if d := stored.ExpireLe.Sub(stored.CreeLe); d != xdemat.DureeCodeEnrolement || stored.CreeLe.Before(before.Add(-time.Second)) {
		t.Fatalf("validité %s depuis %s", d, stored.CreeLe)
	}
	for _, want := range []string{
		"xdemat-agent enroll --central https://central.spl.example:8443 --code " + shown + " --empreinte " + strings.Repeat("ab", 32),
		stored.ExpireLe.Local().Format("02/01/2006 à 15:04"),
		"valable",
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("page du code sans %q :\n%s", want, body)
		}
	}
	status, body, _ = c.get("/communes/"+co.ID, c.admin())
	if status != http.StatusOK || !strings.Contains(body, shown) || !strings.Contains(body, "Annuler le code") {
		t.Fatalf("liste des codes (%d) :\n%s", status, body)
	}

	status, body, _ = c.post("/communes/"+co.ID+"/codes/"+shown+"/revocation", nil, c.admin())
	if status != http.StatusSeeOther {
		t.Fatalf("annulation : %d %s", status, body)
	}
	codes, _ = c.store.ListCodes(context.Background(), co.ID)
	if codes[0].RevoqueLe.IsZero() {
		t.Fatal("code non annulé")
	}
	_, body, _ = c.get("/communes/"+co.ID, c.admin())
	if !strings.Contains(body, "annulé le") || strings.Contains(body, "Annuler le code") {
		t.Fatalf("code annulé mal affiché :\n%s", body)
	}
	// A code of another commune is not reachable through this one.
	other := c.createCommune("Esternay", "1800")
	status, _, _ = c.get("/communes/"+other.ID+"/codes/"+shown, c.admin())
	if status != http.StatusNotFound {
		t.Fatalf("code d'une autre commune : %d", status)
	}
}

func TestRevoquerPoste(t *testing.T) {
	c := newConsole(t)
	co := c.createCommune("Fère-Champenoise", "2300")
	now := time.Now()
	ctx := context.Background()
	code, err := admin.IssueCode(ctx, c.store, co.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	p := &xdemat.Poste{Nom: "PC-ACCUEIL", ClePublique: pub, Version: "1.0.0"}
	if err := c.store.Enroll(ctx, code.Code, p, now); err != nil {
		t.Fatal(err)
	}
	_, body, _ := c.get("/communes/"+co.ID, c.admin())
	if !strings.Contains(body, "PC-ACCUEIL") || !strings.Contains(body, "/postes/"+p.ID+"/revocation") || !strings.Contains(body, "1.0.0") {
		t.Fatalf("poste absent de la page :\n%s", body)
	}
	status, body, _ := c.get("/postes/"+p.ID+"/revocation", c.admin())
	if status != http.StatusOK || !strings.Contains(body, "Révoquer le poste « PC-ACCUEIL »") || !strings.Contains(body, "définitive") {
		t.Fatalf("confirmation (%d) :\n%s", status, body)
	}
	got, _ := c.store.FindPoste(ctx, p.ID)
	if got.Statut != xdemat.PosteActif {
		t.Fatal("la page de confirmation ne doit rien changer")
	}
	status, body, h := c.post("/postes/"+p.ID+"/revocation", nil, c.admin())
	if status != http.StatusSeeOther || h.Get("Location") != "/communes/"+co.ID {
		t.Fatalf("révocation : %d %s", status, body)
	}
	got, _ = c.store.FindPoste(ctx, p.ID)
	if got.Statut != xdemat.PosteRevoque || got.RevoqueLe.IsZero() {
		t.Fatalf("poste %+v", got)
	}
	if len(c.notified.communes) != 1 || c.notified.communes[0] != co.ID {
		t.Fatalf("communes notifiées : %v", c.notified.communes)
	}
	_, body, _ = c.get("/communes/"+co.ID, c.admin())
	if !strings.Contains(body, "révoqué le "+time.Now().Format("02/01/2006")) {
		t.Fatalf("statut révoqué absent :\n%s", body)
	}
	status, body, _ = c.post("/postes/"+p.ID+"/revocation", nil, c.admin())
	if status != http.StatusConflict || !strings.Contains(body, "déjà révoqué") {
		t.Fatalf("seconde révocation : %d %s", status, body)
	}
}

func TestAccesConsole(t *testing.T) {
	c := newConsole(t)
	tests := []struct {
		nom    string
		rq     requete
		status int
	}{
		{"sans identifiants", requete{}, http.StatusUnauthorized},
		{"mauvais mot de passe", requete{user: admin.User, pass: "devine"}, http.StatusUnauthorized},
		{"mauvais utilisateur", requete{user: "root", pass: password}, http.StatusUnauthorized},
		{"administrateur", c.admin(), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			for _, path := range []string{"/", "/static/style.css"} {
				status, body, h := c.get(path, tt.rq)
				if status != tt.status {
					t.Fatalf("%s : %d, %d attendu", path, status, tt.status)
				}
				if status == http.StatusUnauthorized && (!strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic ") || !strings.Contains(body, "admin.secret")) {
					t.Fatalf("réponse 401 : %v %s", h, body)
				}
			}
		})
	}
	status, _, _ := c.post("/communes", url.Values{"nom": {"X"}, "siren": {newSIREN()}, "departement": {"51"}}, requete{noCSRF: true})
	if status != http.StatusUnauthorized {
		t.Fatalf("création sans identifiants : %d", status)
	}
}

func TestProtectionCSRF(t *testing.T) {
	c := newConsole(t)
	tests := []struct {
		nom    string
		rq     requete
		status int
	}{
		{"formulaire sans jeton", requete{user: admin.User, pass: password, noCSRF: true}, http.StatusForbidden},
		{"jeton faux", requete{user: admin.User, pass: password, csrf: strings.Repeat("0", 64)}, http.StatusForbidden},
		{"envoyé depuis un autre site", requete{user: admin.User, pass: password, origin: "https://attaquant.example"}, http.StatusForbidden},
		{"envoyé depuis la console", requete{user: admin.User, pass: password, origin: c.http.URL}, http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			status, body, _ := c.post("/communes", url.Values{"nom": {fmt.Sprint("Commune ", i)}, "siren": {newSIREN()}, "departement": {"51"}}, tt.rq)
			if status != tt.status {
				t.Fatalf("%d, %d attendu : %s", status, tt.status, body)
			}
			communes, _ := c.store.ListCommunes(context.Background())
			want := 0
			if tt.status == http.StatusSeeOther {
				want = 1
			}
			if len(communes) != want {
				t.Fatalf("%d communes, %d attendues", len(communes), want)
			}
			if tt.status == http.StatusForbidden && !strings.Contains(body, "recommencez") {
				t.Fatalf("message :\n%s", body)
			}
		})
	}
}
