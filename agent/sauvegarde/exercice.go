package sauvegarde

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent/restic"
)

// TailleEchantillon is how many files the monthly drill restores.
const TailleEchantillon = 10

// exerciceDu reports whether the monthly restore drill is due: a month
// after the last one, or after the first good backup (right after it there
// is little to check, and the secretary's first evening stays free).
func (s *Service) exerciceDu(ctx context.Context) (bool, error) {
	hist, err := s.Store.Sauvegardes(ctx, 500)
	if err != nil {
		return false, err
	}
	var premiere time.Time
	for _, h := range hist {
		if h.Type == xdemat.TypeExercice {
			return s.Now().Sub(h.Debut) >= PeriodeExercice, nil
		}
		if h.Statut.Reussie() {
			premiere = h.Debut
		}
	}
	return !premiere.IsZero() && s.Now().Sub(premiere) >= PeriodeExercice, nil
}

// Exercice is the monthly restore drill: restic checks a tenth of the
// repository's data, then a sample of files of the last backup is restored
// to a temporary folder and compared with what was backed up. A failure
// raises a notification: a backup that cannot be restored is no backup.
func (s *Service) Exercice(ctx context.Context) (*xdemat.Sauvegarde, error) {
	s.init()
	ctx, fin, err := s.commencer(ctx, xdemat.TypeExercice)
	if err != nil {
		return nil, err
	}
	defer fin()
	rapport := &xdemat.Sauvegarde{ID: uuid.NewString(), Type: xdemat.TypeExercice, Debut: s.Now()}
	err = s.avecDepot(ctx, func(r *restic.Restic) error { return s.exercer(ctx, r, rapport) })
	var e *restic.Erreur
	switch {
	case err == nil:
		rapport.Statut = xdemat.SauvegardeReussie
	case ctx.Err() != nil:
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeAnnulee, "Vérification arrêtée avant la fin ; elle sera refaite."
	case errors.As(err, &e):
		s.Logger.Warn("exercice : restic a échoué", "code", e.Code, "sortie", e.Sortie)
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeEchouee, "La vérification de la sauvegarde a échoué : "+e.Message
	default:
		rapport.Statut, rapport.Erreur = xdemat.SauvegardeEchouee, xdemat.ErrorMessage(err)
	}
	rapport.Fin = s.Now()
	var n *xdemat.Notification
	if rapport.Statut == xdemat.SauvegardeEchouee {
		n = s.notification(xdemat.NotificationSauvegardeExercice, "L'essai mensuel de restauration a échoué", rapport)
	}
	if err := s.enregistrer(ctx, rapport, n); err != nil {
		return rapport, err
	}
	if rapport.Statut == xdemat.SauvegardeEchouee {
		return rapport, err
	}
	return rapport, nil
}

func (s *Service) exercer(ctx context.Context, r *restic.Restic, rapport *xdemat.Sauvegarde) error {
	err := r.Check(ctx, "1/10")
	var e *restic.Erreur
	if errors.As(err, &e) && e.Code == restic.CodeVerrou && ctx.Err() == nil {
		if r.Unlock(ctx) == nil {
			err = r.Check(ctx, "1/10")
		}
	}
	if err != nil {
		return err
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		return err
	}
	if len(snaps) == 0 {
		return xdemat.Errorf(xdemat.ENOTFOUND, "Le dépôt ne contient encore aucune sauvegarde à vérifier.")
	}
	dernier := snaps[len(snaps)-1]
	rapport.Instantane = dernier.ID
	fichiers, err := r.Fichiers(ctx, dernier.ID)
	if err != nil {
		return err
	}
	ech := echantillon(fichiers, TailleEchantillon)
	if len(ech) == 0 {
		return nil
	}
	tmp, err := os.MkdirTemp(s.dir(), "exercice-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var chemins []string
	for _, n := range ech {
		chemins = append(chemins, n.Chemin)
	}
	if err := r.Restore(ctx, dernier.ID, tmp, chemins, nil); err != nil {
		return err
	}
	for _, n := range ech {
		restaure := filepath.Join(tmp, filepath.FromSlash(relatif(n.Chemin)))
		h, taille, err := empreinte(restaure)
		if err != nil || taille != n.Taille {
			return xdemat.Errorf(xdemat.EINTERNAL, "Le fichier « %s » ne se restaure pas tel qu'il a été sauvegardé : contactez la SPL.", n.Nom)
		}
		// Compared with the original when it has not changed since.
		orig := versSysteme(n.Chemin)
		if info, err := os.Stat(orig); err == nil && info.Size() == n.Taille && info.ModTime().Equal(n.Modifie) {
			if ho, _, err := empreinte(orig); err == nil && ho != h {
				return xdemat.Errorf(xdemat.EINTERNAL, "Le fichier « %s » restauré diffère de l'original : la sauvegarde est peut-être abîmée, contactez la SPL.", n.Nom)
			}
		}
		rapport.FichiersInchanges++
		rapport.OctetsTraites += taille
	}
	return nil
}

// echantillon picks up to k files spread over the list (restic lists them
// in path order: the sample covers every folder rather than the first one).
func echantillon(fichiers []restic.Noeud, k int) []restic.Noeud {
	if len(fichiers) <= k {
		return fichiers
	}
	out := make([]restic.Noeud, 0, k)
	for i := range k {
		out = append(out, fichiers[i*len(fichiers)/k])
	}
	return out
}

func empreinte(p string) ([sha256.Size]byte, int64, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(p)
	if err != nil {
		return sum, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	copy(sum[:], h.Sum(nil))
	return sum, n, err
}
