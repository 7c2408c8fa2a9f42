// Package versions is the agent's side of the updates: it checks central
// daily for a newer release, downloads and verifies it, and installs it at
// night, with a rollback when the new version does not start.
//
// # Design: the old version tries the new one before handing over
//
// The rollback must work even when the new binary cannot start at all (it
// crashes before main, or exits at once). A binary that cannot run cannot
// roll itself back, so the decision is taken by the binary that is known to
// work, the running one, before anything is swapped:
//
//  1. During the day, Service downloads the release of this OS/arch,
//     verifies the manifest's Ed25519 signature with the key built into the
//     agent (CleDePublication) and each binary's size and SHA-256, and stages
//     it in DataDir/miseajour/attente. Nothing outside that folder changes.
//  2. At the install hour (or at the first start after it, when the PC was
//     off), Service makes the agent exit; the service manager starts it
//     again and, before opening anything, Demarrage.Preparer:
//     - copies the database aside (it is closed: the copy is consistent),
//     - runs the staged agent as "xdemat-agent essai" on the real data
//     folder: it must open the store (migrations included), listen on the
//     local API, stay up a few seconds, stop cleanly and print its version;
//     - if it does not, the new version never replaces anything: the
//     database copy is put back (the trial may have migrated it), the
//     release is marked refused (never retried) and this version goes on;
//     - if it does, each binary is replaced (the old one kept as
//     .precedent; on Windows the running exe is renamed aside first, which
//     Windows allows), a trial marker is written, and the agent exits so that
//     the service manager starts the new binary.
//  3. The new binary counts its starts in the trial marker; once its local
//     API listens (Demarrage.Sain) the marker and the database copy go. If
//     it fails EssaisMax starts in a row after passing its trial (a crash
//     loop the trial did not show), it puts the .precedent binaries and the
//     database copy back itself and exits, and the previous version runs
//     again.
//
// Data, enrollment and settings live in the data folder, which an update
// never touches except for the database copy put back after a failed
// trial: no work is lost (the trial runs at night, and what it synchronised
// is fetched again, the protocol being idempotent).
//
// The release key is built into the agent (-ldflags), not handed by central
// at enrollment: a compromised central, or a forged enrollment, then cannot
// make the postes install anything. A new key is rolled out by a release
// signed with the old one whose agent embeds the new one.
package versions

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"xdemat/agent"
	"xdemat/miseajour"
)

// CleDePublication is the SPL's release public key (base64, see
// "xdemat-central release keygen"), set at build time:
//
//	go build -ldflags "-X xdemat/agent/versions.CleDePublication=…" ./cmd/xdemat-agent
//
// Without it the agent never updates itself.
var CleDePublication string

// Cle returns the built-in release key, or nil when the build has none.
func Cle() ed25519.PublicKey {
	if CleDePublication == "" {
		return nil
	}
	k, err := miseajour.LireCodeCle(CleDePublication)
	if err != nil {
		return nil
	}
	return k
}

// ErrRedemarrage asks the agent to exit so that the service manager starts
// it again (and with it, the binary now in place). It wraps agent.ErrFatal,
// so that the supervisor stops every service.
var ErrRedemarrage = fmt.Errorf("%w: redémarrage pour la mise à jour", agent.ErrFatal)

// Files and folders, under DataDir/miseajour.
const (
	Dossier           = "miseajour"
	fichierEtat       = "etat.json"
	fichierEssai      = "essai.json"
	dossierAttente    = "attente"
	dossierTelecharge = "telechargement"
	dossierCopieBase  = "avant-installation"
	// SuffixePrecedent is added to a replaced binary's name: the previous
	// version, put back by a rollback.
	SuffixePrecedent = ".precedent"
	suffixeNouveau   = ".nouveau"
	suffixeRetire    = ".retire"
)

// Lines "xdemat-agent essai" prints for the binary that runs it.
const (
	MarqueEssaiReussi = "essai-miseajour reussi "
	MarqueEssaiOccupe = "essai-miseajour occupe"
)

// etatLocal is DataDir/miseajour/etat.json.
type etatLocal struct {
	miseajour.Etat
	// Signale: the report was received by central.
	Signale bool `json:"signale"`
	// Refusees are releases that failed their trial: never tried again.
	Refusees []string `json:"refusees,omitempty"`
	// AttenteDepuis is when the staged release was verified.
	AttenteDepuis time.Time `json:"attenteDepuis,omitzero"`
}

func (e *etatLocal) refusee(v string) bool { return slices.Contains(e.Refusees, v) }

// essai is DataDir/miseajour/essai.json, written when binaries are replaced.
type essai struct {
	Version    string   `json:"version"`    // the release installed
	Precedente string   `json:"precedente"` // the version it replaced
	Demarrages int      `json:"demarrages"` // starts of Version since
	Fichiers   []string `json:"fichiers"`   // replaced paths (each has its .precedent)
}

func dossier(dataDir string, elems ...string) string {
	return filepath.Join(append([]string{dataDir, Dossier}, elems...)...)
}

func lireJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s illisible : %w", filepath.Base(path), err)
	}
	return true, nil
}

// ecrireJSON writes v durably, replacing path atomically.
func ecrireJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func lireEtat(dataDir string) (*etatLocal, error) {
	e := new(etatLocal)
	_, err := lireJSON(dossier(dataDir, fichierEtat), e)
	return e, err
}

func ecrireEtat(dataDir string, e *etatLocal) error {
	return ecrireJSON(dossier(dataDir, fichierEtat), e)
}
