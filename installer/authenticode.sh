# shellcheck shell=bash
# Authenticode signing of the Windows files with osslsigncode. Sourced by msi.sh.
#
# At release time the real code-signing certificate is given through:
#   XDEMAT_SIGN_CERT      certificate chain (PEM or DER) of the publisher
#   XDEMAT_SIGN_KEY       its private key file …
#   XDEMAT_SIGN_PKCS11_MODULE  … or, for a key on a token (the usual case
#                         since 2023), the PKCS#11 module, with
#   XDEMAT_SIGN_PKCS11_KEY     the key's pkcs11: URI (without the PIN), and
#   XDEMAT_SIGN_PKCS11_ENGINE  the OpenSSL engine (libengine-pkcs11-openssl's
#                         pkcs11.so, found by default)
#   XDEMAT_SIGN_PASSFILE  file holding the key's password or the token's PIN
#                         (read by osslsigncode, never on a command line)
#   XDEMAT_SIGN_TS        RFC 3161 timestamp URL, so that signatures outlive
#                         the certificate
# Without them, a test certificate is made once in $1/certificat-test/ (30 days)
# and used: fine for CI and recette, refused by SmartScreen on real PCs.

# authenticode_init DIR: checks the settings or makes the test certificate.
authenticode_init() {
  command -v osslsigncode >/dev/null || { echo "osslsigncode est introuvable : lancez « make deps »." >&2; return 1; }
  if [ -n "${XDEMAT_SIGN_CERT:-}" ]; then
    [ -r "$XDEMAT_SIGN_CERT" ] || { echo "XDEMAT_SIGN_CERT=$XDEMAT_SIGN_CERT est illisible." >&2; return 1; }
    if [ -z "${XDEMAT_SIGN_KEY:-}" ] && [ -z "${XDEMAT_SIGN_PKCS11_MODULE:-}" ]; then
      echo "Indiquez la clé du certificat : XDEMAT_SIGN_KEY (fichier) ou XDEMAT_SIGN_PKCS11_MODULE et XDEMAT_SIGN_PKCS11_KEY (jeton)." >&2
      return 1
    fi
    return 0
  fi
  local dir="$1/certificat-test"
  XDEMAT_SIGN_CERT="$dir/editeur-test.crt"
  XDEMAT_SIGN_KEY="$dir/editeur-test.key"
  # Made again when missing or expiring within a day.
  if [ -s "$XDEMAT_SIGN_KEY" ] && openssl x509 -in "$XDEMAT_SIGN_CERT" -noout -checkend 86400 >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$dir"
  (umask 077 && openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 30 \
    -subj "/C=FR/O=SPL xdemat (TEST)/CN=xdemat - certificat de test" \
    -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=critical,digitalSignature" \
    -keyout "$XDEMAT_SIGN_KEY" -out "$XDEMAT_SIGN_CERT" 2>/dev/null)
}

# authenticode_sign IN OUT: signs IN (exe or msi) into OUT.
authenticode_sign() {
  local args=(sign -h sha256 -n "xdemat" -i "https://www.spl-xdemat.example/")
  if [ -n "${XDEMAT_SIGN_PKCS11_MODULE:-}" ]; then
    local engine="${XDEMAT_SIGN_PKCS11_ENGINE:-$(ls /usr/lib/*/engines-3/pkcs11.so 2>/dev/null | head -n 1)}"
    args+=(-pkcs11engine "$engine" -pkcs11module "$XDEMAT_SIGN_PKCS11_MODULE" -certs "$XDEMAT_SIGN_CERT" -key "$XDEMAT_SIGN_PKCS11_KEY")
  else
    args+=(-certs "$XDEMAT_SIGN_CERT" -key "$XDEMAT_SIGN_KEY")
  fi
  [ -z "${XDEMAT_SIGN_PASSFILE:-}" ] || args+=(-readpass "$XDEMAT_SIGN_PASSFILE")
  [ -z "${XDEMAT_SIGN_TS:-}" ] || args+=(-ts "$XDEMAT_SIGN_TS")
  rm -f "$2"
  if ! osslsigncode "${args[@]}" -in "$1" -out "$2" >/dev/null; then
    echo "La signature de $(basename "$1") a échoué (osslsigncode ci-dessus)." >&2
    return 1
  fi
}
