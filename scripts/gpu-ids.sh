#!/bin/bash
# On the GPU machine (carry .gpu, made by scripts/gpu-prepare.sh): the classroom run with atomic and semantic IDs, on
# WebGPU (Dawn; both train with the fused kernels, semantic IDs' beam search scores on the device) and on wasm.
# Usage: bash .gpu/gpu-ids.sh 2>&1 | tee $OUT/gpu-ids.log   (reports land in $OUT/<run>/).
set -u
G=$(cd "$(dirname "$0")" && pwd)
for f in $G/debs/*.deb; do dpkg -x $f /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
mkdir -p /tmp/g && xz -dc $G/node.xz > /tmp/g/node && chmod +x /tmp/g/node && tar -xJf $G/nm.tar.xz -C /tmp/g && cp $G/experiment.mjs /tmp/g/
cd /tmp/g
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
nproc
run() { local t=$1; shift; echo "== $*"; local s=$(date +%s%N); timeout $t ./node experiment.mjs "$@" --quiet 2>&1 | grep -v "^$" | tail -20; echo "rc=${PIPESTATUS[0]} wall_ms=$(( ($(date +%s%N) - s) / 1000000 ))"; }
run 120 --backend webgpu --set idScheme=atomic --out $OUT/atomic-webgpu
run 120 --backend wasm --set idScheme=atomic --out $OUT/atomic-wasm
run 120 --backend wasm --set idScheme=semantic --out $OUT/semantic-wasm
run 200 --backend webgpu --set idScheme=semantic --out $OUT/semantic-webgpu
