package dev.fedexlora.core.validate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks every field of an {@code adapter_config.json} that aggregation reads against the job. Pattern keys are
 * compared as plain strings; nothing in the file is compiled or evaluated.
 */
final class ConfigCheck {

    /** A key given twice is refused: another parser might take the other value. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Fields that change which modules are adapted or how, and that a platform job never sets. */
    private static final List<String> MUST_BE_UNSET = List.of("layers_to_transform", "layers_pattern",
            "exclude_modules", "target_parameters");

    private ConfigCheck() {
    }

    static void check(String json, UploadExpectations job, String file) throws RejectedUploadException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new RejectedUploadException(file, "(json)", "not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new RejectedUploadException(file, "(json)", "not a JSON object");
        }
        JsonNode peftType = n.get("peft_type");
        if (peftType != null && !peftType.isNull() && !"LORA".equals(peftType.asString(""))) {
            throw new RejectedUploadException(file, "peft_type", "is " + peftType + ", only LORA adapters aggregate");
        }
        JsonNode r = n.get("r");
        if (r == null || !r.isIntegralNumber() || !r.canConvertToInt() || r.asInt() != job.rank()) {
            throw new RejectedUploadException(file, "r", "is " + r + " but the job's rank is " + job.rank());
        }
        JsonNode alpha = n.get("lora_alpha");
        if (alpha == null || !alpha.isNumber() || !sameNumber(alpha.asDouble(), job.alpha())) {
            throw new RejectedUploadException(file, "lora_alpha", "is " + alpha + " but the job's alpha is " + job.alpha());
        }
        requireBoolean(n, "use_rslora", job.useRslora(), file);
        requireBoolean(n, "fan_in_fan_out", false, file);
        requireBoolean(n, "use_dora", false, file);
        requireBoolean(n, "lora_bias", false, file);
        JsonNode bias = n.get("bias");
        if (bias != null && !bias.isNull() && !"none".equals(bias.asString(""))) {
            throw new RejectedUploadException(file, "bias", "is " + bias + "; only \"none\" aggregates (biases are not LoRA)");
        }
        for (String field : MUST_BE_UNSET) {
            JsonNode v = n.get(field);
            if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                throw new RejectedUploadException(file, field, "is set (" + abbreviate(v) + "); a job never sets it");
            }
        }
        checkPattern(n, "alpha_pattern", job.alphaPattern(), file);
        checkPattern(n, "rank_pattern", job.rankPattern(), file);
        checkTargets(n.get("target_modules"), job, file);
    }

    private static void requireBoolean(JsonNode n, String field, boolean expected, String file)
            throws RejectedUploadException {
        JsonNode v = n.get(field);
        boolean actual;
        if (v == null || v.isNull()) {
            actual = false;
        } else if (v.isBoolean()) {
            actual = v.asBoolean();
        } else {
            throw new RejectedUploadException(file, field, "must be true or false, got " + abbreviate(v));
        }
        if (actual != expected) {
            throw new RejectedUploadException(file, field, "is " + actual + " but the job needs " + expected);
        }
    }

    /** Absent, null or {} when the job sets none; otherwise the same keys (plain strings) and the same numbers. */
    private static void checkPattern(JsonNode n, String field, Map<String, ? extends Number> expected, String file)
            throws RejectedUploadException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (!expected.isEmpty()) {
                throw new RejectedUploadException(file, field, "is missing but the job sets " + expected);
            }
            return;
        }
        if (!v.isObject()) {
            throw new RejectedUploadException(file, field, "must be an object, got " + abbreviate(v));
        }
        Map<String, Double> actual = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                throw new RejectedUploadException(file, field, "value of '" + abbreviate(e.getKey())
                        + "' is " + abbreviate(e.getValue()) + ", not a finite number");
            }
            actual.put(e.getKey(), e.getValue().asDouble());
        }
        if (!actual.keySet().equals(expected.keySet())) {
            Set<String> extra = new HashSet<>(actual.keySet());
            extra.removeAll(expected.keySet());
            throw new RejectedUploadException(file, field, extra.isEmpty()
                    ? "lacks keys the job sets: " + expected.keySet()
                    : "has keys the job does not set: " + abbreviate(extra.toString()));
        }
        for (Map.Entry<String, Double> e : actual.entrySet()) {
            double want = expected.get(e.getKey()).doubleValue();
            if (!sameNumber(e.getValue(), want)) {
                throw new RejectedUploadException(file, field, "'" + e.getKey() + "' is " + e.getValue()
                        + " but the job sets " + want);
            }
        }
    }

    private static void checkTargets(JsonNode v, UploadExpectations job, String file) throws RejectedUploadException {
        if (v == null || !v.isArray()) {
            // PEFT also allows one string, which it reads as a regular expression: never compiled here.
            throw new RejectedUploadException(file, "target_modules", "must be a list of module names, got "
                    + (v == null ? "nothing" : abbreviate(v)));
        }
        List<String> names = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isString()) {
                throw new RejectedUploadException(file, "target_modules", "holds " + abbreviate(x) + ", not a name");
            }
            names.add(x.asString());
        }
        if (!new HashSet<>(names).equals(new HashSet<>(job.targetModules())) || names.size() != job.targetModules().size()) {
            throw new RejectedUploadException(file, "target_modules", "is " + abbreviate(names.toString())
                    + " but the job targets " + job.targetModules());
        }
    }

    private static boolean sameNumber(double a, double b) {
        return Double.isFinite(a) && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    }

    /** A value as shown in a message: at most 80 characters of it. */
    static String abbreviate(Object v) {
        String s = String.valueOf(v);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
