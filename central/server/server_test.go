package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/protocol"
	"xdemat/central/tlscert"
)

// newTestMain returns a program writing to buffers, on the data directory dir.
func newTestMain(dir string) (*Main, *bytes.Buffer) {
	m := NewMain()
	out := new(bytes.Buffer)
	m.Stdout, m.Stderr = out, io.Discard
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.DataDir = dir
	return m, out
}

// runCLI runs one command line against the data directory dir and returns
// its output.
func runCLI(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	m, out := newTestMain(dir)
	defer m.Close()
	if err := m.ParseFlags(context.Background(), args); err != nil {
		return "", err
	}
	err := m.Run(context.Background())
	return out.String(), err
}

func mustCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := runCLI(t, dir, args...)
	if err != nil {
		t.Fatalf("xdemat-central %s : %v", strings.Join(args, " "), err)
	}
	return out
}

// pinnedClient trusts only the certificate of fingerprint, as the agent does.
func pinnedClient(fingerprint string) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // checked against the pin below
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(sum[:]) != fingerprint {
				return errors.New("certificat inattendu")
			}
			return nil
		},
	}}}
}

func signed(t *testing.T, method, url string, body []byte, key ed25519.PrivateKey, posteID string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	protocol.Signer(req, key, posteID, protocol.HashBody(body), time.Now())
	return req
}

func TestCentralDeBoutEnBout(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	m, _ := newTestMain(dir)
	if err := m.ParseFlags(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-url", "https://central.spl.example:8443"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Addr() == "" || m.AdminAddr() == "" || len(m.CertFingerprint()) != 64 || m.Store() == nil {
		t.Fatalf("serveur : %q %q %q", m.Addr(), m.AdminAddr(), m.CertFingerprint())
	}
	// The self-signed certificate was made once, its key kept private.
	if fi, err := os.Stat(filepath.Join(dir, "tls", tlscert.KeyFile)); err != nil || (fi.Mode().Perm()&0o077 != 0 && os.PathSeparator == '/') {
		t.Fatalf("clé TLS : %v %v", fi, err)
	}

	// The SPL creates the commune and issues a code with the command line,
	// while the server runs.
	id := strings.TrimSpace(mustCLI(t, dir, "commune", "create", "-siren", "215100009", "-nom", "Commune de Démonstration", "-departement", "51", "-population", "180"))
	if !xdemat.ValidUUID(id) {
		t.Fatalf("identifiant de commune %q", id)
	}
	if out := mustCLI(t, dir, "commune", "list"); !strings.Contains(out, id) || !strings.Contains(out, "Commune de Démonstration") || !strings.Contains(out, "100-199") {
		t.Fatalf("commune list :\n%s", out)
	}
	out := mustCLI(t, dir, "code", "issue", "-commune", id)
	code := strings.SplitN(out, "\n", 2)[0]
	if len(code) != 14 || !strings.Contains(out, "xdemat-agent enroll --central https://central.spl.example:8443 --code "+code+" --empreinte "+m.CertFingerprint()) {
		t.Fatalf("code issue :\n%s", out)
	}
	if out := mustCLI(t, dir, "code", "list"); !strings.Contains(out, code) || !strings.Contains(out, "valable") {
		t.Fatalf("code list :\n%s", out)
	}

	// The mairie PC enrolls over TLS, pinned to the certificate.
	client := pinnedClient(m.CertFingerprint())
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	body, _ := json.Marshal(protocol.EnrolementRequest{Code: strings.ToLower(code), Nom: "PC-MAIRIE", ClePublique: pub, Version: "0.9.0"})
	res, err := client.Do(signed(t, http.MethodPost, "https://"+m.Addr()+"/v1/enrolement", body, key, ""))
	if err != nil {
		t.Fatal(err)
	}
	var enr protocol.EnrolementResponse
	json.NewDecoder(res.Body).Decode(&enr)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || enr.Commune.ID != id {
		t.Fatalf("enrôlement : %d %+v", res.StatusCode, enr)
	}
	if res.TLS == nil {
		t.Fatal("enrôlement hors TLS")
	}
	if _, err := pinnedClient(strings.Repeat("0", 64)).Get("https://" + m.Addr() + "/v1/poste"); err == nil {
		t.Fatal("un autre certificat a été accepté")
	}

	out = mustCLI(t, dir, "poste", "list", "-commune", id)
	if !strings.Contains(out, enr.PosteID) || !strings.Contains(out, "PC-MAIRIE") || !strings.Contains(out, "actif") || !strings.Contains(out, "0.9.0") {
		t.Fatalf("poste list :\n%s", out)
	}
	if out := mustCLI(t, dir, "code", "list", "-commune", id); !strings.Contains(out, "utilisé le") {
		t.Fatalf("code list après enrôlement :\n%s", out)
	}

	// The console answers on its own listener, with the generated password.
	password, err := os.ReadFile(filepath.Join(dir, "admin.secret"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+m.AdminAddr()+"/communes/"+id, nil)
	req.SetBasicAuth("admin", strings.TrimSpace(string(password)))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("PC-MAIRIE")) {
		t.Fatalf("console : %d\n%s", res.StatusCode, page)
	}

	// A long-poll is waiting when the poste is revoked and the server stops.
	poll := make(chan int, 1)
	go func() {
		req := signed(t, http.MethodGet, "https://"+m.Addr()+"/v1/evenements?apres=1000000&attente=60", nil, key, enr.PosteID)
		res, err := client.Do(req)
		if err != nil {
			poll <- 0
			return
		}
		res.Body.Close()
		poll <- res.StatusCode
	}()
	time.Sleep(200 * time.Millisecond)
	if out := mustCLI(t, dir, "poste", "revoke", enr.PosteID); !strings.Contains(out, "révoqué") {
		t.Fatalf("poste revoke :\n%s", out)
	}
	res, err = client.Do(signed(t, http.MethodGet, "https://"+m.Addr()+"/v1/poste", nil, key, enr.PosteID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("poste révoqué : %d", res.StatusCode)
	}
	start := time.Now()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("arrêt en %s : l'attente d'événements n'a pas été interrompue", took)
	}
	select {
	case status := <-poll:
		if status != http.StatusOK {
			t.Fatalf("attente d'événements à l'arrêt : %d", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("l'attente d'événements ne s'est pas terminée")
	}

	// The next start reuses the certificate: enrolled postes keep their pin.
	again, _ := newTestMain(dir)
	if err := again.ParseFlags(ctx, []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := again.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.CertFingerprint() != m.CertFingerprint() {
		t.Fatal("nouveau certificat au redémarrage")
	}
}

func TestLigneDeCommande(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		nom     string
		args    []string
		message string // in the error; "" = success
		sortie  string // in the output on success
	}{
		{"version", []string{"version"}, "", "protocole 1"},
		{"commande inconnue", []string{"demarrer"}, "commande inconnue", ""},
		{"action manquante", []string{"code"}, "précisez l'action", ""},
		{"SIREN invalide", []string{"commune", "create", "-siren", "123456789", "-nom", "Avize", "-departement", "51", "-population", "1700"}, "n'est pas valide", ""},
		{"population manquante", []string{"commune", "create", "-siren", "215100009", "-nom", "Avize", "-departement", "51"}, "population", ""},
		{"code sans commune", []string{"code", "issue"}, "indiquez la commune", ""},
		{"code pour une commune inconnue", []string{"code", "issue", "-commune", "4b1e6f7e-9d63-4a8e-9f60-0f5d6e3c1a11"}, "ommune", ""},
		{"annulation sans code", []string{"code", "revoke"}, "le code à annuler", ""},
		{"annulation d'un code inconnu", []string{"code", "revoke", "ABCD-EFGH-JKMN"}, "inconnu", ""},
		{"révocation d'un poste inconnu", []string{"poste", "revoke", "4b1e6f7e-9d63-4a8e-9f60-0f5d6e3c1a11"}, "introuvable", ""},
		{"aucune commune", []string{"commune", "list"}, "", "Aucune commune"},
		{"aucun poste", []string{"poste", "list"}, "", "Aucun poste"},
		{"options communes après la commande", []string{"code", "list", "-data", dir}, "", "Aucun code"},
		{"espace de sauvegarde sans commune", []string{"sauvegarde", "quota", "-go", "100"}, "indiquez la commune et l'espace", ""},
		{"espace de sauvegarde d'une commune inconnue", []string{"sauvegarde", "quota", "-commune", "215100009", "-go", "100"}, "Aucune commune de SIREN", ""},
		{"sauvegardes sans commune", []string{"sauvegarde", "list"}, "", "DERNIÈRE RÉUSSIE"},
		{"conservation sans dépôt", []string{"sauvegarde", "retention"}, "", "appliquée"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			out, err := runCLI(t, dir, tt.args...)
			if tt.message != "" {
				if err == nil || !strings.Contains(err.Error(), tt.message) {
					t.Fatalf("erreur %v, %q attendu", err, tt.message)
				}
				return
			}
			if err != nil || !strings.Contains(out, tt.sortie) {
				t.Fatalf("sortie %q, erreur %v (%q attendu)", out, err, tt.sortie)
			}
		})
	}
}

func TestDossierParDefaut(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/lib/etat")
	if got := DefaultDataDir(); os.PathSeparator == '/' && got != filepath.Join("/var/lib/etat", "xdemat-central") {
		t.Fatalf("dossier %q", got)
	}
	m := NewMain()
	if err := m.ParseFlags(context.Background(), []string{"-data", "/srv/xdemat", "-db", "postgres://central@localhost/xdemat"}); err != nil {
		t.Fatal(err)
	}
	if m.DataDir != "/srv/xdemat" || m.DBURL != "postgres://central@localhost/xdemat" || m.ListenAddr != ":8443" || m.AdminListenAddr != "127.0.0.1:8444" {
		t.Fatalf("options %+v", m)
	}
}
