//go:build windows

package versions

import "os"

// remplacer puts nouveau in place of dst, keeping dst as precedent. Windows
// refuses to overwrite a running exe but lets it be renamed: the old one is
// moved aside first, then the new one takes its name. Should the second
// rename fail, the old one is put back.
func remplacer(dst, nouveau, precedent string) error {
	os.Remove(precedent)
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, precedent); err != nil {
			return err
		}
	}
	if err := os.Rename(nouveau, dst); err != nil {
		os.Rename(precedent, dst)
		return err
	}
	return nil
}

// retablir puts precedent back at dst; the binary at dst, maybe running,
// is renamed aside first. Without precedent (the release added the file),
// dst is only moved aside.
func retablir(dst, precedent string) error {
	aside := dst + suffixeRetire
	os.Remove(aside)
	if err := os.Rename(dst, aside); err != nil && !os.IsNotExist(err) {
		return err
	}
	if _, err := os.Stat(precedent); os.IsNotExist(err) {
		return nil
	}
	if err := os.Rename(precedent, dst); err != nil {
		os.Rename(aside, dst)
		return err
	}
	return nil
}
