#!/usr/bin/env bash
# `make run`: the whole suite on this machine, as a technician would set it up
# at a mairie — central (SQLite, self-signed TLS), the demo commune, a one-time
# enrollment code, the enrolled agent — then says how to reach each part.
# Data survives between runs (under the user's state dir); Ctrl-C stops all.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/bin"
state="${XDG_STATE_HOME:-$HOME/.local/state}/xdemat-demo"
cdata="$state/central"
adata="$state/agent"
port="${XDEMAT_DEMO_PORT:-8443}"
admin_port="${XDEMAT_DEMO_ADMIN_PORT:-8444}"
public_port="${XDEMAT_DEMO_PUBLIC_PORT:-8445}"
url="https://127.0.0.1:$port"
siren=215100009
mkdir -p "$cdata" "$adata"

central() { "$bin/xdemat-central" -data "$cdata" "$@"; }
pids=()
stop() {
  trap - EXIT INT TERM
  echo
  echo "Arrêt de la démonstration…"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

echo "▶ Serveur central (données : $cdata)"
central -addr "127.0.0.1:$port" -admin-addr "127.0.0.1:$admin_port" -public-addr "127.0.0.1:$public_port" -url "$url" serve \
  >"$state/central.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "Le serveur central n'a pas démarré :"; cat "$state/central.log"; exit 1
  fi
  sleep 0.1
done

commune=$(central commune list | awk -v s="$siren" '$0 ~ s {print $1; exit}')
if [ -z "$commune" ]; then
  commune=$(central commune create -siren "$siren" -nom "Commune de Démonstration" \
    -departement 51 -population 180 2>/dev/null | head -n 1)
  echo "▶ Commune de Démonstration (Marne, 180 habitants) créée : $commune"
else
  echo "▶ Commune de Démonstration déjà présente : $commune"
fi

if [ ! -s "$adata/poste.key" ]; then
  issued=$(central code issue -commune "$commune")
  code=$(echo "$issued" | head -n 1)
  fingerprint=$(echo "$issued" | grep -o -- '--empreinte [0-9a-f]*' | awk '{print $2}')
  echo "▶ Code d'enrôlement à usage unique : $code"
  "$bin/xdemat-agent" enroll -data "$adata" -central "$url" -code "$code" -empreinte "$fingerprint" -nom "PC-DEMO"
fi

# Demo people and notifications, once: after the enrollment, so that the
# agent receives them as events like any later change.
if ! central utilisateur list -commune "$siren" | grep -q "Lefèvre"; then
  central utilisateur create -commune "$siren" -nom "Lefèvre" -prenom "Anne" \
    -email "secretariat@commune-demo.example" -role secretaire >/dev/null 2>&1
  central utilisateur create -commune "$siren" -nom "Bertin" -prenom "Jacques" \
    -telephone "06 12 34 56 78" -role maire >/dev/null 2>&1
  central notification send -commune "$siren" -type spl.message -titre "Bienvenue dans xdemat" \
    -texte "Votre poste est relié à la SPL. Les messages de la SPL et ce que vous avez à faire s'affichent ici." >/dev/null 2>&1
  central notification send -commune "$siren" -type spl.message \
    -titre "Réunion des secrétaires de mairie à la SPL" -texte "Ordre du jour : la dématérialisation des actes." \
    -echeance "$(date -d '+7 days' +%F 2>/dev/null || date +%F)" >/dev/null 2>&1
  central notification send -commune "$siren" -type spl.alerte \
    -titre "Hameçonnage en cours : ne cliquez pas sur « mise à jour de votre messagerie »" \
    -texte "Des courriels imitant votre messagerie circulent. Ne saisissez jamais votre mot de passe depuis un lien reçu par courriel." >/dev/null 2>&1
  echo "▶ Deux utilisateurs de démonstration (la secrétaire, le maire) et trois notifications créés"
fi

echo "▶ Agent du poste (données : $adata)"
"$bin/xdemat-agent" run -data "$adata" >"$state/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  "$bin/xdemat-agent" status -data "$adata" >/dev/null 2>&1 && break
  sleep 0.1
done
sleep 1
"$bin/xdemat-agent" status -data "$adata" || true

# The demo actes, once: délibérations of the last séance, one acknowledged
# by the simulated préfecture and published, one on its way, others to send.
if [ -x "$bin/xdemat-demo" ]; then
  "$bin/xdemat-demo" -data "$adata" -actes || echo "(actes de démonstration non créés : voir $state/agent.log et $state/central.log)"
fi

# The maire's signature key for the demonstration: a SoftHSM2 token (PIN
# 1234) holding a key and a self-signed certificate of Jacques Bertin, with
# the key usages and the (test) RGS** policy of a real one. Made once.
module=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
  [ -e "$m" ] && module="$m" && break
done
if [ -n "$module" ] && command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null; then
  export SOFTHSM2_CONF="$state/softhsm2.conf"
  if [ ! -d "$state/jeton" ]; then
    mkdir -p "$state/jeton"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$state/jeton" >"$SOFTHSM2_CONF"
    tmp=$(mktemp -d)
    softhsm2-util --init-token --free --label "Cle du maire" --so-pin 87654321 --pin 1234 >/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 730 -keyout "$tmp/cle.pem" -out "$tmp/cert.pem" \
      -subj "/C=FR/O=Commune de Démonstration/CN=Jacques Bertin" -utf8 \
      -addext "keyUsage=critical,digitalSignature,nonRepudiation" \
      -addext "certificatePolicies=1.2.250.1.223.1.2.2.1" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$tmp/cle.pem" -out "$tmp/cle.p8"
    softhsm2-util --import "$tmp/cle.p8" --token "Cle du maire" --label signature --id 01 --pin 1234 >/dev/null
    openssl x509 -in "$tmp/cert.pem" -outform der -out "$tmp/cert.der"
    pkcs11-tool --module "$module" --token-label "Cle du maire" --login --pin 1234 \
      --write-object "$tmp/cert.der" --type cert --id 01 --label signature >/dev/null 2>&1
    rm -rf "$tmp"
    echo "▶ Clé de signature de démonstration du maire (SoftHSM2) créée : PIN 1234"
  fi
  export XDEMAT_PKCS11="$module"
fi

if [ -x "$bin/xdemat" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "▶ Application de bureau (clé du maire : SoftHSM2, PIN 1234)"
  XDEMAT_DATA="$adata" "$bin/xdemat" &
  pids+=($!)
else
  echo "(Pas d'application de bureau lancée : aucun écran ici. Sur un poste avec écran : XDEMAT_DATA=$adata XDEMAT_PKCS11=${XDEMAT_PKCS11:-} SOFTHSM2_CONF=${SOFTHSM2_CONF:-} $bin/xdemat)"
fi

cat <<INFO

La démonstration tourne. Pour la joindre :
  Console d'administration : http://127.0.0.1:$admin_port/
      utilisateur « admin », mot de passe : $(cat "$cdata/admin.secret")
  Pages publiques (actes)  : http://127.0.0.1:$public_port/communes/$siren/
  API de synchronisation   : $url  (certificat autosigné, épinglé par l'agent)
  État de l'agent          : $bin/xdemat-agent status -data $adata
  Commandes de la SPL      : $bin/xdemat-central -data $cdata poste list
  Courriels envoyés        : $cdata/courriels (fichiers .eml ; SMS simulés)
  Journaux                 : $state/central.log, $state/agent.log
Ctrl-C pour tout arrêter.
INFO
wait
