package dev.fedexlora.cli.platform;

import java.net.URI;
import picocli.CommandLine.Option;

/**
 * Where the platform's services are. Tokens are deliberately not options (the command line shows in {@code ps}):
 * they come from {@code FEDEX_TOKEN} / {@code FEDEX_REGISTRY_TOKEN} or the config file, see {@link CliConfig}.
 */
public final class ApiOptions {

    @Option(names = "--coordinator", paramLabel = "URL",
            description = "Coordinator base URL (default: env FEDEX_COORDINATOR_URL, the config file's 'coordinator',"
                    + " or http://localhost:8080).")
    URI coordinator;

    @Option(names = "--registry", paramLabel = "URL",
            description = "Model registry base URL (default: env FEDEX_REGISTRY_URL, the config file's 'registry',"
                    + " or http://localhost:8081).")
    URI registry;

    public CliConfig config() {
        return CliConfig.load().withUrls(coordinator, registry);
    }

    public PlatformClient client() {
        return config().client();
    }
}
