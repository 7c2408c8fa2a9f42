#!/usr/bin/env bash
# Installs what `make test`, `make bench` and `make run` need on a fresh
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
