#!/usr/bin/env python3
"""A whole-process plain PyTorch baseline for `polar-cli score`: loads a model
directory's safetensors, reads the token ids `polar-cli score --explain`
wrote, and runs the reward forward the way the Hugging Face modeling code runs
it (eager attention, additive finfo.min mask, padded batches, no prefix
reuse). Used by bench/layouts.sh; prints the rewards and the seconds spent.

usage: reference_score.py MODEL_DIR EXPLAINED.jsonl [--batch N] [--threads N]
"""
import argparse
import json
import struct
import sys
import time

import torch

sys.path.insert(0, __import__("os").path.dirname(__file__))
from reference_forward import rms_norm, rotate_half  # noqa: E402

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + b:8 + n + e]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).float()
    return out


def load(model_dir):
    cfg = json.load(open(f"{model_dir}/config.json"))
    import os
    index = f"{model_dir}/model.safetensors.index.json"
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    w = {}
    for f in files:
        w.update(load_safetensors(f"{model_dir}/{f}"))
    return cfg, w


def rewards(cfg, w, ids, lengths):
    B, T = ids.shape
    H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d, G, eps = H // nh, nh // nkv, cfg["rms_norm_eps"]
    h = w["model.tok_embeddings.weight"][ids]
    pad = torch.arange(T)[None, :] < lengths[:, None]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None] & pad[:, None, None, :]
    mask = torch.zeros(B, 1, T, T).masked_fill(~allowed, torch.finfo(torch.float32).min)
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2).float() / d))
    freqs = torch.outer(torch.arange(T).float(), inv)
    emb = torch.cat((freqs, freqs), -1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = rms_norm(h, w[p + "attention_norm.weight"], eps)
        qkv = (x @ w[p + "attention.wqkv.weight"].T).view(B, T, nkv, G + 2, d)
        q = qkv[..., :G, :].reshape(B, T, nh, d).transpose(1, 2)
        k = qkv[..., -2, :].transpose(1, 2)
        v = qkv[..., -1, :].transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k[:, :, None].expand(B, nkv, G, T, d).reshape(B, nh, T, d)
        v = v[:, :, None].expand(B, nkv, G, T, d).reshape(B, nh, T, d)
        a = torch.softmax((q @ k.transpose(2, 3)) / d ** 0.5 + mask, dim=-1)
        h = h + (a @ v).transpose(1, 2).reshape(B, T, H) @ w[p + "attention.wo.weight"].T
        x = rms_norm(h, w[p + "ffn_norm.weight"], eps)
        f = torch.nn.functional.silu(x @ w[p + "feed_forward.w1.weight"].T) * (x @ w[p + "feed_forward.w3.weight"].T)
        h = h + f @ w[p + "feed_forward.w2.weight"].T
    h = rms_norm(h, w["model.norm.weight"], eps)
    return (h[torch.arange(B), lengths - 1] @ w["v_head.weight"].T).squeeze(-1)


def main():
    started = time.perf_counter()
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("explained")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    seqs = []
    for line in open(a.explained):
        r = json.loads(line)
        ex = r["explain"] if isinstance(r["explain"], list) else [r["explain"]]
        seqs += [e["token_ids"] for e in ex]
    cfg, w = load(a.model)
    pad = cfg.get("pad_token_id") or 0
    out = []
    with torch.inference_mode():
        for b in range(0, len(seqs), a.batch):
            batch = seqs[b:b + a.batch]
            T = max(map(len, batch))
            ids = torch.full((len(batch), T), pad, dtype=torch.long)
            for i, s in enumerate(batch):
                ids[i, :len(s)] = torch.tensor(s)
            out += rewards(cfg, w, ids, torch.tensor([len(s) for s in batch])).tolist()
    print(json.dumps({"rewards": out, "seconds": time.perf_counter() - started, "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
