#!/usr/bin/env bash
# Packs what the WebGPU benchmark needs on a GPU machine that has no Node.js and no network:
# this machine's node binary, a flat node_modules installed from the packed workspace packages
# plus the tfjs backends and Dawn (npm `webgpu`, linux-x64 only), and the kernels package's bench scripts.
#
#   bash scripts/gpu-payload.sh [out.tar.xz]     (default: .gpu/payload.tar.xz)
#
# On the GPU machine: tar xJf payload.tar.xz -C /tmp/p && cd /tmp/p && PATH=$PWD/bin:$PATH \
#   node bench/webgpu-check.mjs && node bench/bench.mjs --backends webgpu,wasm --json out.json
# Dawn needs libvulkan.so.1 and the NVIDIA Vulkan ICD there (see BENCHMARKS.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.gpu/payload.tar.xz}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

cd "$root"
pnpm turbo run build --filter=@regstudy/trainer... >/dev/null
mkdir -p "$stage/tarballs"
for p in regularizers architectures tinyimagenet tfjs-training-kernels trainer; do
  (cd "packages/$p" && pnpm pack --pack-destination "$stage/tarballs" >/dev/null)
done

cd "$stage"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error ./tarballs/*.tgz \
  @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-layers@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0 \
  @tensorflow/tfjs-backend-wasm@4.22.0 @tensorflow/tfjs-backend-webgpu@4.22.0 webgpu@0.6.2 >/dev/null
rm -rf tarballs

# Drop what Node on linux-x64 never loads: other platforms' Dawn builds, browser bundles, maps, types.
find node_modules/webgpu/dist -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
find node_modules -name '*.map' -delete
find node_modules -name '*.d.ts' -delete
find node_modules/@tensorflow -name 'miniprogram' -type d -prune -exec rm -rf {} +
find node_modules/@tensorflow -regextype posix-extended -regex '.*/dist/tf-[a-z-]+\.(min|es2017|es2017\.min|fesm|fesm\.min)\.js' -delete

mkdir -p bin bench
cp "$(readlink -f "$(command -v node)")" bin/node
cp "$root"/packages/tfjs-training-kernels/bench/*.mjs "$root"/packages/tfjs-training-kernels/bench/pytorch_bench.py bench/
mkdir -p "$(dirname "$out")"
tar -cf - . | xz -T0 -6 > "$out"
echo "$out: $(du -h "$out" | cut -f1) (node $(bin/node -v), $(du -sh node_modules | cut -f1) node_modules unpacked)"
