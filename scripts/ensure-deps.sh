#!/usr/bin/env bash
# Installs what a fresh machine lacks: the npm packages (from package-lock.json) and,
# when asked with --chromium, Debian's Chromium for the browser tests (unless CHROMIUM_PATH
# names a Chromium already there). First of all, it checks Node's version.
set -euo pipefail
cd "$(dirname "$0")/.."
# vite and its plugins need Node ^20.19 or >=22.12 (package.json "engines", .nvmrc).
if ! node -e '
const [a, b] = process.versions.node.split(".").map(Number);
process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1);' 2>/dev/null; then
  echo "Bridge Lab needs Node 20.19 or later in 20.x, or 22.12 or later (this is $(node -v 2>/dev/null || echo 'no Node')). With nvm: nvm install (reads .nvmrc)." >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ "${1:-}" = "--chromium" ] && [ ! -x "$CHROMIUM" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file. Point it at Chromium, or unset it to use Debian's /usr/bin/chromium." >&2
    exit 1
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium from Debian (apt-get install -y chromium)…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  else
    echo "The browser tests need Chromium: install it as root (apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium you have." >&2
    exit 1
  fi
fi
