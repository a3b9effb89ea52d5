package dev.fedexlora.cli.platform;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where the platform's services are and the token to call them with (options or environment variables). */
public final class ApiOptions {

    @Option(names = "--coordinator", paramLabel = "URL", defaultValue = "${env:FEDEX_COORDINATOR_URL:-http://localhost:8080}",
            description = "Coordinator base URL (env FEDEX_COORDINATOR_URL; default ${DEFAULT-VALUE}).")
    URI coordinator;

    @Option(names = "--registry", paramLabel = "URL", defaultValue = "${env:FEDEX_REGISTRY_URL:-http://localhost:8081}",
            description = "Model registry base URL (env FEDEX_REGISTRY_URL; default ${DEFAULT-VALUE}).")
    URI registry;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FEDEX_TOKEN:-dev-submitter}",
            description = "Coordinator API token (env FEDEX_TOKEN; default: the development submitter token).")
    String token;

    public PlatformClient client() {
        return new PlatformClient(coordinator, registry, token);
    }
}
