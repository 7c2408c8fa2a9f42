package pkcs11

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestModulesConnusParSysteme(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cas := []struct {
		nom, goos, goarch string
		env               map[string]string
		attendus          []string
	}{
		{"Windows, installation standard", "windows", "amd64", nil, []string{
			`C:\Windows\System32\eTPKCS11.dll`,
			`C:\Windows\System32\IDPrimePKCS11.dll`,
			`C:\Program Files\Gemalto\IDGo 800 PKCS#11\IDPrimePKCS1164.dll`,
			`C:\Windows\System32\OcsCryptoki.dll`,
			`C:\Windows\System32\idoPKCS.dll`,
			`C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
			`C:\SoftHSM2\lib\softhsm2-x64.dll`,
		}},
		{"Windows installé sur D:", "windows", "amd64", map[string]string{"SystemRoot": `D:\WINDOWS`, "ProgramFiles": `D:\Programmes`}, []string{
			`D:\WINDOWS\System32\eTPKCS11.dll`,
			`D:\Programmes\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
		}},
		{"Debian amd64", "linux", "amd64", nil, []string{
			"/usr/lib/libeTPkcs11.so",
			"/usr/lib/libIDPrimePKCS11.so",
			"/usr/local/AWP/lib/libOcsCryptoki.so",
			"/usr/lib/SCMiddleware/libidop11.so",
			"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
			"/usr/lib/softhsm/libsofthsm2.so",
		}},
		{"Debian arm64", "linux", "arm64", nil, []string{"/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"}},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			l := connus(c.goos, c.goarch, env(c.env))
			var chemins []string
			for _, k := range l {
				chemins = append(chemins, k.chemin)
				if k.fournisseur == "" || !strings.HasSuffix(k.description, ".") {
					t.Errorf("%s sans fournisseur ou description", k.chemin)
				}
			}
			for _, a := range c.attendus {
				if !slices.Contains(chemins, a) {
					t.Errorf("%s absent de %v", a, chemins)
				}
			}
			// Vendor middlewares before OpenSC, SoftHSM2 (tests only) last.
			if !strings.Contains(strings.ToLower(chemins[len(chemins)-1]), "softhsm") {
				t.Errorf("SoftHSM2 doit venir en dernier : %v", chemins)
			}
		})
	}
}

func TestTrouverModules(t *testing.T) {
	dir := t.TempDir()
	creer := func(nom string) string {
		p := filepath.Join(dir, nom)
		if err := os.WriteFile(p, []byte("bibliothèque factice"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	etoken := creer("libeTPkcs11.so")
	opensc := creer("opensc-pkcs11.so")
	lien := filepath.Join(dir, "lien-opensc.so")
	if err := os.Symlink(opensc, lien); err != nil {
		t.Fatal(err)
	}
	configure := creer("pilote-du-technicien.so")
	l := []connu{
		{filepath.Join(dir, "absent.so"), "Absent", "Jamais installé."},
		{etoken, "Thales SafeNet eToken", "SafeNet."},
		{lien, "OpenSC", "OpenSC par un lien."},
		{opensc, "OpenSC", "OpenSC."},
	}

	t.Run("chemin de Paramètres en premier, doublons par lien retirés", func(t *testing.T) {
		got, err := trouver(configure, l)
		if err != nil {
			t.Fatal(err)
		}
		var chemins []string
		for _, c := range got {
			chemins = append(chemins, c.Chemin)
		}
		if want := []string{configure, etoken, lien}; !slices.Equal(chemins, want) {
			t.Fatalf("candidats %v, attendu %v", chemins, want)
		}
		if got[0].Description != "Pilote indiqué dans Paramètres." || got[1].Fournisseur != "Thales SafeNet eToken" {
			t.Errorf("descriptions : %+v", got)
		}
	})
	t.Run("fournisseur reconnu au nom du fichier configuré", func(t *testing.T) {
		got, err := trouver(etoken, l)
		if err != nil || got[0].Fournisseur != "Thales SafeNet eToken" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("chemin de Paramètres introuvable", func(t *testing.T) {
		_, err := trouver(filepath.Join(dir, "faute-de-frappe.so"), l)
		if !errors.Is(err, ErrAucunModule) || !strings.Contains(err.Error(), "indiqué dans Paramètres est introuvable") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("aucun pilote installé", func(t *testing.T) {
		_, err := trouver("", l[:1])
		if !errors.Is(err, ErrAucunModule) || err.Error() != "Aucun pilote de clé de signature trouvé : installez le pilote fourni avec votre clé (SafeNet, IDPrime…) ou indiquez son chemin dans Paramètres." {
			t.Fatalf("%v", err)
		}
	})
}

func TestOuvrirUnFichierQuiNEstPasUnPilote(t *testing.T) {
	p := filepath.Join(t.TempDir(), "faux.so")
	if err := os.WriteFile(p, []byte("pas une bibliothèque"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Ouvrir(p)
	if !errors.Is(err, ErrAucunModule) || !strings.Contains(err.Error(), "ne peut pas être chargé") {
		t.Fatalf("%v", err)
	}
	if _, err := Ouvrir(""); !errors.Is(err, ErrAucunModule) {
		t.Fatalf("chemin vide : %v", err)
	}
}
