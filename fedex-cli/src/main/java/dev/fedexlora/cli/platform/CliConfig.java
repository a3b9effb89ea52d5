package dev.fedexlora.cli.platform;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the platform is and the tokens to call it with. Tokens never come from the command line (where {@code ps}
 * shows them): each setting is taken from the environment, else from the config file, else the development
 * default. The config file is {@code $FEDEX_CONFIG}, else {@code $XDG_CONFIG_HOME/fedex/config}, else
 * {@code ~/.config/fedex/config}; lines {@code key = value}, {@code #} comments, keys {@value #KEYS_TEXT}.
 *
 * @param source the config file the settings were read from, or null when none was found
 */
public record CliConfig(URI coordinator, URI registry, String token, String registryToken, Path source) {

    static final String KEYS_TEXT = "coordinator, registry, token, registry-token";
    private static final List<String> KEYS = List.of("coordinator", "registry", "token", "registry-token");
    /** The development tokens a standalone platform accepts (docs/cli.md). */
    static final String DEV_TOKEN = "dev-submitter";
    /** The development registry token a standalone platform accepts: the admin's, which also reads (docs/cli.md). */
    static final String DEV_REGISTRY_TOKEN = LocalPlatform.DEV_REGISTRY_ADMIN;

    private static volatile Map<String, String> environment;
    private static volatile Path homeDirectory;

    /** Settings from this process's environment and the config file it names. */
    public static CliConfig load() {
        Map<String, String> env = environment;
        Path home = homeDirectory;
        return load(env != null ? env : System.getenv(), home != null ? home : Path.of(System.getProperty("user.home")));
    }

    /**
     * Makes {@link #load()} read these variables and home directory instead of the process's own (for programs
     * that embed the command line, and tests); {@code null} restores the process's.
     */
    public static void useEnvironment(Map<String, String> env, Path home) {
        environment = env == null ? null : Map.copyOf(env);
        homeDirectory = home;
    }

    /**
     * @throws IllegalArgumentException naming the file, line and key when the config file is malformed, or the
     *                                  variable when an environment URL is
     */
    static CliConfig load(Map<String, String> env, Path home) {
        Path file = configFile(env, home);
        Map<String, String> fromFile = file != null && Files.isRegularFile(file) ? read(file) : Map.of();
        Path source = fromFile.isEmpty() && (file == null || !Files.isRegularFile(file)) ? null : file;
        URI coordinator = url(env, "FEDEX_COORDINATOR_URL", fromFile, "coordinator", source, "http://localhost:8080");
        URI registry = url(env, "FEDEX_REGISTRY_URL", fromFile, "registry", source, "http://localhost:8081");
        String token = first(env.get("FEDEX_TOKEN"), fromFile.get("token"), DEV_TOKEN);
        String registryToken = first(env.get("FEDEX_REGISTRY_TOKEN"), fromFile.get("registry-token"), DEV_REGISTRY_TOKEN);
        return new CliConfig(coordinator, registry, token, registryToken, source);
    }

    /** The same settings with the URLs given on the command line, where given. */
    public CliConfig withUrls(URI coordinatorOverride, URI registryOverride) {
        return new CliConfig(coordinatorOverride != null ? coordinatorOverride : coordinator,
                registryOverride != null ? registryOverride : registry, token, registryToken, source);
    }

    public PlatformClient client() {
        return new PlatformClient(coordinator, registry, token, registryToken);
    }

    static Path configFile(Map<String, String> env, Path home) {
        String explicit = env.get("FEDEX_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("FEDEX_CONFIG names " + p + ", which is not a file");
            }
            return p;
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
        return dir.resolve("fedex").resolve("config");
    }

    private static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage());
        }
        warnIfShared(file);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'key = value', got '"
                        + (line.length() > 40 ? line.substring(0, 40) + "…" : line) + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": unknown key '" + key
                        + "' (known: " + KEYS_TEXT + ")");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + key + "' has no value");
            }
            if (out.put(key, value) != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + key + "' is set twice");
            }
        }
        return out;
    }

    /** A token file others can read is a leaked token; say so once, do not refuse (some systems lack POSIX modes). */
    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("fedex: warning: " + file + " is readable by other users; chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no POSIX permissions to check
        }
    }

    private static URI url(Map<String, String> env, String var, Map<String, String> file, String key, Path source,
                           String fallback) {
        String fromEnv = env.get(var);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return parseUrl(fromEnv, "environment variable " + var);
        }
        if (file.containsKey(key)) {
            return parseUrl(file.get(key), source + ": '" + key + "'");
        }
        return URI.create(fallback);
    }

    private static URI parseUrl(String text, String where) {
        try {
            URI uri = new URI(text.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(where + ": '" + text + "' is not an http(s) URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is not a URL: " + e.getReason());
        }
    }

    private static String first(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        return b != null ? b : fallback;
    }
}
