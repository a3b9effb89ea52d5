package dev.fedexlora.registry.model;

import dev.fedexlora.core.tensor.CheckedSafeTensorStream;
import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.registry.api.ProblemType;
import dev.fedexlora.registry.api.RegistryException;
import dev.fedexlora.registry.version.Versions;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files of a Hugging Face checkpoint checked against each other before anything is stored: {@code config.json},
 * {@code tokenizer.json}, and either one {@code model.safetensors} or shards with {@code model.safetensors.index.json}.
 * Only the JSON files and each shard's header (its first bytes) are read here; the shards' data is checked while it
 * streams to the object store ({@link #uploads}). Every refusal is a 400 naming the file.
 */
final class CheckpointFiles {

    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer.json";
    static final String SINGLE = DecoderCheckpoint.WEIGHTS_FILE;
    static final String INDEX = DecoderCheckpoint.INDEX_FILE;
    /** Shard names as Hugging Face writes them; nothing else is accepted, so no name is ever used as a path. */
    static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    static final long MAX_JSON_BYTES = 64L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Map<String, String> TORCH_DTYPES = Map.of("bfloat16", "BF16", "float16", "F16",
            "float32", "F32");

    /** One received file: its size and a way to read it from the start (a multipart part on disk, a local file). */
    interface Source {
        long size();

        InputStream open() throws IOException;

        static Source of(Path file) {
            return new Source() {
                @Override
                public long size() {
                    try {
                        return Files.size(file);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                @Override
                public InputStream open() throws IOException {
                    return Files.newInputStream(file);
                }
            };
        }
    }

    private final Map<String, Source> files;
    private final JsonNode config;
    private final Map<String, SafeTensors.Layout> shards = new TreeMap<>();

    private CheckpointFiles(Map<String, Source> files, JsonNode config) {
        this.files = files;
        this.config = config;
    }

    /** Checks names, JSON files, every shard's header and the agreement of shards, index and config. */
    static CheckpointFiles check(Map<String, Source> received) {
        for (String name : received.keySet()) {
            if (!name.equals(CONFIG) && !name.equals(TOKENIZER) && !name.equals(SINGLE) && !name.equals(INDEX)
                    && !SHARD.matcher(name).matches()) {
                throw malformed(name, "unexpected file '" + name + "': a checkpoint holds " + CONFIG + ", "
                        + TOKENIZER + " and " + SINGLE + ", or shards model-00001-of-0000N.safetensors with " + INDEX);
            }
        }
        for (String required : new String[] {CONFIG, TOKENIZER}) {
            if (!received.containsKey(required)) {
                throw malformed(required, required + " is missing");
            }
        }
        JsonNode config = json(received, CONFIG);
        json(received, TOKENIZER);
        CheckpointFiles out = new CheckpointFiles(received, config);
        boolean sharded = received.keySet().stream().anyMatch(n -> SHARD.matcher(n).matches());
        if (received.containsKey(INDEX) || sharded) {
            if (received.containsKey(SINGLE)) {
                throw malformed(SINGLE, SINGLE + " and sharded weights were both sent; send one or the other");
            }
            if (!received.containsKey(INDEX)) {
                throw malformed(INDEX, INDEX + " is missing: sharded weights need their index");
            }
            out.readHeaders();
            out.checkIndex(json(received, INDEX));
        } else {
            if (!received.containsKey(SINGLE)) {
                throw malformed(SINGLE, SINGLE + " is missing (or " + INDEX + " with its shards)");
            }
            out.readHeaders();
        }
        out.checkAgainstConfig();
        return out;
    }

    JsonNode config() {
        return config;
    }

    /** The files in the order they are stored: config, index, weights, tokenizer; weights checked as they stream. */
    Map<String, Versions.Upload> uploads() {
        Map<String, Versions.Upload> out = new LinkedHashMap<>();
        for (String name : order()) {
            Source s = files.get(name);
            out.put(name, new Versions.Upload(s.size(), name.endsWith(".safetensors")
                    ? () -> CheckedSafeTensorStream.open(s.open(), s.size(), name) : s::open));
        }
        return out;
    }

    private Iterable<String> order() {
        java.util.List<String> names = new java.util.ArrayList<>();
        names.add(CONFIG);
        if (files.containsKey(INDEX)) {
            names.add(INDEX);
        }
        names.addAll(shards.keySet());
        names.add(TOKENIZER);
        return names;
    }

    private void readHeaders() {
        for (Map.Entry<String, Source> f : new TreeMap<>(files).entrySet()) {
            String name = f.getKey();
            if (!name.endsWith(".safetensors")) {
                continue;
            }
            try (InputStream in = f.getValue().open()) {
                SafeTensors.Layout layout = CheckedSafeTensorStream.open(in, f.getValue().size(), name).layout();
                if (layout.entries().isEmpty()) {
                    throw malformed(name, name + ": holds no tensors");
                }
                shards.put(name, layout);
            } catch (IOException e) {
                String why = String.valueOf(e.getMessage());
                why = why.startsWith(name + ": ") ? why.substring(name.length() + 2) : why;
                throw malformed(name, name + ": not a valid safetensors file: " + why);
            }
        }
    }

    private void checkIndex(JsonNode index) {
        JsonNode map = index.path("weight_map");
        if (!map.isObject() || map.isEmpty()) {
            throw malformed(INDEX, INDEX + ": weight_map is missing or empty");
        }
        Map<String, String> where = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String shard = e.getValue().isString() ? e.getValue().asString() : "";
            if (!shards.containsKey(shard)) {
                throw malformed(INDEX, INDEX + ": weight_map['" + e.getKey() + "'] names shard '" + shard
                        + "', which was not sent");
            }
            if (shards.get(shard).entries().stream().noneMatch(t -> t.name().equals(e.getKey()))) {
                throw malformed(INDEX, INDEX + ": weight_map places '" + e.getKey() + "' in " + shard
                        + ", which holds no such tensor");
            }
            where.put(e.getKey(), shard);
        }
        for (Map.Entry<String, SafeTensors.Layout> s : shards.entrySet()) {
            if (!where.containsValue(s.getKey())) {
                throw malformed(s.getKey(), s.getKey() + ": sent but " + INDEX + " names no tensor in it");
            }
            for (SafeTensors.Entry t : s.getValue().entries()) {
                if (!s.getKey().equals(where.get(t.name()))) {
                    throw malformed(INDEX, INDEX + ": has no entry for '" + t.name() + "', which " + s.getKey()
                            + " holds" + (where.containsKey(t.name()) ? " (it names " + where.get(t.name()) + ")" : ""));
                }
            }
        }
    }

    /** Decoder checkpoints: every parameter the architecture needs, with its shape and the declared dtype. */
    private void checkAgainstConfig() {
        String type = config.path("model_type").asString("");
        String declared = TORCH_DTYPES.get(config.path("torch_dtype").asString("").toLowerCase(Locale.ROOT));
        Map<String, SafeTensors.Entry> all = new HashMap<>();
        Map<String, String> shardOf = new HashMap<>();
        shards.forEach((shard, layout) -> layout.entries().forEach(t -> {
            all.put(t.name(), t);
            shardOf.put(t.name(), shard);
        }));
        if (declared != null) {
            for (SafeTensors.Entry t : all.values()) {
                if (t.dtype().isFloatingPoint() && !t.dtype().name().equals(declared)) {
                    throw malformed(shardOf.get(t.name()), shardOf.get(t.name()) + ": tensor '" + t.name() + "' is "
                            + t.dtype() + " but " + CONFIG + " declares torch_dtype "
                            + config.path("torch_dtype").asString());
                }
            }
        }
        if (!DecoderConfig.FAMILIES.contains(type)) {
            return;
        }
        DecoderConfig decoder;
        try {
            Path tmp = Files.createTempFile("config-", ".json");
            try {
                Files.write(tmp, JSON.writeValueAsBytes(config));
                decoder = DecoderConfig.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw malformed(CONFIG, CONFIG + ": " + String.valueOf(e.getMessage()).replaceAll("^/\\S*: ", ""));
        }
        for (Map.Entry<String, long[]> e : DecoderCheckpoint.expectedShapes(decoder).entrySet()) {
            SafeTensors.Entry t = all.get(e.getKey());
            if (t == null) {
                throw malformed(CONFIG, "the weights have no tensor '" + e.getKey() + "', which a " + type + " with "
                        + CONFIG + "'s sizes needs");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw malformed(shardOf.get(t.name()), shardOf.get(t.name()) + ": tensor '" + t.name() + "' is "
                        + Arrays.toString(t.shape()) + " but " + CONFIG + " makes it " + Arrays.toString(e.getValue()));
            }
        }
    }

    private static JsonNode json(Map<String, Source> files, String name) {
        Source s = files.get(name);
        if (s.size() > MAX_JSON_BYTES) {
            throw malformed(name, name + ": larger than " + (MAX_JSON_BYTES >> 20) + " MiB");
        }
        try (InputStream in = s.open()) {
            JsonNode node = JSON.readTree(in.readNBytes((int) s.size()));
            if (node == null || !node.isObject()) {
                throw malformed(name, name + ": not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw malformed(name, name + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static RegistryException malformed(String file, String why) {
        return new RegistryException(ProblemType.MALFORMED_CHECKPOINT, why, file);
    }
}
