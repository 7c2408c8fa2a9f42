package paquets

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The MSI of a mairie PC, as `make package` built it: what Windows Installer
// will do is in its tables, read back with msiinfo (nothing here runs on
// Windows).
func TestMSI(t *testing.T) {
	dir := dossierPaquets(t)
	outil(t, "msiinfo")
	msi := paquet(t, dir, "xdemat-*-x64.msi")

	tables := lancer(t, "msiinfo", "tables", msi)
	for _, nom := range []string{"File", "Component", "ServiceInstall", "ServiceControl", "Shortcut", "Registry", "CustomAction", "Upgrade"} {
		if !regexp.MustCompile(`(?m)^` + nom + `$`).MatchString(tables) {
			t.Errorf("table %s absente du MSI (tables : %s)", nom, strings.Join(strings.Fields(tables), " "))
		}
	}

	t.Run("les trois programmes sont installés dans Program Files", func(t *testing.T) {
		files := table(t, msi, "File")
		comps := table(t, msi, "Component")
		for _, nom := range []string{"xdemat.exe", "xdemat-agent.exe", "restic.exe"} {
			f := trouver(files, "FileName", nom)
			if f == nil {
				t.Errorf("%s absent de la table File", nom)
				continue
			}
			if size, _ := strconv.Atoi(f["FileSize"]); size < 1<<20 {
				t.Errorf("%s ne fait que %s octets : ce n'est pas le programme construit", nom, f["FileSize"])
			}
			c := trouver(comps, "Component", f["Component_"])
			if c == nil || c["Directory_"] != "INSTALLDIR" {
				t.Errorf("%s n'est pas dans INSTALLDIR : %v", nom, c)
			}
		}
		dirs := table(t, msi, "Directory")
		if d := trouver(dirs, "Directory", "INSTALLDIR"); d == nil || d["Directory_Parent"] != "ProgramFiles64Folder" {
			t.Errorf("INSTALLDIR n'est pas sous Program Files (64 bits) : %v", d)
		}
	})

	t.Run("l'agent est un service automatique sur ProgramData", func(t *testing.T) {
		svc := trouver(table(t, msi, "ServiceInstall"), "Name", "xdemat-agent")
		if svc == nil {
			t.Fatal("pas de service xdemat-agent dans ServiceInstall")
		}
		// 16 = own process, 2 = automatic start, LocalSystem.
		if svc["ServiceType"] != "16" || svc["StartType"] != "2" || svc["StartName"] != "LocalSystem" {
			t.Errorf("service : type %s, démarrage %s, compte %s ; attendu 16, 2 (automatique), LocalSystem", svc["ServiceType"], svc["StartType"], svc["StartName"])
		}
		if want := `run -data "[CommonAppDataFolder]xdemat"`; svc["Arguments"] != want {
			t.Errorf("arguments du service %q, attendu %q (le dossier de données de l'application)", svc["Arguments"], want)
		}
		ctl := trouver(table(t, msi, "ServiceControl"), "Name", "xdemat-agent")
		if ctl == nil {
			t.Fatal("pas de ServiceControl pour xdemat-agent")
		}
		// msidbServiceControlEvent: 1 start on install, 2 stop on install,
		// 32 stop on uninstall, 128 delete on uninstall.
		ev, _ := strconv.Atoi(ctl["Event"])
		for bit, sens := range map[int]string{1: "démarré à l'installation", 2: "arrêté avant une installation", 32: "arrêté à la désinstallation", 128: "supprimé à la désinstallation"} {
			if ev&bit == 0 {
				t.Errorf("le service n'est pas %s (Event=%d)", sens, ev)
			}
		}
	})

	t.Run("reprise du service après une panne", func(t *testing.T) {
		cas := table(t, msi, "CustomAction")
		ca := trouver(cas, "Action", "RepriseService")
		if ca == nil || !strings.Contains(ca["Target"], "failure xdemat-agent") || !strings.Contains(ca["Target"], "actions= restart/") {
			t.Fatalf("action RepriseService absente ou fausse : %v", ca)
		}
		if sc := trouver(cas, "Action", "CheminSc"); sc == nil || sc["Target"] != `[SystemFolder]sc.exe` {
			t.Errorf("sc.exe n'est pas pris dans le dossier système : %v", sc)
		}
		seq := table(t, msi, "InstallExecuteSequence")
		if rang(t, seq, "RepriseService") <= rang(t, seq, "InstallServices") || rang(t, seq, "RepriseService") >= rang(t, seq, "StartServices") {
			t.Error("la reprise doit être réglée entre l'installation et le démarrage du service")
		}
	})

	t.Run("raccourci du menu Démarrer", func(t *testing.T) {
		sc := trouver(table(t, msi, "Shortcut"), "Shortcut", "RaccourciXdemat")
		if sc == nil || sc["Directory_"] != "ProgramMenuFolder" || sc["Target"] != "[INSTALLDIR]xdemat.exe" || sc["Icon_"] == "" {
			t.Fatalf("raccourci : %v", sc)
		}
		if icons := table(t, msi, "Icon"); trouver(icons, "Name", sc["Icon_"]) == nil {
			t.Errorf("l'icône %s du raccourci n'est pas dans le MSI", sc["Icon_"])
		}
	})

	t.Run("les liens xdemat:// ouvrent l'application", func(t *testing.T) {
		reg := table(t, msi, "Registry")
		valeur := func(key, name string) (string, bool) {
			for _, r := range reg {
				// Root 2 is HKEY_LOCAL_MACHINE.
				if r["Root"] == "2" && r["Key"] == key && r["Name"] == name {
					return r["Value"], true
				}
			}
			return "", false
		}
		if v, ok := valeur(`Software\Classes\xdemat`, "URL Protocol"); !ok || v != "" {
			t.Errorf("valeur « URL Protocol » de HKLM\\Software\\Classes\\xdemat : %q, présente %v", v, ok)
		}
		if v, _ := valeur(`Software\Classes\xdemat`, ""); !strings.HasPrefix(v, "URL:") {
			t.Errorf("description du protocole %q, attendu « URL:… »", v)
		}
		if v, _ := valeur(`Software\Classes\xdemat\shell\open\command`, ""); v != `"[INSTALLDIR]xdemat.exe" "%1"` {
			t.Errorf("commande du protocole %q", v)
		}
	})

	t.Run("mise à jour et désinstallation gardent les données", func(t *testing.T) {
		props := table(t, msi, "Property")
		version := trouver(props, "Property", "ProductVersion")["Value"]
		if !strings.Contains(filepath.Base(msi), "-"+version+"-") {
			t.Errorf("ProductVersion %s absente du nom %s", version, filepath.Base(msi))
		}
		var precedente ligne
		for _, u := range table(t, msi, "Upgrade") {
			if u["ActionProperty"] == "VERSION_PRECEDENTE" {
				precedente = u
			}
		}
		// The exclusive maximum is just above our version: a rebuild of
		// the same version replaces the installed one.
		if precedente == nil || !plusGrande(precedente["VersionMax"], version) {
			t.Errorf("les versions remplacées (%v) doivent aller jusqu'à %s comprise", precedente, version)
		}
		seq := table(t, msi, "InstallExecuteSequence")
		if rang(t, seq, "RemoveExistingProducts") >= rang(t, seq, "InstallInitialize") {
			t.Error("l'ancienne version doit être retirée avant l'installation de la nouvelle (service de même nom)")
		}
		// ProgramData\xdemat is no component: Windows Installer never removes it…
		for _, d := range table(t, msi, "Directory") {
			if d["Directory_Parent"] == "CommonAppDataFolder" {
				t.Errorf("le MSI gère un dossier de ProgramData (%v) : la désinstallation l'effacerait", d)
			}
		}
		// … except on a real uninstall asked for it.
		cond := trouver(seq, "Action", "SupprimerDonnees")["Condition"]
		for _, c := range []string{`REMOVE~="ALL"`, `SUPPRIMER_DONNEES="1"`, "NOT UPGRADINGPRODUCTCODE"} {
			if !strings.Contains(cond, c) {
				t.Errorf("la suppression des données n'est pas limitée par %s (condition : %q)", c, cond)
			}
		}
		if def := trouver(props, "Property", "SUPPRIMER_DONNEES"); def == nil || def["Value"] != "0" {
			t.Errorf("SUPPRIMER_DONNEES doit valoir 0 par défaut : %v", def)
		}
	})

	t.Run("MSI et programmes signés", func(t *testing.T) {
		outil(t, "osslsigncode", "msiextract")
		cert := filepath.Join(dir, "certificat-test", "editeur-test.crt")
		if _, err := os.Stat(cert); err != nil {
			t.Skip("paquets signés avec le certificat de l'éditeur (XDEMAT_SIGN_CERT) : vérifiez-les sous Windows")
		}
		verifier(t, cert, msi)
		tmp := t.TempDir()
		lancer(t, "msiextract", "-C", tmp, msi)
		extraits := map[string]string{}
		filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				extraits[d.Name()] = p
			}
			return nil
		})
		for _, nom := range []string{"xdemat.exe", "xdemat-agent.exe", "restic.exe"} {
			p, ok := extraits[nom]
			if !ok {
				t.Errorf("%s introuvable dans le MSI extrait (%v)", nom, extraits)
				continue
			}
			verifier(t, cert, p)
		}
	})
}

// verifier checks an Authenticode signature against the test certificate.
func verifier(t *testing.T, cert, f string) {
	t.Helper()
	out, err := lancerErr("osslsigncode", "verify", "-CAfile", cert, "-in", f)
	if err != nil || !strings.Contains(out, "Signature verification: ok") {
		t.Errorf("signature de %s non vérifiée : %v\n%s", filepath.Base(f), err, out)
	}
}

// rang returns the sequence number of an action, failing when absent.
func rang(t *testing.T, seq []ligne, action string) int {
	t.Helper()
	r := trouver(seq, "Action", action)
	if r == nil {
		t.Fatalf("action %s absente de InstallExecuteSequence", action)
	}
	n, _ := strconv.Atoi(r["Sequence"])
	return n
}

// plusGrande reports whether version a is above b (a.b.c numbers).
func plusGrande(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x > y
		}
	}
	return false
}
