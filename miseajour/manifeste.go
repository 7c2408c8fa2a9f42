// Package miseajour is the format of the signed releases of the suite,
// shared by central (which publishes them) and the agent (which installs
// them): a manifest listing, per operating system and architecture, the
// binaries of the release with their size and SHA-256, signed with the SPL's
// Ed25519 release key.
//
// The signature covers the exact bytes of the manifest: the agent verifies
// them before it reads anything in them, then checks each binary it
// downloads against the manifest's size and hash.
package miseajour

import (
	"encoding/hex"
	"encoding/json"
	"path"
	"strings"
	"time"

	"xdemat"
)

// Roles of the binaries of a release.
const (
	RoleAgent       = "agent"       // xdemat-agent: the service, which installs the release
	RoleApplication = "application" // xdemat: the desktop app
	RoleRestic      = "restic"      // restic, run by the agent for the backups
)

// NomFichier returns the file name of a role's binary for goos.
func NomFichier(role, goos string) string {
	nom := map[string]string{RoleAgent: "xdemat-agent", RoleApplication: "xdemat", RoleRestic: "restic"}[role]
	if nom != "" && goos == "windows" {
		nom += ".exe"
	}
	return nom
}

// TailleMaxBinaire bounds the size of one binary of a release.
const TailleMaxBinaire = 512 << 20

// TailleMaxManifeste bounds the size of a manifest.
const TailleMaxManifeste = 256 << 10

// Manifeste describes a release. It travels as signed JSON bytes (see
// Signer and Verifier), never rebuilt from this struct on the agent's side.
type Manifeste struct {
	Version  string    `json:"version"`
	Date     time.Time `json:"date"`
	Binaires []Binaire `json:"binaires"`
}

// Binaire is one file of a release for one platform.
type Binaire struct {
	OS     string `json:"os"`   // GOOS: windows, linux
	Arch   string `json:"arch"` // GOARCH: amd64, arm64
	Role   string `json:"role"` // RoleAgent, RoleApplication, RoleRestic
	Nom    string `json:"nom"`  // file name, e.g. xdemat-agent.exe
	Taille int64  `json:"taille"`
	SHA256 string `json:"sha256"` // lower-case hex
}

// Plateforme returns "os-arch", the folder of the binary in a release.
func (b *Binaire) Plateforme() string { return b.OS + "-" + b.Arch }

// Pour returns the binaries of the release for goos/goarch, the agent first.
func (m *Manifeste) Pour(goos, goarch string) []Binaire {
	var out []Binaire
	for _, b := range m.Binaires {
		if b.OS == goos && b.Arch == goarch {
			if b.Role == RoleAgent {
				out = append([]Binaire{b}, out...)
			} else {
				out = append(out, b)
			}
		}
	}
	return out
}

// Valider checks what an agent relies on before it downloads anything: a
// release version, and for each binary a known platform and role, a plain
// file name (no folder: it is joined to paths on the poste), a size and a
// hash; one binary per role and platform, and an agent on every platform.
func (m *Manifeste) Valider() error {
	if _, err := LireVersion(m.Version); err != nil {
		return err
	}
	if len(m.Binaires) == 0 {
		return invalide("il ne contient aucun binaire")
	}
	seen := map[string]bool{}
	agents := map[string]bool{}
	for _, b := range m.Binaires {
		switch {
		case !PlateformeConnue(b.OS, b.Arch):
			return invalide("plateforme inconnue " + quote(b.OS+"-"+b.Arch))
		case b.Role != RoleAgent && b.Role != RoleApplication && b.Role != RoleRestic:
			return invalide("rôle de binaire inconnu " + quote(b.Role))
		case b.Nom != NomFichier(b.Role, b.OS):
			return invalide("nom de fichier " + quote(b.Nom) + " inattendu pour " + b.Role + " sur " + b.OS)
		case b.Taille <= 0 || b.Taille > TailleMaxBinaire:
			return invalide("taille impossible pour " + b.Nom)
		case !hexSHA256(b.SHA256):
			return invalide("empreinte SHA-256 illisible pour " + b.Nom)
		}
		k := b.Plateforme() + "/" + b.Role
		if seen[k] {
			return invalide("deux binaires " + b.Role + " pour " + b.Plateforme())
		}
		seen[k] = true
		if b.Role == RoleAgent {
			agents[b.Plateforme()] = true
		}
	}
	for k := range seen {
		if p := path.Dir(k); !agents[p] {
			return invalide("pas d'agent pour " + p + " : l'agent installe la mise à jour")
		}
	}
	return nil
}

// LireManifeste parses and validates manifest bytes (already verified).
func LireManifeste(data []byte) (*Manifeste, error) {
	if len(data) > TailleMaxManifeste {
		return nil, invalide("il est trop volumineux")
	}
	var m Manifeste
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, invalide("il n'est pas du JSON lisible")
	}
	if err := m.Valider(); err != nil {
		return nil, err
	}
	return &m, nil
}

func invalide(why string) error {
	return xdemat.Errorf(xdemat.EINVALID, "Manifeste de mise à jour invalide (%s) : la mise à jour est ignorée ; la SPL doit publier à nouveau la version.", why)
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "« " + strings.ToValidUTF8(s, "?") + " »"
}

// PlateformeConnue reports whether goos/goarch is a platform a poste may run: Windows mostly, some
// Linux, and the SPL's small arm64 boxes.
func PlateformeConnue(goos, goarch string) bool {
	return (goos == "windows" || goos == "linux") && (goarch == "amd64" || goarch == "arm64" || goarch == "386")
}

func hexSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
