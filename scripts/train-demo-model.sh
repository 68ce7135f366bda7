#!/usr/bin/env bash
# Reproduces the embedded demo model (resources/models/polar-demo) with the
# app's own trainer, on the synthetic corpus of scripts/demo_corpus.py and the
# tokenizer scripts/demo_tokenizer.py trains on it:
#   scripts/train-demo-model.sh [--install] [WORK_DIR]
# WORK_DIR (default build/demo-model) receives the corpus, the tokenizer, the
# initial random weights, the trained model with its curves, and the evaluation. --install
# then copies the model into resources/models/polar-demo (rebuild to embed
# it). About 30 minutes on one core of this machine. Every setting is below and is
# written into the model folder as recipe.json.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi
work=${1:-$root/build/demo-model}
cli=${POLAR_CLI:-$root/build/bin/polar-cli}
[ -x "$cli" ] || "$root/scripts/studio.sh" build
[ -x "$cli" ] || { echo "no polar-cli at $cli (set POLAR_CLI)" >&2; exit 2; }
# The tokenizer is trained by Debian's sentencepiece, the version the app
# links: another version orders tied merges differently, and so would give
# other pieces and another model.
python=/usr/bin/python3
if ! "$python" -c 'import sentencepiece' 2>/dev/null; then
    sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends python3-sentencepiece
fi

# Arithmetic, the hardest family, gets two prompts in each turn of four families.
corpus_seed=7 train_pairs=40000 heldout_pairs=800 invented=0.5 echo=0.3 weights=1,2,1,1
# Stage 3's pairs: the same families and training split, and in half the
# prompts the reference word for word above a right answer in other words.
refine_pairs=12000 verbatim=0.5
vocab=2048 init_seed=1
# Stage 1 from random weights, stage 2 continues at half the learning rate,
# stage 3 at 3e-4 on the refining pairs (5e-4 and 1e-3 cost held-out accuracy).
epochs=3 lr=2e-3 train_seed=42
epochs2=1 lr2=1e-3 train_seed2=43
epochs3=1 lr3=3e-4 train_seed3=44
batch_tokens=2048 max_length=1024 warmup=0.03 val_fraction=0.05
# One thread: this model's products are too small to share, and LibTorch's
# and OpenBLAS's pools would otherwise both take every core.
threads=1
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

rm -rf "$work/corpus" "$work/tokenizer" "$work/init" "$work/stage1" "$work/stage2" "$work/trained"
mkdir -p "$work"
python3 "$root/scripts/demo_corpus.py" --seed $corpus_seed --train $train_pairs --heldout $heldout_pairs \
    --invented $invented --echo $echo --weights $weights --refine $refine_pairs --verbatim $verbatim "$work/corpus"
"$python" "$root/scripts/demo_tokenizer.py" --corpus "$work/corpus/train.jsonl" --vocab $vocab "$work/tokenizer"
"$cli" make-random --shape demo --dtype fp32 --seed $init_seed --tokenizer "$work/tokenizer" "$work/init"
start=$(date +%s)
common=(--threads $threads --batch-tokens $batch_tokens
        --micro-batch-tokens $batch_tokens --max-length $max_length --warmup-ratio $warmup
        --val-fraction $val_fraction --eval-every 400)
train="$work/corpus/train.jsonl"
"$cli" train --model "$work/init" -o "$work/stage1" --pairs "$train" "${common[@]}" --epochs $epochs --lr $lr --seed $train_seed
"$cli" train --model "$work/stage1" -o "$work/stage2" --pairs "$train" "${common[@]}" --epochs $epochs2 --lr $lr2 --seed $train_seed2
"$cli" train --model "$work/stage2" -o "$work/trained" --pairs "$work/corpus/refine.jsonl" "${common[@]}" \
    --epochs $epochs3 --lr $lr3 --seed $train_seed3
seconds=$(( $(date +%s) - start ))
{
    "$cli" eval-pairs --model "$work/trained" --group-by family "$work/corpus/heldout.jsonl"
    echo
    echo "the reference word for word against a right answer in other words (heldout-verbatim.jsonl):"
    "$cli" eval-pairs --model "$work/trained" --group-by family "$work/corpus/heldout-verbatim.jsonl"
} | tee "$work/heldout-eval.txt"
"$cli" score --model "$work/trained" "$root/datasets/strawberry.jsonl" -o "$work/strawberry-scored.jsonl"

cat > "$work/trained/recipe.json" <<JSON
{
  "generator": "scripts/demo_corpus.py",
  "corpus": {"seed": $corpus_seed, "train": $train_pairs, "heldout": $heldout_pairs, "invented": $invented, "echo": $echo, "weights": [$weights],
             "refine": $refine_pairs, "verbatim": $verbatim},
  "tokenizer": {"generator": "scripts/demo_tokenizer.py", "vocab": $vocab, "sentencepiece": "$("$python" -c 'import sentencepiece; print(sentencepiece.__version__)')"},
  "initial_weights": {"shape": "demo", "dtype": "fp32", "seed": $init_seed},
  "training": [{"epochs": $epochs, "lr": $lr, "seed": $train_seed},
               {"epochs": $epochs2, "lr": $lr2, "seed": $train_seed2, "from": "stage 1"},
               {"epochs": $epochs3, "lr": $lr3, "seed": $train_seed3, "from": "stage 2", "pairs": "refine.jsonl"}],
  "common": {"batch_tokens": $batch_tokens, "micro_batch_tokens": $batch_tokens, "max_length": $max_length,
             "warmup_ratio": $warmup, "val_fraction": $val_fraction, "threads": $threads},
  "seconds": $seconds
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
    cp "$work/corpus/heldout-verbatim.jsonl" "$root/tests/data/polar-demo-heldout-verbatim.jsonl"
    echo "installed into $dest (README.md there is the model card: update its figures); rebuild to embed"
fi
