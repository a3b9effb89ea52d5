"""Writes small LoRA adapters exactly as Hugging Face PEFT saves them for BertForSequenceClassification
(task SEQ_CLS, target_modules query/value/intermediate.dense, modules_to_save classifier), plus a base
checkpoint keyed like BertModel (no "bert." prefix). Independent of the Java writer: the safetensors bytes are
laid out the way the reference Rust implementation does (sorted keys, header padded with spaces to 8 bytes).

Run from this directory: python3 make_fixtures.py
"""
import json
import struct

import numpy as np

HIDDEN, INTER, LABELS, LAYERS = 8, 24, 3, 2


def save_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def modules():
    for i in range(LAYERS):
        yield f"bert.encoder.layer.{i}.attention.self.query", HIDDEN, HIDDEN
        yield f"bert.encoder.layer.{i}.attention.self.value", HIDDEN, HIDDEN
        yield f"bert.encoder.layer.{i}.intermediate.dense", INTER, HIDDEN


def config(r, alpha):
    return {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "tiny-bert", "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha,
        "lora_dropout": 0.1, "megatron_config": None, "megatron_core": "megatron.core",
        "modules_to_save": ["classifier", "score"], "peft_type": "LORA", "r": r, "rank_pattern": {},
        "revision": None, "target_modules": ["query", "value", "intermediate.dense"], "task_type": "SEQ_CLS",
        "use_dora": False, "use_rslora": False,
    }


def main():
    rng = np.random.default_rng(7)
    base = {}
    for name, d, k in modules():
        base[name[len("bert."):] + ".weight"] = rng.normal(0, 0.05, (d, k))
        base[name[len("bert."):] + ".bias"] = np.zeros(d)
    base["embeddings.word_embeddings.weight"] = rng.normal(0, 0.05, (30, HIDDEN))
    save_safetensors("base.safetensors", base, {"format": "pt"})
    # Three clients: ranks 4, 4 and 2, alphas 8, 8 and 4 (so the third has another scale too).
    for idx, (r, alpha) in enumerate([(4, 8), (4, 8), (2, 4)], start=1):
        tensors = {}
        for name, d, k in modules():
            tensors[f"base_model.model.{name}.lora_A.weight"] = rng.normal(0, 0.3, (r, k))
            tensors[f"base_model.model.{name}.lora_B.weight"] = rng.normal(0, 0.3, (d, r))
        tensors["base_model.model.classifier.weight"] = rng.normal(0, 0.1, (LABELS, HIDDEN))
        tensors["base_model.model.classifier.bias"] = rng.normal(0, 0.1, (LABELS,))
        import os
        os.makedirs(f"client{idx}", exist_ok=True)
        save_safetensors(f"client{idx}/adapter_model.safetensors", tensors, {"format": "pt"})
        with open(f"client{idx}/adapter_config.json", "w") as f:
            json.dump(config(r, alpha), f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
