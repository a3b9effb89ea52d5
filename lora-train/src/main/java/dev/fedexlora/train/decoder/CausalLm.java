package dev.fedexlora.train.decoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.train.model.LoraSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama/Mistral/Qwen2 decoder as Hugging Face transformers defines it, written as NDArray operations on DJL's
 * PyTorch engine: token embedding; per layer RMSNorm, attention with rotary embeddings ({@code rotate_half}
 * convention, optional {@code llama3} frequency scaling) and grouped-query heads, RMSNorm, SwiGLU MLP; final
 * RMSNorm; tied or separate {@code lm_head}. Attention is causal, with an optional key padding mask.
 *
 * <p>Every base parameter is frozen. On the CPU everything is fp32 (F16/BF16 files are widened on load); on a GPU
 * the large base matrices (embedding, the seven projections, {@code lm_head}) are held in fp16 and the residual
 * stream, norms, LoRA matrices and optimiser state stay fp32. An adapted projection computes
 * {@code y = x W0ᵀ + b + s·(x Aᵀ) Bᵀ} (A r×in, B out×r). All tensors live in this object's manager.
 */
public final class CausalLm implements AutoCloseable {

    private static final float MASKED = -1e9f;

    private final NDManager manager;
    private final DecoderConfig config;
    private final LoraSettings lora;
    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final Map<String, Adapter> adapters = new LinkedHashMap<>();
    private final DataType weightType;
    /** Every base parameter is trained (pretraining) instead of LoRA adapters. */
    private boolean fullParameters;
    /** Constants as model-owned tensors: DJL frees a {@code mul(Number)} operand before backward reads it. */
    private final NDArray eps;
    private final NDArray attentionScale;
    private final NDArray invFreq;

    /** One adapted projection: A (r×in), B (out×r) and its scale. */
    private record Adapter(NDArray a, NDArray b, NDArray scale) {
    }

    private CausalLm(NDManager manager, DecoderConfig config, LoraSettings lora, DataType weightType) {
        this.manager = manager;
        this.config = config;
        this.lora = lora;
        this.weightType = weightType;
        this.eps = manager.create((float) config.rmsNormEps());
        this.attentionScale = manager.create((float) (1 / Math.sqrt(config.headDim())));
        this.invFreq = manager.create(Rope.inverseFrequencies(config));
    }

    /**
     * A model with the checkpoint's weights and, when {@code lora} is given, LoRA on every projection it targets.
     * The adapters start from {@code start} when given (its own per-module scale); otherwise A is drawn as PEFT
     * draws it (uniform ±1/√in) and B is zero, from {@code initSeed}.
     */
    public static CausalLm create(Device device, DecoderCheckpoint checkpoint, LoraSettings lora, LoraAdapter start,
                                  long initSeed) {
        DecoderConfig config = checkpoint.config();
        NDManager manager = NDManager.newBaseManager(device);
        DataType weightType = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        try {
            CausalLm model = new CausalLm(manager, config, lora, weightType);
            for (Map.Entry<String, long[]> e : DecoderCheckpoint.expectedShapes(config).entrySet()) {
                Tensor t = checkpoint.weights().get(e.getKey());
                NDArray a = manager.create(t.toFloatArray(), new Shape(t.shape()));
                if (weightType != DataType.FLOAT32 && e.getValue().length == 2) {
                    NDArray half = a.toType(weightType, false);
                    a.close();
                    a = half;
                }
                model.base.put(e.getKey(), a);
            }
            if (lora != null) {
                for (int l = 0; l < config.numHiddenLayers(); l++) {
                    for (String module : DecoderCheckpoint.linearModules(l)) {
                        if (lora.targets(module)) {
                            model.adapters.put(module, model.initAdapter(module, start, initSeed));
                        }
                    }
                }
                if (model.adapters.isEmpty()) {
                    throw new IllegalArgumentException("target modules " + lora.targetModules()
                            + " match no projection of the decoder (q_proj k_proj v_proj o_proj gate_proj up_proj"
                            + " down_proj)");
                }
                if (start != null) {
                    for (String m : start.layers().keySet()) {
                        if (!model.adapters.containsKey(m)) {
                            throw new IllegalArgumentException("the adapter's layer " + m
                                    + " is not a targeted projection of this decoder");
                        }
                    }
                }
                for (NDArray p : model.trainable()) {
                    p.setRequiresGradient(true);
                }
            }
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A model whose every parameter (embeddings, norms, projections, head) is trainable, without adapters: full-
     * parameter training, as pretraining from a random initialisation needs. On CPU only (weights stay in F32).
     * {@link #toCheckpoint} returns the trained weights.
     */
    public static CausalLm createFull(DecoderCheckpoint checkpoint) {
        CausalLm model = create(Device.cpu(), checkpoint, null, null, 0);
        model.fullParameters = true;
        for (NDArray p : model.trainable()) {
            p.setRequiresGradient(true);
        }
        return model;
    }

    /** The model's current base weights (F32) as a checkpoint with {@code like}'s directory and tokenizer. */
    public DecoderCheckpoint toCheckpoint(DecoderCheckpoint like) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        base.forEach((name, a) -> weights.put(name, Tensor.ofFloats(a.toType(DataType.FLOAT32, false).toFloatArray(),
                a.getShape().getShape())));
        return new DecoderCheckpoint(like.dir(), config, weights, like.tokenizer());
    }

    /** LoRA settings that reproduce {@code adapter}'s rank, alpha, rsLoRA and targets. */
    public static LoraSettings settingsOf(LoraAdapter adapter) {
        AdapterConfig c = adapter.config();
        List<String> targets = c.targetModules().isEmpty() ? List.copyOf(adapter.layers().keySet()) : c.targetModules();
        return new LoraSettings(c.r(), c.loraAlpha(), c.useRslora(), targets, false);
    }

    private Adapter initAdapter(String module, LoraAdapter start, long seed) {
        NDArray w = base.get(module + ".weight");
        int d = (int) w.getShape().get(0);
        int k = (int) w.getShape().get(1);
        int r = lora.rank();
        if (start != null) {
            LoraLayer layer = start.layers().get(module);
            if (layer == null) {
                throw new IllegalArgumentException("the starting adapter has no layer " + module);
            }
            if (layer.inFeatures() != k || layer.outFeatures() != d) {
                throw new IllegalArgumentException("the adapter's " + module + " is " + layer.outFeatures() + "x"
                        + layer.rank() + "x" + layer.inFeatures() + ", the projection is " + d + "x" + k);
            }
            int rank = layer.rank();
            return new Adapter(manager.create(layer.a().data().clone(), new Shape(rank, k)),
                    manager.create(layer.b().data().clone(), new Shape(d, rank)),
                    manager.create((float) start.scale(module)));
        }
        float[] a = lora.initialA(module, k, seed);
        return new Adapter(manager.create(a, new Shape(r, k)), manager.zeros(new Shape(d, r)),
                manager.create((float) lora.scale()));
    }

    public DecoderConfig config() {
        return config;
    }

    public LoraSettings lora() {
        return lora;
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * The trainable parameters in a fixed order: per module A (unless frozen) and B; with {@link #createFull}, every
     * base parameter in file order.
     */
    public List<NDArray> trainable() {
        if (fullParameters) {
            return List.copyOf(base.values());
        }
        List<NDArray> out = new ArrayList<>();
        for (Adapter ab : adapters.values()) {
            if (!lora.freezeA()) {
                out.add(ab.a());
            }
            out.add(ab.b());
        }
        return out;
    }

    /** Names of {@link #trainable()} as PEFT keys them, without the {@code base_model.model.} prefix. */
    public List<String> trainableNames() {
        if (fullParameters) {
            return List.copyOf(base.keySet());
        }
        List<String> out = new ArrayList<>();
        for (String m : adapters.keySet()) {
            if (!lora.freezeA()) {
                out.add(m + ".lora_A.weight");
            }
            out.add(m + ".lora_B.weight");
        }
        return out;
    }

    /** Names of the adapted modules, in layer order. */
    public List<String> adaptedModules() {
        return List.copyOf(adapters.keySet());
    }

    /**
     * Logits (batch×length×vocab, fp32) of token ids (batch×length, int64). {@code mask} (batch×length, 1 for a
     * token, 0 for padding; may be null) masks padded keys. With {@code cache} the ids continue the cached
     * sequence and their keys and values are appended to it.
     */
    public NDArray logits(NDArray ids, NDArray mask, KvCache cache) {
        return head(hidden(ids, mask, cache));
    }

    /** The final normed hidden states (batch×length×hidden, fp32). */
    public NDArray hidden(NDArray ids, NDArray mask, KvCache cache) {
        int n = (int) ids.getShape().get(0);
        int t = (int) ids.getShape().get(1);
        int start = cache == null ? 0 : cache.length();
        int total = start + t;
        if (config.slidingWindow() > 0 && total > config.slidingWindow()) {
            throw new IllegalArgumentException("sequence of " + total + " tokens is longer than sliding_window "
                    + config.slidingWindow() + ", which this model does not implement");
        }
        NDArray x = Embedding.embedding(ids, base.get("model.embed_tokens.weight"), SparseFormat.DENSE)
                .singletonOrThrow();
        x = fp32(x);
        NDArray positions = manager.arange(start, total, 1, DataType.FLOAT32).reshape(t, 1);
        NDArray freqs = positions.matMul(invFreq.reshape(1, -1));
        NDArray emb = freqs.concat(freqs, 1);
        NDArray cos = emb.cos();
        NDArray sin = emb.sin();
        NDArray bias = attentionBias(n, t, start, mask, cache);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            NDArray h = rmsNorm(x, p + "input_layernorm.weight");
            NDArray q = linear(h, p + "self_attn.q_proj").reshape(n, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = linear(h, p + "self_attn.k_proj").reshape(n, t, kvHeads, hd).transpose(0, 2, 1, 3);
            NDArray v = linear(h, p + "self_attn.v_proj").reshape(n, t, kvHeads, hd).transpose(0, 2, 1, 3);
            q = Rope.apply(q, cos, sin);
            k = Rope.apply(k, cos, sin);
            if (cache != null) {
                NDArray[] kv = cache.append(l, k, v);
                k = kv[0];
                v = kv[1];
            }
            int s = (int) k.getShape().get(2);
            // Grouped-query attention without copying keys: query heads grouped per key/value head, broadcast.
            NDArray scores = q.reshape(n, kvHeads, config.groups(), t, hd)
                    .matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3)).mul(attentionScale);
            if (bias != null) {
                scores = scores.add(bias);
            }
            NDArray ctx = scores.softmax(-1).matMul(v.expandDims(2)).reshape(n, heads, t, hd)
                    .transpose(0, 2, 1, 3).reshape(n, t, heads * hd);
            x = x.add(linear(ctx, p + "self_attn.o_proj"));
            h = rmsNorm(x, p + "post_attention_layernorm.weight");
            NDArray gate = linear(h, p + "mlp.gate_proj");
            NDArray act = gate.mul(Activation.sigmoid(gate)).mul(linear(h, p + "mlp.up_proj"));
            x = x.add(linear(act, p + "mlp.down_proj"));
            assert s == total;
        }
        if (cache != null) {
            cache.advance(t);
        }
        return rmsNorm(x, "model.norm.weight");
    }

    /** The vocabulary logits of hidden states (…×hidden). */
    public NDArray head(NDArray hidden) {
        NDArray w = base.get(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        return fp32(Linear.linear(hidden.toType(w.getDataType(), false), w).singletonOrThrow());
    }

    /** Causal plus key-padding additive bias (batch×1×1×length×keys), or null when nothing is masked. */
    private NDArray attentionBias(int n, int t, int start, NDArray mask, KvCache cache) {
        int s = start + t;
        NDArray bias = null;
        if (t > 1) {
            float[] causal = new float[t * s];
            for (int i = 0; i < t; i++) {
                for (int j = start + i + 1; j < s; j++) {
                    causal[i * s + j] = MASKED;
                }
            }
            bias = manager.create(causal, new Shape(1, 1, 1, t, s));
        }
        NDArray keys = mask;
        if (cache != null) {
            keys = cache.appendMask(mask, n, t);
        }
        if (keys != null) {
            NDArray pad = keys.toType(DataType.FLOAT32, false).neg().add(1f).mul(MASKED).reshape(n, 1, 1, 1, s);
            bias = bias == null ? pad : bias.add(pad);
        }
        return bias;
    }

    private NDArray rmsNorm(NDArray x, String weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(base.get(weight));
    }

    private NDArray linear(NDArray x, String module) {
        NDArray w = base.get(module + ".weight");
        NDArray y = fp32(Linear.linear(x.toType(w.getDataType(), false), w).singletonOrThrow());
        NDArray b = base.get(module + ".bias");
        if (b != null) {
            y = y.add(b);
        }
        Adapter ab = adapters.get(module);
        if (ab == null) {
            return y;
        }
        NDArray low = Linear.linear(x, ab.a()).singletonOrThrow();
        return y.add(Linear.linear(low, ab.b()).singletonOrThrow().mul(ab.scale()));
    }

    private static NDArray fp32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    /** A fresh key/value cache for greedy generation over this model. */
    public KvCache newCache() {
        return new KvCache(config.numHiddenLayers(), manager);
    }

    /** The adapters as a PEFT causal-LM adapter (keys {@code base_model.model.model.layers.N…lora_A.weight}). */
    public LoraAdapter toAdapter(String baseModel) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        adapters.forEach((module, ab) -> {
            Shape a = ab.a().getShape();
            Shape b = ab.b().getShape();
            layers.put(module, new LoraLayer(module, new Matrix((int) a.get(0), (int) a.get(1), ab.a().toFloatArray()),
                    new Matrix((int) b.get(0), (int) b.get(1), ab.b().toFloatArray())));
        });
        AdapterConfig ac = new AdapterConfig(lora.rank(), lora.alpha(), lora.useRslora(), lora.targetModules(),
                List.of(), false, Map.of(), baseModel, "CAUSAL_LM");
        return new LoraAdapter(ac, layers, Map.of());
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Rotary position embeddings as transformers computes them. */
    static final class Rope {

        private Rope() {
        }

        /** {@code 1/θ^(2i/d)}, rescaled per frequency band under {@code rope_scaling} type llama3. */
        static float[] inverseFrequencies(DecoderConfig c) {
            int d = c.headDim();
            float[] out = new float[d / 2];
            for (int i = 0; i < out.length; i++) {
                float f = (float) (1.0 / Math.pow(c.ropeTheta(), (float) (2 * i) / d));
                DecoderConfig.RopeScaling s = c.ropeScaling();
                if (s != null) {
                    double old = s.originalMaxPositionEmbeddings();
                    double lowWave = old / s.lowFreqFactor();
                    double highWave = old / s.highFreqFactor();
                    double wave = 2 * Math.PI / f;
                    double scaled = wave > lowWave ? f / s.factor() : f;
                    if (wave >= highWave && wave <= lowWave) {
                        double smooth = (old / wave - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                        scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                    }
                    f = (float) scaled;
                }
                out[i] = f;
            }
            return out;
        }

        /** {@code x·cos + rotate_half(x)·sin} for x (batch×heads×length×d) and cos/sin (length×d). */
        static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
            NDList halves = x.split(2, 3);
            NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
            return x.mul(cos).add(rotated.mul(sin));
        }
    }
}
