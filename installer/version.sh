# shellcheck shell=bash
# Package versions from the VERSION of the Makefile (`git describe --always
# --dirty`). Sourced by deb.sh and msi.sh.
#
#   v1.4.2                  → deb 1.4.2               msi 1.4.2
#   v1.4.2-3-gabc1234-dirty → deb 1.4.2+3.gabc1234.dirty  msi 1.4.2
#   abc1234 (no tag yet)    → deb 0.0.0+N.gabc1234    msi 0.0.N   (N = commits on HEAD)
#
# Both grow with every commit, so each build upgrades the one before. The MSI
# keeps only major.minor.build (Windows Installer compares no more); between
# two tags it stays that of the tag, and the package's inclusive upgrade
# range replaces an installed build of the same version.

# version_parts sets maj, min, pat, since, hash, dirty from a describe string.
version_parts() {
  local d="$1"
  dirty=""; hash=""; since=0
  if [[ "$d" == *-dirty ]]; then dirty=1; d="${d%-dirty}"; fi
  if [[ "$d" =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9]+)-g([0-9a-f]+))?$ ]]; then
    maj="${BASH_REMATCH[1]}"; min="${BASH_REMATCH[2]}"; pat="${BASH_REMATCH[3]}"
    since="${BASH_REMATCH[5]:-0}"; hash="${BASH_REMATCH[6]}"
    return
  fi
  maj=0; min=0; pat=0
  if [[ "$d" =~ ^[0-9a-f]{4,40}$ ]]; then
    hash="$d"
    since="$(git rev-list --count HEAD 2>/dev/null || echo 0)"
  fi
}

# version_deb prints the Debian version of a describe string.
version_deb() {
  version_parts "$1"
  local v="$maj.$min.$pat"
  if [ "$since" -gt 0 ] || [ -n "$hash" ]; then v="$v+$since${hash:+.g$hash}"; fi
  if [ -n "$dirty" ]; then
    if [ -n "$hash" ]; then v="$v.dirty"; else v="$v+dirty"; fi
  fi
  echo "$v"
}

# version_msi prints the ProductVersion (major.minor.build) of a describe string.
version_msi() {
  version_parts "$1"
  if [ "$maj.$min.$pat" = 0.0.0 ]; then echo "0.0.$since"; else echo "$maj.$min.$pat"; fi
}

# version_msi_suivante prints the smallest ProductVersion above version_msi.
version_msi_suivante() {
  local v; v="$(version_msi "$1")"
  echo "${v%.*}.$(( ${v##*.} + 1 ))"
}
