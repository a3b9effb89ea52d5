package dev.fedexlora.deploy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Command-line tools some checks use when present (docker-compose, kubectl); none needs a daemon or a cluster. */
public final class Executables {

    private Executables() {
    }

    public static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }
}
