package dev.fedexlora.deploy.compose;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import dev.fedexlora.deploy.RepositoryFiles;

/**
 * docker-compose.yml as Compose sees it with no .env: YAML merge keys resolved (SnakeYAML), then every
 * {@code ${VAR:-default}} replaced by its default and {@code $$} unescaped to {@code $}.
 */
final class ComposeFile {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    private ComposeFile() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load() {
        Map<String, Object> raw = new Yaml(new LoaderOptions()).load(
                RepositoryFiles.read(RepositoryFiles.resolve("docker-compose.yml")));
        return (Map<String, Object>) interpolate(raw);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Object service = services.get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service " + name);
        }
        return (Map<String, Object>) service;
    }

    /** Environment of a service as a map, whichever of the two Compose forms it uses. */
    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String s = String.valueOf(entry);
                int eq = s.indexOf('=');
                result.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return result;
    }

    static String interpolate(String value) {
        String escaped = value.replace("$$", "\u0000");
        Matcher m = VARIABLE.matcher(escaped);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(out);
        return out.toString().replace('\u0000', '$');
    }

    private static Object interpolate(Object node) {
        if (node instanceof String s) {
            return interpolate(s);
        }
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((k, v) -> result.put(String.valueOf(k), interpolate(v)));
            return result;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(ComposeFile::interpolate).toList();
        }
        return node;
    }
}
