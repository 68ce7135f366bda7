"""An independent reference for InternLM2ForRewardModel, in plain PyTorch.

Written from the official modeling_internlm2.py (InternLM2ForRewardModel as
POLAR ships it), step for step, with none of the engine's code: the wqkv rows
grouped per kv head, rotate_half RoPE with linear or dynamic NTK scaling,
repeat_kv, eager softmax attention, RMSNorm, SwiGLU, the final norm and the
value head on every position. It computes in float64 by default, so it is the
exact arithmetic the float32 official forward approximates; the golden fixtures
of ../shared/fixtures (computed by the official code itself) check it.

Reads the HF model directory by hand (config.json, safetensors single or
sharded), so it needs nothing but torch.
"""
import json
import math
import os
import struct

import torch

_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(raw, dtype=_DTYPES[info["dtype"]]) if raw else torch.empty(0, dtype=_DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"])
    return tensors


def read_weights(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(model_dir, name)))
    return weights


class InternLM2Reward:
    def __init__(self, model_dir, dtype=torch.float64):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = json.load(f)
        self.dtype = dtype
        # Norms and softmax run in float32 whatever the compute dtype, as the official modules do.
        self.wide = torch.float64 if dtype == torch.float64 else torch.float32
        self.w = {k: v.to(dtype) for k, v in read_weights(model_dir).items()}
        c = self.cfg
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c["hidden_size"] // self.heads
        self.groups = self.heads // self.kv_heads

    # -- blocks, as the official modules compute them ----------------------------

    def rms_norm(self, x, weight):
        h = x.to(self.wide)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.cfg["rms_norm_eps"])
        return weight * h.to(x.dtype)

    def rotary(self, seq_len):
        """cos, sin [seq_len, head_dim] for a sequence of seq_len tokens (InternLM2RotaryEmbedding
        and its Linear / DynamicNTK subclasses, on a fresh module)."""
        c, dim = self.cfg, self.head_dim
        base = float(c.get("rope_theta", 10000))
        scaling = c.get("rope_scaling") or {}
        kind = scaling.get("type", scaling.get("rope_type"))
        factor = float(scaling.get("factor", 1.0))
        max_pos = c["max_position_embeddings"]
        t = torch.arange(seq_len, dtype=torch.float64)
        if kind == "dynamic" and seq_len > max_pos:
            base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        if kind == "linear":
            t = t / factor
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
        freqs = torch.outer(t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    @staticmethod
    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def attention(self, x, i, cos, sin):
        w = self.w
        p = f"model.layers.{i}.attention."
        B, T, _ = x.shape
        qkv = torch.nn.functional.linear(x, w[p + "wqkv.weight"], w.get(p + "wqkv.bias"))
        # "b q (h gs d) -> b q h gs d": per kv head, G queries then its key and value.
        qkv = qkv.view(B, T, self.kv_heads, self.groups + 2, self.head_dim)
        q = qkv[..., : self.groups, :].reshape(B, T, self.heads, self.head_dim).transpose(1, 2)
        k = qkv[..., -2, :].transpose(1, 2)
        v = qkv[..., -1, :].transpose(1, 2)
        q = q * cos + self.rotate_half(q) * sin
        k = k * cos + self.rotate_half(k) * sin
        k = k.repeat_interleave(self.groups, dim=1)  # repeat_kv
        v = v.repeat_interleave(self.groups, dim=1)
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores.to(self.wide), dim=-1)
        out = (probs.to(q.dtype) @ v).transpose(1, 2).reshape(B, T, self.heads * self.head_dim)
        return torch.nn.functional.linear(out, w[p + "wo.weight"], w.get(p + "wo.bias"))

    def feed_forward(self, x, i):
        p = f"model.layers.{i}.feed_forward."
        w1, w2, w3 = (self.w[p + n + ".weight"] for n in ("w1", "w2", "w3"))
        F = torch.nn.functional
        return F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)

    # -- the model ----------------------------------------------------------------

    def values(self, ids):
        """The value head at every position of one unpadded sequence: a list of floats."""
        w = self.w
        x = w["model.tok_embeddings.weight"][torch.tensor(ids)].unsqueeze(0)  # [1, T, H]
        cos, sin = self.rotary(len(ids))
        for i in range(self.cfg["num_hidden_layers"]):
            x = x + self.attention(self.rms_norm(x, w[f"model.layers.{i}.attention_norm.weight"]), i, cos, sin)
            x = x + self.feed_forward(self.rms_norm(x, w[f"model.layers.{i}.ffn_norm.weight"]), i)
        x = self.rms_norm(x, w["model.norm.weight"])
        return torch.nn.functional.linear(x, w["v_head.weight"])[0, :, 0].tolist()

    def reward(self, ids):
        return self.values(ids)[-1]
