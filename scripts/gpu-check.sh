#!/usr/bin/env bash
# The GPU check: one command for a lent GPU machine, rehearsed here on the CPU.
#
#   scripts/gpu-check.sh              on the GPU machine (CUDA, POLAR-1.8B and -7B shapes)
#   scripts/gpu-check.sh --rehearse   here: the same steps on the CPU at the small "cpu" shape
#
# It runs the polar-cli built here against the pinned PyPI torch (build-torch2/,
# the version the GPU machines carry), with the sentencepiece library from
# .gpu-deps/ (scripts/fetch-gpu-deps.sh); where that binary does not run, it
# builds core + CLI there without Qt. Steps: CUDA parity on the golden fixtures
# (fp32 and bf16), the engine's paths against each other and against the CPU
# (prefix sharing, dynamic NTK, attribution through SDPA, out-of-memory
# splitting), the benchmarks against the PyTorch reference on the same ids, and
# random 1.8B / 7B checkpoints loaded from disk with host peak RSS.
# $OUT (or ./gpu-results) gets summary.txt, the benchmarks' JSON and logs.tar.gz
# (one log per step): few files, since the device tool returns only a few.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$root/gpu-results}
mkdir -p "$out"
logs=$(mktemp -d)
summary=$out/summary.txt
: >"$summary"
rehearse=0
[[ ${1:-} == --rehearse ]] && rehearse=1

python=${PYTHON:-python3}
if ((rehearse)); then
    python=${PYTHON:-$HOME/.cache/polar-studio/torch-2.11.0/bin/python}
    device=cpu work=$(mktemp -d)
    bench_sizes=(--prefix 100 --candidate-tokens 50 --records 6 --python-records 3 --repeats 1)
else
    device=cuda work=${TMPDIR:-/tmp}/polar-gpu-check
    bench_sizes=(--prefix 500 --candidate-tokens 200)
    mkdir -p "$work"
fi

note() { echo "$*" | tee -a "$summary"; }
failures=0
# step NAME SECONDS COMMAND...: runs it with a limit, logs to NAME.log, records pass/fail and time.
step() {
    local name=$1 limit=$2
    shift 2
    local t0 rc
    t0=$(date +%s%N)
    timeout "$limit" "$@" >"$logs/$name.log" 2>&1
    rc=$?
    local secs=$(( ($(date +%s%N) - t0) / 1000000 ))
    if ((rc == 0)); then
        note "PASS $name ($((secs / 1000)).$(printf %03d $((secs % 1000))) s)"
    else
        note "FAIL $name (exit $rc after $((secs / 1000)) s; last lines:)"
        tail -5 "$logs/$name.log" | sed 's/^/    /' | tee -a "$summary"
        failures=$((failures + 1))
    fi
    return $rc
}

note "== machine"
if ((rehearse)); then
    note "rehearsal on the CPU: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
else
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$summary"
    note "host: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
fi
"$python" -c 'import torch; print("python torch", torch.__version__, "CUDA", torch.version.cuda)' 2>&1 | tee -a "$summary"

torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
deps=$root/.gpu-deps/root
export LD_LIBRARY_PATH=$torch_lib:$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
cli=${POLAR_CLI:-$root/build-torch2/bin/polar-cli}
# OpenSSL and zlib (cpp-httplib links them) from .gpu-deps only where the host has none.
if ldd "$cli" 2>/dev/null | grep -q "not found"; then
    fallback=$root/.gpu-deps/fallback
    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$fallback/usr/lib/x86_64-linux-gnu:$fallback/lib/x86_64-linux-gnu
    note "the host lacks $(ldd "$cli" | grep -c "not found") of polar-cli's libraries without .gpu-deps/fallback"
fi
tiny=$root/tests/data/tiny-polar
sharded=$root/tests/data/tiny-polar-sharded
golden=$root/tests/data/golden
tokenizer=$root/tests/data/internlm2

if ! "$cli" inspect --model "$tiny" --device cpu >"$logs/carried-binary.log" 2>&1; then
    note "the carried polar-cli does not run here (carried-binary.log); building core + CLI without Qt"
    cli=$root/build-gpu/bin/polar-cli
    step build 420 bash -c "cmake -S '$root' -B '$root/build-gpu' -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOLAR_BUILD_GUI=OFF \
        -DCMAKE_PREFIX_PATH='$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)');$deps/usr' \
        -DSENTENCEPIECE_ROOT='$deps' && cmake --build '$root/build-gpu' --target polar-cli polar_spm" || exit 1
fi

note "== runtime"
"$cli" inspect --model "$tiny" --device "$device" 2>&1 | grep -E "^(runtime|compute|prefix attention)" | tee -a "$summary"

note "== parity on the golden fixtures ($device)"
step parity-fp32 60 "$cli" parity --model "$tiny" --device "$device" --dtype fp32 --golden "$golden/tiny-polar.jsonl" \
    --batch "$golden/tiny-polar-batch.json"
step parity-sharded-fp32 60 "$cli" parity --model "$sharded" --device "$device" --dtype fp32 --golden "$golden/tiny-polar-sharded.jsonl"
# bf16: against fp32, twice the official bf16 forward's own distance from fp32 on
# these cases (0.062); against the official bf16 rewards, that plus the official's
# own distance (0.1875), since both round, each its own way (all cases at once,
# prefixes shared, come to 0.125 from them on LibTorch 2.11's CPU kernels).
step parity-bf16-vs-official-bf16 60 "$cli" parity --model "$sharded" --device "$device" --dtype bf16 \
    --golden "$golden/tiny-polar-sharded.jsonl" --field reward_bfloat16 --atol 0.1875
step parity-bf16-vs-fp32 60 "$cli" parity --model "$sharded" --device "$device" --dtype bf16 \
    --golden "$golden/tiny-polar-sharded.jsonl" --field reward --atol 0.125
for f in parity-bf16-vs-official-bf16 parity-bf16-vs-fp32; do
    note "    $f: largest |diff| $(grep -oE '\|diff\| [0-9.e+-]+' "$logs/$f.log" | awk '{print $2}' | sort -g | tail -1)"
done
# Models of other configs (one query head per kv head with biases, four with
# dynamic NTK, one kv head with a head size FlashAttention does not take, one
# layer) against the float64 reference; bf16 within twice the distance the
# reference's own bf16 forward keeps from it on each model's cases.
note "== parity on models of other configs (tests/data/variants, $device)"
for v in "$root"/tests/data/variants/*/; do
    v=${v%/}
    name=$(basename "$v")
    step "variant-$name-fp32" 60 "$cli" parity --model "$v" --device "$device" --dtype fp32 --golden "$v.jsonl"
    atol=$("$python" -c 'import json, sys
print(2 * max(abs(c["reward_bfloat16"] - c["reward"]) for c in map(json.loads, open(sys.argv[1]))))' "$v.jsonl")
    step "variant-$name-bf16" 60 "$cli" parity --model "$v" --device "$device" --dtype bf16 --golden "$v.jsonl" --atol "$atol"
    note "    $name bf16: largest |diff| $(grep -oE '\|diff\| [0-9.e+-]+' "$logs/variant-$name-bf16.log" | awk '{print $2}' | sort -g | tail -1) (atol $atol)"
done

note "== the engine's paths against each other and the CPU"
compare=("$python" "$root/scripts/compare_jsonl.py")
score() { "$cli" score --model "$1" "${@:2}"; }
for input in strawberry examples; do
    in=$root/datasets/$input.jsonl
    score "$tiny" --device cpu --dtype fp32 "$in" -o "$work/$input-cpu.jsonl" 2>"$logs/score-$input-cpu.log"
    score "$tiny" --device "$device" --dtype fp32 "$in" -o "$work/$input-dev.jsonl" 2>"$logs/score-$input-dev.log"
    score "$tiny" --device "$device" --dtype fp32 --no-prefix-sharing "$in" -o "$work/$input-dev-noshare.jsonl" 2>>"$logs/score-$input-dev.log"
    step "$input-$device-vs-cpu" 30 "${compare[@]}" "$work/$input-dev.jsonl" "$work/$input-cpu.jsonl" --atol 1e-4 --label "$input fp32 $device vs cpu"
    step "$input-shared-vs-not" 30 "${compare[@]}" "$work/$input-dev.jsonl" "$work/$input-dev-noshare.jsonl" --atol 1e-4 --label "$input prefix sharing on vs off"
done
# bf16, where rows that continue a prefix attend through FlashAttention's
# variable-length kernel on a GPU: with it (the default), with the masked kernel
# (POLAR_KERNELS=masked-prefix) and with no sharing at all, each against fp32 at
# the parity checks' 0.125 (two bf16 kernels differ from fp32 by up to 0.1 on
# these inputs, in either direction). A misplaced key moves rewards by whole
# units. The rehearsal packs the rows on the CPU with the reference formula
# and takes the GPU's fused kernels there too.
packed=none
((rehearse)) && packed=packed-reference,fused-on-cpu
for input in strawberry examples; do
    in=$root/datasets/$input.jsonl
    score "$sharded" --device "$device" --dtype fp32 "$in" -o "$work/$input-sharded-fp32.jsonl" 2>"$logs/score-$input-bf16.log"
    POLAR_KERNELS=$packed score "$sharded" --device "$device" --dtype bf16 "$in" -o "$work/$input-bf16-packed.jsonl" 2>>"$logs/score-$input-bf16.log"
    POLAR_KERNELS=masked-prefix score "$sharded" --device "$device" --dtype bf16 "$in" -o "$work/$input-bf16-masked.jsonl" 2>>"$logs/score-$input-bf16.log"
    score "$sharded" --device "$device" --dtype bf16 --no-prefix-sharing "$in" -o "$work/$input-bf16-noshare.jsonl" 2>>"$logs/score-$input-bf16.log"
    for kernel in packed masked noshare; do
        step "$input-bf16-$kernel-vs-fp32" 30 "${compare[@]}" "$work/$input-bf16-$kernel.jsonl" "$work/$input-sharded-fp32.jsonl" \
            --atol 0.125 --label "$input bf16 ($kernel prefix attention) vs fp32"
    done
done
# Dynamic NTK: the tiny model with 64 positions, so the examples run past them.
ntk=$work/tiny-ntk
rm -rf "$ntk" && cp -r "$tiny" "$ntk"
"$python" - "$ntk/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["max_position_embeddings"] = 64
c["rope_scaling"] = {"type": "dynamic", "factor": 2.0}
json.dump(c, open(p, "w"), indent=2)
PY
score "$ntk" --device cpu --dtype fp32 "$root/datasets/examples.jsonl" -o "$work/ntk-cpu.jsonl" 2>"$logs/score-ntk.log"
score "$ntk" --device "$device" --dtype fp32 "$root/datasets/examples.jsonl" -o "$work/ntk-dev.jsonl" 2>>"$logs/score-ntk.log"
step dynamic-ntk-vs-cpu 30 "${compare[@]}" "$work/ntk-dev.jsonl" "$work/ntk-cpu.jsonl" --atol 1e-4 --label "dynamic NTK $device vs cpu"
for method in grad ig; do
    "$cli" attribute --model "$tiny" --device cpu --dtype fp32 --method $method --steps 32 "$root/datasets/strawberry.jsonl" \
        -o "$work/attr-$method-cpu.jsonl" 2>"$logs/attribute-$method.log"
    "$cli" attribute --model "$tiny" --device "$device" --dtype fp32 --method $method --steps 32 "$root/datasets/strawberry.jsonl" \
        -o "$work/attr-$method-dev.jsonl" 2>>"$logs/attribute-$method.log"
    step "attribution-$method-vs-cpu" 30 "${compare[@]}" "$work/attr-$method-dev.jsonl" "$work/attr-$method-cpu.jsonl" --atol 1e-3 \
        --ignore seconds --label "attribution ($method, gradients through attention) $device vs cpu"
done

# A random checkpoint of a real shape written to disk, then loaded from it.
load_shape() {
    local shape=$1 ckpt=$work/random-$1-bf16
    note "== loading a random $shape checkpoint from disk (host peak RSS)"
    step "make-random-$shape" 240 "$cli" make-random --shape "$shape" --dtype bf16 --tokenizer "$tokenizer" "$ckpt" || return
    step "load-$shape-bf16-$device" 240 "$cli" inspect --model "$ckpt" --device "$device" --dtype bf16
    grep -E "^(load|peak|weight memory)" "$logs/load-$shape-bf16-$device.log" | sed 's/^/    /' | tee -a "$summary"
    if [[ $shape != 7b ]]; then
        # fp32 compute from bf16 files on the host: the widening path.
        step "load-$shape-bf16-to-fp32-cpu" 240 "$cli" inspect --model "$ckpt" --device cpu --dtype fp32
        grep -E "^(load|peak)" "$logs/load-$shape-bf16-to-fp32-cpu.log" | sed 's/^/    /' | tee -a "$summary"
    fi
}

# The engine against the PyTorch reference on the same ids.
bench_shape() {
    local shape=$1 dtype=bf16 extra
    note "== benchmark: $shape shape"
    # Sized to the lease: fp32 compute of the 1.8B dataset mix is the slowest row.
    extra=(--records 300 --python-records 100)
    [[ $shape == 7b ]] && extra=(--no-fp32-variant --records 100 --python-records 20)
    if ((rehearse)); then extra=(); dtype=fp32; fi
    step "bench-$shape" 240 "$cli" bench --shape "$shape" --device "$device" --dtype "$dtype" "${bench_sizes[@]}" \
        "${extra[@]}" --tokenizer "$tokenizer" --python "$python" --reference "$root/bench/reference_forward.py" \
        --json "$out/bench-$shape.json"
    grep -vE "^  |^running|NumPy|_conversion_method" "$logs/bench-$shape.log" | tee -a "$summary"
}

# A capped GPU: the big passes run out of memory and split, with the same rewards.
oom_check() {
    local model=$1
    note "== out of memory: passes split, rewards unchanged"
    "$python" - "$work/long.jsonl" <<'PY'
import json, random, sys
random.seed(3)
words = "the of and to in is was for on are with as by at from this that which have has been were".split()
text = lambda n: " ".join(random.choice(words) for _ in range(n))
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"prompt": text(200), "reference": text(300), "outputs": [text(900 + 20 * i) for i in range(48)]}) + "\n")
PY
    score "$model" --device "$device" --dtype fp32 --batch-tokens 4096 "$work/long.jsonl" -o "$work/long-small.jsonl" 2>"$logs/oom.log"
    local cap=()
    ((rehearse)) || cap=(--gpu-memory-fraction 0.12)
    score "$model" --device "$device" --dtype fp32 --batch-tokens 400000 "${cap[@]}" "$work/long.jsonl" -o "$work/long-big.jsonl" 2>>"$logs/oom.log"
    step oom-split-same-rewards 30 "${compare[@]}" "$work/long-big.jsonl" "$work/long-small.jsonl" --atol 2e-3 --label "split after OOM vs small batches"
    note "    $(grep -E '^scored' "$logs/oom.log" | tail -1)"
}

# polar-cli serve's server under concurrent clients on this device (bench_serve_load).
serve_load() {
    local model=$1 bench=${cli%/polar-cli}/bench_serve_load atol=1e-4
    [[ -x $bench ]] || { note "== serve under load: skipped ($bench not built: no cpp-httplib in this build)"; return; }
    note "== polar-cli serve under load: 16 clients, 8 texts a request"
    ((rehearse)) || atol=0.1 # bf16: a row's reward depends on its batch
    step serve-load 120 "$bench" --model "$model" --device "$device" --dtype "$([[ $rehearse == 1 ]] && echo fp32 || echo bf16)" \
        --clients 16 --requests 10 --texts 8 --atol "$atol"
    grep -vE "^$" "$logs/serve-load.log" | sed 's/^/    /' | tee -a "$summary"
}

# Most telling first: a run cut short by the lease still reports them.
first=$([[ $rehearse == 1 ]] && echo cpu || echo 1.8b)
bench_shape "$first"
load_shape "$first"
oom_check "$work/random-$first-bf16"
serve_load "$work/random-$first-bf16"
if ((!rehearse)); then
    rm -rf "$work/random-1.8b-bf16"
    load_shape 7b
    rm -rf "$work/random-7b-bf16"
    bench_shape 7b
fi

tar -czf "$out/logs.tar.gz" -C "$logs" . && rm -rf "$logs"
((rehearse)) && rm -rf "$work"
note "== $failures failed step(s)"
exit $((failures > 0))
