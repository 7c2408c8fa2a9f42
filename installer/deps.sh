#!/usr/bin/env bash
# Installs what `make test`, `make bench`, `make run` and the desktop app need on a fresh
# Debian/Ubuntu machine with Go: system packages through apt (only those
# missing), Go tools through the module proxy. Safe to run again.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

have gcc || missing+=(gcc libc6-dev)          # go test -race needs cgo
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
have openssl || missing+=(openssl)
have curl || missing+=(curl)

# The desktop app (Fyne) builds with cgo against the X11 and GL headers; a
# missing header only shows after minutes of compiling, so check them all.
hdr() { [ -e "/usr/include/$1" ] || missing+=("$2"); }
have pkg-config || missing+=(pkg-config)
hdr GL/gl.h libgl1-mesa-dev
hdr X11/Xlib.h libx11-dev
hdr X11/Xcursor/Xcursor.h libxcursor-dev
hdr X11/extensions/Xrandr.h libxrandr-dev
hdr X11/extensions/Xinerama.h libxinerama-dev
hdr X11/extensions/XInput2.h libxi-dev
hdr X11/extensions/xf86vmode.h libxxf86vm-dev
# A real window without a screen (make screenshot, make bench-app).
have xvfb-run || missing+=(xvfb)
have xauth || missing+=(xauth)
[ -n "$(ls /usr/lib/*/dri/swrast_dri.so /usr/lib/*/dri/*_dri.so 2>/dev/null | head -n 1)" ] || missing+=(libgl1-mesa-dri)
[ -x /usr/bin/import ] || missing+=(imagemagick)
# Signing: SoftHSM2 is the token of the tests, pkcs11-tool (opensc) inspects
# it; xmlsec1, xmllint, pdfsig and openssl cms verify what we sign.
[ -e /usr/lib/softhsm/libsofthsm2.so ] && have softhsm2-util || missing+=(softhsm2)
have pkcs11-tool || missing+=(opensc)
have xmlsec1 || missing+=(xmlsec1)
have xmllint || missing+=(libxml2-utils)
have pdfsig || missing+=(poppler-utils)
have certutil || missing+=(libnss3-tools)
# Packages (make package, make package-test): the MSI with wixl and inspected
# with msiinfo, the Windows app with mingw, Authenticode with osslsigncode.
have wixl || missing+=(wixl)
have msiinfo || missing+=(msitools)
have x86_64-w64-mingw32-gcc || missing+=(gcc-mingw-w64-x86-64)
have osslsigncode || missing+=(osslsigncode)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installation des paquets manquants : ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # policy-rc.d keeps apt from starting a PostgreSQL server of its own:
  # tests start throwaway clusters on free ports.
  if [ -z "$sudo" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if [ ! -x "$gobin/staticcheck" ]; then
  echo "Installation de staticcheck"
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi

# restic, which the agent runs for backups and central for retention. Debian's
# 0.14 lacks what we rely on (JSON restore output, exit codes 10-12, summary
# timestamps): install 0.18.1 from the module proxy (about 1.5 min the first time).
restic_ok() { "$1" version 2>/dev/null | grep -Eq 'restic 0\.(1[89]|[2-9][0-9])\.'; }
if ! restic_ok "$gobin/restic" && ! { have restic && restic_ok "$(command -v restic)"; }; then
  echo "Installation de restic 0.18.1"
  GOFLAGS= go install github.com/restic/restic/cmd/restic@v0.18.1
fi
