#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: real SMTP servers (python3-aiosmtpd, Postfix's
# smtp-sink), swaks, openssl, an independent JSON Schema validator, headless Chromium for screenshots, and
# Azurite (the Azure Storage emulator: tables and blobs) from npm.
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
# Azurite plays the app's storage account (Table storage for batches and handled message ids, blobs for
# rejected bodies). Pinned: the tests start `azurite-table` / `azurite-blob` themselves on free ports.
if ! command -v azurite-table >/dev/null || ! command -v azurite-blob >/dev/null; then
  echo "install-deps: installing azurite 3.37.0 (npm)"
  npm install -g --no-fund --no-audit --loglevel=error azurite@3.37.0 >/dev/null
fi
echo "install-deps: ok"
