package dev.fedexlora.train.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.train.checkpoint.BertConfig;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A BERT-family encoder with LoRA on named linear layers and a classification head on the mean-pooled last
 * hidden state, written as plain NDArray operations on the DJL PyTorch engine.
 *
 * <p>Every base parameter is frozen; only the LoRA matrices ({@code A} r×k, {@code B} d×r; with
 * {@link LoraSettings#freezeA()} only {@code B}) and the head ({@code classifier.weight} labels×hidden,
 * {@code classifier.bias}) are trainable. An adapted layer computes {@code y = x W0ᵀ + b + s·(x Aᵀ) Bᵀ}.
 * All parameters live in this object's own manager, closed with it.
 */
public final class BertClassifier implements AutoCloseable {

    public static final String HEAD = "classifier";
    private static final float MASKED = -1e9f;

    private final NDManager manager;
    private final BertConfig config;
    private final LoraSettings lora;
    private final int numLabels;
    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final Map<String, NDArray[]> adapters = new LinkedHashMap<>();
    private final NDArray headWeight;
    private final NDArray headBias;
    /**
     * The LoRA scale and 1/√(head size) as tensors owned by the model. DJL's {@code mul(Number)} wraps the number
     * in a tensor over Java-owned memory and closes it as soon as the product is computed, but autograd keeps that
     * tensor for the backward pass: a garbage collection in between frees the memory the backward reads (wrong
     * gradients, or NaN). Multiplying by these tensors keeps the operand alive as long as the model.
     */
    private final NDArray scale;
    private final NDArray attentionScale;
    private int firstAdaptedLayer;
    private HfCheckpoint checkpoint;
    private byte[] frozenFingerprint;

    private BertClassifier(NDManager manager, BertConfig config, LoraSettings lora, int numLabels,
                           NDArray headWeight, NDArray headBias) {
        this.manager = manager;
        this.config = config;
        this.lora = lora;
        this.numLabels = numLabels;
        this.headWeight = headWeight;
        this.headBias = headBias;
        this.scale = manager.create((float) lora.scale());
        this.attentionScale = manager.create((float) (1 / Math.sqrt(config.headSize())));
    }

    /** The GPU when the engine sees one, the CPU otherwise. */
    public static Device preferredDevice() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /**
     * An encoder with the checkpoint's weights and LoRA on every linear layer {@code lora} targets. The adapters
     * and head start from {@code start} when given (the current global state); otherwise A is drawn as PEFT draws
     * it (uniform ±1/√k), B is zero and the head is N(0, 0.02²), all from {@code initSeed}, so every client of a
     * job starts from the same adapters (which FFA relies on).
     */
    public static BertClassifier create(Device device, HfCheckpoint checkpoint, LoraSettings lora, int numLabels,
                                        LoraAdapter start, long initSeed) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("numLabels must be at least 2, got " + numLabels);
        }
        BertConfig config = checkpoint.config();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            NDArray headW;
            NDArray headB;
            if (start != null && start.extras().containsKey(HEAD + ".weight")) {
                headW = create(manager, start.extras().get(HEAD + ".weight"), numLabels, config.hiddenSize());
                Tensor b = start.extras().get(HEAD + ".bias");
                headB = b == null ? manager.zeros(new Shape(numLabels)) : create(manager, b, numLabels);
            } else {
                Random r = new Random(initSeed);
                float[] w = new float[numLabels * config.hiddenSize()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (r.nextGaussian() * 0.02);
                }
                headW = manager.create(w, new Shape(numLabels, config.hiddenSize()));
                headB = manager.zeros(new Shape(numLabels));
            }
            BertClassifier model = new BertClassifier(manager, config, lora, numLabels, headW, headB);
            for (String name : HfCheckpoint.parameterNames(config)) {
                Tensor t = checkpoint.weights().get(name);
                NDArray a = manager.create(t.toFloatArray(), new Shape(t.shape()));
                model.base.put(name, a);
            }
            for (int l = 0; l < config.numHiddenLayers(); l++) {
                for (String module : HfCheckpoint.linearModules(l)) {
                    if (lora.targets(module)) {
                        model.adapters.put(module, model.initAdapter(module, start, initSeed));
                    }
                }
            }
            if (model.adapters.isEmpty()) {
                throw new IllegalArgumentException("target modules " + lora.targetModules()
                        + " match no linear layer of the encoder");
            }
            model.firstAdaptedLayer = layerOf(model.adapters.keySet().iterator().next());
            model.checkpoint = checkpoint;
            for (NDArray p : model.trainable()) {
                p.setRequiresGradient(true);
            }
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static int layerOf(String module) {
        String rest = module.substring("encoder.layer.".length());
        return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
    }

    /** A fingerprint with the tensors it covers. */
    private record Fingerprint(Tensor[] tensors, byte[] digest) {
    }

    /** The last fingerprint computed: the tasks of a job share their frozen tensors, so it is usually the next one. */
    private static volatile Fingerprint lastFingerprint;

    /** SHA-256 over the names, shapes and bytes of the embeddings and of every layer below {@code layers}. */
    private static byte[] fingerprint(HfCheckpoint checkpoint, int layers) {
        List<String> names = HfCheckpoint.parameterNames(checkpoint.config()).stream()
                .filter(n -> !n.startsWith("encoder.layer.") || layerOf(n) < layers).toList();
        Tensor[] tensors = names.stream().map(n -> checkpoint.weights().get(n)).toArray(Tensor[]::new);
        Fingerprint last = lastFingerprint;
        if (last != null && sameTensors(last.tensors(), tensors)) {
            return last.digest();
        }
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            sha.update((names.get(i) + java.util.Arrays.toString(t.shape()) + t.dtype()).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            sha.update(t.bytes());
        }
        byte[] digest = sha.digest();
        lastFingerprint = new Fingerprint(tensors, digest);
        return digest;
    }

    /** The same tensor objects (tensors are immutable, so the same bytes). */
    private static boolean sameTensors(Tensor[] a, Tensor[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private NDArray[] initAdapter(String module, LoraAdapter start, long seed) {
        NDArray w = base.get(module + ".weight");
        int d = (int) w.getShape().get(0);
        int k = (int) w.getShape().get(1);
        int r = lora.rank();
        if (start != null) {
            LoraLayer layer = start.layers().get(module);
            if (layer == null) {
                throw new IllegalArgumentException("the starting adapter has no layer " + module);
            }
            if (layer.rank() != r || layer.inFeatures() != k || layer.outFeatures() != d) {
                throw new IllegalArgumentException("the starting adapter's " + module + " is " + layer.b().rows()
                        + "x" + layer.rank() + "x" + layer.inFeatures() + ", expected " + d + "x" + r + "x" + k);
            }
            return new NDArray[] {manager.create(layer.a().data().clone(), new Shape(r, k)),
                    manager.create(layer.b().data().clone(), new Shape(d, r))};
        }
        float[] a = lora.initialA(module, k, seed);
        return new NDArray[] {manager.create(a, new Shape(r, k)), manager.zeros(new Shape(d, r))};
    }

    private static NDArray create(NDManager m, Tensor t, long... expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("tensor of shape " + java.util.Arrays.toString(t.shape())
                    + " where " + java.util.Arrays.toString(expected) + " was expected");
        }
        return m.create(t.toFloatArray(), new Shape(expected));
    }

    public BertConfig config() {
        return config;
    }

    public LoraSettings lora() {
        return lora;
    }

    public int numLabels() {
        return numLabels;
    }

    public NDManager manager() {
        return manager;
    }

    /** The trainable parameters, in a fixed order: per module A (unless frozen) and B, then the head. */
    public List<NDArray> trainable() {
        List<NDArray> out = new ArrayList<>();
        for (NDArray[] ab : adapters.values()) {
            if (!lora.freezeA()) {
                out.add(ab[0]);
            }
            out.add(ab[1]);
        }
        out.add(headWeight);
        out.add(headBias);
        return out;
    }

    /**
     * The first encoder layer with an adapter. The embeddings and the layers below it are frozen and no round
     * changes them (residuals touch adapted modules only), so their output can be computed once per example and
     * reused: see {@link #frozenHidden} and {@link #logitsFromFrozen}.
     */
    public int firstAdaptedLayer() {
        return firstAdaptedLayer;
    }

    /**
     * SHA-256 of the weights {@link #frozenHidden} depends on (the embeddings and the layers below
     * {@link #firstAdaptedLayer}): equal fingerprints give equal frozen hidden states for equal token ids. Computed
     * on first use, since only a caller that caches frozen outputs needs it.
     */
    public byte[] frozenFingerprint() {
        if (frozenFingerprint == null) {
            frozenFingerprint = fingerprint(checkpoint, firstAdaptedLayer);
        }
        return frozenFingerprint.clone();
    }

    /** Names of the adapted modules, in layer order. */
    public List<String> adaptedModules() {
        return List.copyOf(adapters.keySet());
    }

    /** Logits (batch×labels). Dropout is active only when {@code training}. */
    public NDArray logits(Batch batch, boolean training) {
        return head(pooled(batch, training), training);
    }

    /** The mask-weighted mean of the last hidden state (batch×hidden): the sentence embedding of MiniLM. */
    public NDArray pooled(Batch batch, boolean training) {
        NDArray mask = batch.mask(manager).toType(DataType.FLOAT32, false);
        return pool(encode(embed(batch, training), mask, 0, training), mask);
    }

    /** The last hidden state (batch×length×hidden). */
    public NDArray lastHiddenState(Batch batch) {
        NDArray mask = batch.mask(manager).toType(DataType.FLOAT32, false);
        return encode(embed(batch, false), mask, 0, false);
    }

    /**
     * The hidden states after the embeddings and the frozen layers below {@link #firstAdaptedLayer}
     * (batch×length×hidden), computed without dropout: what {@link #logitsFromFrozen} starts from.
     */
    public NDArray frozenHidden(Batch batch) {
        NDArray mask = batch.mask(manager).toType(DataType.FLOAT32, false);
        NDArray x = embed(batch, false);
        return firstAdaptedLayer == 0 ? x : encode(x, mask, 0, firstAdaptedLayer, false);
    }

    /**
     * Logits from {@link #frozenHidden}'s output and the float attention mask (batch×length): the adapted layers,
     * pooling and head. Dropout is active only when {@code training}.
     */
    public NDArray logitsFromFrozen(NDArray hidden, NDArray mask, boolean training) {
        NDArray pooled = pool(encode(hidden, mask, firstAdaptedLayer, training), mask);
        return head(pooled, training);
    }

    private NDArray head(NDArray pooled, boolean training) {
        NDArray x = training ? Dropout.dropout(pooled, (float) config.hiddenDropout(), true).singletonOrThrow() : pooled;
        return Linear.linear(x, headWeight, headBias).singletonOrThrow();
    }

    private static NDArray pool(NDArray hidden, NDArray mask) {
        NDArray summed = hidden.mul(mask.expandDims(2)).sum(new int[] {1});
        return summed.div(mask.sum(new int[] {1}, true).maximum(1e-9f));
    }

    private NDArray embed(Batch batch, boolean training) {
        int t = batch.length();
        NDArray positions = manager.arange(config.positionOffset(), config.positionOffset() + t, 1, DataType.INT64)
                .reshape(1, t);
        NDArray x = embed(batch.ids(manager), "embeddings.word_embeddings.weight")
                .add(embed(batch.types(manager), "embeddings.token_type_embeddings.weight"))
                .add(embed(positions, "embeddings.position_embeddings.weight"));
        x = LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), p("embeddings.LayerNorm.weight"),
                p("embeddings.LayerNorm.bias"), (float) config.layerNormEps()).singletonOrThrow();
        return dropout(x, training ? (float) config.hiddenDropout() : 0f);
    }

    private NDArray encode(NDArray x, NDArray mask, int from, boolean training) {
        return encode(x, mask, from, config.numHiddenLayers(), training);
    }

    /** Layers {@code from} (inclusive) to {@code to} (exclusive) on hidden states {@code x}. */
    private NDArray encode(NDArray x, NDArray mask, int from, int to, boolean training) {
        Shape xs = x.getShape();
        int n = (int) xs.get(0);
        int t = (int) xs.get(1);
        int h = config.hiddenSize();
        int heads = config.numAttentionHeads();
        int hd = config.headSize();
        float eps = (float) config.layerNormEps();
        float hiddenDrop = training ? (float) config.hiddenDropout() : 0f;
        float attnDrop = training ? (float) config.attentionDropout() : 0f;
        Shape norm = new Shape(h);
        // Additive mask over keys: 0 for tokens, a large negative number for padding (batch×1×1×length).
        NDArray keyBias = mask.sub(1f).mul(-MASKED).reshape(n, 1, 1, t);

        for (int l = from; l < to; l++) {
            String pre = "encoder.layer." + l + ".";
            NDArray q = linear(x, pre + "attention.self.query").mul(attentionScale).reshape(n, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = linear(x, pre + "attention.self.key").reshape(n, t, heads, hd).transpose(0, 2, 3, 1);
            NDArray v = linear(x, pre + "attention.self.value").reshape(n, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray probs = q.matMul(k).add(keyBias).softmax(-1);
            probs = dropout(probs, attnDrop);
            NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(n, t, h);
            NDArray attn = dropout(linear(ctx, pre + "attention.output.dense"), hiddenDrop);
            x = LayerNorm.layerNorm(attn.add(x), norm, p(pre + "attention.output.LayerNorm.weight"),
                    p(pre + "attention.output.LayerNorm.bias"), eps).singletonOrThrow();
            NDArray inter = Activation.gelu(linear(x, pre + "intermediate.dense"));
            NDArray out = dropout(linear(inter, pre + "output.dense"), hiddenDrop);
            x = LayerNorm.layerNorm(out.add(x), norm, p(pre + "output.LayerNorm.weight"),
                    p(pre + "output.LayerNorm.bias"), eps).singletonOrThrow();
        }
        return x;
    }

    private NDArray embed(NDArray ids, String table) {
        return Embedding.embedding(ids, p(table), SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray linear(NDArray x, String module) {
        NDArray y = Linear.linear(x, p(module + ".weight"), p(module + ".bias")).singletonOrThrow();
        NDArray[] ab = adapters.get(module);
        if (ab == null) {
            return y;
        }
        NDArray low = Linear.linear(x, ab[0]).singletonOrThrow();
        return y.add(Linear.linear(low, ab[1]).singletonOrThrow().mul(scale));
    }

    private static NDArray dropout(NDArray x, float rate) {
        return rate > 0 ? Dropout.dropout(x, rate, true).singletonOrThrow() : x;
    }

    private NDArray p(String name) {
        return base.get(name);
    }

    /**
     * The adapters and head as a PEFT adapter (A r×k, B d×r, head as the extra tensors
     * {@code classifier.weight} / {@code classifier.bias}).
     */
    public LoraAdapter toAdapter(String baseModel) {
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        adapters.forEach((module, ab) -> {
            Shape a = ab[0].getShape();
            Shape b = ab[1].getShape();
            layers.put(module, new LoraLayer(module, new Matrix((int) a.get(0), (int) a.get(1), ab[0].toFloatArray()),
                    new Matrix((int) b.get(0), (int) b.get(1), ab[1].toFloatArray())));
        });
        Map<String, Tensor> extras = new LinkedHashMap<>();
        extras.put(HEAD + ".weight", Tensor.ofFloats(headWeight.toFloatArray(), numLabels, config.hiddenSize()));
        extras.put(HEAD + ".bias", Tensor.ofFloats(headBias.toFloatArray(), numLabels));
        AdapterConfig ac = new AdapterConfig(lora.rank(), lora.alpha(), lora.useRslora(), lora.targetModules(),
                List.of(HEAD), false, Map.of(), baseModel, "SEQ_CLS");
        return new LoraAdapter(ac, layers, extras);
    }

    @Override
    public void close() {
        manager.close();
    }
}
