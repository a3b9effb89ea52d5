package dev.fedexlora.coordinator.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.CoordinatorProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's base checkpoint (version 0) as the coordinator sees it: which weight files it has and the shape of every
 * tensor, read from the safetensors headers alone (two ranged GETs of each file's presigned URL; the weights are never
 * downloaded), and kept per model: a base checkpoint never changes.
 *
 * <p>A base holds one {@code model.safetensors}, or {@code model.safetensors.index.json} and the shards its
 * {@code weight_map} names. The index comes from the registry, but is still bounded and checked before it is used:
 * at most {@link #MAX_INDEX_BYTES}, at most {@link #MAX_SHARDS} shards, every shard named as Hugging Face names them
 * ({@code model-00001-of-00004.safetensors}) and stored as an artifact of version 0, and every tensor of a shard's
 * header placed in that shard by the index. A shard name is only ever used to ask the registry for that artifact.
 */
@Component
public class BaseCheckpoints {

    public static final String CHECKPOINT = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** Shard names as Hugging Face writes them (and the registry's import accepts); nothing else is followed. */
    public static final Pattern SHARD = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    /** A safetensors header, or all shards' headers together, larger than this is refused before it is read. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** An index larger than this is refused before it is read (a 405B model's is under 100 KiB). */
    static final long MAX_INDEX_BYTES = 16L << 20;
    /** Shards one index may name. */
    static final int MAX_SHARDS = 1024;

    private final RegistryClient registry;
    private final JsonMapper json;
    private final HttpClient http;
    private final java.time.Duration timeout;
    private final Map<String, Layout> layouts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<Long>>> shapes = new ConcurrentHashMap<>();

    BaseCheckpoints(RegistryClient registry, JsonMapper json, CoordinatorProperties properties) {
        this.registry = registry;
        this.json = json;
        this.timeout = properties.registry().timeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The weight files of a base: {@code [model.safetensors]}, or for a sharded base its index followed by every
     * shard the index names, in name order. @throws RegistryCallException when unreadable or malformed
     */
    public List<String> weightFiles(String model) {
        Layout layout = layout(model);
        if (layout.tensorToShard() == null) {
            return List.of(CHECKPOINT);
        }
        List<String> files = new ArrayList<>();
        files.add(INDEX);
        files.addAll(layout.shards());
        return List.copyOf(files);
    }

    /** Tensor name → shape of {@code model}'s base checkpoint. @throws RegistryCallException when unreadable */
    public Map<String, List<Long>> shapes(String model) {
        Map<String, List<Long>> cached = shapes.get(model);
        if (cached != null) {
            return cached;
        }
        Map<String, List<Long>> read = read(model, layout(model));
        shapes.put(model, read);
        return read;
    }

    /** The names LoRA can target in {@code model}: the last path component of every 2-d {@code *.weight}. */
    public Set<String> targetableModules(String model) {
        Set<String> out = new TreeSet<>();
        shapes(model).forEach((key, shape) -> {
            if (shape.size() == 2 && key.endsWith(".weight")) {
                String module = key.substring(0, key.length() - ".weight".length());
                out.add(module.substring(module.lastIndexOf('.') + 1));
            }
        });
        return out;
    }

    /** {@code tensorToShard} null: one {@code model.safetensors}. {@code shards} in name order. */
    private record Layout(List<String> shards, Map<String, String> tensorToShard) {
    }

    private Layout layout(String model) {
        Layout cached = layouts.get(model);
        if (cached != null) {
            return cached;
        }
        Layout read = readLayout(model);
        layouts.put(model, read);
        return read;
    }

    private Layout readLayout(String model) {
        RegistryClient.Version base = registry.version(model, "0");
        Map<String, RegistryClient.ArtifactRef> artifacts = new LinkedHashMap<>();
        for (RegistryClient.ArtifactRef a : base.artifacts() == null ? List.<RegistryClient.ArtifactRef>of()
                : base.artifacts()) {
            artifacts.put(a.file(), a);
        }
        if (!artifacts.containsKey(INDEX)) {
            // Also a registry that does not list artifacts: the single file is asked for, and a 404 says so.
            return new Layout(List.of(CHECKPOINT), null);
        }
        RegistryClient.ArtifactRef index = artifacts.get(INDEX);
        if (index.size() > MAX_INDEX_BYTES) {
            throw malformed(model, INDEX + " is " + index.size() + " bytes, more than " + MAX_INDEX_BYTES);
        }
        JsonNode weightMap;
        try {
            byte[] bytes = get(registry.presign(model, 0, INDEX).url(), MAX_INDEX_BYTES);
            weightMap = json.readTree(bytes).path("weight_map");
        } catch (JacksonException e) {
            throw malformed(model, INDEX + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RegistryCallException("cannot read " + INDEX + " of " + model + ": " + e.getMessage(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryCallException("interrupted reading " + INDEX + " of " + model, 0, e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw malformed(model, INDEX + " has no weight_map object");
        }
        Map<String, String> tensorToShard = new LinkedHashMap<>();
        Set<String> shards = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            JsonNode value = e.getValue();
            String shard = value.isString() ? value.asString() : null;
            if (shard == null || !SHARD.matcher(shard).matches()) {
                throw malformed(model, INDEX + " places " + e.getKey() + " in " + value
                        + ", which is not a shard name model-NNNNN-of-NNNNN.safetensors");
            }
            if (shards.add(shard)) {
                if (shards.size() > MAX_SHARDS) {
                    throw malformed(model, INDEX + " names more than " + MAX_SHARDS + " shards");
                }
                if (!artifacts.containsKey(shard)) {
                    throw malformed(model, INDEX + " names " + shard + ", which version 0 does not hold");
                }
            }
            tensorToShard.put(e.getKey(), shard);
        }
        return new Layout(List.copyOf(shards), Map.copyOf(tensorToShard));
    }

    private Map<String, List<Long>> read(String model, Layout layout) {
        if (layout.tensorToShard() == null) {
            return Map.copyOf(header(model, CHECKPOINT, new long[] {MAX_HEADER_BYTES}));
        }
        long[] budget = {MAX_HEADER_BYTES};
        Map<String, List<Long>> out = new TreeMap<>();
        for (String shard : layout.shards()) {
            for (Map.Entry<String, List<Long>> e : header(model, shard, budget).entrySet()) {
                if (!shard.equals(layout.tensorToShard().get(e.getKey()))) {
                    throw malformed(model, shard + " holds " + e.getKey() + ", which " + INDEX + " places "
                            + (layout.tensorToShard().containsKey(e.getKey())
                            ? "in " + layout.tensorToShard().get(e.getKey()) : "nowhere"));
                }
                out.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : layout.tensorToShard().entrySet()) {
            if (!out.containsKey(e.getKey())) {
                throw malformed(model, e.getValue() + " lacks " + e.getKey() + ", which " + INDEX + " places there");
            }
        }
        return Map.copyOf(out);
    }

    /**
     * The tensor shapes in {@code file}'s safetensors header; {@code budget[0]} is what may still be read of headers
     * and is reduced by this one's length.
     */
    private Map<String, List<Long>> header(String model, String file, long[] budget) {
        String url = registry.presign(model, 0, file).url();
        try {
            long headerLength = ByteBuffer.wrap(range(url, 0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 1 || headerLength > budget[0]) {
                throw malformed(model, file + " declares a header of " + headerLength + " bytes (at most "
                        + budget[0] + " left of " + MAX_HEADER_BYTES + ")");
            }
            budget[0] -= headerLength;
            JsonNode header = json.readTree(range(url, 8, (int) headerLength));
            Map<String, List<Long>> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                JsonNode shape = e.getValue().path("shape");
                if (!e.getKey().equals("__metadata__") && shape.isArray()) {
                    out.put(e.getKey(), shape.valueStream().map(JsonNode::asLong).toList());
                }
            }
            return out;
        } catch (IOException | JacksonException e) {
            throw new RegistryCallException("cannot read the header of " + file + " of " + model + "'s base: "
                    + e.getMessage(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryCallException("interrupted reading the base checkpoint of " + model, 0, e);
        }
    }

    private static RegistryCallException malformed(String model, String problem) {
        return new RegistryCallException("base checkpoint of " + model + ": " + problem, 0, null);
    }

    /** The whole body of {@code url}, refused when longer than {@code max} bytes. */
    private byte[] get(String url, long max) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("GET answered " + r.statusCode());
            }
            byte[] bytes = in.readNBytes((int) max + 1);
            if (bytes.length > max) {
                throw new IOException("longer than " + max + " bytes");
            }
            return bytes;
        }
    }

    /** Exactly {@code length} bytes from {@code offset} (a server that ignores Range is read no further). */
    private byte[] range(String url, long offset, int length) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).GET().build();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 206 && r.statusCode() != 200) {
                throw new IOException("GET answered " + r.statusCode());
            }
            if (r.statusCode() == 200) {
                in.skipNBytes(offset);
            }
            return in.readNBytes(length);
        }
    }
}
