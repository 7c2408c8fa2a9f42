#!/usr/bin/env bash
# Builds the signed Windows installer of a mairie PC with wixl (msitools):
# the app, the agent as an automatic service, restic.exe, a Start-menu
# shortcut and the xdemat:// protocol (installer/windows/xdemat.wxs).
#
#   installer/msi.sh [-o DOSSIER]       (from the repo root; `make package` calls it)
#
# Environment: VERSION (git describe, as in the Makefile), WINBIN (folder of
# xdemat.exe, xdemat-agent.exe and restic.exe: bin/windows/), and the signing
# settings of installer/authenticode.sh. Prints the path of the package.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. installer/version.sh
. installer/authenticode.sh

out=bin/packages
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    *) echo "Usage : installer/msi.sh [-o DOSSIER]" >&2; exit 2 ;;
  esac
done

command -v wixl >/dev/null || { echo "wixl est introuvable : lancez « make deps » (paquets wixl et msitools)." >&2; exit 1; }
winbin="${WINBIN:-bin/windows}"
for f in xdemat.exe xdemat-agent.exe restic.exe; do
  [ -s "$winbin/$f" ] || { echo "$winbin/$f est absent : lancez « make package », qui le construit." >&2; exit 1; }
done
mkdir -p "$out"
authenticode_init "$out"

version="$(version_msi "${VERSION:-dev}")"
suivante="$(version_msi_suivante "${VERSION:-dev}")"
msi="$out/xdemat-${version}-x64.msi"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for f in xdemat.exe xdemat-agent.exe restic.exe; do
  authenticode_sign "$winbin/$f" "$stage/$f"
done
go run ./installer/icone -o "$stage/xdemat.ico" assets/icons/xdemat.svg

# wixl only finds files by paths relative to where it runs.
(cd "$stage" && wixl -a x64 -D Version="$version" -D VersionSuivante="$suivante" \
  -D Bin=. -D Icone=xdemat.ico -o xdemat.msi "$root/installer/windows/xdemat.wxs")
authenticode_sign "$stage/xdemat.msi" "$msi"
echo "$msi"
