#!/usr/bin/env bash
# npm test: installs what is missing (npm packages; Debian's Chromium when root), then
# type-checks and runs the unit tests (Node, wasm backend) and the browser tests
# (headless Chromium, WebGPU on SwiftShader). Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --chromium
# WebGPU in Node (the fused-kernel tests) runs on Dawn; with no GPU, on Chromium's SwiftShader.
# Its files sit beside the Chromium binary: Debian's in /usr/lib/chromium, or CHROMIUM_PATH's folder.
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for dir in ${CHROMIUM_PATH:+"$(dirname "$(readlink -f "$CHROMIUM_PATH")")"} /usr/lib/chromium; do
    if [ -f "$dir/vk_swiftshader_icd.json" ]; then
      export VK_ICD_FILENAMES="$dir/vk_swiftshader_icd.json"
      export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      break
    fi
  done
fi
npx tsc --noEmit -p .
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit "$status"
