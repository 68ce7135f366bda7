#!/usr/bin/env bash
# One command for a lent GPU machine (see BENCHMARKS.md): builds core + polar-cli
# against the LibTorch inside that machine's python3 torch, with sentencepiece and
# nlohmann-json from unpacked Debian packages in .gpu-deps/ (scripts/fetch-gpu-deps.sh),
# then runs the CUDA parity checks and the benchmark. Results go to $OUT (or ./gpu-results).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$root/gpu-results}
mkdir -p "$out"
deps=$root/.gpu-deps/root
log() { echo "== $*" | tee -a "$out/summary.txt"; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$out/summary.txt"

log "configure + build (no Qt)"
cmake -S "$root" -B "$root/build-gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOLAR_BUILD_GUI=OFF \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" -DSENTENCEPIECE_ROOT="$deps" >"$out/build.log" 2>&1 &&
    cmake --build "$root/build-gpu" >>"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
export LD_LIBRARY_PATH=$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
cli=$root/build-gpu/bin/polar-cli
data=$root/tests/data/golden

log "CUDA parity, fp32 (atol 1e-4)"
$cli parity --model "$root/resources/models/tiny-polar" --device cuda --dtype fp32 --golden "$data/tiny-polar.jsonl" \
    --batch "$data/tiny-polar-batch.json" 2>&1 | tee "$out/parity-fp32.txt" | tail -1
$cli parity --model "$root/tests/data/tiny-polar-sharded" --device cuda --dtype fp32 \
    --golden "$data/tiny-polar-sharded.jsonl" 2>&1 | tee "$out/parity-sharded-fp32.txt" | tail -1
log "CUDA parity, bf16 against the official bf16 forward (atol 0.15)"
$cli parity --model "$root/tests/data/tiny-polar-sharded" --device cuda --dtype bf16 \
    --golden "$data/tiny-polar-sharded.jsonl" --field reward_bfloat16 --atol 0.15 2>&1 | tee "$out/parity-bf16.txt" | tail -1
log "ctest (the Qt-less suite: CLI parity on CPU)"
(cd "$root/build-gpu" && ctest 2>&1 | tail -3) | tee -a "$out/summary.txt"

log "benchmark: POLAR-1.8B shape, bf16"
# Sized to the 15-minute lease: the fp32 variant of the dataset mix dominates.
timeout 240 $cli bench --shape 1.8b --device cuda --dtype bf16 --prefix 500 --candidate-tokens 200 --records 300 \
    --python-records 100 --python python3 --json "$out/bench-1.8b.json" 2>"$out/bench-1.8b.err" | tee "$out/bench-1.8b.txt"
log "benchmark: POLAR-7B shape, bf16"
timeout 150 $cli bench --shape 7b --device cuda --dtype bf16 --prefix 500 --candidate-tokens 200 --records 100 \
    --python-records 20 --no-fp32-variant --python python3 --json "$out/bench-7b.json" 2>"$out/bench-7b.err" | tee "$out/bench-7b.txt"
log "attribution on CUDA (tiny model): IG completeness"
timeout 60 $cli attribute --model "$root/resources/models/tiny-polar" --device cuda --dtype fp32 --method ig --steps 64 \
    "$root/datasets/strawberry.jsonl" -o "$out/attribute-ig.jsonl" 2>&1 | tail -2
echo done | tee -a "$out/summary.txt"
