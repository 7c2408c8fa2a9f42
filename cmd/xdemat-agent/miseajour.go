package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"xdemat"
	"xdemat/agent/versions"
)

// majOptions are the update options of "run".
type majOptions struct {
	heure      int
	intervalle time.Duration
}

func defaultMajOptions() majOptions {
	return majOptions{heure: versions.DefaultHeureInstallation, intervalle: versions.DefaultIntervalle}
}

func (o *majOptions) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.heure, "maj-heure", o.heure, "heure locale d'installation des mises à jour (0 à 23 ; -1 : dès qu'elles sont vérifiées)")
	fs.DurationVar(&o.intervalle, "maj-intervalle", o.intervalle, "intervalle entre deux vérifications des mises à jour")
}

// prepareUpdate runs, before the agent opens its data folder, what a start
// owes to the updates (install a release due, count or roll back a new
// one), and gives m its update service. versions.ErrRedemarrage means the
// binaries were swapped: exit, and let the service manager start again.
func prepareUpdate(ctx context.Context, m *Main, o majOptions) (*versions.Demarrage, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		m.Logger.Warn("mises à jour désactivées : chemin du programme inconnu", "err", err)
		return nil, nil
	}
	cle := versions.Cle()
	logger := m.Logger.With("service", "miseajour")
	d := &versions.Demarrage{DataDir: m.DataDir, Version: m.Version, Exe: exe, Cle: cle, HeureInstallation: o.heure, Logger: logger}
	if err := d.Preparer(ctx); err == versions.ErrRedemarrage {
		return nil, err
	} else if err != nil {
		logger.Warn("mise à jour au démarrage", "err", err)
	}
	svc := versions.NewService(m.DataDir, m.Version, cle, logger)
	svc.HeureInstallation, svc.Intervalle = o.heure, o.intervalle
	m.MiseAJour = svc
	return d, nil
}

// essaiMiseAJour is "xdemat-agent essai": the trial of a new version, run by
// the previous one before it installs it. It starts the whole agent on the
// data folder, checks it stays up, stops it and prints its version.
func essaiMiseAJour(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("essai", flag.ContinueOnError)
	dataDir := fs.String("data", DefaultDataDir(), "dossier de données du poste")
	stabilite := fs.Duration("stabilite", versions.DefaultStabilite, "durée pendant laquelle l'agent doit rester en marche")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m := NewMain()
	m.DataDir, m.Version = *dataDir, xdemat.Version
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := m.Run(ctx); err != nil {
		if xdemat.ErrorCode(err) == xdemat.EUNAVAILABLE {
			fmt.Fprintln(out, versions.MarqueEssaiOccupe)
		}
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, *stabilite)
	defer cancel()
	err := m.Wait(wctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintf(out, "%s%s\n", versions.MarqueEssaiReussi, xdemat.Version)
	return nil
}
