//go:build !windows

package versions

import "os"

// remplacer puts nouveau in place of dst, keeping dst as precedent. The
// previous binary is hard-linked first, so that dst is replaced by a single
// atomic rename: at no moment is there no binary at dst.
func remplacer(dst, nouveau, precedent string) error {
	os.Remove(precedent)
	if _, err := os.Stat(dst); err == nil {
		if err := os.Link(dst, precedent); err != nil {
			if _, _, err := copierFichier(dst, precedent, 0o755); err != nil {
				return err
			}
		}
	}
	return os.Rename(nouveau, dst)
}

// retablir puts precedent back at dst (one atomic rename); without
// precedent (the release added the file), dst is removed.
func retablir(dst, precedent string) error {
	if _, err := os.Stat(precedent); os.IsNotExist(err) {
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	return os.Rename(precedent, dst)
}
