package dev.fedexlora.cli.chaos;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hostile request corpus: every operation of a service's OpenAPI document (read at run time) gets hostile path
 * values, query values and bodies with the right token, and one call without a token; a write answered 2xx without
 * a token breaks {@link Promise#NO_ANONYMOUS_WRITE}, an API read answered 2xx without one
 * {@link Promise#NO_ANONYMOUS_READ}. Bodies are built from the operation's schema, one field made hostile at a time.
 */
final class HostileCorpus {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Path values a caller might try: traversal, overflow, negative, empty-ish, huge, NUL, a UUID that exists nowhere. */
    static final List<String> PATH_VALUES = List.of("../../etc/passwd", "2147483647", "-1", "%00", "x".repeat(3000),
            "00000000-0000-0000-0000-000000000000", "..");
    static final List<String> QUERY_VALUES = List.of("2147483647", "-1", "abc", "1e400");

    /** One service as the corpus sees it. */
    record Service(String name, URI base, Map<String, String> context, TokenRule tokens) {
    }

    /** The token a legitimate caller of an operation uses (the corpus wants validation, not authentication, to answer). */
    interface TokenRule {
        String tokenFor(String method, String path);
    }

    private final Http http;
    private final Figures figures;
    private final List<String> createdJobs = new ArrayList<>();

    HostileCorpus(Http http, Figures figures) {
        this.http = http;
        this.figures = figures;
    }

    /** Ids of jobs a corpus request created (to cancel afterwards). */
    List<String> createdJobs() {
        return createdJobs;
    }

    /** Runs the corpus against {@code service}; answers the number of requests sent. */
    int run(Service service) {
        Http.Reply docs = http.quietGet(service.base().resolve("/v3/api-docs"), null);
        if (!docs.ok()) {
            figures.did(service.name() + ": no OpenAPI document (" + docs.status() + "); corpus skipped");
            return 0;
        }
        JsonNode api = docs.json();
        int before = figures.requests();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : api.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
                if (!List.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                    continue;
                }
                operations++;
                operation(service, api, method, path.getKey(), op.getValue());
            }
        }
        int sent = figures.requests() - before;
        figures.did(String.format("%s: hostile corpus on %d operations from its OpenAPI document, %d requests",
                service.name(), operations, sent));
        return sent;
    }

    private void operation(Service s, JsonNode api, String method, String template, JsonNode op) {
        String endpoint = s.name() + " " + method + " " + template;
        String token = s.tokens().tokenFor(method, template);
        List<String> pathParams = new ArrayList<>();
        List<String> queryParams = new ArrayList<>();
        for (JsonNode p : op.path("parameters")) {
            ("path".equals(p.path("in").asString()) ? pathParams : queryParams).add(p.path("name").asString());
        }
        JsonNode schema = bodySchema(api, op);
        boolean multipart = op.path("requestBody").path("content").has("multipart/form-data");
        JsonNode plausible = schema == null ? null : plausible(api, schema, 0);

        // Anonymous, otherwise plausible.
        Http.Reply anon = send(endpoint, method, s, template, pathParams, Map.of(), null, plausible);
        if (anon.ok()) {
            boolean write = !method.equals("GET");
            if (write) {
                figures.broken(Promise.NO_ANONYMOUS_WRITE, endpoint + " answered " + anon.status() + " without a token");
            } else if (template.startsWith("/api/")) {
                figures.broken(Promise.NO_ANONYMOUS_READ, endpoint + " answered " + anon.status() + " without a token");
            }
        }
        for (String param : pathParams) {
            for (String v : PATH_VALUES) {
                send(endpoint, method, s, template, pathParams, Map.of(param, v), token, plausible);
            }
        }
        // An event stream of a real job stays open by design: only hostile ids (answered at once) are sent to it.
        boolean stream = op.path("responses").toString().contains("text/event-stream");
        for (String q : stream ? List.<String>of() : queryParams) {
            for (String v : QUERY_VALUES) {
                send(endpoint, method, s, template, pathParams, Map.of("?" + q, v), token, plausible);
            }
        }
        if (schema != null || multipart) {
            for (byte[] raw : rawBodies()) {
                http.send(endpoint, method, uri(s, template, pathParams, Map.of()), token, "application/json", raw);
            }
        }
        if (plausible instanceof ObjectNode obj) {
            for (String field : iterable(obj.propertyNames())) {
                for (JsonNode bad : hostile(api, schema, field)) {
                    ObjectNode variant = obj.deepCopy();
                    variant.set(field, bad);
                    send(endpoint, method, s, template, pathParams, Map.of(), token, variant);
                }
            }
        }
    }

    private Http.Reply send(String endpoint, String method, Service s, String template, List<String> pathParams,
                            Map<String, String> overrides, String token, JsonNode body) {
        Http.Reply r = http.json(endpoint, method, uri(s, template, pathParams, overrides), token,
                method.equals("GET") ? null : body == null ? F.objectNode() : body);
        if (r.ok() && method.equals("POST") && template.equals("/api/v1/jobs")) {
            createdJobs.add(r.json().path("id").asString());
        }
        return r;
    }

    private static URI uri(Service s, String template, List<String> pathParams, Map<String, String> overrides) {
        String path = template;
        for (String p : pathParams) {
            String v = overrides.getOrDefault(p, s.context().getOrDefault(p, "x"));
            path = path.replace("{" + p + "}", v.startsWith("%") ? v : URLEncoder.encode(v, StandardCharsets.UTF_8)
                    .replace("+", "%20"));
        }
        StringBuilder q = new StringBuilder();
        overrides.forEach((k, v) -> {
            if (k.startsWith("?")) {
                q.append(q.isEmpty() ? "?" : "&").append(k.substring(1)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return URI.create(s.base() + path + q);
    }

    /** Bodies no schema allows: broken JSON, wrong top-level types, 2 MiB of string, 20 000 levels of nesting. */
    private static List<byte[]> rawBodies() {
        return List.of("{".getBytes(StandardCharsets.UTF_8), "null".getBytes(StandardCharsets.UTF_8),
                "[]".getBytes(StandardCharsets.UTF_8),
                ("\"" + "A".repeat(2 << 20) + "\"").getBytes(StandardCharsets.UTF_8),
                ("[".repeat(20_000) + "]".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode bodySchema(JsonNode api, JsonNode op) {
        JsonNode content = op.path("requestBody").path("content");
        JsonNode s = content.path("application/json").path("schema");
        return s.isMissingNode() ? null : resolve(api, s);
    }

    private static JsonNode resolve(JsonNode api, JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        if (ref.startsWith("#/components/schemas/")) {
            return api.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
        }
        return schema;
    }

    /** A value the schema admits: small numbers, short strings, one-element arrays. */
    private static JsonNode plausible(JsonNode api, JsonNode schema, int depth) {
        JsonNode s = resolve(api, schema);
        if (depth > 6) {
            return F.nullNode();
        }
        if (s.has("enum")) {
            return s.path("enum").get(0);
        }
        switch (s.path("type").asString("object")) {
            case "integer":
                return F.numberNode(1);
            case "number":
                return F.numberNode(1.0);
            case "boolean":
                return F.booleanNode(false);
            case "string":
                return F.stringNode(switch (s.path("format").asString("")) {
                    case "duration" -> "PT1M";
                    case "uuid" -> "00000000-0000-0000-0000-000000000000";
                    case "date-time" -> "2026-01-01T00:00:00Z";
                    default -> "x";
                });
            case "array":
                return F.arrayNode().add(plausible(api, s.path("items"), depth + 1));
            default:
                ObjectNode o = F.objectNode();
                for (Map.Entry<String, JsonNode> p : s.path("properties").properties()) {
                    o.set(p.getKey(), plausible(api, p.getValue(), depth + 1));
                }
                return o;
        }
    }

    /** Hostile values for one field: overflows, fractions, 1e400, huge durations, traversal keys, wrong types. */
    private static List<JsonNode> hostile(JsonNode api, JsonNode schema, String field) {
        JsonNode s = resolve(api, resolve(api, schema).path("properties").path(field));
        List<JsonNode> out = new ArrayList<>(List.of(F.nullNode(), F.arrayNode()));
        switch (s.path("type").asString("object")) {
            case "integer" -> out.addAll(List.of(F.numberNode(1.5), F.numberNode(new BigDecimal("1e400")),
                    F.numberNode(new BigDecimal("99999999999999999999")), F.numberNode(-2147483648L), F.stringNode("1")));
            case "number" -> out.addAll(List.of(F.numberNode(new BigDecimal("1e400")), F.numberNode(new BigDecimal("-1e400")),
                    F.numberNode(-1.0), F.numberNode(0.0), F.stringNode("NaN")));
            case "string" -> out.addAll(List.of(F.stringNode("PT10000000000000S"), F.stringNode("PT100000000000000000S"),
                    F.stringNode("../../etc/passwd"), F.stringNode("(.*){1,30}x"), F.stringNode("x".repeat(10_000)),
                    F.numberNode(1)));
            case "array" -> out.addAll(List.of(F.arrayNode().add("no_such_module"), F.arrayNode().add(F.nullNode()),
                    F.stringNode("x")));
            case "boolean" -> out.add(F.stringNode("yes"));
            default -> out.addAll(List.of(F.stringNode("x"), F.objectNode().put("../../etc/passwd", 1e300)));
        }
        return out;
    }

    private static <T> Iterable<T> iterable(java.util.Collection<T> c) {
        return List.copyOf(c);
    }
}
