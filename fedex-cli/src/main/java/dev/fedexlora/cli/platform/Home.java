package dev.fedexlora.cli.platform;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root the {@code ./fedex} launcher runs from (system property {@code fedex.home}, else the cwd). */
public final class Home {

    private Home() {
    }

    public static Path dir() {
        Path home = Path.of(System.getProperty("fedex.home", ".")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(home.resolve("fedex"))) {
            throw new IllegalArgumentException(home + " is not the platform's directory (no ./fedex there)");
        }
        return home;
    }
}
