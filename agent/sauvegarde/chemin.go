package sauvegarde

import (
	"path/filepath"
	"runtime"
	"strings"
)

// restic names files of a snapshot with forward slashes from the root, and
// Windows drives as a first folder: C:\Users\x is /C/Users/x. The local API
// speaks the PC's own paths; these convert at the edge.

// versSysteme turns a snapshot path into this PC's path.
func versSysteme(p string) string {
	if runtime.GOOS == "windows" {
		rel := strings.TrimPrefix(p, "/")
		lecteur, reste, _ := strings.Cut(rel, "/")
		return lecteur + `:\` + filepath.FromSlash(reste)
	}
	return filepath.FromSlash(p)
}

// versInstantane turns this PC's absolute path into a snapshot path.
func versInstantane(p string) string {
	if runtime.GOOS == "windows" {
		if v := filepath.VolumeName(p); len(v) == 2 && v[1] == ':' {
			return "/" + v[:1] + filepath.ToSlash(p[2:])
		}
	}
	return filepath.ToSlash(p)
}

// relatif is a snapshot path without its leading slash: where restic
// restore puts it below --target.
func relatif(p string) string { return strings.TrimPrefix(p, "/") }
