#!/usr/bin/env bash
# Reproduces the embedded demo model (resources/models/polar-demo) with the
# app's own trainer, on the synthetic corpus of scripts/demo_corpus.py:
#   scripts/train-demo-model.sh [--install] [WORK_DIR]
# WORK_DIR (default build/demo-model) receives the corpus, the initial random
# weights, the trained model with its curves, and the evaluation. --install
# then copies the model into resources/models/polar-demo (rebuild to embed
# it). About 15-30 minutes on 2 CPU cores. Every setting is below and is
# written into the model folder as recipe.json.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi
work=${1:-$root/build/demo-model}
cli=${POLAR_CLI:-$root/build/bin/polar-cli}
[ -x "$cli" ] || "$root/scripts/studio.sh" build
[ -x "$cli" ] || { echo "no polar-cli at $cli (set POLAR_CLI)" >&2; exit 2; }

corpus_seed=7 train_pairs=16000 heldout_pairs=800
init_seed=1 train_seed=42
epochs=3 lr=2e-3 batch_tokens=4096 max_length=1024 warmup=0.03 val_fraction=0.1
threads=${POLAR_THREADS:-$(nproc)}

rm -rf "$work/corpus" "$work/init" "$work/trained"
mkdir -p "$work"
python3 "$root/scripts/demo_corpus.py" --seed $corpus_seed --train $train_pairs --heldout $heldout_pairs "$work/corpus"
"$cli" make-random --shape demo --dtype fp32 --seed $init_seed --tokenizer "$root/tests/data/tiny-polar" "$work/init"
start=$(date +%s)
"$cli" train --model "$work/init" --pairs "$work/corpus/train.jsonl" -o "$work/trained" --threads "$threads" \
    --epochs $epochs --lr $lr --batch-tokens $batch_tokens --micro-batch-tokens $batch_tokens --max-length $max_length \
    --warmup-ratio $warmup --val-fraction $val_fraction --seed $train_seed --eval-every 50
seconds=$(( $(date +%s) - start ))
"$cli" eval-pairs --model "$work/trained" --group-by family "$work/corpus/heldout.jsonl" | tee "$work/heldout-eval.txt"
"$cli" score --model "$work/trained" "$root/datasets/strawberry.jsonl" -o "$work/strawberry-scored.jsonl"

cat > "$work/trained/recipe.json" <<JSON
{
  "generator": "scripts/demo_corpus.py",
  "corpus": {"seed": $corpus_seed, "train": $train_pairs, "heldout": $heldout_pairs},
  "initial_weights": {"shape": "demo", "dtype": "fp32", "seed": $init_seed, "tokenizer": "tests/data/tiny-polar"},
  "training": {"epochs": $epochs, "lr": $lr, "batch_tokens": $batch_tokens, "micro_batch_tokens": $batch_tokens,
               "max_length": $max_length, "warmup_ratio": $warmup, "val_fraction": $val_fraction, "seed": $train_seed,
               "threads": $threads, "seconds": $seconds}
}
JSON
echo "trained in ${seconds}s; held-out evaluation in $work/heldout-eval.txt"

if [ $install -eq 1 ]; then
    dest=$root/resources/models/polar-demo
    for f in config.json model.safetensors special_tokens_map.json tokenizer.model tokenizer_config.json recipe.json; do
        cp "$work/trained/$f" "$dest/$f"
    done
    cp "$work/heldout-eval.txt" "$dest/heldout-eval.txt"
    # The test that holds the embedded model to its targets reads this set.
    cp "$work/corpus/heldout.jsonl" "$root/tests/data/polar-demo-heldout.jsonl"
    echo "installed into $dest (README.md there is the model card: update its figures); rebuild to embed"
fi
