package paquets

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Where the .deb puts things (installer/deb.sh).
const (
	donnees = "/var/lib/xdemat"
	config  = "/etc/xdemat/agent.conf"
	unite   = "xdemat-agent.service"
)

// The .deb as built, inspected without installing it.
func TestDebContenu(t *testing.T) {
	dir := dossierPaquets(t)
	outil(t, "dpkg-deb")
	deb := paquet(t, dir, "xdemat_*.deb")

	contenu := lancer(t, "dpkg-deb", "-c", deb)
	for _, c := range []struct{ chemin, mode string }{
		{"./usr/bin/xdemat", "-rwxr-xr-x"},
		{"./usr/lib/xdemat/xdemat-agent", "-rwxr-xr-x"},
		{"./usr/lib/xdemat/restic", "-rwxr-xr-x"},
		{"./usr/lib/systemd/system/" + unite, "-rw-r--r--"},
		{"./usr/share/applications/xdemat.desktop", "-rw-r--r--"},
		{"./usr/share/icons/hicolor/scalable/apps/xdemat.svg", "-rw-r--r--"},
		{"./etc/xdemat/agent.conf", "-rw-r-----"},
	} {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.mode) + ` root/root .* ` + regexp.QuoteMeta(c.chemin) + `$`)
		if !re.MatchString(contenu) {
			t.Errorf("%s (%s, root/root) absent du paquet", c.chemin, c.mode)
		}
	}

	info := lancer(t, "dpkg-deb", "-I", deb)
	for _, attendu := range []string{"Package: xdemat", "Architecture: amd64", "Depends: libc6, libgl1, libx11-6", "conffiles", "postinst", "prerm", "postrm"} {
		if !strings.Contains(info, attendu) {
			t.Errorf("%q absent des informations du paquet :\n%s", attendu, info)
		}
	}
	if cf := lancer(t, "dpkg-deb", "--ctrl-tarfile", deb); cf == "" {
		t.Fatal("archive de contrôle vide")
	}

	tmp := t.TempDir()
	lancer(t, "dpkg-deb", "-R", deb, tmp)
	lire := func(p string) string {
		b, err := os.ReadFile(filepath.Join(tmp, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if cf := strings.TrimSpace(lire("DEBIAN/conffiles")); cf != config {
		t.Errorf("conffiles %q, attendu %s (gardé lors des mises à jour)", cf, config)
	}
	for _, c := range []struct{ fichier, ligne string }{
		{"usr/lib/systemd/system/" + unite, "User=xdemat"},
		{"usr/lib/systemd/system/" + unite, "StateDirectory=xdemat"},
		{"usr/lib/systemd/system/" + unite, "Restart=on-failure"},
		{"usr/lib/systemd/system/" + unite, "EnvironmentFile=-" + config},
		{"usr/lib/systemd/system/" + unite, "ExecStart=/usr/lib/xdemat/xdemat-agent run -data " + donnees + " $XDEMAT_AGENT_OPTIONS"},
		{"usr/lib/systemd/system/" + unite, "WantedBy=multi-user.target"},
		{"usr/share/applications/xdemat.desktop", "MimeType=x-scheme-handler/xdemat;"},
		{"usr/share/applications/xdemat.desktop", "Exec=/usr/bin/xdemat -data " + donnees + " %u"},
		{"usr/share/applications/xdemat.desktop", "Icon=xdemat"},
	} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.ligne) + `$`).MatchString(lire(c.fichier)) {
			t.Errorf("%s : ligne %q absente", c.fichier, c.ligne)
		}
	}
	// The maintainer scripts must cope without systemd (containers, CI).
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		if !strings.Contains(lire("DEBIAN/"+s), "-d /run/systemd/system") {
			t.Errorf("%s appelle systemctl sans vérifier que systemd fonctionne", s)
		}
		if out, err := lancerErr("sh", "-n", filepath.Join(tmp, "DEBIAN", s)); err != nil {
			t.Errorf("%s : %v %s", s, err, out)
		}
	}
}

// Install, upgrade, remove and purge on this machine, as the technician's
// apt would. Root only; refuses to touch an xdemat installed by someone else.
func TestDebInstallation(t *testing.T) {
	dir := dossierPaquets(t)
	outil(t, "dpkg", "dpkg-deb", "setpriv")
	if os.Geteuid() != 0 {
		t.Skip("installer le paquet demande root (dpkg -i) : vérification sautée")
	}
	if out, err := lancerErr("dpkg-query", "-W", "-f=${db:Status-Status}", "xdemat"); err == nil && strings.TrimSpace(out) != "not-installed" {
		t.Skipf("le paquet xdemat est déjà présent sur cette machine (%s) : ce test ne l'écrase pas", strings.TrimSpace(out))
	}
	if _, err := os.Stat(donnees); err == nil {
		t.Skipf("%s existe déjà : ce test l'effacerait à la purge", donnees)
	}
	deb1 := paquet(t, dir, "xdemat_*.deb")
	v1 := strings.TrimSpace(lancer(t, "dpkg-deb", "-f", deb1, "Version"))
	t.Cleanup(func() {
		if out, err := lancerErr("dpkg", "--purge", "xdemat"); err != nil {
			t.Logf("nettoyage : dpkg --purge xdemat : %v\n%s", err, out)
		}
	})

	// A newer version of the same programs: what an upgrade installs.
	v2 := v1 + "+essai"
	cmd := exec.Command("bash", "installer/deb.sh", "-o", t.TempDir())
	cmd.Dir = racine
	cmd.Env = append(os.Environ(), "DEB_VERSION="+v2)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("construction de la version %s : %v", v2, err)
	}
	deb2 := strings.TrimSpace(string(out))

	t.Run("installation", func(t *testing.T) {
		out := lancer(t, "dpkg", "-i", deb1)
		if _, err := os.Stat("/run/systemd/system"); err != nil && !strings.Contains(out, "systemd ne fonctionne pas") {
			t.Errorf("sans systemd, le technicien doit être prévenu que le service démarrera plus tard :\n%s", out)
		}
		etat(t, "install ok installed", v1)
		for _, p := range []string{"/usr/bin/xdemat", "/usr/lib/xdemat/xdemat-agent", "/usr/lib/xdemat/restic"} {
			if st, err := os.Stat(p); err != nil || st.Mode()&0o111 == 0 {
				t.Errorf("%s absent ou non exécutable : %v", p, err)
			}
		}
		if v := lancer(t, "/usr/lib/xdemat/restic", "version"); !strings.HasPrefix(v, "restic 0.18.") {
			t.Errorf("restic installé : %q, attendu 0.18", v)
		}
		lancer(t, "/usr/lib/xdemat/xdemat-agent", "version")

		u, err := user.Lookup("xdemat")
		if err != nil {
			t.Fatalf("utilisateur xdemat non créé : %v", err)
		}
		if u.HomeDir != donnees {
			t.Errorf("dossier de l'utilisateur xdemat %s, attendu %s", u.HomeDir, donnees)
		}
		if pw := lancer(t, "getent", "passwd", "xdemat"); !strings.HasSuffix(strings.TrimSpace(pw), ":/usr/sbin/nologin") {
			t.Errorf("l'utilisateur xdemat ne doit pas pouvoir ouvrir de session : %s", pw)
		}
		proprietaire(t, donnees, "xdemat", "xdemat", fs.ModeDir|fs.ModeSetgid|0o770)
		proprietaire(t, config, "root", "xdemat", 0o640)
		// Enabled for the next boot even though systemd does not run here.
		if _, err := os.Lstat("/etc/systemd/system/multi-user.target.wants/" + unite); err != nil {
			t.Errorf("le service n'est pas activé au démarrage : %v", err)
		}
	})

	t.Run("l'agent fonctionne dans son dossier sous son utilisateur", func(t *testing.T) {
		// setpriv execs the agent itself, as systemd would: SIGTERM reaches it.
		agent := exec.Command("setpriv", "--reuid=xdemat", "--regid=xdemat", "--init-groups",
			"/usr/lib/xdemat/xdemat-agent", "run", "-data", donnees)
		agent.Env = []string{"PATH=/usr/bin:/bin", "XDEMAT_DATA=" + donnees}
		var journal bytes.Buffer
		agent.Stdout, agent.Stderr = &journal, &journal
		if err := agent.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			agent.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- agent.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("l'agent s'est arrêté en erreur après SIGTERM : %v\n%s", err, journal.String())
				}
			case <-time.After(15 * time.Second):
				agent.Process.Kill()
				<-done
				t.Errorf("l'agent ne s'est pas arrêté après SIGTERM :\n%s", journal.String())
			}
		}()
		secret := filepath.Join(donnees, "api.secret")
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if _, err := os.Stat(secret); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("l'agent n'a pas écrit %s en 30 s :\n%s", secret, journal.String())
			}
		}
		// The app's users read it through the group the folder hands down.
		proprietaire(t, secret, "xdemat", "xdemat", 0o640)
	})

	temoin := filepath.Join(donnees, "temoin-mise-a-jour")
	reglage := "XDEMAT_AGENT_OPTIONS=-retry-max 5m\n"

	t.Run("la mise à jour garde les réglages et les données", func(t *testing.T) {
		if err := os.WriteFile(temoin, []byte("enrôlement"), 0o600); err != nil {
			t.Fatal(err)
		}
		ajouter(t, config, "\n# réglé par le technicien\n"+reglage)
		lancer(t, "dpkg", "-i", deb2)
		etat(t, "install ok installed", v2)
		if b, _ := os.ReadFile(config); !strings.Contains(string(b), reglage) {
			t.Errorf("le réglage du technicien a été perdu à la mise à jour :\n%s", b)
		}
		if _, err := os.Stat(config + ".dpkg-dist"); err == nil {
			t.Error("la mise à jour a laissé un agent.conf.dpkg-dist : le fichier du paquet a changé sans raison")
		}
		if _, err := os.Stat(temoin); err != nil {
			t.Errorf("les données du poste ont disparu à la mise à jour : %v", err)
		}
		proprietaire(t, donnees, "xdemat", "xdemat", fs.ModeDir|fs.ModeSetgid|0o770)
	})

	t.Run("la désinstallation garde les données", func(t *testing.T) {
		lancer(t, "dpkg", "-r", "xdemat")
		etat(t, "deinstall ok config-files", v2)
		for _, p := range []string{"/usr/bin/xdemat", "/usr/lib/xdemat/xdemat-agent", "/usr/lib/systemd/system/" + unite} {
			if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s reste après dpkg -r : %v", p, err)
			}
		}
		if _, err := os.Stat(temoin); err != nil {
			t.Errorf("dpkg -r a effacé les données du poste : %v", err)
		}
		if b, _ := os.ReadFile(config); !strings.Contains(string(b), reglage) {
			t.Error("dpkg -r a effacé les réglages")
		}
	})

	t.Run("la purge efface données et réglages", func(t *testing.T) {
		lancer(t, "dpkg", "-P", "xdemat")
		if out, _ := lancerErr("dpkg-query", "-W", "-f=${db:Status-Status}", "xdemat"); strings.TrimSpace(out) != "not-installed" && !strings.Contains(out, "no packages found") {
			t.Errorf("paquet encore connu de dpkg après la purge : %s", out)
		}
		for _, p := range []string{donnees, "/etc/xdemat", "/etc/systemd/system/multi-user.target.wants/" + unite, "/etc/systemd/system/" + unite} {
			if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s reste après dpkg -P : %v", p, err)
			}
		}
	})
}

// etat checks dpkg's status and version of the package.
func etat(t *testing.T, status, version string) {
	t.Helper()
	out := strings.TrimSpace(lancer(t, "dpkg-query", "-W", "-f=${Status}|${Version}", "xdemat"))
	if out != status+"|"+version {
		t.Errorf("état dpkg %q, attendu %q", out, status+"|"+version)
	}
}

// proprietaire checks the owner, group and mode of a path.
func proprietaire(t *testing.T, p, owner, group string, mode fs.FileMode) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Errorf("%s : %v", p, err)
		return
	}
	sys := st.Sys().(*syscall.Stat_t)
	u, _ := user.LookupId(strconv.FormatUint(uint64(sys.Uid), 10))
	g, _ := user.LookupGroupId(strconv.FormatUint(uint64(sys.Gid), 10))
	var un, gn string
	if u != nil {
		un = u.Username
	}
	if g != nil {
		gn = g.Name
	}
	if un != owner || gn != group || st.Mode() != mode {
		t.Errorf("%s : %s:%s %v, attendu %s:%s %v", p, un, gn, st.Mode(), owner, group, mode)
	}
}

func ajouter(t *testing.T, p, texte string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(texte); err != nil {
		t.Fatal(err)
	}
}
