package miseajour

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
)

// testKey is a fixed key, so that fuzz seeds stay valid across runs.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

const h = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func manifesteValide() *Manifeste {
	return &Manifeste{Version: "1.2.0", Date: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), Binaires: []Binaire{
		{OS: "windows", Arch: "amd64", Role: RoleApplication, Nom: "xdemat.exe", Taille: 10, SHA256: h},
		{OS: "windows", Arch: "amd64", Role: RoleAgent, Nom: "xdemat-agent.exe", Taille: 10, SHA256: h},
		{OS: "linux", Arch: "amd64", Role: RoleAgent, Nom: "xdemat-agent", Taille: 10, SHA256: h},
		{OS: "linux", Arch: "amd64", Role: RoleRestic, Nom: "restic", Taille: 10, SHA256: h},
	}}
}

func publier(t testing.TB, m *Manifeste, cle ed25519.PrivateKey) *Publication {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return &Publication{Manifeste: b, Signature: Signer(cle, b)}
}

func TestVersions(t *testing.T) {
	for _, tc := range []struct {
		candidate, courante string
		plusRecente         bool
	}{
		{"1.1.0", "1.0.0", true},
		{"1.10.0", "1.9.3", true},
		{"v2.0.0", "1.99.99", true},
		{"1.0.0", "1.0.0", false},
		{"0.9.9", "1.0.0", false},
		{"1.0.1", "dev", false},     // une version de développement ne se met pas à jour
		{"1.0.1", "891960a", false}, // ni un binaire construit depuis git
		{"1.01.0", "1.0.0", false},  // une seule écriture par numéro
		{"1.0", "0.9.0", false},
		{"-1.0.0", "0.9.0", false},
		{"1.0.0.1", "0.9.0", false},
	} {
		if got := PlusRecente(tc.candidate, tc.courante); got != tc.plusRecente {
			t.Errorf("PlusRecente(%q, %q) = %v, attendu %v", tc.candidate, tc.courante, got, tc.plusRecente)
		}
	}
	if _, err := LireVersion("1.2"); !strings.Contains(xdemat.ErrorMessage(err), "MAJEUR.MINEUR.CORRECTIF") {
		t.Errorf("message : %q", xdemat.ErrorMessage(err))
	}
}

func TestSignatureDuManifeste(t *testing.T) {
	autre := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	pub := testKey.Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		nom      string
		prepare  func() *Publication
		code     string
		contient string
	}{
		{"publication signée par la SPL", func() *Publication { return publier(t, manifesteValide(), testKey) }, "", ""},
		{"signée par une autre clé", func() *Publication { return publier(t, manifesteValide(), autre) }, xdemat.EFORBIDDEN, "signature"},
		{"manifeste modifié après signature", func() *Publication {
			p := publier(t, manifesteValide(), testKey)
			p.Manifeste = bytes.Replace(p.Manifeste, []byte(`"taille":10`), []byte(`"taille":11`), 1)
			return p
		}, xdemat.EFORBIDDEN, "altérée"},
		{"signature tronquée", func() *Publication {
			p := publier(t, manifesteValide(), testKey)
			p.Signature = p.Signature[:10]
			return p
		}, xdemat.EFORBIDDEN, "refusée"},
		{"signature d'un autre message de la même clé", func() *Publication {
			p := publier(t, manifesteValide(), testKey)
			p.Signature = ed25519.Sign(testKey, p.Manifeste) // sans le contexte
			return p
		}, xdemat.EFORBIDDEN, "signature"},
		{"manifeste signé mais invalide", func() *Publication {
			m := manifesteValide()
			m.Binaires[1].Nom = "../../bin/sh"
			return publier(t, m, testKey)
		}, xdemat.EINVALID, "nom de fichier"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			m, err := Verifier(pub, tc.prepare())
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.Version != "1.2.0" || len(m.Pour("windows", "amd64")) != 2 || m.Pour("windows", "amd64")[0].Role != RoleAgent {
					t.Fatalf("manifeste lu : %+v", m)
				}
				return
			}
			if xdemat.ErrorCode(err) != tc.code || !strings.Contains(xdemat.ErrorMessage(err), tc.contient) {
				t.Fatalf("erreur %v, attendu code %s contenant %q", err, tc.code, tc.contient)
			}
		})
	}
	if _, err := Verifier(nil, publier(t, manifesteValide(), testKey)); !strings.Contains(xdemat.ErrorMessage(err), "désactivées") {
		t.Fatalf("sans clé : %v", err)
	}
}

func TestValidationDuManifeste(t *testing.T) {
	for _, tc := range []struct {
		nom      string
		change   func(m *Manifeste)
		contient string
	}{
		{"version de développement", func(m *Manifeste) { m.Version = "dev" }, "MAJEUR"},
		{"aucun binaire", func(m *Manifeste) { m.Binaires = nil }, "aucun binaire"},
		{"plateforme inconnue", func(m *Manifeste) { m.Binaires[0].OS = "plan9" }, "plateforme"},
		{"rôle inconnu", func(m *Manifeste) { m.Binaires[0].Role = "pilote" }, "rôle"},
		{"nom de fichier avec dossier", func(m *Manifeste) { m.Binaires[2].Nom = `..\xdemat-agent` }, "nom de fichier"},
		{"taille nulle", func(m *Manifeste) { m.Binaires[0].Taille = 0 }, "taille"},
		{"empreinte en majuscules", func(m *Manifeste) { m.Binaires[0].SHA256 = strings.ToUpper(h) }, "empreinte"},
		{"deux agents pour une plateforme", func(m *Manifeste) { m.Binaires[0] = m.Binaires[1] }, "deux binaires"},
		{"application sans agent", func(m *Manifeste) { m.Binaires = m.Binaires[:1] }, "pas d'agent"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			m := manifesteValide()
			tc.change(m)
			err := m.Valider()
			if xdemat.ErrorCode(err) != xdemat.EINVALID || !strings.Contains(xdemat.ErrorMessage(err), tc.contient) {
				t.Fatalf("erreur %v, attendu %q", err, tc.contient)
			}
		})
	}
}

func TestClesDePublication(t *testing.T) {
	dir := t.TempDir()
	pub, priv, err := GenererCle()
	if err != nil {
		t.Fatal(err)
	}
	chemin := filepath.Join(dir, "publication.pem")
	if err := EcrireClePrivee(chemin, priv); err != nil {
		t.Fatal(err)
	}
	if err := EcrireClePrivee(chemin, priv); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("une clé existante doit être gardée : %v", err)
	}
	lue, err := LireClePrivee(chemin)
	if err != nil || !lue.Equal(priv) {
		t.Fatalf("clé relue : %v", err)
	}
	code := CodeCle(pub)
	if got, err := LireCodeCle(code); err != nil || !got.Equal(pub) {
		t.Fatalf("clé publique relue : %v", err)
	}
	if _, err := LireCodeCle(code[:20]); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("clé tronquée : %v", err)
	}
	if _, err := LireClePrivee(filepath.Join(dir, "absente.pem")); xdemat.ErrorCode(err) != xdemat.ENOTFOUND {
		t.Fatalf("clé absente : %v", err)
	}
}

func TestEtatRecuDUnPoste(t *testing.T) {
	if err := (&Etat{Version: "1.0.0", Statut: Retablie, Cible: "1.1.0", Message: "échec"}).Valider(); err != nil {
		t.Fatal(err)
	}
	if err := (&Etat{Version: "1.0.0", Statut: "n'importe"}).Valider(); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatal(err)
	}
	if err := (&Etat{Version: strings.Repeat("9", 65), Statut: AJour}).Valider(); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatal(err)
	}
}

// FuzzVerifier feeds arbitrary manifests and signatures: never a panic, and
// nothing but a manifest signed by the key is accepted.
func FuzzVerifier(f *testing.F) {
	p := publier(f, manifesteValide(), testKey)
	f.Add(p.Manifeste, p.Signature)
	f.Add([]byte(`{"version":"1.0.0","binaires":[{}]}`), p.Signature)
	f.Add([]byte{}, []byte{})
	pub := testKey.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, manifeste, signature []byte) {
		m, err := Verifier(pub, &Publication{Manifeste: manifeste, Signature: signature})
		if err == nil && (!ed25519.Verify(pub, message(manifeste), signature) || m.Valider() != nil) {
			t.Fatalf("publication acceptée à tort")
		}
		if err != nil && xdemat.ErrorMessage(err) == xdemat.ErrorMessage(nil) {
			t.Fatalf("erreur sans message")
		}
	})
}

// FuzzLireManifeste parses arbitrary (already verified) manifests.
func FuzzLireManifeste(f *testing.F) {
	f.Add(publier(f, manifesteValide(), testKey).Manifeste)
	f.Add([]byte(`{"version":"1.0.0","binaires":[{"os":"linux","arch":"amd64","role":"agent","nom":"xdemat-agent","taille":1,"sha256":"` + h + `"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LireManifeste(data)
		if err != nil {
			return
		}
		for _, b := range m.Binaires {
			if filepath.Base(b.Nom) != b.Nom || strings.ContainsAny(b.Nom, `/\`) {
				t.Fatalf("nom de fichier dangereux accepté : %q", b.Nom)
			}
		}
	})
}
