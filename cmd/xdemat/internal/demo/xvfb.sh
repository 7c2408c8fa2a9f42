#!/usr/bin/env bash
# Runs bin/xdemat under Xvfb (no screen needed) against a throwaway agent
# filled with N notifications by the demo command, then:
#   xvfb.sh ecran [N]          writes bin/ecran-accueil.png (make screenshot)
#   xvfb.sh mesure [N] [DUREE] prints the app's figures (make bench-app)
# Needs bin/xdemat and bin/xdemat-agent (make build).
set -euo pipefail
mode=${1:?"ecran ou mesure"}
n=${2:-6}
duree=${3:-1m}

dir=$(mktemp -d)
agent=""
fin() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
  rm -rf "$dir"
}
trap fin EXIT

bin/xdemat-agent run -data "$dir/agent" >"$dir/agent.log" 2>&1 &
agent=$!
for _ in $(seq 100); do [ -S "$dir/agent/agent.sock" ] && break; sleep 0.1; done
[ -S "$dir/agent/agent.sock" ] || { echo "l'agent ne démarre pas :"; cat "$dir/agent.log"; exit 1; }
echo "Levée de $n notifications…" >&2
id=$(go run ./cmd/xdemat/internal/demo -data "$dir/agent" -n "$n")

ecran="-screen 0 1100x700x24"
case $mode in
ecran)
  # The app quits by itself (-mesure) after the capture.
  xvfb-run -a -s "$ecran" sh -c "bin/xdemat -data '$dir/agent' -utilisateur '$id' -mesure 10s >/dev/null 2>'$dir/app.log' & sleep 7; import -window root bin/ecran-accueil.png; wait"
  echo "bin/ecran-accueil.png"
  ;;
mesure)
  # Baseline first, same binary and same screen: a window with one label.
  base=$(xvfb-run -a -s "$ecran" bin/xdemat -data "$dir/agent" -mesure-vide -mesure "$duree" 2>>"$dir/app.log")
  app=$(xvfb-run -a -s "$ecran" bin/xdemat -data "$dir/agent" -utilisateur "$id" -mesure "$duree" 2>>"$dir/app.log")
  echo "fenêtre vide (référence) : $base"
  echo "xdemat, $n notifications : $app"
  python3 - "$base" "$app" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("rapport mémoire xdemat / fenêtre vide : %.2f (+%.0f Mo, dont Go %.0f Mo)" % (a["rssMo"] / b["rssMo"], a["rssMo"] - b["rssMo"], a["goMo"]))
print("rapport première image xdemat / fenêtre vide : %.2f" % (a["premiereImageMs"] / max(b["premiereImageMs"], 1)))
PY
  ;;
*)
  echo "mode inconnu : $mode (ecran ou mesure)" >&2
  exit 2
  ;;
esac
