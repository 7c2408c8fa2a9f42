package main

import (
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"

	"xdemat/agent/program"
)

// Main is the agent program (xdemat/agent/program), which the desktop app
// may also run in-process.
type Main = program.Main

// NewMain returns an agent with default settings.
func NewMain() *Main { return program.NewMain() }

// DefaultDataDir is where the agent keeps its data.
func DefaultDataDir() string { return program.DefaultDataDir() }

func readKey(dataDir string) (ed25519.PrivateKey, error) { return program.ReadKey(dataDir) }

// parseRunFlags reads the flags of the "run" subcommand into m, and the
// update options into maj.
func parseRunFlags(m *Main, maj *majOptions, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	maj.flags(fs)
	fs.StringVar(&m.DataDir, "data", m.DataDir, "dossier de données du poste")
	fs.DurationVar(&m.RetryMax, "retry-max", m.RetryMax, "attente maximale entre deux tentatives de connexion")
	return fs.Parse(args)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `xdemat-agent — service xdemat du poste de la mairie

Utilisation :
  xdemat-agent run [-data DOSSIER]            lancer l'agent au premier plan
  xdemat-agent enroll -central URL -code CODE [-empreinte SHA256] [-data DOSSIER]
                                              enrôler ce poste pour sa commune
  xdemat-agent status [-data DOSSIER]         afficher l'état de synchronisation
  xdemat-agent restaurer [-instantane ID] [-cible DOSSIER] [-data DOSSIER]
                                              remettre la sauvegarde de la commune sur ce
                                              poste (nouveau PC, après l'enrôlement)
  xdemat-agent install|uninstall|start|stop [-data DOSSIER]
                                              gérer le service système
  xdemat-agent version
`)
}
