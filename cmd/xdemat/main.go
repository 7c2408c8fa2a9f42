// Command xdemat is the desktop app that the secretary of a mairie opens
// every morning. It talks only to the agent of the poste, through its local
// API; when no agent service answers on the data folder, it starts one
// inside itself.
//
//	xdemat [-data DOSSIER] [xdemat://ecran/id]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent/localapi"
	"xdemat/agent/program"
	"xdemat/app/ui"
	"xdemat/assets"
)

// The app holds the agent's local API client and nothing else.
var _ ui.Agent = (*localapi.Client)(nil)

// debut is when the process started, for -mesure.
var debut = time.Now()

// IDApplication identifies the app to the OS (preferences, notifications).
const IDApplication = "fr.spl.xdemat"

// config is what the command line says.
type config struct {
	dataDir     string
	lien        xdemat.Lien
	utilisateur string
	pkcs11      string // token driver; "": the known ones
	mesure      time.Duration
	mesureVide  bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "xdemat :", xdemat.ErrorMessage(err))
		os.Exit(2)
	}
	francais()
	run(cfg)
}

// parseFlags reads the command line: flags, then an optional deep link.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("xdemat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.dataDir, "data", program.DefaultDataDir(), "dossier de données de l'agent du poste (XDEMAT_DATA)")
	fs.StringVar(&cfg.pkcs11, "pkcs11", os.Getenv("XDEMAT_PKCS11"), "pilote PKCS#11 de la clé de signature (XDEMAT_PKCS11) ; vide : recherché parmi les pilotes connus")
	fs.StringVar(&cfg.utilisateur, "utilisateur", "", "ouvrir directement la session de ce profil (identifiant ou « Prénom Nom »), s'il n'a pas de mot de passe")
	// Hidden: the benchmark of the issue (make bench-app).
	fs.DurationVar(&cfg.mesure, "mesure", 0, "")
	// Hidden: the same measure on a window holding one label, the baseline
	// of what Fyne and the GL driver cost before any xdemat screen.
	fs.BoolVar(&cfg.mesureVide, "mesure-vide", false, "")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage : xdemat [-data DOSSIER] [-pkcs11 PILOTE] [-utilisateur PROFIL] [xdemat://ecran/identifiant]")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Usage != "" {
				fmt.Fprintf(stderr, "  -%s\t%s\n", f.Name, f.Usage)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		l, err := xdemat.ParseLien(fs.Arg(0))
		if err != nil {
			return nil, err
		}
		cfg.lien = l
	default:
		return nil, xdemat.Errorf(xdemat.EINVALID, "Un seul lien xdemat à la fois : %s.", strings.Join(fs.Args(), " "))
	}
	return cfg, nil
}

// francais makes Fyne's own words (file dialog, buttons) French where the
// system gives no language, as on a server or under Xvfb: the whole app is
// French. A French Windows already says so.
func francais() {
	for _, v := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" && s != "C" && !strings.HasPrefix(s, "C.") && s != "POSIX" {
			return
		}
	}
	os.Setenv("LANGUAGE", "fr_FR")
	// Fyne read the locale when its packages started: adding (no)
	// translations makes it read it again.
	_ = lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale("fr"))
}

// run opens the window at once and connects to the agent behind it: the
// first image never waits on the agent.
func run(cfg *config) {
	a := app.NewWithID(IDApplication)
	a.SetIcon(fyne.NewStaticResource("xdemat.svg", assets.Icone()))
	w := a.NewWindow("xdemat")
	w.Resize(fyne.NewSize(1100, 700))
	attente := widget.NewLabel("Connexion au service xdemat…")
	w.SetContent(container.NewCenter(attente))

	var m *mesure
	if cfg.mesure > 0 {
		m = newMesure(debut, cfg.mesure, a)
		m.sonder(w)
		if cfg.mesureVide {
			m.accueilPret()
			w.ShowAndRun()
			return
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var (
		u        *ui.UI
		embarque *program.Main
	)
	go func() {
		c, emb, err := connecter(ctx, cfg.dataDir)
		fyne.Do(func() {
			embarque = emb
			if err != nil {
				attente.SetText(xdemat.ErrorMessage(err))
				attente.Wrapping = fyne.TextWrapWord
				attente.Refresh()
				return
			}
			opts := ui.Options{
				Version:        xdemat.Version,
				DossierDonnees: cfg.dataDir,
				AgentIntegre:   emb != nil,
				Lien:           cfg.lien,
				Utilisateur:    cfg.utilisateur,
				ModulePKCS11:   cfg.pkcs11,
			}
			if m != nil {
				opts.QuandPret = m.accueilPret
			}
			u = ui.New(w, c, opts)
			if m != nil {
				m.sonder(w) // the UI replaced the content
			}
			u.Demarrer()
		})
	}()
	w.ShowAndRun()
	cancel()
	if u != nil {
		u.Fermer()
	}
	if embarque != nil {
		if err := embarque.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "xdemat : arrêt de l'agent intégré :", err)
		}
	}
}
