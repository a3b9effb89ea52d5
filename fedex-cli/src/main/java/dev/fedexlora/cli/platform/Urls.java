package dev.fedexlora.cli.platform;

import java.io.PrintStream;

/** Prints where a running local platform can be looked at. */
final class Urls {

    private Urls() {
    }

    static void print(LocalPlatform platform, PrintStream out) {
        out.println("jobs page:        " + platform.coordinatorUrl() + "/jobs   (token: dev-viewer)");
        out.println("registry pages:   " + platform.registryUrl() + "/   (sign in with dev-registry-reader or"
                + " dev-registry-admin)");
        out.println("registry API:     " + platform.registryUrl() + "/swagger-ui.html"
                + "   (tokens: dev-registry-reader, dev-registry-admin, dev-registry-publisher)");
        out.println("coordinator API:  " + platform.coordinatorUrl() + "/swagger-ui.html"
                + "   (tokens: dev-submitter, dev-viewer, dev-worker-N)");
        out.println("metrics:          " + platform.coordinatorUrl() + "/actuator/prometheus");
        out.println("listening on:     " + platform.bindAddress() + (LocalPlatform.isWildcard(platform.bindAddress())
                ? "   (every interface: replace the development tokens first, docs/operations.md)" : ""));
    }
}
