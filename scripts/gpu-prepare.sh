#!/usr/bin/env bash
# Prepares .gpu/ (ignored by git) for the GPU machine, for a GPU machine without Node or a network: the
# Vulkan loader packages, Node itself, the bench bundled into one file, the tfjs and Dawn
# packages it needs (linux-x64 only, no source maps), and the PyTorch reference. Then run,
# on the device:  bash .gpu/gpu-bench.sh   (carrying .gpu); the runner is bundled too, for
# bash .gpu/gpu-ids.sh (the classroom run with atomic and semantic IDs, WebGPU and wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
mkdir -p .gpu/debs /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update -qq >/dev/null
(cd .gpu/debs && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
xz -T2 -c "$(command -v node)" > .gpu/node.xz
node_modules/.bin/esbuild src/cli/bench.ts --bundle --platform=node --format=esm --outfile=.gpu/bench.mjs --external:@tensorflow/* --external:webgpu --log-level=warning
node_modules/.bin/esbuild src/cli/experiment.ts --bundle --platform=node --format=esm --outfile=.gpu/experiment.mjs --external:@tensorflow/* --external:webgpu --log-level=warning
cp scripts/torch_reference.py scripts/gpu-bench.sh scripts/gpu-ids.sh .gpu/
nm=$(mktemp -d)/node_modules
mkdir -p "$nm/webgpu/dist"
for p in @tensorflow long seedrandom node-fetch whatwg-url tr46 webidl-conversions string_decoder safe-buffer; do
  [ -e "node_modules/$p" ] && cp -r "node_modules/$p" "$nm/"
done
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$nm/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$nm/webgpu/dist/"
find "$nm" -name '*.map' -delete
find "$nm" -type d -name miniprogram -prune -exec rm -rf {} +
for p in "$nm"/@tensorflow/*; do (cd "$p/dist" && find . -mindepth 1 \( -type f ! -name '*.node.js' ! -name '*.wasm' -o -type d \) -prune -exec rm -rf {} +); done
tar -C "$(dirname "$nm")" -cf - node_modules | xz -T2 -6 > .gpu/nm.tar.xz
du -sh .gpu
