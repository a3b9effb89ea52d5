#!/usr/bin/env python3
"""A Llama / Mistral / Qwen2 causal LM with LoRA in plain PyTorch: the reference `./fedex lm` is proven against,
and the PyTorch side of `./fedex bench lm`.

Written from the Hugging Face transformers definitions (modeling_llama.py, modeling_mistral.py,
modeling_qwen2.py) with torch's own primitives, because transformers and peft are not installed:
RMSNorm in fp32 (torch.nn.functional.rms_norm), rotary embeddings in the rotate_half convention with rope_theta
and rope_scaling type llama3, grouped-query attention through
torch.nn.functional.scaled_dot_product_attention(is_causal=True, enable_gqa=True), SwiGLU MLP, q/k/v biases
(qwen2, or attention_bias), tied or separate lm_head. Checkpoints are read without the safetensors package:
model.safetensors or the shards of model.safetensors.index.json, F32/F16/BF16 widened to fp32. A PEFT adapter
(adapter_config.json + adapter_model.safetensors, keys base_model.model.<module>.lora_A.weight) adds
s * (x A^T) B^T to its projections.

    python bench/torch_causal_lm.py logits --model DIR [--adapter DIR] --tokens 1,2,3 --out FILE.safetensors
    python bench/torch_causal_lm.py grads --model DIR --adapter DIR --batch BATCH.json --out FILE.safetensors
    python bench/torch_causal_lm.py bench --model DIR --threads 2 --batch-size 8 --seq 256 --rank 16 [--serve]
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

from torch_lora_train import read_safetensors  # the same reader as the encoder benchmark (this directory)

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_checkpoint(model_dir):
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        weights = {}
        for s in shards:
            weights.update(read_safetensors(os.path.join(model_dir, s)))
        return weights
    return read_safetensors(os.path.join(model_dir, "model.safetensors"))


def inv_frequencies(cfg, head_dim):
    # transformers' _compute_default_rope_parameters and _compute_llama3_parameters
    base = cfg.get("rope_theta", 10000.0)
    inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
        is_medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv_freq = torch.where(is_medium, smoothed, inv_freq_llama)
    return inv_freq


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class CausalLm(torch.nn.Module):
    def __init__(self, model_dir, adapter_dir=None, lora=None, device="cpu"):
        super().__init__()
        with open(os.path.join(model_dir, "config.json")) as f:
            cfg = json.load(f)
        self.cfg = cfg
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.w = {k: v.to(device) for k, v in read_checkpoint(model_dir).items()}  # frozen: plain tensors, no grad
        self.register_buffer("inv_freq", inv_frequencies(cfg, self.head_dim), persistent=False)
        self.lora = torch.nn.ParameterDict()
        self.scale = {}
        if adapter_dir:
            with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
                acfg = json.load(f)
            tensors = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
            for key, t in tensors.items():
                module = key[len("base_model.model."):].rsplit(".lora_", 1)[0]
                kind = "A" if ".lora_A." in key else "B"
                self.lora[module.replace(".", "__") + "__" + kind] = torch.nn.Parameter(t.clone())
                r = t.shape[0] if kind == "A" else t.shape[1]
                alpha = acfg.get("lora_alpha", 8)
                self.scale[module] = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
        elif lora:
            rank, alpha = lora
            g = torch.Generator().manual_seed(1)
            for l in range(self.layers):
                for p in PROJECTIONS:
                    module = f"model.layers.{l}.{'self_attn' if p in PROJECTIONS[:4] else 'mlp'}.{p}"
                    out_f, in_f = self.w[module + ".weight"].shape
                    bound = 1 / math.sqrt(in_f)
                    a = (torch.rand(rank, in_f, generator=g) * 2 - 1) * bound
                    self.lora[module.replace(".", "__") + "__A"] = torch.nn.Parameter(a)
                    self.lora[module.replace(".", "__") + "__B"] = torch.nn.Parameter(torch.zeros(out_f, rank))
                    self.scale[module] = alpha / rank

    def linear(self, x, module):
        y = F.linear(x, self.w[module + ".weight"], self.w.get(module + ".bias"))
        key = module.replace(".", "__")
        if key + "__A" in self.lora:
            y = y + F.linear(F.linear(x, self.lora[key + "__A"]), self.lora[key + "__B"]) * self.scale[module]
        return y

    def rms_norm(self, x, weight):
        # LlamaRMSNorm: the variance in fp32, then the weight
        return F.rms_norm(x.float(), (x.shape[-1],), self.w[weight], eps=self.eps)

    def forward(self, ids, mask=None):
        n, t = ids.shape
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        pos = torch.arange(t, dtype=torch.float32, device=ids.device)
        freqs = torch.outer(pos, self.inv_freq.float())
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        attn_mask = None
        if mask is not None and not bool(mask.all()):
            causal = torch.ones(t, t, dtype=torch.bool, device=ids.device).tril()
            attn_mask = causal[None, None] & mask.bool()[:, None, None, :]
        for l in range(self.layers):
            p = f"model.layers.{l}."
            h = self.rms_norm(x, p + "input_layernorm.weight")
            q = self.linear(h, p + "self_attn.q_proj").view(n, t, self.heads, self.head_dim).transpose(1, 2)
            k = self.linear(h, p + "self_attn.k_proj").view(n, t, self.kv_heads, self.head_dim).transpose(1, 2)
            v = self.linear(h, p + "self_attn.v_proj").view(n, t, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if attn_mask is None:
                o = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            else:
                o = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, enable_gqa=True)
            o = o.transpose(1, 2).reshape(n, t, self.heads * self.head_dim)
            x = x + self.linear(o, p + "self_attn.o_proj")
            h = self.rms_norm(x, p + "post_attention_layernorm.weight")
            x = x + self.linear(F.silu(self.linear(h, p + "mlp.gate_proj")) * self.linear(h, p + "mlp.up_proj"),
                                p + "mlp.down_proj")
        x = self.rms_norm(x, "model.norm.weight")
        head = self.w["model.embed_tokens.weight"] if self.cfg.get("tie_word_embeddings") else self.w["lm_head.weight"]
        return F.linear(x, head)

    def loss(self, ids, mask, labels):
        # transformers' ForCausalLMLoss: shift, ignore -100, mean over the counted tokens
        logits = self.forward(ids, mask)
        shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
        shift_labels = labels[:, 1:].reshape(-1)
        return F.cross_entropy(shift_logits, shift_labels, ignore_index=-100, reduction="mean")

    def lora_items(self):
        for key, p in self.lora.items():
            module, kind = key.rsplit("__", 1)
            yield "base_model.model." + module.replace("__", ".") + f".lora_{kind}.weight", p


def cmd_logits(args):
    model = CausalLm(args.model, args.adapter)
    ids = torch.tensor([[int(t) for t in args.tokens.split(",")]])
    with torch.no_grad():
        logits = model(ids)[0]
    write_safetensors(args.out, {"logits": logits})


def cmd_grads(args):
    model = CausalLm(args.model, args.adapter)
    with open(args.batch) as f:
        b = json.load(f)
    ids, mask, labels = (torch.tensor(b[k]) for k in ("ids", "mask", "labels"))
    loss = model.loss(ids, mask, labels)
    loss.backward()
    out = {"loss": loss.detach().reshape(1)}
    for name, p in model.lora_items():
        out[name] = p.grad
    write_safetensors(args.out, out)


def cmd_bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = CausalLm(args.model, lora=(args.rank, 2 * args.rank)).to(args.device)
    model.w = {k: v.to(args.device) for k, v in model.w.items()}
    params = list(model.lora.values())
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    vocab = model.cfg["vocab_size"]
    g = torch.Generator().manual_seed(0)

    def step():
        ids = torch.randint(0, vocab, (args.batch_size, args.seq), generator=g).to(args.device)
        loss = model.loss(ids, None, ids)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)

    def run():
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        if args.device != "cpu":
            torch.cuda.synchronize()
        secs = time.perf_counter() - start
        return {"tokens_per_s": args.steps * args.batch_size * args.seq / secs, "seconds": secs}

    for _ in range(args.warmup):
        step()
    if args.serve:
        print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
        for _ in sys.stdin:
            print(json.dumps(run()), flush=True)
    else:
        print(json.dumps({"torch": torch.__version__, "runs": [run() for _ in range(args.runs)]}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("logits")
    p.add_argument("--model", required=True)
    p.add_argument("--adapter")
    p.add_argument("--tokens", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("grads")
    p.add_argument("--model", required=True)
    p.add_argument("--adapter", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("bench")
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--serve", action="store_true")
    p.add_argument("--device", default="cpu", help="cpu or cuda (fp32 weights on either)")
    args = ap.parse_args()
    torch.set_num_threads(getattr(args, "threads", 1) or 1)
    {"logits": cmd_logits, "grads": cmd_grads, "bench": cmd_bench}[args.cmd](args)


if __name__ == "__main__":
    main()
