#!/bin/bash
# On the GPU machine (carry .gpu, made by scripts/gpu-prepare.sh): the training step at the
# reference and classroom shapes, fused WebGPU kernels and plain tfjs ops (Dawn in Node),
# beside PyTorch CUDA on the same GPU. Usage: bash .gpu/gpu-bench.sh 2>&1 | tee $OUT/gpu.log
set -u
G=$(cd "$(dirname "$0")" && pwd)
for f in $G/debs/*.deb; do dpkg -x $f /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
mkdir -p /tmp/g && xz -dc $G/node.xz > /tmp/g/node && chmod +x /tmp/g/node && tar -xJf $G/nm.tar.xz -C /tmp/g && cp $G/bench.mjs $G/torch_reference.py /tmp/g/
cd /tmp/g
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
REF="--items 2000 --words 1000 --seq 8 --batch 256 --dim 64 --layers 1 --heads 1"
CLS="--items 300 --words 660 --seq 5 --batch 128 --dim 32 --layers 1 --heads 2"
run() { echo "== $*"; timeout 200 "$@" 2>&1 | grep -v "^ - \|^$" | tail -4; }
for shape in REF CLS; do
  for rep in 1 2; do
    run ./node bench.mjs ${!shape} --steps 300 --warmup 30 --backend webgpu --json --no-torch
    T=${!shape}; run python3 torch_reference.py ${T% --layers*} --device cuda --steps 300 --warmup 30
  done
  BRIDGE_FUSED=0 run ./node bench.mjs ${!shape} --steps 30 --warmup 5 --backend webgpu --json --no-torch
  run ./node bench.mjs ${!shape} --steps 300 --warmup 30 --backend webgpu --json --no-torch --id-scheme semantic
done
