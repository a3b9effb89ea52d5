package dev.fedexlora.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files of the repository the deployment descriptors are checked against (paths relative to its root). */
public final class RepositoryFiles {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    private RepositoryFiles() {
    }

    /** The repository root: the system property surefire sets, else the parent of the working directory. */
    public static Path root() {
        String configured = System.getProperty("fedex.repository.root");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        return root.toAbsolutePath().normalize();
    }

    public static Path resolve(String relative) {
        return root().resolve(relative);
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The environment variables a service module's {@code application.yml} reads through {@code ${NAME:default}}
     * placeholders. Together with Spring's relaxed binding of {@code SPRING_*} names these are the variables a
     * deployment may set for that service.
     */
    public static Set<String> environmentVariablesReadBy(String module) {
        String yaml = read(resolve(module + "/src/main/resources/application.yml"));
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(yaml);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * Whether a deployment may set {@code name} for {@code module}: a placeholder of its application.yml, a Spring
     * Boot property in relaxed form ({@code SPRING_*}, {@code SERVER_*}, {@code MANAGEMENT_*}), or a variable read by
     * the JVM or DJL rather than by Spring.
     */
    public static boolean isReadBy(String module, String name) {
        return environmentVariablesReadBy(module).contains(name) || readOutsideSpring(name);
    }

    private static boolean readOutsideSpring(String name) {
        // the coordinator's worker credentials: a list property, bound from the environment by Spring's relaxed
        // binding (fedex.coordinator.security.workers[0].sha256)
        return name.matches("FEDEX_COORDINATOR_SECURITY_WORKERS_\\d+_(NAME|SHA256|CLIENTS)") || name.startsWith("SPRING_") || name.startsWith("SERVER_") || name.startsWith("MANAGEMENT_")
                || Set.of("DJL_OFFLINE", "OPT_OUT_TRACKING", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "JAVA_TOOL_OPTIONS",
                        "PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR").contains(name);
    }
}
