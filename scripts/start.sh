#!/usr/bin/env bash
# npm start: installs what is missing, builds the app and serves it on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx vite build --logLevel warn
PORT="${PORT:-5173}"
echo "Bridge Lab is served at http://127.0.0.1:${PORT}/ (Ctrl-C stops it)"
exec npx vite preview --port "$PORT" --strictPort --host 127.0.0.1
