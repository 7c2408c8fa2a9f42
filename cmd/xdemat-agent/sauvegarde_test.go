package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/localapi"
	"xdemat/agent/sqlite"
	"xdemat/central/protocol"
)

// TestSauvegardeVersCentral: an enrolled poste gets its access to the
// commune's repository from the real central, escrows the repository
// password once, and restic backs up through central's REST backend over the
// pinned TLS; a revoked poste is refused.
func TestSauvegardeVersCentral(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	restic := resticBin(t)
	ctx := context.Background()
	c := startCentral(t, shortTempDir(t), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Vitry-le-François", "215106626")
	dataDir := shortTempDir(t)
	enrollAgent(t, c, code, dataDir)
	client := clientDuPoste(t, dataDir)

	acces, err := client.AccesSauvegarde(ctx, c.Pin)
	if err != nil {
		t.Fatal(err)
	}
	if acces.MotDePasseDepot != "" || acces.Quota != xdemat.QuotaSauvegardeDefaut || !strings.Contains(acces.Depot, commune.ID) {
		t.Fatalf("premier accès : %+v", acces)
	}
	mdp := "mot de passe du dépôt tiré par le poste, assez long"
	if err := client.DeposerCle(ctx, mdp); err != nil {
		t.Fatal(err)
	}
	if err := client.DeposerCle(ctx, "un autre mot de passe, tout aussi long"); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("second séquestre différent : %v, conflit attendu", err)
	}
	if _, err := client.AccesSauvegarde(ctx, strings.Repeat("0", 64)); xdemat.ErrorCode(err) != xdemat.EFORBIDDEN {
		t.Fatalf("certificat différent de l'empreinte épinglée : %v", err)
	}
	acces, err = client.AccesSauvegarde(ctx, c.Pin)
	if err != nil || acces.MotDePasseDepot != mdp {
		t.Fatalf("le séquestre rend le mot de passe du dépôt (nouveau PC) : %+v %v", acces, err)
	}

	env := resticEnv(t, acces)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "registre.pdf"), bytes.Repeat([]byte("délibération "), 50000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init"}, {"backup", "--host", "mairie", src}, {"check"}} {
		if out, err := runRestic(restic, env, args...); err != nil {
			t.Fatalf("restic %s : %v\n%s", args[0], err, out)
		}
	}
	out, err := runRestic(restic, env, "snapshots", "--json")
	var snaps []json.RawMessage
	if err != nil || json.Unmarshal([]byte(out), &snaps) != nil || len(snaps) != 1 {
		t.Fatalf("instantanés : %v %s", err, out)
	}

	// A revoked poste keeps its REST password but is refused.
	postes, _ := c.Store.ListPostes(ctx, commune.ID)
	if err := c.Store.RevokePoste(ctx, postes[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if out, err := runRestic(restic, env, "snapshots", "--json", "--no-lock"); err == nil || !strings.Contains(out, "403") {
		t.Fatalf("poste révoqué : %v\n%s", err, out)
	}
}

func clientDuPoste(t testing.TB, dataDir string) *centralclient.Client {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(dataDir, "agent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key, err := readKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	cl := centralclient.New(id.CentralURL, id.PosteID, key, id.CentralCert)
	t.Cleanup(cl.HTTP.CloseIdleConnections)
	return cl
}

// resticEnv is the environment the agent gives restic: no secret on the
// command line.
func resticEnv(t testing.TB, a *protocol.AccesSauvegarde) []string {
	t.Helper()
	dir := t.TempDir()
	ca, mdp := filepath.Join(dir, "central.pem"), filepath.Join(dir, "depot.mdp")
	if err := os.WriteFile(ca, []byte(a.CertificatPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mdp, []byte(a.MotDePasseDepot), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		"RESTIC_REPOSITORY=" + a.Depot, "RESTIC_PASSWORD_FILE=" + mdp,
		"RESTIC_REST_USERNAME=" + a.Utilisateur, "RESTIC_REST_PASSWORD=" + a.MotDePasseREST,
		"RESTIC_CACERT=" + ca, "RESTIC_CACHE_DIR=" + filepath.Join(dir, "cache"), "HOME=" + dir,
	}
}

func runRestic(bin string, env []string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// resticBin finds restic 0.18 (installer/deps.sh puts it in GOPATH/bin).
func resticBin(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"restic", filepath.Join(os.Getenv("HOME"), "go", "bin", "restic")} {
		if full, err := exec.LookPath(p); err == nil {
			if out, _ := exec.Command(full, "version").Output(); bytes.Contains(out, []byte("restic 0.1")) && !bytes.Contains(out, []byte("restic 0.14")) {
				return full
			}
		}
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "restic"); fileExists(p) {
			return p
		}
	}
	t.Skip("restic 0.18 introuvable : lancez installer/deps.sh (make deps) pour l'installer")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestSauvegardeDeLaMairie: the secretary chooses a folder, backs up from
// the app, and restores a file elsewhere and then to its place; the report
// reaches central, and the repository password is escrowed there.
func TestSauvegardeDeLaMairie(t *testing.T) {
	if testing.Short() {
		t.Skip("restic réel")
	}
	restic := resticBin(t)
	ctx := context.Background()
	c := startCentral(t, shortTempDir(t), "127.0.0.1:0")
	commune, code := newCommune(t, c.Store, "Saint-Dizier", "215204132")
	dataDir := shortTempDir(t)
	enrollAgent(t, c, code, dataDir)
	m := NewMain()
	m.DataDir, m.Restic = dataDir, restic
	m.RetryMax, m.EnrollPoll = 300*time.Millisecond, 100*time.Millisecond
	m.Logger = testLogger(t)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cl, err := localapi.Dial(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	p, err := cl.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.OuvrirSession(ctx, p.ID, ""); err != nil {
		t.Fatal(err)
	}

	docs := t.TempDir()
	registre := filepath.Join(docs, "Registre", "deliberations-2026.pdf")
	original := bytes.Repeat([]byte("Délibération n° 2026-014 "), 20000)
	os.MkdirAll(filepath.Dir(registre), 0o700)
	if err := os.WriteFile(registre, original, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cl.ConfigurerSauvegarde(ctx, agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{"relatif"}}); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("dossier relatif : %v", err)
	}
	if err := cl.ConfigurerSauvegarde(ctx, agent.ConfigSauvegarde{Active: true, Heure: 2, Dossiers: []string{docs}}); err != nil {
		t.Fatal(err)
	}
	// The first night is already due (never backed up): the service may
	// have started it on its own, then "Sauvegarder maintenant" says so.
	if err := cl.LancerSauvegarde(ctx); err != nil && xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatal(err)
	}
	var derniere *xdemat.Sauvegarde
	attendreQue(t, "la sauvegarde se termine", func() bool {
		h, err := cl.HistoriqueSauvegardes(ctx, 5)
		if err == nil && len(h) > 0 {
			derniere = h[0]
			return true
		}
		return false
	})
	if derniere.Statut != xdemat.SauvegardeReussie || derniere.FichiersNouveaux < 2 || derniere.Instantane == "" {
		t.Fatalf("sauvegarde : %+v", derniere)
	}
	var etat *agent.EtatSauvegarde
	attendreQue(t, "plus aucune sauvegarde en cours", func() bool {
		etat, err = cl.EtatSauvegarde(ctx)
		return err == nil && etat.EnCours == nil
	})
	if etat.DerniereReussie == nil || etat.Quota != xdemat.QuotaSauvegardeDefaut || etat.Prochaine.IsZero() {
		t.Fatalf("état : %+v", etat)
	}

	snaps, err := cl.Instantanes(ctx)
	if err != nil || len(snaps) == 0 {
		t.Fatalf("instantanés : %+v %v", snaps, err)
	}
	contenu, err := cl.ContenuInstantane(ctx, snaps[0].ID, filepath.Join(docs, "Registre"))
	if err != nil || len(contenu) != 1 || contenu[0].Nom != "deliberations-2026.pdf" || contenu[0].Dossier {
		t.Fatalf("contenu : %+v %v", contenu, err)
	}
	ailleurs := t.TempDir()
	res, err := cl.Restaurer(ctx, agent.DemandeRestauration{Instantane: snaps[0].ID, Chemins: []string{registre}, Cible: ailleurs})
	if err != nil || res.Fichiers != 1 {
		t.Fatalf("restauration ailleurs : %+v %v", res, err)
	}
	if got, _ := os.ReadFile(filepath.Join(ailleurs, registre)); !bytes.Equal(got, original) {
		t.Fatal("fichier restauré ailleurs différent de l'original")
	}
	// Damaged since: restored to its place, the damaged one kept aside.
	os.WriteFile(registre, []byte("abîmé"), 0o600)
	if res, err := cl.Restaurer(ctx, agent.DemandeRestauration{Instantane: snaps[0].ID, Chemins: []string{registre}}); err != nil || res.Fichiers != 1 {
		t.Fatalf("restauration à sa place : %+v %v", res, err)
	}
	if got, _ := os.ReadFile(registre); !bytes.Equal(got, original) {
		t.Fatal("le fichier remis à sa place n'est pas l'original")
	}
	voisins, _ := filepath.Glob(filepath.Join(docs, "Registre", "deliberations-2026 (avant restauration du *).pdf"))
	if len(voisins) != 1 {
		t.Fatalf("la version abîmée doit être gardée à côté : %v", voisins)
	}

	// Central has the report and the escrowed password.
	attendreQue(t, "central reçoit le rapport", func() bool {
		l, err := c.Store.ListSauvegardes(ctx, commune.ID, 10)
		if err != nil {
			return false
		}
		for _, r := range l {
			if r.ID == derniere.ID {
				return true
			}
		}
		return false
	})
	acces, err := clientDuPoste(t, dataDir).AccesSauvegarde(ctx, c.Pin)
	if err != nil || acces.MotDePasseDepot == "" {
		t.Fatalf("séquestre : %v", err)
	}
	local, _ := os.ReadFile(filepath.Join(dataDir, "sauvegarde", "depot.cle"))
	if string(local) != acces.MotDePasseDepot {
		t.Fatal("le mot de passe en séquestre n'est pas celui du poste")
	}
}

func attendreQue(t *testing.T, quoi string, ok func() bool) {
	t.Helper()
	limite := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(limite) {
			t.Fatalf("au bout de 60 s : %s — toujours pas", quoi)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
