package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kardianos/service"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/localapi"
	"xdemat/agent/program"
	"xdemat/agent/sqlite"
	"xdemat/agent/versions"
)

// Execute runs one subcommand of xdemat-agent.
func Execute(ctx context.Context, args []string, out io.Writer) error {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runService(ctx, args, "")
	case "install", "uninstall", "start", "stop":
		return runService(ctx, args, cmd)
	case "enroll":
		return enroll(ctx, args, out)
	case "status":
		return status(ctx, args, out)
	case "restaurer":
		return restaurer(ctx, args, out)
	case "essai":
		return essaiMiseAJour(ctx, args, out)
	case "version":
		fmt.Fprintln(out, "xdemat-agent", xdemat.Version)
		return nil
	case "help", "-h", "--help":
		usage(out)
		return nil
	}
	usage(out)
	return fmt.Errorf("commande inconnue %q", cmd)
}

// serviceProgram adapts Main to the service manager: Start must not block, Stop
// must wait until everything is closed.
type serviceProgram struct {
	m   *Main
	ctx context.Context
	// demarrage is told once the agent runs (a new version proved it starts).
	demarrage *versions.Demarrage
}

func (p *serviceProgram) Start(s service.Service) error {
	if err := p.m.Run(p.ctx); err != nil {
		return err
	}
	if p.demarrage != nil {
		p.demarrage.Sain()
	}
	go func() {
		if err := p.m.Wait(p.ctx); errors.Is(err, versions.ErrRedemarrage) {
			// A release is due: the next start installs it (versions.Demarrage).
			p.m.Logger.Info("arrêt de l'agent pour installer la mise à jour")
			p.m.Close()
			os.Exit(3)
		} else if err != nil {
			// A fatal error: exit so that the service manager restarts us.
			p.m.Logger.Error("arrêt de l'agent", "err", err)
			os.Exit(1)
		}
	}()
	return nil
}

func (p *serviceProgram) Stop(s service.Service) error { return p.m.Close() }

func serviceConfig(dataDir string) *service.Config {
	return &service.Config{
		Name:        "xdemat-agent",
		DisplayName: "xdemat — agent de la mairie",
		Description: "Synchronise les actes, documents et envois de la mairie avec la SPL et sert l'application xdemat.",
		Arguments:   []string{"run", "-data", dataDir},
		Option: service.KeyValue{
			"Restart":                "always",  // systemd
			"OnFailure":              "restart", // Windows recovery actions
			"OnFailureDelayDuration": "10s",
			"DelayedAutoStart":       true,
		},
	}
}

func runService(ctx context.Context, args []string, action string) error {
	m := NewMain()
	m.Version = xdemat.Version
	maj := defaultMajOptions()
	if err := parseRunFlags(m, &maj, args); err != nil {
		return err
	}
	abs, err := filepath.Abs(m.DataDir)
	if err != nil {
		return err
	}
	m.DataDir = abs
	prog := &serviceProgram{m: m, ctx: ctx}
	if action == "" {
		if prog.demarrage, err = prepareUpdate(ctx, m, maj); err != nil {
			// The binaries were swapped: the service manager starts the one now in place.
			m.Logger.Info("redémarrage après changement de version")
			os.Exit(3)
		}
	}
	s, err := service.New(prog, serviceConfig(m.DataDir))
	if err != nil {
		return err
	}
	if action != "" {
		if err := service.Control(s, action); err != nil {
			return fmt.Errorf("%s du service impossible : %w", action, err)
		}
		return nil
	}
	return s.Run()
}

func enroll(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	dataDir := fs.String("data", DefaultDataDir(), "dossier de données du poste")
	central := fs.String("central", "", "adresse du serveur central, https://…")
	code := fs.String("code", "", "code d'enrôlement donné par la SPL")
	pin := fs.String("empreinte", "", "empreinte SHA-256 du certificat du serveur central (facultatif)")
	host, _ := os.Hostname()
	nom := fs.String("nom", host, "nom du poste")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *central == "" || *code == "" {
		return errors.New("indiquez l'adresse du serveur (-central https://…) et le code donné par la SPL (-code XXXX-XXXX-XXXX)")
	}
	if err := os.MkdirAll(*dataDir, 0o750); err != nil {
		return err
	}
	st, err := sqlite.Open(filepath.Join(*dataDir, "agent.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := program.Enroler(ctx, st, *dataDir, agent.DemandeEnrolement{Central: *central, Code: *code, Empreinte: *pin, Nom: *nom})
	if err != nil {
		return errors.New(xdemat.ErrorMessage(err))
	}
	fmt.Fprintf(out, "Poste enrôlé pour %s (SIREN %s).\nIdentifiant du poste : %s\nEmpreinte du serveur : %s\n", id.Commune.Nom, id.Commune.SIREN, id.PosteID, id.CentralCert)
	return nil
}

func status(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	dataDir := fs.String("data", DefaultDataDir(), "dossier de données du poste")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := localapi.Dial(*dataDir)
	if err != nil {
		return errors.New(xdemat.ErrorMessage(err))
	}
	st, err := c.Etat(ctx)
	if err != nil {
		return errors.New(xdemat.ErrorMessage(err))
	}
	printState(out, st)
	return nil
}

func printState(out io.Writer, st *agent.SyncState) {
	switch {
	case !st.Enrole:
		fmt.Fprintln(out, "Poste non enrôlé : lancez « xdemat-agent enroll -central URL -code CODE ».")
	case st.EnLigne:
		fmt.Fprintf(out, "Connecté au serveur de la SPL depuis le %s.\n", st.DepuisLe.Local().Format("02/01/2006 à 15:04"))
	default:
		fmt.Fprintln(out, "Hors ligne : les envois attendent sur ce poste.")
	}
	fmt.Fprintf(out, "Envois en attente : %d opération(s), %s de documents.\n", st.OperationsEnAttente, xdemat.Octets(st.OctetsEnAttente))
	if !st.DernierSucces.IsZero() {
		fmt.Fprintf(out, "Dernier échange réussi : %s.\n", st.DernierSucces.Local().Format("02/01/2006 à 15:04:05"))
	}
	if st.DerniereErreur != "" {
		fmt.Fprintln(out, "Dernière erreur :", st.DerniereErreur)
	}
}
