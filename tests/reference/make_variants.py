#!/usr/bin/env python3
"""Writes tests/data/variants/: small POLAR-architecture models whose configs
differ from the golden fixture's in every way a real checkpoint may (one query
head per kv head and biases; four per kv head with dynamic NTK scaling past a
short max_position_embeddings; one kv head with linear scaling and a head size
FlashAttention does not take; a single layer), stored in fp32, bf16 (sharded)
and f16, each with the fixture's tokenizer and a golden file from the
independent reference (internlm2_reward.py, float64): the reward and the value
at every position for each of the fixture's 30 cases, whose encodings are the
official ones (tests/data/golden/tiny-polar.jsonl), and the reward the same
reference computes in bfloat16 as the official module does (weights and
activations in bf16, norms and softmax in fp32): "reward_bfloat16".

The reference is checked against the official code's golden rewards first, so
these files extend the official golden values to configs the fixtures lack.

    python3 tests/reference/make_variants.py          (needs torch; deterministic)
    python3 tests/reference/make_variants.py --check  writes them to a temporary folder and
        compares: the same checkpoint bytes, golden values within 1e-7 (ctest's
        reference_reproduces_variants, where a python with torch is named)
"""
import json
import os
import shutil
import struct
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
sys.path.insert(0, HERE)
from internlm2_reward import InternLM2Reward  # noqa: E402

FIXTURE = os.path.join(DATA, "tiny-polar")
TOKENIZER_FILES = ["tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"]

VARIANTS = {
    # G = 1 (multi-head attention) with wqkv and wo biases.
    "mha-bias": dict(config=dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=4, num_hidden_layers=2,
                                 intermediate_size=96, rope_theta=10000, bias=True),
                     dtype="F32", shards=1),
    # G = 4, three layers, dynamic NTK: max_position_embeddings 64, so the
    # cases run on both sides of it. bf16 on disk, three shards.
    "gqa4-dynamic-ntk": dict(config=dict(hidden_size=64, num_attention_heads=8, num_key_value_heads=2,
                                         num_hidden_layers=3, intermediate_size=128, max_position_embeddings=64,
                                         rope_scaling={"type": "dynamic", "factor": 2.0}, torch_dtype="bfloat16"),
                             dtype="BF16", shards=3),
    # One kv head for four queries, head size 12 (not a multiple of 8), linear
    # scaling spelled as newer configs do ("rope_type").
    "mqa-linear-rope": dict(config=dict(hidden_size=48, num_attention_heads=4, num_key_value_heads=1,
                                        num_hidden_layers=2, intermediate_size=100, rms_norm_eps=1e-6,
                                        rope_theta=500000, rope_scaling={"rope_type": "linear", "factor": 4.0}),
                            dtype="F32", shards=1),
    # A single layer (the last layer is also the first), two wide heads, f16 on disk.
    "one-layer-f16": dict(config=dict(hidden_size=64, num_attention_heads=2, num_key_value_heads=2,
                                      num_hidden_layers=1, intermediate_size=192, torch_dtype="float16"),
                          dtype="F16", shards=1),
}

STORED = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def config_for(overrides):
    with open(os.path.join(FIXTURE, "config.json")) as f:
        cfg = json.load(f)
    cfg.update(overrides)
    return cfg


def random_weights(cfg, seed):
    """The fixture's recipe: normal weights with fixed scales, norms near 1."""
    g = torch.Generator().manual_seed(seed)
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = H // heads
    rows = (heads + 2 * kv) * D

    def normal(std, *shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * std

    w = {"model.tok_embeddings.weight": normal(0.5, V, H)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "attention.wqkv.weight"] = normal(0.15, rows, H)
        w[p + "attention.wo.weight"] = normal(0.15, H, heads * D)
        if cfg.get("bias"):
            w[p + "attention.wqkv.bias"] = normal(0.1, rows)
            w[p + "attention.wo.bias"] = normal(0.1, H)
        w[p + "attention_norm.weight"] = 1 + normal(0.1, H)
        w[p + "ffn_norm.weight"] = 1 + normal(0.1, H)
        w[p + "feed_forward.w1.weight"] = normal(0.12, I, H)
        w[p + "feed_forward.w3.weight"] = normal(0.12, I, H)
        w[p + "feed_forward.w2.weight"] = normal(0.1, H, I)
    w["model.norm.weight"] = 1 + normal(0.1, H)
    w["v_head.weight"] = normal(0.5, 1, H)
    return w


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        raw = bytes(tensors[name].to(STORED[dtype]).contiguous().view(-1).view(torch.uint8).tolist())
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_checkpoint(out, weights, dtype, shards):
    if shards == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), weights, dtype)
        return
    names = sorted(weights, key=lambda n: (not n.startswith("model.tok"), n))
    per = -(-len(names) // shards)
    weight_map, total = {}, 0
    for s in range(shards):
        part = {n: weights[n] for n in names[s * per:(s + 1) * per]}
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        write_safetensors(os.path.join(out, file), part, dtype)
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * STORED[dtype].itemsize
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def check_reference():
    """The reference against the official code's own rewards before it makes any."""
    for model, golden in [("tiny-polar", "tiny-polar.jsonl"), ("tiny-polar-sharded", "tiny-polar-sharded.jsonl")]:
        ref = InternLM2Reward(os.path.join(DATA, model))
        for line in open(os.path.join(DATA, "golden", golden)):
            c = json.loads(line)
            diff = abs(ref.reward(c["input_ids"]) - c["reward"])
            if diff > 2e-5:
                sys.exit(f"reference differs from the official golden {model}/{c['name']} by {diff}")


def write_variants(root):
    cases = [json.loads(line) for line in open(os.path.join(DATA, "golden", "tiny-polar.jsonl"))]
    os.makedirs(root, exist_ok=True)
    for seed, (name, spec) in enumerate(sorted(VARIANTS.items()), start=1):
        out = os.path.join(root, name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        cfg = config_for(spec["config"])
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        for file in TOKENIZER_FILES:
            shutil.copy(os.path.join(FIXTURE, file), out)
        write_checkpoint(out, random_weights(cfg, seed), spec["dtype"], spec["shards"])
        ref = InternLM2Reward(out)  # reads back what was written: the stored values, widened
        ref_bf16 = InternLM2Reward(out, torch.bfloat16)
        rewards = []
        with open(os.path.join(root, name + ".jsonl"), "w") as f:
            for c in cases:
                values = ref.values(c["input_ids"])
                row = {k: c[k] for k in ("name", "prompt", "reference", "output", "max_length",
                                         "max_response_length", "response_cut_side", "encoded_text", "input_ids")}
                row["reward"] = values[-1]
                row["per_position"] = values
                row["reward_bfloat16"] = ref_bf16.reward(c["input_ids"])
                rewards.append(values[-1])
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(cases)} cases, rewards {min(rewards):.3f} to {max(rewards):.3f}")


def numbers_differ(a, b, atol):
    if isinstance(a, float) or isinstance(b, float):
        return not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or abs(a - b) > atol
    if isinstance(a, list) and isinstance(b, list):
        return len(a) != len(b) or any(numbers_differ(x, y, atol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() != b.keys() or any(numbers_differ(a[k], b[k], atol) for k in a)
    return a != b


def check_committed(root, fresh):
    """What was just written in `fresh` against the committed `root`: the error count."""
    errors = 0
    committed = sorted(os.listdir(root))
    if committed != sorted(os.listdir(fresh)):
        print(f"tests/data/variants holds {committed}, the script writes {sorted(os.listdir(fresh))}")
        return 1
    for entry in committed:
        if entry.endswith(".jsonl"):
            old = [json.loads(line) for line in open(os.path.join(root, entry))]
            new = [json.loads(line) for line in open(os.path.join(fresh, entry))]
            bad = [o.get("name") for o, n in zip(old, new) if numbers_differ(o, n, 1e-7)]
            if len(old) != len(new) or bad:
                print(f"{entry}: golden values differ from the reference's: {bad or 'case count'}")
                errors += 1
            continue
        for file in sorted(os.listdir(os.path.join(root, entry))):
            with open(os.path.join(root, entry, file), "rb") as a, open(os.path.join(fresh, entry, file), "rb") as b:
                if a.read() != b.read():
                    print(f"{entry}/{file}: differs from what the script writes")
                    errors += 1
    return errors


def main():
    check_reference()
    root = os.path.join(DATA, "variants")
    if "--check" not in sys.argv[1:]:
        write_variants(root)
        return
    with tempfile.TemporaryDirectory() as fresh:
        write_variants(fresh)
        errors = check_committed(root, fresh)
    print("the reference matches the official golden rewards; tests/data/variants " +
          ("is what it writes" if not errors else f"differs in {errors} place(s)"))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
