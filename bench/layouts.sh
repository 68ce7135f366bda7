#!/usr/bin/env bash
# Whole-process timing of `polar-cli score` on 2 prompts x 8 candidates, sent as
# 16 separate {prompt, reference, output} records (as the official client does)
# and as 2 records with `outputs`, against a plain PyTorch eager forward of the
# same token ids (bench/reference_score.py). Best of 3 runs each.
# usage: bench/layouts.sh [POLAR_CLI] [PYTHON_WITH_TORCH]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${1:-$root/build/bin/polar-cli}
python=${2:-}
if [ -z "$python" ]; then
    for p in "${XDG_CACHE_HOME:-$HOME/.cache}/polar-studio/torch-2.11.0/bin/python" /usr/bin/python3 python3; do
        if "$p" -c "import torch" >/dev/null 2>&1; then python=$p; break; fi
    done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cli" make-random --shape cpu --dtype fp32 "$work/model" >/dev/null
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
random.seed(3)
words = ("the of and to in is that for it as with was on be by at this from which or are an but not have had were "
         "they their can all been one more has also there when will would about into after other only some these "
         "than its").split()
text = lambda n: " ".join(random.choice(words) for _ in range(n))
r16, r2 = [], []
for _ in range(2):
    prompt, ref = text(150), text(120)
    outs = [text(random.randint(40, 300)) for _ in range(8)]
    r2.append({"prompt": prompt, "reference": ref, "outputs": outs})
    r16 += [{"prompt": prompt, "reference": ref, "output": o} for o in outs]
for name, recs in (("r16", r16), ("r2", r2)):
    with open(f"{work}/{name}.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in recs)
PY
best() { # best of 3 wall-clock seconds of a command
    local b=
    for _ in 1 2 3; do
        local s e
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        b=$(python3 -c "print(min(float('${b:-1e9}'), $e - $s))")
    done
    echo "$b"
}
"$cli" score --model "$work/model" --explain "$work/r16.jsonl" -o "$work/r16.explained" 2>/dev/null
echo "machine: $(nproc) cores; polar-cli: $cli"
t16=$(best "$cli" score --model "$work/model" "$work/r16.jsonl" -o "$work/out16.jsonl")
t2=$(best "$cli" score --model "$work/model" "$work/r2.jsonl" -o "$work/out2.jsonl")
printf "polar-cli, 16 records:          %6.2f s\n" "$t16"
printf "polar-cli, 2 records x outputs: %6.2f s\n" "$t2"
if [ -n "$python" ]; then
    tp=$(best "$python" "$root/bench/reference_score.py" "$work/model" "$work/r16.explained" --batch 8)
    printf "plain PyTorch eager (%s): %6.2f s\n" "$("$python" -c 'import torch; print("torch", torch.__version__, torch.get_num_threads(), "threads")' 2>/dev/null)" "$tp"
    python3 -c "print(f'ratio: {$tp/$t16:.2f}x (16 records), {$tp/$t2:.2f}x (2 records)')"
else
    echo "no python3 with torch: the PyTorch reference was not run"
fi
