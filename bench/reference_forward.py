#!/usr/bin/env python3
"""Plain PyTorch reference for `polar-cli bench`: the InternLM2 reward forward
written the way the Hugging Face modeling code runs it (eager attention with
an additive finfo.min mask, one padded batch at a time, no prefix reuse).

Reads a workload file written by polar-cli bench, builds random weights of the
same shape, times each workload and prints one JSON object per workload.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch


def rms_norm(x, w, eps):
    dtype = x.dtype
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return w * h.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Model:
    def __init__(self, cfg, dtype, device, seed=0):
        torch.manual_seed(seed)
        H, F = cfg["hidden_size"], cfg["intermediate_size"]
        self.nh, self.nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.d = H // self.nh
        self.eps = cfg["rms_norm_eps"]
        self.theta = cfg["rope_theta"]
        opts = dict(dtype=dtype, device=device)
        rows = (self.nh + 2 * self.nkv) * self.d

        def rnd(*shape):
            return torch.randn(*shape, **opts) * 0.02

        self.emb = rnd(cfg["vocab_size"], H)
        self.layers = [dict(wqkv=rnd(rows, H), wo=rnd(H, H), w1=rnd(F, H), w3=rnd(F, H), w2=rnd(H, F),
                            n1=torch.ones(H, **opts), n2=torch.ones(H, **opts))
                       for _ in range(cfg["num_hidden_layers"])]
        self.norm = torch.ones(H, **opts)
        self.v_head = rnd(1, H)

    def rewards(self, ids, lengths):
        B, T = ids.shape
        dtype, dev = self.emb.dtype, ids.device
        h = self.emb[ids]
        # Causal + padding mask, added as finfo.min like the eager implementation.
        pad = torch.arange(T, device=dev)[None, :] < lengths[:, None]
        causal = torch.ones(T, T, dtype=torch.bool, device=dev).tril()
        allowed = causal[None, None] & pad[:, None, None, :]
        mask = torch.zeros(B, 1, T, T, dtype=dtype, device=dev).masked_fill(~allowed, torch.finfo(dtype).min)
        inv = 1.0 / (self.theta ** (torch.arange(0, self.d, 2, device=dev).float() / self.d))
        freqs = torch.outer(torch.arange(T, device=dev).float(), inv)
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos().to(dtype)[None, None], emb.sin().to(dtype)[None, None]
        G = self.nh // self.nkv
        for L in self.layers:
            x = rms_norm(h, L["n1"], self.eps)
            qkv = (x @ L["wqkv"].T).view(B, T, self.nkv, G + 2, self.d)
            q = qkv[..., :G, :].reshape(B, T, self.nh, self.d).transpose(1, 2)
            k = qkv[..., -2, :].transpose(1, 2)
            v = qkv[..., -1, :].transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k[:, :, None].expand(B, self.nkv, G, T, self.d).reshape(B, self.nh, T, self.d)
            v = v[:, :, None].expand(B, self.nkv, G, T, self.d).reshape(B, self.nh, T, self.d)
            w = (q @ k.transpose(2, 3)) / math.sqrt(self.d) + mask
            w = torch.softmax(w, dim=-1, dtype=torch.float32).to(dtype)
            o = (w @ v).transpose(1, 2).reshape(B, T, self.nh * self.d)
            h = h + o @ L["wo"].T
            x = rms_norm(h, L["n2"], self.eps)
            h = h + (torch.nn.functional.silu(x @ L["w1"].T) * (x @ L["w3"].T)) @ L["w2"].T
        h = rms_norm(h, self.norm, self.eps)
        last = h[torch.arange(B, device=dev), lengths - 1]
        return (last @ self.v_head.T).squeeze(-1).float()


def run(model, batches, device, pad_id):
    for batch in batches:
        T = max(len(s) for s in batch)
        ids = torch.full((len(batch), T), pad_id, dtype=torch.long)
        for i, s in enumerate(batch):
            ids[i, :len(s)] = torch.tensor(s)
        lengths = torch.tensor([len(s) for s in batch])
        model.rewards(ids.to(device), lengths.to(device))
    if device == "cuda":
        torch.cuda.synchronize()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    args = ap.parse_args()
    spec = json.load(open(args.workload))
    device = spec["device"]
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[spec["dtype"]]
    if spec.get("threads"):
        torch.set_num_threads(spec["threads"])
    model = Model(spec["config"], dtype, device)
    with torch.inference_mode():
        for w in spec["workloads"]:
            run(model, w["batches"][:1], device, spec["pad_id"])  # warm-up
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            times = []
            for _ in range(w["repeats"]):
                t0 = time.perf_counter()
                run(model, w["batches"], device, spec["pad_id"])
                times.append(time.perf_counter() - t0)
            peak = torch.cuda.max_memory_allocated() if device == "cuda" else 0
            print(json.dumps({"name": w["name"], "seconds": statistics.median(times), "peak_bytes": peak}), flush=True)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
