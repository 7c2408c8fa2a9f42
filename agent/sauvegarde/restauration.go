package sauvegarde

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/restic"
)

// Instantanes lists the backups of the commune, newest first.
func (s *Service) Instantanes(ctx context.Context) ([]agent.Instantane, error) {
	s.init()
	var snaps []restic.Instantane
	err := s.avecDepot(ctx, func(r *restic.Restic) error {
		var err error
		snaps, err = r.Snapshots(ctx)
		return err
	})
	if err != nil {
		return nil, messageRestic(err)
	}
	out := make([]agent.Instantane, 0, len(snaps))
	for i := len(snaps) - 1; i >= 0; i-- {
		sn := snaps[i]
		ch := make([]string, 0, len(sn.Chemins))
		for _, c := range sn.Chemins {
			ch = append(ch, versSysteme(versInstantane(c)))
		}
		out = append(out, agent.Instantane{ID: sn.ID, Date: sn.Date, Poste: sn.Host, Chemins: ch})
	}
	return out, nil
}

// Contenu lists a folder of a backup ("" for its top).
func (s *Service) Contenu(ctx context.Context, instantane, chemin string) ([]agent.EntreeInstantane, error) {
	s.init()
	if !idValide(instantane) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Sauvegarde inconnue : choisissez une date dans la liste.")
	}
	dir := "/"
	if chemin != "" {
		dir = versInstantane(chemin)
	}
	var nodes []restic.Noeud
	err := s.avecDepot(ctx, func(r *restic.Restic) error {
		var err error
		nodes, err = r.Ls(ctx, instantane, dir)
		return err
	})
	if err != nil {
		return nil, messageRestic(err)
	}
	out := make([]agent.EntreeInstantane, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, agent.EntreeInstantane{Chemin: versSysteme(n.Chemin), Nom: n.Nom, Dossier: n.Type == "dir", Taille: n.Taille, ModifieLe: n.Modifie})
	}
	return out, nil
}

// idValide accepts restic's snapshot IDs (full or short) and "latest": the
// ID goes on restic's command line, where a leading "-" would be an option.
func idValide(id string) bool {
	if id == "latest" {
		return true
	}
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// messageRestic turns a restic failure into the error the app shows.
func messageRestic(err error) error {
	if e, ok := err.(*restic.Erreur); ok {
		return xdemat.Errorf(xdemat.EUNAVAILABLE, "%s", e.Message)
	}
	return err
}

// Restaurer restores files of a backup: into d.Cible, or back to their
// place, where a current version that differs is kept aside as
// "<nom> (avant restauration du <date>)": never silently overwritten.
// Everything back to its place is for the technician's command line
// (RestaurerTout), not for the app.
func (s *Service) Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error) {
	if len(d.Chemins) == 0 && d.Cible == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Pour tout restaurer, choisissez un dossier où mettre les fichiers.")
	}
	return s.RestaurerTout(ctx, d)
}

// RestaurerTout is Restaurer without the app's guard: with no Chemins and no
// Cible, the whole backup goes back to its place (a new PC after its
// enrollment).
func (s *Service) RestaurerTout(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error) {
	s.init()
	if d.Instantane == "" {
		d.Instantane = "latest"
	}
	if !idValide(d.Instantane) {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Sauvegarde inconnue : choisissez une date dans la liste.")
	}
	var inclure []string
	for _, c := range d.Chemins {
		if !filepath.IsAbs(c) {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le chemin %q n'est pas un chemin complet de la sauvegarde.", c)
		}
		inclure = append(inclure, versInstantane(filepath.Clean(c)))
	}
	if d.Cible != "" {
		if !filepath.IsAbs(d.Cible) {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le dossier de destination %q n'est pas un chemin complet.", d.Cible)
		}
		if err := os.MkdirAll(d.Cible, 0o750); err != nil {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le dossier %s ne peut pas être créé (%v) : choisissez-en un autre.", d.Cible, err)
		}
	}
	// Restored first into a folder of its own, then moved: a cut restore
	// never leaves half a file in place of a good one.
	tmpParent := s.dir()
	if d.Cible != "" {
		tmpParent = d.Cible
	} else if len(d.Chemins) > 0 {
		tmpParent = filepath.Dir(filepath.Clean(d.Chemins[0]))
	}
	if err := os.MkdirAll(tmpParent, 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(tmpParent, ".xdemat-restauration-")
	if err != nil {
		tmp, err = os.MkdirTemp(s.dir(), "restauration-")
		if err != nil {
			return nil, err
		}
	}
	defer os.RemoveAll(tmp)
	debut := s.Now()
	err = s.avecDepot(ctx, func(r *restic.Restic) error {
		return r.Restore(ctx, d.Instantane, tmp, inclure, func(p restic.Progression) {
			// Published only: a restore may run beside a backup, whose
			// progress is the "en cours" state.
			s.Bus.Publish(agent.BusEvent{Type: "sauvegarde", Data: agent.ProgressionSauvegarde{Type: agent.TypeRestauration, Debut: debut,
				Fraction: p.Fraction, FichiersFaits: p.FichiersFaits, FichiersTotal: p.FichiersTotal, OctetsFaits: p.OctetsFaits, OctetsTotal: p.OctetsTotal}})
		})
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Restauration annulée : rien n'a été remplacé.")
		}
		return nil, messageRestic(err)
	}
	res := &agent.ResultatRestauration{Cible: d.Cible}
	if d.Cible == "" {
		res.Cible = strings.Join(d.Chemins, ", ")
	}
	suffixe := fmt.Sprintf(" (avant restauration du %s)", s.Now().Format("02-01-2006 15h04"))
	err = filepath.WalkDir(tmp, func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		dest := filepath.Join(d.Cible, rel)
		if d.Cible == "" {
			dest = versSysteme("/" + filepath.ToSlash(rel))
		}
		n, err := placer(p, dest, suffixe)
		if err != nil {
			return xdemat.Errorf(xdemat.EUNAVAILABLE, "Le fichier %s n'a pas pu être remis en place (%v) : fermez le programme qui l'utilise et recommencez.", dest, err)
		}
		res.Fichiers++
		res.Octets += n
		return nil
	})
	if len(d.Chemins) == 0 && res.Fichiers == 0 && err == nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cette sauvegarde ne contient aucun fichier.")
	}
	if len(d.Chemins) > 0 && res.Fichiers == 0 && err == nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Ces fichiers ne sont pas dans la sauvegarde choisie : choisissez une autre date.")
	}
	return res, err
}

// placer moves the restored file src to dest. A different file already at
// dest is renamed with suffixe first; an identical one is left as it is.
func placer(src, dest, suffixe string) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(dest), 0o750); err != nil {
		return 0, err
	}
	hs, n, err := empreinte(src)
	if err != nil {
		return 0, err
	}
	if info, err := os.Stat(dest); err == nil {
		if info.Size() == n {
			if hd, _, err := empreinte(dest); err == nil && hd == hs {
				return n, nil
			}
		}
		ext := filepath.Ext(dest)
		if err := os.Rename(dest, strings.TrimSuffix(dest, ext)+suffixe+ext); err != nil {
			return 0, err
		}
	}
	if err := os.Rename(src, dest); err == nil {
		return n, nil
	}
	return n, copier(src, dest) // another disk
}

func copier(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dest+".xdemat-tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return err
	}
	os.Chtimes(out.Name(), info.ModTime(), info.ModTime())
	return os.Rename(out.Name(), dest)
}

// Propositions returns folders worth backing up found on this PC: the
// user's Documents, and the data folders of the accounting and civil
// registry software mairies use. Those paths are guesses from the
// publishers' usual install folders, not documented facts: only the ones
// that exist are proposed, and the secretary confirms.
func Propositions() []string {
	var out []string
	if home, err := os.UserHomeDir(); err == nil {
		for _, d := range []string{"Documents", "Mes documents"} {
			if p := filepath.Join(home, d); estDossier(p) {
				out = append(out, p)
			}
		}
	}
	for _, p := range []string{`C:\JVS`, `C:\BL`, `C:\Segilog`, `C:\Cosoluce`, `C:\Ciril`, `C:\NFI`, `C:\Magnus`} {
		if estDossier(p) {
			out = append(out, p)
		}
	}
	return out
}

func estDossier(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
