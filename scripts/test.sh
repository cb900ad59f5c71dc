#!/usr/bin/env bash
# npm test: installs what is missing (npm packages; Debian's Chromium when root), then
# runs the unit tests (Node, wasm backend) and the browser tests (headless Chromium,
# WebGPU on SwiftShader).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --chromium
npx tsc --noEmit -p .
npx vitest run "$@"
