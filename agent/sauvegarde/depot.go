package sauvegarde

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"xdemat"
	"xdemat/agent/restic"
	"xdemat/central/protocol"
)

// acces returns the access to the commune's repository, asking central only
// when none is kept: each call to central issues a new REST password and
// revokes the previous one, which would break a backup running meanwhile.
func (s *Service) acces(ctx context.Context, renouveler bool) (*protocol.AccesSauvegarde, error) {
	central := s.centralClient()
	if central == nil {
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Ce poste n'est pas encore enrôlé : la sauvegarde commencera après son enrôlement.")
	}
	s.accesMu.Lock()
	defer s.accesMu.Unlock()
	if s.accesGarde != nil && !renouveler {
		return s.accesGarde, nil
	}
	id, err := s.Store.Identity(ctx)
	if err != nil {
		return nil, err
	}
	a, err := central.AccesSauvegarde(ctx, id.CentralCert)
	if err != nil {
		return nil, err
	}
	if err := s.cle(ctx, central, a); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.quota, s.utilise = a.Quota, a.Utilise
	s.mu.Unlock()
	s.accesGarde = a
	return a, nil
}

// cle settles the repository password: the escrowed one when central has
// one (a new PC restoring the commune's backups), else this poste's,
// escrowed now, else a new one, kept here first then escrowed.
func (s *Service) cle(ctx context.Context, central Central, a *protocol.AccesSauvegarde) error {
	if err := os.MkdirAll(s.dir(), 0o700); err != nil {
		return err
	}
	p := s.fichierCle()
	local, err := lireCle(p)
	switch {
	case a.MotDePasseDepot != "":
		if local != a.MotDePasseDepot {
			return ecrireCle(p, a.MotDePasseDepot)
		}
		return nil
	case err == nil && local != "":
		return central.DeposerCle(ctx, local)
	case err == nil || errors.Is(err, fs.ErrNotExist):
		mdp := nouveauMotDePasse()
		// Kept on the poste first: a password kept here but not escrowed
		// is escrowed at the next run; one escrowed but lost here would
		// come back from central. Never a repository nobody can open.
		if err := ecrireCle(p, mdp); err != nil {
			return err
		}
		return central.DeposerCle(ctx, mdp)
	default:
		return xdemat.Errorf(xdemat.EINTERNAL, "La clé de la sauvegarde de ce poste est illisible (%v) : contactez la SPL.", err)
	}
}

func (s *Service) fichierCle() string { return filepath.Join(s.dir(), "depot.cle") }

// avecDepot runs f with restic ready for the commune's repository. When
// central refused the REST password (revoked by a newer access, or a
// restart of central), it asks for a new one and runs f again, once.
func (s *Service) avecDepot(ctx context.Context, f func(r *restic.Restic) error) error {
	bin, err := s.restic()
	if err != nil {
		return err
	}
	for essai := 0; ; essai++ {
		a, err := s.acces(ctx, essai > 0)
		if err != nil {
			return err
		}
		mdp, err := lireCle(s.fichierCle())
		if err != nil {
			return xdemat.Errorf(xdemat.EINTERNAL, "La clé de la sauvegarde de ce poste est illisible (%v) : contactez la SPL.", err)
		}
		fichier, effacer, err := fichierTemporaire(s.dir(), mdp)
		if err != nil {
			return err
		}
		r := &restic.Restic{Bin: bin, Images: s.Images, Depot: restic.Depot{
			URL: a.Depot, FichierMotDePasse: fichier, Utilisateur: a.Utilisateur,
			MotDePasseREST: a.MotDePasseREST, Cache: filepath.Join(s.dir(), "cache"),
		}}
		if a.CertificatPEM != "" {
			r.Depot.CACert = filepath.Join(s.dir(), "central.pem")
			if err := ecrire(r.Depot.CACert, []byte(a.CertificatPEM)); err != nil {
				effacer()
				return err
			}
		}
		err = s.initialiser(ctx, r, a.Depot)
		if err == nil {
			err = f(r)
		}
		effacer()
		var e *restic.Erreur
		if essai == 0 && errors.As(err, &e) && strings.Contains(e.Sortie, "(401)") {
			continue
		}
		return err
	}
}

// initialiser creates the repository once per repository URL and run of
// the agent (restic init costs a few seconds of key derivation).
func (s *Service) initialiser(ctx context.Context, r *restic.Restic, depot string) error {
	s.mu.Lock()
	fait := s.initialise == depot
	s.mu.Unlock()
	if fait {
		return nil
	}
	if err := r.Init(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.initialise = depot
	s.mu.Unlock()
	return nil
}
