package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"xdemat"
	"xdemat/central/versions"
	"xdemat/miseajour"
)

// releaseFlags are the options of "release publish|keygen".
type releaseFlags struct {
	version, dir, key, out string
}

// releasesDir is where central keeps the published releases.
func (m *Main) releasesDir() string { return filepath.Join(m.DataDir, "releases") }

// releaseCommand returns the action of "release publish|keygen|list".
func (m *Main) releaseCommand(name string, f releaseFlags) (func(ctx context.Context) error, error) {
	french := func(action func() error) func(context.Context) error {
		return func(context.Context) error {
			if err := action(); err != nil {
				return errors.New(xdemat.ErrorMessage(err) + detail(err))
			}
			return nil
		}
	}
	switch name {
	case "release keygen":
		if f.out == "" {
			return nil, errors.New("indiquez le fichier de la clé privée : xdemat-central release keygen -out cle-publication.pem (à garder hors du serveur)")
		}
		return french(func() error { return m.keygen(f.out) }), nil
	case "release publish":
		if f.version == "" || f.dir == "" || f.key == "" {
			return nil, errors.New("indiquez la version, le dossier des binaires et la clé : xdemat-central release publish -version 1.2.0 -dir BUILD -key cle-publication.pem")
		}
		return french(func() error { return m.publish(f) }), nil
	case "release list":
		return french(m.listReleases), nil
	}
	return nil, fmt.Errorf("commande inconnue %q : voir xdemat-central -h", name)
}

func (m *Main) keygen(out string) error {
	pub, err := versions.NouvelleCle(out)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, pub)
	fmt.Fprintf(m.Stderr, "Clé de publication écrite dans %s : gardez-la hors du serveur central, c'est elle qui signe les mises à jour de tous les postes.\n", out)
	fmt.Fprintf(m.Stderr, "Construisez l'agent avec cette clé publique :\n  go build -ldflags '-X xdemat/agent/versions.CleDePublication=%s' ./cmd/xdemat-agent\n", pub)
	return nil
}

func (m *Main) publish(f releaseFlags) error {
	cle, err := miseajour.LireClePrivee(f.key)
	if err != nil {
		return err
	}
	depot, err := versions.Ouvrir(m.releasesDir())
	if err != nil {
		return err
	}
	man, err := depot.Publier(f.version, f.dir, cle)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PLATEFORME\tRÔLE\tFICHIER\tTAILLE\tSHA-256")
	for _, b := range man.Binaires {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.Plateforme(), b.Role, b.Nom, xdemat.Octets(b.Taille), b.SHA256)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "Version %s publiée (clé publique %s) : les postes la téléchargent à leur prochaine vérification et l'installent la nuit.\n",
		man.Version, miseajour.CodeCle(cle.Public().(ed25519.PublicKey)))
	return nil
}

func (m *Main) listReleases() error {
	depot, err := versions.Ouvrir(m.releasesDir())
	if err != nil {
		return err
	}
	vs, err := depot.Versions()
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(m.Stdout, "Aucune version publiée : xdemat-central release publish -version 1.0.0 -dir BUILD -key CLÉ")
		return nil
	}
	fmt.Fprintln(m.Stdout, strings.Join(vs, "\n"))
	return nil
}
