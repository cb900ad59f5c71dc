#!/usr/bin/env bash
# Installs what a fresh machine lacks: the npm packages (from package-lock.json) and,
# when asked with --chromium, Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ "${1:-}" = "--chromium" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium from Debian (apt-get install -y chromium)…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    echo "The browser tests need Chromium at /usr/bin/chromium. Install it as root: apt-get install -y chromium" >&2
    exit 1
  fi
fi
