#!/usr/bin/env bash
# Kernel choices on a GPU, measured against each other in one run: the 1.8B and
# 7B benchmarks (bf16, 32 x 200 on a 500-token prefix and the dataset mix)
# with kernel choices switched off (POLAR_KERNELS: masked-prefix instead of
# prefixes and their rows packed token after token through FlashAttention's
# variable-length kernel; composite-rope and composite-residual instead of the
# RoPE in four half-head kernels and the output projections added into the
# residual stream by the matrix product), with fp32/bf16 parity and the CPU
# comparisons under the defaults and with the masked prefix kernel; with the
# defaults, a kernel profile of the dataset mix (bench --profile: time by
# kernel, and how much of the wall time the GPU ran anything at all).
# Carries the same binaries as scripts/gpu-check.sh.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$root/gpu-results}
mkdir -p "$out"
python=${PYTHON:-python3}
device=${DEVICE:-cuda}
torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)
export LD_LIBRARY_PATH=$torch_lib:$root/.gpu-deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
cli=${POLAR_CLI:-$root/build-torch2/bin/polar-cli}
if ldd "$cli" 2>/dev/null | grep -q "not found"; then
    fb=$root/.gpu-deps/fallback
    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$fb/usr/lib/x86_64-linux-gnu:$fb/lib/x86_64-linux-gnu
fi
data=$root/tests/data
sizes=(--prefix 500 --candidate-tokens 200 --records 300)
[[ $device == cpu ]] && sizes=(--prefix 100 --candidate-tokens 50 --records 4 --repeats 1)
work=$(mktemp -d)

checks() {
    local k=$1
    echo "== checks, POLAR_KERNELS=$k"
    POLAR_KERNELS=$k "$cli" parity --model "$data/tiny-polar" --device "$device" --dtype fp32 \
        --golden "$data/golden/tiny-polar.jsonl" --batch "$data/golden/tiny-polar-batch.json" 2>&1 | tail -1
    POLAR_KERNELS=$k "$cli" parity --model "$data/tiny-polar-sharded" --device "$device" --dtype bf16 \
        --golden "$data/golden/tiny-polar-sharded.jsonl" --field reward_bfloat16 --atol 0.1875 >"$work/bf16.log" 2>&1
    echo "bf16 vs official bf16: $(tail -1 "$work/bf16.log"), largest |diff| $(grep -oE '\|diff\| [0-9.e+-]+' "$work/bf16.log" | awk '{print $2}' | sort -g | tail -1)"
    POLAR_KERNELS=$k "$cli" parity --model "$data/tiny-polar-sharded" --device "$device" --dtype bf16 \
        --golden "$data/golden/tiny-polar-sharded.jsonl" --field reward --atol 0.125 >"$work/bf16-fp32.log" 2>&1
    echo "bf16 vs fp32: $(tail -1 "$work/bf16-fp32.log"), largest |diff| $(grep -oE '\|diff\| [0-9.e+-]+' "$work/bf16-fp32.log" | awk '{print $2}' | sort -g | tail -1)"
    for input in strawberry examples; do
        "$cli" score --model "$data/tiny-polar" --device cpu --dtype fp32 "$root/datasets/$input.jsonl" -o "$work/$input-cpu.jsonl" 2>/dev/null
        POLAR_KERNELS=$k "$cli" score --model "$data/tiny-polar" --device "$device" --dtype fp32 "$root/datasets/$input.jsonl" -o "$work/$input-dev.jsonl" 2>/dev/null
        "$python" "$root/scripts/compare_jsonl.py" "$work/$input-dev.jsonl" "$work/$input-cpu.jsonl" --atol 1e-4 --label "$input fp32 $device vs cpu" 2>&1 | tail -1
    done
    "$cli" attribute --model "$data/tiny-polar" --device cpu --dtype fp32 --method ig --steps 32 "$root/datasets/strawberry.jsonl" -o "$work/ig-cpu.jsonl" 2>/dev/null
    POLAR_KERNELS=$k "$cli" attribute --model "$data/tiny-polar" --device "$device" --dtype fp32 --method ig --steps 32 "$root/datasets/strawberry.jsonl" -o "$work/ig-dev.jsonl" 2>/dev/null
    "$python" "$root/scripts/compare_jsonl.py" "$work/ig-dev.jsonl" "$work/ig-cpu.jsonl" --atol 1e-3 --ignore seconds --label "integrated gradients $device vs cpu" 2>&1 | tail -1
}

# bench SHAPE KERNELS [--profile]: the benchmark's table (and, asked, where
# the dataset mix's time goes kernel by kernel) on stdout, its JSON in $out.
bench() {
    local shape=$1 k=$2
    shift 2
    [[ $device == cpu ]] && shape=cpu # the rehearsal
    echo "== bench $shape, POLAR_KERNELS=$k $*"
    POLAR_KERNELS=$k timeout 150 "$cli" bench --shape "$shape" --device "$device" --dtype bf16 "${sizes[@]}" --python none \
        --no-fp32-variant --tokenizer "$data/internlm2" --json "$out/bench-$shape-$k.json" "$@" 2>/dev/null
}

nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null
checks none
bench 1.8b none --profile
bench 1.8b masked-prefix
bench 1.8b composite-rope+composite-residual
bench 7b none --profile
bench 7b masked-prefix
checks masked-prefix
rm -rf "$work"
