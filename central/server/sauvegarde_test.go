package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"xdemat"
	"xdemat/central/backuprepo"
	"xdemat/central/protocol"
)

// TestSauvegardeDeBoutEnBout: a mairie PC gets its access, escrows its
// repository password and backs up with the real restic to the running
// central; the SPL sees it with the command line and changes its space.
func TestSauvegardeDeBoutEnBout(t *testing.T) {
	restic, err := backuprepo.FindRestic()
	if err != nil || testing.Short() {
		t.Skip("restic 0.18 introuvable (installer/deps.sh) ou -short : test de bout en bout de la sauvegarde ignoré")
	}
	dir := t.TempDir()
	ctx := context.Background()
	m, _ := newTestMain(dir)
	if err := m.ParseFlags(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if fi, err := os.Stat(filepath.Join(dir, "sauvegarde.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("clé du séquestre : %v %v", fi, err)
	}
	id := strings.TrimSpace(mustCLI(t, dir, "commune", "create", "-siren", "215100009", "-nom", "Avize", "-departement", "51", "-population", "1700"))
	code := strings.SplitN(mustCLI(t, dir, "code", "issue", "-commune", id), "\n", 2)[0]
	client := pinnedClient(m.CertFingerprint())
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	body, _ := json.Marshal(protocol.EnrolementRequest{Code: code, Nom: "PC-MAIRIE", ClePublique: pub, Version: "0.9.0"})
	call := func(method, path string, body []byte, out any) {
		t.Helper()
		posteID := ""
		if path != "/v1/enrolement" {
			posteID = out.(*protocol.AccesSauvegarde).Utilisateur
		}
		res, err := client.Do(signed(t, method, "https://"+m.Addr()+path, body, key, posteID))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode/100 != 2 {
			t.Fatalf("%s %s : HTTP %d", method, path, res.StatusCode)
		}
		if res.StatusCode == http.StatusOK {
			json.NewDecoder(res.Body).Decode(out)
		}
	}
	var enr protocol.EnrolementResponse
	res, err := client.Do(signed(t, http.MethodPost, "https://"+m.Addr()+"/v1/enrolement", body, key, ""))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&enr)
	res.Body.Close()

	acces := &protocol.AccesSauvegarde{Utilisateur: enr.PosteID}
	call(http.MethodPost, "/v1/sauvegarde/acces", nil, acces)
	if !strings.HasSuffix(acces.Depot, "/restic/"+id+"/") || acces.Quota != xdemat.QuotaSauvegardeDefaut {
		t.Fatalf("accès %+v", acces)
	}
	motDePasse := "mot de passe du dépôt d'Avize, tiré au hasard par l'agent"
	cle, _ := json.Marshal(protocol.CleSauvegarde{MotDePasseDepot: motDePasse})
	call(http.MethodPut, "/v1/sauvegarde/cle", cle, acces)

	// restic, as the agent runs it, on the address central gave (its host
	// made reachable from the test).
	cacert := filepath.Join(t.TempDir(), "central.pem")
	os.WriteFile(cacert, []byte(acces.CertificatPEM), 0o600)
	depot := "rest:https://" + m.Addr() + "/restic/" + id + "/"
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "deliberation.pdf"), bytes.Repeat([]byte("délibération "), 100000), 0o600)
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(restic, args...)
		cmd.Env = []string{"RESTIC_REPOSITORY=" + depot, "RESTIC_PASSWORD=" + motDePasse, "RESTIC_REST_USERNAME=" + acces.Utilisateur,
			"RESTIC_REST_PASSWORD=" + acces.MotDePasseREST, "RESTIC_CACERT=" + cacert, "RESTIC_CACHE_DIR=" + t.TempDir(), "HOME=" + t.TempDir()}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("restic %s : %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init")
	run("backup", "--host", "mairie", src)

	if out := mustCLI(t, dir, "sauvegarde", "list"); !strings.Contains(out, "Avize") || strings.Contains(out, " 0 octets /") || !strings.Contains(out, "/ 50 Go") {
		t.Fatalf("sauvegarde list :\n%s", out)
	}
	if out := mustCLI(t, dir, "sauvegarde", "quota", "-commune", "215100009", "-go", "100"); !strings.Contains(out, "100 Go") {
		t.Fatalf("sauvegarde quota :\n%s", out)
	}
	call(http.MethodPost, "/v1/sauvegarde/acces", nil, acces)
	if acces.Quota != 100<<30 || acces.Utilise == 0 || acces.MotDePasseDepot != motDePasse {
		t.Fatalf("accès après le changement d'espace : quota %d, utilisé %d", acces.Quota, acces.Utilise)
	}
	if out := mustCLI(t, dir, "sauvegarde", "retention", "-commune", "215100009", "-restic", restic); !strings.Contains(out, "appliquée à Avize") {
		t.Fatalf("sauvegarde retention :\n%s", out)
	}
	// The password is never in the logs nor in central's files in clear.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.Contains(p, string(filepath.Separator)+"sauvegardes"+string(filepath.Separator)) {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(motDePasse)) || bytes.Contains(b, []byte(acces.MotDePasseREST)) {
				t.Errorf("mot de passe en clair dans %s", p)
			}
		}
		return nil
	})
}
