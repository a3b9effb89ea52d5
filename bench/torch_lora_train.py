#!/usr/bin/env python3
"""LoRA training throughput of a BERT-family encoder in PyTorch: the PyTorch side of `./fedex bench train`.

The same model and step as the platform's DJL trainer (lora-train's BertClassifier and LocalTrainer): the
Hugging Face BERT checkpoint in --model (config.json + model.safetensors, read here without the safetensors
package), LoRA on query and value (A uniform +-1/sqrt(k), B zero, scale alpha/r with alpha = 2r), every base
weight frozen, mean pooling over the attention mask, dropout as in the config, a linear head, cross-entropy,
backward, global-norm clipping at 1.0, AdamW with linear warmup then linear decay. Every sequence is exactly
--seq real tokens. Prints one JSON line with every measured run; with --serve, one line per run asked for
on stdin, so that `./fedex bench train` can interleave it with the DJL runs.

    python bench/torch_lora_train.py --model DIR --threads 2 --batch-size 32 --seq 64 --rank 8
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        buf = bytearray(data[8 + n + start:8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=DTYPES[meta["dtype"]]).reshape(meta["shape"]).float()
    return out


class LoraBert(torch.nn.Module):
    def __init__(self, cfg, weights, rank, alpha, labels, attention, seed=1):
        super().__init__()
        self.cfg = cfg
        self.attention = attention
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.p_hidden = cfg.get("hidden_dropout_prob", 0.1)
        self.p_attn = cfg.get("attention_probs_dropout_prob", 0.1)
        self.scale = alpha / rank
        for k, v in weights.items():
            self.register_buffer(k.replace(".", "__"), v)  # frozen: buffers never get gradients
        g = torch.Generator().manual_seed(seed)
        h = cfg["hidden_size"]
        self.lora = torch.nn.ParameterDict()
        for l in range(cfg["num_hidden_layers"]):
            for m in ("query", "value"):
                key = f"l{l}_{m}"
                bound = 1 / math.sqrt(h)
                self.lora[key + "_A"] = torch.nn.Parameter((torch.rand(rank, h, generator=g) * 2 - 1) * bound)
                self.lora[key + "_B"] = torch.nn.Parameter(torch.zeros(h, rank))
        self.head_w = torch.nn.Parameter(torch.randn(labels, h, generator=g) * 0.02)
        self.head_b = torch.nn.Parameter(torch.zeros(labels))

    def w(self, name):
        return getattr(self, name.replace(".", "__"))

    def linear(self, x, module, lora=None):
        y = F.linear(x, self.w(module + ".weight"), self.w(module + ".bias"))
        if lora is not None:
            y = y + F.linear(F.linear(x, self.lora[lora + "_A"]), self.lora[lora + "_B"]) * self.scale
        return y

    def forward(self, ids, mask):
        n, t = ids.shape
        h = self.cfg["hidden_size"]
        hd = h // self.heads
        pos = torch.arange(t).unsqueeze(0)
        x = (F.embedding(ids, self.w("embeddings.word_embeddings.weight"))
             + F.embedding(torch.zeros_like(ids), self.w("embeddings.token_type_embeddings.weight"))
             + F.embedding(pos, self.w("embeddings.position_embeddings.weight")))
        x = F.layer_norm(x, (h,), self.w("embeddings.LayerNorm.weight"), self.w("embeddings.LayerNorm.bias"), self.eps)
        x = F.dropout(x, self.p_hidden, self.training)
        maskf = mask.float()
        key_bias = ((1 - maskf) * -1e9).view(n, 1, 1, t)
        for l in range(self.cfg["num_hidden_layers"]):
            pre = f"encoder.layer.{l}."
            q = self.linear(x, pre + "attention.self.query", f"l{l}_query").view(n, t, self.heads, hd).transpose(1, 2)
            k = self.linear(x, pre + "attention.self.key").view(n, t, self.heads, hd).transpose(1, 2)
            v = self.linear(x, pre + "attention.self.value", f"l{l}_value").view(n, t, self.heads, hd).transpose(1, 2)
            if self.attention == "sdpa":
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=key_bias,
                                                     dropout_p=self.p_attn if self.training else 0.0)
            else:
                probs = torch.softmax((q / math.sqrt(hd)) @ k.transpose(-1, -2) + key_bias, dim=-1)
                probs = F.dropout(probs, self.p_attn, self.training)
                ctx = probs @ v
            ctx = ctx.transpose(1, 2).reshape(n, t, h)
            a = F.dropout(self.linear(ctx, pre + "attention.output.dense"), self.p_hidden, self.training)
            x = F.layer_norm(a + x, (h,), self.w(pre + "attention.output.LayerNorm.weight"),
                             self.w(pre + "attention.output.LayerNorm.bias"), self.eps)
            inter = F.gelu(self.linear(x, pre + "intermediate.dense"))
            o = F.dropout(self.linear(inter, pre + "output.dense"), self.p_hidden, self.training)
            x = F.layer_norm(o + x, (h,), self.w(pre + "output.LayerNorm.weight"),
                             self.w(pre + "output.LayerNorm.bias"), self.eps)
        pooled = (x * maskf.unsqueeze(2)).sum(1) / maskf.sum(1, keepdim=True).clamp_min(1e-9)
        pooled = F.dropout(pooled, self.p_hidden, self.training)
        return F.linear(pooled, self.head_w, self.head_b)


def run(model, batches, steps, lr=5e-4, warmup_ratio=0.06):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    warm = math.ceil(warmup_ratio * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    model.train()
    start = time.perf_counter()
    tokens = 0
    examples = 0
    for s in range(steps):
        ids, mask, labels = batches[s % len(batches)]
        loss = F.cross_entropy(model(ids, mask), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        loss.item()  # the DJL side reads every step's loss too
        tokens += int(mask.sum())
        examples += ids.shape[0]
    seconds = time.perf_counter() - start
    return {"steps": steps, "seconds": seconds, "examples_per_second": examples / seconds,
            "tokens_per_second": tokens / seconds}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--labels", type=int, default=26)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--attention", choices=["eager", "sdpa"], default="eager")
    ap.add_argument("--serve", action="store_true", help="warm up, then one measured run per 'run' line on stdin")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(11)
    with open(f"{a.model}/config.json") as f:
        cfg = json.load(f)
    model = LoraBert(cfg, read_safetensors(f"{a.model}/model.safetensors"), a.rank, 2.0 * a.rank, a.labels,
                     a.attention)
    g = torch.Generator().manual_seed(7)
    vocab = cfg["vocab_size"]
    batches = []
    for _ in range(8):
        ids = torch.randint(1000, vocab, (a.batch_size, a.seq), generator=g)
        ids[:, 0] = 101  # [CLS]
        ids[:, -1] = 102  # [SEP]
        batches.append((ids, torch.ones_like(ids), torch.randint(0, a.labels, (a.batch_size,), generator=g)))
    if a.warmup > 0:
        run(model, batches, a.warmup)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "attention": a.attention,
            "batch_size": a.batch_size, "seq": a.seq, "rank": a.rank}
    if a.serve:
        # Interleaved with another implementation: one measured run per "run" line on stdin.
        print(json.dumps(dict(info, ready=True)), flush=True)
        for line in sys.stdin:
            if line.strip() != "run":
                break
            print(json.dumps(run(model, batches, a.steps)), flush=True)
        return
    runs = [run(model, batches, a.steps) for _ in range(a.repeats)]
    print(json.dumps(dict(info, runs=runs)))


if __name__ == "__main__":
    main()
