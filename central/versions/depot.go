// Package versions is central's side of the updates: the releases published
// by the SPL (signed manifests and binaries, under DataDir/releases) that the
// postes fetch, and the reports the postes make about their updates.
//
// Central only stores and serves: it never holds the release key, so that a
// compromised server cannot make the postes install anything. The key stays
// on the SPL's publishing machine ("xdemat-central release publish -key")
// and the agent trusts only the public key it was built with.
package versions

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"xdemat"
	"xdemat/miseajour"
)

// Files of a release folder, next to one folder per platform (os-arch).
const (
	FichierManifeste = "manifeste.json"
	FichierSignature = "manifeste.sig"
)

// Etats stores what the postes report about their updates (central/sqlstore
// implements it, on SQLite and PostgreSQL).
type Etats interface {
	// EnregistrerEtatMiseAJour records the report of the poste of ctx.
	EnregistrerEtatMiseAJour(ctx context.Context, e *miseajour.Etat, now time.Time) error
	// EtatsMiseAJour returns the last report of every poste, by poste ID.
	EtatsMiseAJour(ctx context.Context) (map[string]*miseajour.Etat, error)
}

// Depot is the folder of the published releases: Dir/<version>/ holds
// manifeste.json, manifeste.sig and <os>-<arch>/<binary>.
type Depot struct {
	Dir string
	// Now dates the manifests; time.Now when nil.
	Now func() time.Time
}

// Ouvrir returns the releases' folder dir, created if needed.
func Ouvrir(dir string) (*Depot, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("dossier des versions publiées %s : %w", dir, err)
	}
	return &Depot{Dir: dir}, nil
}

// Publier makes the release version from the binaries of build (one folder
// per platform, named os-arch, holding xdemat-agent, xdemat and restic with
// .exe on Windows; an agent in each) signed with cle, and stores it. The
// release appears whole or not at all; a version not newer than the last
// published one is refused.
func (d *Depot) Publier(version, build string, cle ed25519.PrivateKey) (*miseajour.Manifeste, error) {
	v, err := miseajour.LireVersion(version)
	if err != nil {
		return nil, err
	}
	version = v.String()
	if last, err := d.Versions(); err != nil {
		return nil, err
	} else if n := len(last); n > 0 {
		if lv, _ := miseajour.LireVersion(last[n-1]); lv.Compare(v) >= 0 {
			return nil, xdemat.Errorf(xdemat.ECONFLICT, "La version %s est déjà publiée : la nouvelle version doit être plus récente (par exemple %d.%d.%d). Les postes n'installent jamais une version plus ancienne ou égale.", last[n-1], lv[0], lv[1], lv[2]+1)
		}
	}
	plateformes, err := os.ReadDir(build)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Dossier des binaires %s illisible (%v) : indiquez le dossier qui contient un sous-dossier par plateforme (linux-amd64, windows-amd64…).", build, err)
	}
	tmp, err := os.MkdirTemp(d.Dir, ".publication-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	m := &miseajour.Manifeste{Version: version, Date: d.now().UTC().Truncate(time.Second)}
	for _, p := range plateformes {
		if !p.IsDir() {
			continue
		}
		goos, goarch, ok := cut(p.Name())
		if !ok {
			continue
		}
		for _, role := range []string{miseajour.RoleAgent, miseajour.RoleApplication, miseajour.RoleRestic} {
			nom := miseajour.NomFichier(role, goos)
			src := filepath.Join(build, p.Name(), nom)
			if _, err := os.Stat(src); os.IsNotExist(err) {
				continue
			}
			if err := os.MkdirAll(filepath.Join(tmp, p.Name()), 0o750); err != nil {
				return nil, err
			}
			n, h, err := copier(src, filepath.Join(tmp, p.Name(), nom))
			if err != nil {
				return nil, fmt.Errorf("copie de %s : %w", src, err)
			}
			m.Binaires = append(m.Binaires, miseajour.Binaire{OS: goos, Arch: goarch, Role: role, Nom: nom, Taille: n, SHA256: h})
		}
	}
	if len(m.Binaires) == 0 {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Aucun binaire trouvé dans %s : il faut un sous-dossier par plateforme (linux-amd64, windows-amd64…) contenant au moins xdemat-agent (xdemat-agent.exe sous Windows).", build)
	}
	if err := m.Valider(); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	sig := miseajour.Signer(cle, data)
	// Checked here so that a key that does not match its own public half (a
	// corrupt file) is seen by the SPL, not by every poste.
	if _, err := miseajour.Verifier(cle.Public().(ed25519.PublicKey), &miseajour.Publication{Manifeste: data, Signature: sig}); err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(tmp, FichierManifeste), data); err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(tmp, FichierSignature), sig); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, filepath.Join(d.Dir, version)); err != nil {
		if _, serr := os.Stat(filepath.Join(d.Dir, version)); serr == nil {
			return nil, xdemat.Errorf(xdemat.ECONFLICT, "La version %s vient d'être publiée par ailleurs : rien n'a été modifié.", version)
		}
		return nil, fmt.Errorf("publication de la version %s : %w", version, err)
	}
	return m, nil
}

// Versions returns the published versions, oldest first.
func (d *Depot) Versions() ([]string, error) {
	entries, err := os.ReadDir(d.Dir)
	if err != nil {
		return nil, fmt.Errorf("dossier des versions publiées : %w", err)
	}
	var vs []miseajour.Version
	for _, e := range entries {
		v, err := miseajour.LireVersion(e.Name())
		if err != nil || !e.IsDir() || v.String() != e.Name() {
			continue
		}
		if _, err := os.Stat(filepath.Join(d.Dir, e.Name(), FichierSignature)); err != nil {
			continue
		}
		vs = append(vs, v)
	}
	slices.SortFunc(vs, miseajour.Version.Compare)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out, nil
}

// Derniere returns the newest release as published: the manifest's bytes
// and signature, read from disk, not checked (the postes check them).
// ENOTFOUND when none is published.
func (d *Depot) Derniere() (*miseajour.Publication, error) {
	vs, err := d.Versions()
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucune version n'est encore publiée par la SPL.")
	}
	return d.Publication(vs[len(vs)-1])
}

// Publication returns a published release's manifest and signature.
func (d *Depot) Publication(version string) (*miseajour.Publication, error) {
	if v, err := miseajour.LireVersion(version); err != nil || v.String() != version {
		return nil, versionInconnue(version)
	}
	var p miseajour.Publication
	var err error
	if p.Manifeste, err = os.ReadFile(filepath.Join(d.Dir, version, FichierManifeste)); os.IsNotExist(err) {
		return nil, versionInconnue(version)
	} else if err != nil {
		return nil, fmt.Errorf("manifeste de la version %s : %w", version, err)
	}
	if p.Signature, err = os.ReadFile(filepath.Join(d.Dir, version, FichierSignature)); err != nil {
		return nil, fmt.Errorf("signature de la version %s : %w", version, err)
	}
	return &p, nil
}

// Binaire opens the file nom of platform (os-arch) in a published release.
// Only the names a manifest may hold are looked up: nothing else of the
// folder can be reached.
func (d *Depot) Binaire(version, plateforme, nom string) (*os.File, error) {
	if v, err := miseajour.LireVersion(version); err != nil || v.String() != version {
		return nil, versionInconnue(version)
	}
	goos, _, ok := cut(plateforme)
	if !ok {
		return nil, binaireInconnu(version, plateforme, nom)
	}
	if nom != miseajour.NomFichier(miseajour.RoleAgent, goos) && nom != miseajour.NomFichier(miseajour.RoleApplication, goos) && nom != miseajour.NomFichier(miseajour.RoleRestic, goos) {
		return nil, binaireInconnu(version, plateforme, nom)
	}
	f, err := os.Open(filepath.Join(d.Dir, version, plateforme, nom))
	if os.IsNotExist(err) {
		return nil, binaireInconnu(version, plateforme, nom)
	}
	return f, err
}

func versionInconnue(v string) error {
	if len(v) > 40 {
		v = v[:40]
	}
	return xdemat.Errorf(xdemat.ENOTFOUND, "La version %q n'est pas publiée par la SPL.", v)
}

func binaireInconnu(version, plateforme, nom string) error {
	if len(plateforme)+len(nom) > 80 {
		plateforme, nom = "?", "?"
	}
	return xdemat.Errorf(xdemat.ENOTFOUND, "La version %s ne contient pas %s pour %s.", version, nom, plateforme)
}

func (d *Depot) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// cut splits "linux-amd64" and checks it is a platform a poste may run.
func cut(plateforme string) (goos, goarch string, ok bool) {
	goos, goarch, ok = strings.Cut(plateforme, "-")
	return goos, goarch, ok && miseajour.PlateformeConnue(goos, goarch)
}

// copier copies src to dst and returns its size and SHA-256.
func copier(src, dst string) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// NouvelleCle makes a release key pair and writes the private half to
// chemin; it returns the public key as the agent's build takes it.
func NouvelleCle(chemin string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	if err := miseajour.EcrireClePrivee(chemin, priv); err != nil {
		return "", err
	}
	return miseajour.CodeCle(pub), nil
}
