"""Exports read by the code that reads them downstream.

Builds a small project with polar-cli, exports its pairs in each format, and
reads every file with the ports of xtuner's and TRL's reading code beside this
script. The POLAR export must give xtuner exactly the text the app scores;
the TRL exports must keep roles (conversational) or the separator (text).

usage: check_exports.py POLAR_CLI MODEL_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trl_reader  # noqa: E402
import xtuner_reader  # noqa: E402

CLI, MODEL = sys.argv[1], sys.argv[2]
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def cli(*args):
    r = subprocess.run([CLI, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"polar-cli {' '.join(args)} exited {r.returncode}:\n{r.stderr}")
    return r.stdout


RECORDS = [
    {"id": "chat", "prompt": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "What is 17 * 3?"}],
     "reference": "51", "chosen": "17 * 3 is 51.", "rejected": "17 * 3 is 54."},
    {"id": "plain", "prompt": "Name the capital of France.", "reference": "Paris",
     "outputs": ["Paris.", "Lyon.", "  Paris. "]},
    {"id": "unicode", "prompt": "Übersetze: 猫", "reference": "Katze 🐱", "chosen": "Katze", "rejected": "Hund"},
]

with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "consumers.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        for r in RECORDS:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    cli("score-dataset", "--model", MODEL, data)
    project = os.path.join(tmp, "consumers.polar-project.jsonl")
    # An annotator's ranking of line 2, as the app writes it: the duplicate "Paris." ranked alike.
    with open(project, "a", encoding="utf-8") as f:
        f.write(json.dumps({"op": "annotation", "line": 2,
                            "annotation": {"decided": True, "ranks": [1, 2, 1], "annotator": "check"}}) + "\n")
    paths = {}
    for fmt in ["polar", "trl", "trl-text"]:
        paths[fmt] = os.path.join(tmp, fmt + ".jsonl")
        out = cli("pairs", project, "-o", paths[fmt], "--strategy", "all", "--format", fmt)
        check("3 pairs from 3 of 3 items" in out and "1 repeated output merged" in out, f"{fmt}: summary was {out!r}")

    # xtuner: loads, and trains on exactly the text the app scores.
    pairs = [json.loads(l) for l in open(paths["polar"], encoding="utf-8")]
    texts = xtuner_reader.read(paths["polar"])
    check(len(texts) == 3, f"xtuner read {len(texts)} pairs")
    score_in = os.path.join(tmp, "score.jsonl")
    with open(score_in, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps({"prompt": p["prompt"], "reference": p["reference"],
                                "outputs": [p["chosen"], p["rejected"]]}, ensure_ascii=False) + "\n")
    scored = [json.loads(l) for l in cli("score", "--model", MODEL, "--explain", score_in).splitlines()]
    for p, t, s in zip(pairs, texts, scored):
        for side, k in (("chosen", 0), ("rejected", 1)):
            encoded = s["explain"][k]["encoded_text"]
            check(encoded == t[side] + "[UNUSED_TOKEN_130]",
                  f"xtuner's {side} text {t[side]!r} is not what the app scores: {encoded!r}")
        check(p["chosen"] != p["rejected"], f"chosen == rejected in {p}")
    # Plain strings, as the removed polar-strings format wrote them, are what xtuner cannot read.
    strings = os.path.join(tmp, "strings.jsonl")
    with open(strings, "w", encoding="utf-8") as f:
        f.write(json.dumps({k: "\n".join(m["content"] for m in v) for k, v in pairs[0].items()}) + "\n")
    try:
        xtuner_reader.read(strings)
        check(False, "xtuner read plain-string fields")
    except TypeError as e:
        check("string indices must be integers" in str(e), f"unexpected error {e}")

    # TRL, conversational: roles and turns survive the chat template.
    trl = trl_reader.read(paths["trl"])
    check(all(trl_reader.is_conversational(r) for r in trl), "trl records are not conversational")
    chosen, rejected = trl_reader.reward_trainer_text(trl[0])
    check("<|im_start|>system\nAnswer briefly.<|im_end|>\n<|im_start|>user\nWhat is 17 * 3?<|im_end|>\n"
          "<|im_start|>assistant\n17 * 3 is 51.<|im_end|>" in chosen, f"trl chosen text {chosen!r}")
    check(rejected.endswith("<|im_start|>assistant\n17 * 3 is 54.<|im_end|>\n"), f"trl rejected text {rejected!r}")
    for r in trl:
        trl_reader.apply_chat_template(r)  # raises on keys or roles TRL refuses

    # TRL, plain text: the prompt and the answer stay apart.
    text = trl_reader.read(paths["trl-text"])
    check(not any(trl_reader.is_conversational(r) for r in text), "trl-text records look conversational")
    chosen, _ = trl_reader.reward_trainer_text(text[0])
    check(chosen == "Answer briefly.\nWhat is 17 * 3?\n17 * 3 is 51.<|im_end|>", f"trl-text chosen text {chosen!r}")
    check("?17" not in chosen, "prompt and answer run together")

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed")
    sys.exit(1)
print("xtuner and TRL read every export as intended")
