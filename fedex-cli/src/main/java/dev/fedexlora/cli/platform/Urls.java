package dev.fedexlora.cli.platform;

import java.io.PrintStream;

/** Prints where a running local platform can be looked at. */
final class Urls {

    private Urls() {
    }

    static void print(LocalPlatform platform, PrintStream out) {
        out.println("jobs page:        " + platform.coordinatorUrl() + "/jobs   (token: dev-viewer)");
        out.println("registry pages:   " + platform.registryUrl() + "/");
        out.println("registry API:     " + platform.registryUrl() + "/swagger-ui.html");
        out.println("coordinator API:  " + platform.coordinatorUrl() + "/swagger-ui.html"
                + "   (tokens: dev-submitter, dev-viewer, dev-worker-N)");
        out.println("metrics:          " + platform.coordinatorUrl() + "/actuator/prometheus");
    }
}
