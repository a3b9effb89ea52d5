package dev.fedexlora.coordinator.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.fedexlora.coordinator.CoordinatorProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The layer shapes of a model's base checkpoint (version 0's {@code model.safetensors}), read from its safetensors
 * header alone with two ranged GETs of the presigned URL (the weights are never downloaded), and kept per model:
 * a base checkpoint never changes.
 */
@Component
public class BaseCheckpoints {

    static final String CHECKPOINT = "model.safetensors";
    /** A safetensors header larger than this is refused before it is read. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private final RegistryClient registry;
    private final JsonMapper json;
    private final HttpClient http;
    private final java.time.Duration timeout;
    private final Map<String, Map<String, List<Long>>> shapes = new ConcurrentHashMap<>();

    BaseCheckpoints(RegistryClient registry, JsonMapper json, CoordinatorProperties properties) {
        this.registry = registry;
        this.json = json;
        this.timeout = properties.registry().timeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Tensor name → shape of {@code model}'s base checkpoint. @throws RegistryCallException when unreadable */
    public Map<String, List<Long>> shapes(String model) {
        Map<String, List<Long>> cached = shapes.get(model);
        if (cached != null) {
            return cached;
        }
        Map<String, List<Long>> read = read(model);
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

    private Map<String, List<Long>> read(String model) {
        String url = registry.presign(model, 0, CHECKPOINT).url();
        try {
            long headerLength = ByteBuffer.wrap(range(url, 0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES) {
                throw new RegistryCallException("base checkpoint of " + model + " declares a header of " + headerLength
                        + " bytes", 0, null);
            }
            JsonNode header = json.readTree(range(url, 8, (int) headerLength));
            Map<String, List<Long>> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                JsonNode shape = e.getValue().path("shape");
                if (!e.getKey().equals("__metadata__") && shape.isArray()) {
                    out.put(e.getKey(), shape.valueStream().map(JsonNode::asLong).toList());
                }
            }
            return Map.copyOf(out);
        } catch (IOException e) {
            throw new RegistryCallException("cannot read the base checkpoint header of " + model + ": "
                    + e.getMessage(), 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryCallException("interrupted reading the base checkpoint of " + model, 0, e);
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
