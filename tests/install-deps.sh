#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: real SMTP servers (python3-aiosmtpd, Postfix's
# smtp-sink), swaks, openssl, an independent JSON Schema validator and headless Chromium for screenshots.
# Idempotent: installs only what is missing.
set -euo pipefail

need=()
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || need+=(python3-jsonschema)
[ -x /usr/sbin/smtp-sink ] || need+=(postfix)
command -v swaks >/dev/null || need+=(swaks)
command -v openssl >/dev/null || need+=(openssl)
command -v chromium >/dev/null || need+=(chromium fonts-noto-color-emoji)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks how to configure itself; the tests only use its smtp-sink and smtp-source tools.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-deps: ok"
