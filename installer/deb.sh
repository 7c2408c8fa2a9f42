#!/usr/bin/env bash
# Builds the .deb of a mairie PC under Linux with dpkg-deb: the app, the agent
# and its systemd unit, restic, the desktop entry with the xdemat:// scheme,
# and the agent's configuration (a conffile, kept on upgrade).
#
#   installer/deb.sh [-o DOSSIER]       (from the repo root; `make package` calls it)
#
# Environment: VERSION (git describe, as in the Makefile) or DEB_VERSION (the
# Debian version itself), BIN (folder of xdemat and xdemat-agent, bin/),
# RESTIC (the restic 0.18 binary, found on the PATH by default),
# DEB_COMPRESSION (dpkg-deb -Z: gzip by default; xz saves 17 % for 6 times the CPU).
# Prints the path of the package.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. installer/version.sh

out=bin/packages
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    *) echo "Usage : installer/deb.sh [-o DOSSIER]" >&2; exit 2 ;;
  esac
done

command -v dpkg-deb >/dev/null || { echo "dpkg-deb est introuvable : le paquet .deb se construit sur Debian ou Ubuntu." >&2; exit 1; }
bin="${BIN:-bin}"
for f in "$bin/xdemat" "$bin/xdemat-agent"; do
  [ -x "$f" ] || { echo "$f est absent : lancez d'abord « make build »." >&2; exit 1; }
done
restic="${RESTIC:-$(command -v restic || true)}"
if [ -z "$restic" ] || ! "$restic" version 2>/dev/null | grep -Eq 'restic 0\.(1[89]|[2-9][0-9])\.'; then
  echo "restic 0.18 est introuvable (RESTIC=${restic:-vide}) : lancez « make deps »." >&2
  exit 1
fi

version="${DEB_VERSION:-$(version_deb "${VERSION:-dev}")}"
arch="$(dpkg --print-architecture)"
mkdir -p "$out"
deb="$out/xdemat_${version}_${arch}.deb"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
d="$stage/xdemat"
install -D -m 0755 "$bin/xdemat" "$d/usr/bin/xdemat"
install -D -m 0755 "$bin/xdemat-agent" "$d/usr/lib/xdemat/xdemat-agent"
# Next to the agent, where it looks first (agent/restic.Trouver).
install -D -m 0755 "$restic" "$d/usr/lib/xdemat/restic"
# go install keeps the symbols: 62 MB instead of 30 (the same as -ldflags '-s -w').
if command -v strip >/dev/null; then strip "$d/usr/lib/xdemat/restic"; fi
install -D -m 0644 installer/linux/xdemat-agent.service "$d/usr/lib/systemd/system/xdemat-agent.service"
install -D -m 0644 installer/linux/xdemat.desktop "$d/usr/share/applications/xdemat.desktop"
install -D -m 0644 assets/icons/xdemat.svg "$d/usr/share/icons/hicolor/scalable/apps/xdemat.svg"
install -D -m 0640 installer/linux/agent.conf "$d/etc/xdemat/agent.conf"
install -D -m 0644 README.md "$d/usr/share/doc/xdemat/README.md"

install -d -m 0755 "$d/DEBIAN"
for s in postinst prerm postrm; do
  install -m 0755 "installer/linux/$s" "$d/DEBIAN/$s"
done
echo /etc/xdemat/agent.conf > "$d/DEBIAN/conffiles"
(cd "$d" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$d/DEBIAN/md5sums"
# The app links libGL and libX11; GLFW opens the other X libraries at run time.
cat > "$d/DEBIAN/control" <<CONTROL
Package: xdemat
Version: $version
Architecture: $arch
Maintainer: SPL xdemat <assistance@spl-xdemat.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$d" | cut -f1)
Depends: libc6, libgl1, libx11-6, libx11-xcb1, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1, passwd
Suggests: opensc-pkcs11
Section: misc
Priority: optional
Homepage: https://www.spl-xdemat.example/
Description: xdemat, la dématérialisation de la mairie
 L'application de bureau xdemat (actes, parapheur, envois à l'État,
 notifications) et l'agent du poste, service systemd qui synchronise la
 mairie avec le serveur de la SPL et sauvegarde chaque nuit ses dossiers
 avec restic.
CONTROL

dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-gzip}" --build "$d" "$deb" >/dev/null
echo "$deb"
