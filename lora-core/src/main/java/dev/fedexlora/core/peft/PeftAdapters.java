package dev.fedexlora.core.peft;

import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.tensor.InvalidTensorFileException;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes LoRA adapters in the Hugging Face PEFT layout: a directory with {@code adapter_config.json}
 * and {@code adapter_model.safetensors}, whose keys are {@code base_model.model.<module>.lora_A.weight} (r×k) and
 * {@code base_model.model.<module>.lora_B.weight} (d×r); any other key (a saved classifier head) is kept as an
 * extra tensor. Files written by Python PEFT and by the platform's workers read alike.
 */
public final class PeftAdapters {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    static final String PREFIX = "base_model.model.";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private PeftAdapters() {
    }

    /** Reads the adapter in {@code dir}. @throws InvalidTensorFileException naming the file and the problem */
    public static LoraAdapter read(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new InvalidTensorFileException(dir, "not a PEFT adapter directory: " + CONFIG_FILE + " is missing");
        }
        if (!Files.isRegularFile(weightsFile)) {
            String hint = Files.exists(dir.resolve("adapter_model.bin"))
                    ? " (adapter_model.bin is pickle, which is not read: save with safe_serialization=True)" : "";
            throw new InvalidTensorFileException(dir, WEIGHTS_FILE + " is missing" + hint);
        }
        return fromParts(Files.readString(configFile), SafeTensors.read(weightsFile), dir.toString());
    }

    /**
     * An adapter from the text of its {@code adapter_config.json} and its weights; {@code source} names it in
     * error messages.
     */
    public static LoraAdapter fromParts(String configJson, TensorFile weights, String source) throws IOException {
        AdapterConfig config = parseConfig(configJson, source + "/" + CONFIG_FILE);
        Map<String, Tensor> as = new TreeMap<>();
        Map<String, Tensor> bs = new TreeMap<>();
        Map<String, Tensor> extras = new LinkedHashMap<>();
        String weightsSource = source + "/" + WEIGHTS_FILE;
        for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
            String key = e.getKey().startsWith(PREFIX) ? e.getKey().substring(PREFIX.length()) : e.getKey();
            if (key.contains("lora_embedding_") || key.contains("lora_magnitude_vector")) {
                throw new InvalidTensorFileException(weightsSource, "'" + e.getKey()
                        + "' is an embedding LoRA or DoRA tensor, which exact aggregation does not support");
            }
            String module = loraModule(key, "lora_A");
            if (module != null) {
                as.put(module, e.getValue());
                continue;
            }
            module = loraModule(key, "lora_B");
            if (module != null) {
                bs.put(module, e.getValue());
                continue;
            }
            extras.put(key, e.getValue());
        }
        Map<String, LoraLayer> layers = new LinkedHashMap<>();
        for (String module : as.keySet()) {
            if (!bs.containsKey(module)) {
                throw new InvalidTensorFileException(weightsSource, "module '" + module + "' has lora_A but no lora_B");
            }
            Tensor a = as.get(module);
            Tensor b = bs.get(module);
            if (a.rank() != 2 || b.rank() != 2) {
                throw new InvalidTensorFileException(weightsSource, "module '" + module + "' has lora_A " + a
                        + " and lora_B " + b + "; both must be 2-d");
            }
            if (a.shape()[0] != b.shape()[1]) {
                throw new InvalidTensorFileException(weightsSource, "module '" + module + "': lora_A " + a
                        + " and lora_B " + b + " disagree on the rank");
            }
            layers.put(module, new LoraLayer(module, Matrix.of(a), Matrix.of(b)));
        }
        for (String module : bs.keySet()) {
            if (!as.containsKey(module)) {
                throw new InvalidTensorFileException(weightsSource, "module '" + module + "' has lora_B but no lora_A");
            }
        }
        if (layers.isEmpty()) {
            throw new InvalidTensorFileException(weightsSource, "holds no lora_A/lora_B tensors");
        }
        return new LoraAdapter(config, layers, extras);
    }

    /** The module of {@code key} if it is {@code <module>.<kind>.weight} or {@code <module>.<kind>.<name>.weight}. */
    private static String loraModule(String key, String kind) {
        int at = key.indexOf("." + kind + ".");
        if (at < 0 || !key.endsWith(".weight")) {
            return null;
        }
        String rest = key.substring(at + kind.length() + 2);
        if (!rest.equals("weight") && rest.indexOf('.') != rest.lastIndexOf('.')) {
            return null;
        }
        return key.substring(0, at);
    }

    static AdapterConfig parseConfig(String json, String source) throws InvalidTensorFileException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidTensorFileException(source, "not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new InvalidTensorFileException(source, "not a JSON object");
        }
        String peftType = text(n, "peft_type");
        if (peftType != null && !peftType.equals("LORA")) {
            throw new InvalidTensorFileException(source, "peft_type is " + peftType + ", only LORA adapters aggregate");
        }
        if (n.path("use_dora").asBoolean(false)) {
            throw new InvalidTensorFileException(source, "use_dora is true: DoRA adapters do not aggregate exactly");
        }
        JsonNode r = n.get("r");
        if (r == null || !r.isIntegralNumber() || r.asInt() <= 0) {
            throw new InvalidTensorFileException(source, "'r' must be a positive integer");
        }
        JsonNode alpha = n.get("lora_alpha");
        if (alpha != null && !alpha.isNumber()) {
            throw new InvalidTensorFileException(source, "'lora_alpha' must be a number");
        }
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        JsonNode ap = n.get("alpha_pattern");
        if (ap != null && ap.isObject()) {
            for (Map.Entry<String, JsonNode> e : ap.properties()) {
                alphaPattern.put(e.getKey(), e.getValue().asDouble());
            }
        }
        return new AdapterConfig(r.asInt(), alpha == null ? 8.0 : alpha.asDouble(),
                n.path("use_rslora").asBoolean(false), strings(n.get("target_modules")),
                strings(n.get("modules_to_save")), n.path("fan_in_fan_out").asBoolean(false), alphaPattern,
                text(n, "base_model_name_or_path"), text(n, "task_type"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static List<String> strings(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asString()));
        } else {
            out.add(v.asString()); // PEFT also accepts one regular expression
        }
        return out;
    }

    /** Writes {@code adapter} into {@code dir} (created if needed) in PEFT layout, all tensors F32. */
    public static void write(Path dir, LoraAdapter adapter) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CONFIG_FILE), configJson(adapter));
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), weights(adapter));
    }

    /** The adapter's weights as the PEFT {@code adapter_model.safetensors} holds them. */
    public static TensorFile weights(LoraAdapter adapter) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LoraLayer l : adapter.layers().values()) {
            tensors.put(PREFIX + l.module() + ".lora_A.weight", l.a().toTensor());
            tensors.put(PREFIX + l.module() + ".lora_B.weight", l.b().toTensor());
        }
        adapter.extras().forEach((k, t) -> tensors.put(PREFIX + k, t));
        return new TensorFile(Map.of("format", "pt"), tensors);
    }

    /** The adapter's {@code adapter_config.json}, loadable by Python PEFT. */
    public static String configJson(LoraAdapter adapter) {
        AdapterConfig c = adapter.config();
        ObjectNode n = JSON.createObjectNode();
        n.put("peft_type", "LORA");
        n.put("task_type", c.taskType());
        n.put("base_model_name_or_path", c.baseModel());
        n.put("r", c.r());
        n.put("lora_alpha", c.loraAlpha());
        n.put("use_rslora", c.useRslora());
        n.put("lora_dropout", 0.0);
        n.put("bias", "none");
        n.put("fan_in_fan_out", c.fanInFanOut());
        n.put("inference_mode", true);
        n.put("init_lora_weights", true);
        var targets = n.putArray("target_modules");
        c.targetModules().forEach(targets::add);
        if (c.modulesToSave().isEmpty()) {
            n.putNull("modules_to_save");
        } else {
            var save = n.putArray("modules_to_save");
            c.modulesToSave().forEach(save::add);
        }
        ObjectNode rankPattern = n.putObject("rank_pattern");
        for (LoraLayer l : adapter.layers().values()) {
            if (l.rank() != c.r()) {
                rankPattern.put(l.module(), l.rank());
            }
        }
        ObjectNode alphaPattern = n.putObject("alpha_pattern");
        c.alphaPattern().forEach(alphaPattern::put);
        return JSON.writeValueAsString(n);
    }
}
