package miseajour

import (
	"strconv"
	"strings"

	"xdemat"
)

// Version is a release number MAJEUR.MINEUR.CORRECTIF. Only such numbers
// are published: a development build ("dev", a git hash) has none, and never
// updates itself.
type Version [3]int

// LireVersion reads "1.4.2" (a leading "v" is accepted, as git tags have it).
func LireVersion(s string) (Version, error) {
	var v Version
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) != 3 {
		return v, versionInvalide(s)
	}
	for i, p := range parts {
		// No sign, no leading zero, at most 6 digits: one spelling per number,
		// so that two manifests never disagree on which is newer.
		if p == "" || len(p) > 6 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return v, versionInvalide(s)
		}
		v[i], _ = strconv.Atoi(p)
	}
	return v, nil
}

func versionInvalide(s string) error {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return xdemat.Errorf(xdemat.EINVALID, "Numéro de version %q invalide : une version publiée s'écrit MAJEUR.MINEUR.CORRECTIF, par exemple 1.4.2.", s)
}

// Compare returns -1, 0 or +1 as v is older than, the same as or newer than w.
func (v Version) Compare(w Version) int {
	for i := range v {
		switch {
		case v[i] < w[i]:
			return -1
		case v[i] > w[i]:
			return 1
		}
	}
	return 0
}

func (v Version) String() string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2])
}

// PlusRecente reports whether candidate is a release newer than courante.
// A current version that is not a release number (a development build) is
// never replaced: false.
func PlusRecente(candidate, courante string) bool {
	c, err := LireVersion(candidate)
	if err != nil {
		return false
	}
	v, err := LireVersion(courante)
	if err != nil {
		return false
	}
	return c.Compare(v) > 0
}
