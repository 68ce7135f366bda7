#!/usr/bin/env bash
# Training throughput on a GPU: a random checkpoint of a real shape (SHAPE, default 1.8b) fine-tuned
# in bf16 autocast on tests/data/training/pairs.jsonl for three epochs; prints the memory estimate,
# pairs/s, tokens/s and the peak GPU memory. Carries what scripts/gpu-check.sh carries.
set -u
SHAPE=${SHAPE:-1.8b}; DEV=${DEV:-cuda}; PY=${PY:-python3}
export LD_LIBRARY_PATH=$($PY -c 'import os,torch;print(os.path.dirname(torch.__file__)+"/lib")' 2>/dev/null):$PWD/.gpu-deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
ldd build-torch2/bin/polar-cli | grep -q "not found" && export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$PWD/.gpu-deps/fallback/usr/lib/x86_64-linux-gnu:$PWD/.gpu-deps/fallback/lib/x86_64-linux-gnu
cli=build-torch2/bin/polar-cli; w=${TMPDIR:-/tmp}/gt; rm -rf $w; mkdir -p $w
nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null
$cli make-random --shape $SHAPE --dtype bf16 --tokenizer tests/data/internlm2 $w/m 2>&1 | tail -1
timeout 170 $cli train --model $w/m --pairs tests/data/training/pairs.jsonl -o $w/out --device $DEV --dtype bf16 --epochs 3 --batch-tokens 16384 --val-fraction 0.1 --seed 1 2>&1 | tr '\r' '\n' | grep -vE "^\s*$" | tail -12
