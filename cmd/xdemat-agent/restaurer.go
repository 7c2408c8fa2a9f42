package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/centralclient"
	"xdemat/agent/program"
	"xdemat/agent/sauvegarde"
	"xdemat/agent/sqlite"
)

// restaurer is the technician's "everything onto a new PC": once the new
// poste is enrolled, the commune's last backup (or the one named) goes back
// to its place, or into -cible. The repository password comes from central's
// escrow: nothing of the old PC is needed.
func restaurer(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restaurer", flag.ContinueOnError)
	dataDir := fs.String("data", DefaultDataDir(), "dossier de données du poste")
	instantane := fs.String("instantane", "latest", "identifiant de la sauvegarde (la dernière par défaut)")
	cible := fs.String("cible", "", "dossier où mettre les fichiers (par défaut : à leur place, les versions présentes mises de côté)")
	resticBin := fs.String("restic", "", "chemin du programme restic (par défaut : à côté de xdemat-agent, puis le PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cible != "" {
		abs, err := filepath.Abs(*cible)
		if err != nil {
			return err
		}
		*cible = abs
	}
	st, err := sqlite.Open(filepath.Join(*dataDir, "agent.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := st.Identity(ctx)
	if err != nil {
		return errors.New("ce poste n'est pas enrôlé : lancez d'abord « xdemat-agent enroll -central URL -code CODE »")
	}
	key, err := program.ReadKey(*dataDir)
	if err != nil {
		return errors.New(xdemat.ErrorMessage(err))
	}
	client := centralclient.New(id.CentralURL, id.PosteID, key, id.CentralCert)
	defer client.HTTP.CloseIdleConnections()
	s := &sauvegarde.Service{Store: st, DataDir: *dataDir, Restic: *resticBin, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	s.Relier(client)
	fmt.Fprintf(out, "Restauration de la sauvegarde %s de %s…\n", *instantane, id.Commune.Nom)
	res, err := s.RestaurerTout(ctx, agent.DemandeRestauration{Instantane: *instantane, Cible: *cible})
	if err != nil {
		return errors.New(xdemat.ErrorMessage(err))
	}
	ou := res.Cible
	if ou == "" {
		ou = "leur place"
	}
	fmt.Fprintf(out, "%d fichier(s) restauré(s) (%s) dans %s.\n", res.Fichiers, xdemat.Octets(res.Octets), ou)
	return nil
}
